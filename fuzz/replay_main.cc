// A standalone main for fuzz targets, for builds without libFuzzer (any
// compiler): runs LLVMFuzzerTestOneInput once on every file named on the
// command line and on every regular file inside every directory named there
// (recursively, sorted, dot-files skipped). Each input is passed as an
// exact-size heap copy, as libFuzzer does. An oracle violation aborts, which
// fails the ctest test; a missing path is an error too.
//
// --repeat N (first argument): load every input first, run the whole set N
// times quietly and print inputs per second: the target's own cost on a fixed
// input set, without libFuzzer's bookkeeping (used to compare address_parse
// with bench_inet_pton on the same inputs, see fuzz/README.md).
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

bool Hidden(const fs::path& p) { return p.filename().string().starts_with("."); }

bool Load(const fs::path& path, std::vector<char>& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

void RunOne(const std::vector<char>& bytes) {
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[bytes.size()]);
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  LLVMFuzzerTestOneInput(copy.get(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  long repeat = 0;
  int first = 1;
  if (argc > 2 && std::strcmp(argv[1], "--repeat") == 0) {
    repeat = std::strtol(argv[2], nullptr, 10);
    first = 3;
  }
  if (argc <= first || repeat < 0) {
    std::fprintf(stderr, "usage: %s [--repeat N] FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> files;
  bool ok = true;
  for (int i = first; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file() && !Hidden(entry.path())) found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(arg, ec)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      ok = false;
    }
  }
  std::vector<std::vector<char>> inputs(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) ok = Load(files[i], inputs[i]) && ok;
  if (!ok) return 1;

  if (repeat > 0) {
    const auto start = std::chrono::steady_clock::now();
    for (long r = 0; r < repeat; ++r) {
      for (const auto& input : inputs) RunOne(input);
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const double runs = static_cast<double>(repeat) * static_cast<double>(inputs.size());
    std::printf("replay: %.0f runs of %zu inputs in %.2f s: %.0f exec/s\n", runs, inputs.size(),
                took.count(), runs / took.count());
    return 0;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", files[i].c_str(), inputs[i].size());
    RunOne(inputs[i]);
  }
  std::fprintf(stderr, "replay: %zu inputs, all passed\n", files.size());
  return 0;
}
