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
//
// --stats (first argument): run every input once and print what each costs in
// counts that do not depend on the machine's load: heap allocations (ASan
// builds, through the sanitizer's malloc hooks) and coverage counters touched
// (fuzz-preset builds, where the target's COVER sources are instrumented; every
// counter an input touches is a feature libFuzzer processes after the run).
#include <signal.h>
#include <sys/time.h>

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
// Provided by the sanitizer runtimes when present.
extern "C" __attribute__((weak)) int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, std::size_t),
    void (*free_hook)(const volatile void*));

// Coverage counters (-fsanitize-coverage=inline-8bit-counters): the runtime calls
// this once per instrumented module at start-up. Without instrumentation it is
// never called and --stats reports no counters.
namespace {
struct CounterRange {
  std::uint8_t* begin;
  std::uint8_t* end;
};
CounterRange g_counters[16];
int g_counter_ranges = 0;
std::size_t g_allocations = 0;
}  // namespace

extern "C" void __sanitizer_cov_8bit_counters_init(std::uint8_t* begin, std::uint8_t* end) {
  if (begin == end || g_counter_ranges == 16) return;
  for (int i = 0; i < g_counter_ranges; ++i) {
    if (g_counters[i].begin == begin) return;
  }
  g_counters[g_counter_ranges++] = {begin, end};
}

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

void Tick(int) {}

// The millisecond alarm (see the top of this file); no SA_RESTART, as libFuzzer.
void StartTicking() {
  struct sigaction sa {};
  sa.sa_handler = Tick;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
  const itimerval every_ms{{0, 1000}, {0, 1000}};
  setitimer(ITIMER_REAL, &every_ms, nullptr);
}

void StopTicking() {
  const itimerval off{};
  setitimer(ITIMER_REAL, &off, nullptr);
}

void CountAllocation(const volatile void*, std::size_t) { ++g_allocations; }
void IgnoreFree(const volatile void*) {}  // the runtime takes hooks only in pairs

std::size_t CountersTouched() {
  std::size_t n = 0;
  for (int i = 0; i < g_counter_ranges; ++i) {
    for (const std::uint8_t* c = g_counters[i].begin; c < g_counters[i].end; ++c) n += *c != 0;
  }
  return n;
}

void ResetCounters() {
  for (int i = 0; i < g_counter_ranges; ++i) {
    std::memset(g_counters[i].begin, 0, static_cast<std::size_t>(g_counters[i].end - g_counters[i].begin));
  }
}

// One run per input: mean and max allocations and counters touched per input.
int Stats(const std::vector<std::vector<char>>& inputs) {
  const bool hooks = __sanitizer_install_malloc_and_free_hooks != nullptr &&
                     __sanitizer_install_malloc_and_free_hooks(CountAllocation, IgnoreFree) != 0;
  std::size_t total_counters = 0;
  for (int i = 0; i < g_counter_ranges; ++i) {
    total_counters += static_cast<std::size_t>(g_counters[i].end - g_counters[i].begin);
  }
  double allocs = 0, touched = 0;
  std::size_t max_allocs = 0, max_touched = 0;
  for (const auto& input : inputs) {
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[input.size()]);
    if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
    ResetCounters();
    const std::size_t before = g_allocations;
    LLVMFuzzerTestOneInput(copy.get(), input.size());
    const std::size_t a = g_allocations - before;
    const std::size_t t = CountersTouched();
    allocs += static_cast<double>(a);
    touched += static_cast<double>(t);
    max_allocs = std::max(max_allocs, a);
    max_touched = std::max(max_touched, t);
  }
  const double n = inputs.empty() ? 1.0 : static_cast<double>(inputs.size());
  std::printf("replay: %zu inputs\n", inputs.size());
  if (hooks) {
    std::printf("  allocations per input: mean %.1f, max %zu\n", allocs / n, max_allocs);
  } else {
    std::printf("  allocations per input: not counted (no sanitizer malloc hooks)\n");
  }
  std::printf("  coverage counters touched per input: mean %.1f, max %zu (of %zu)\n",
              touched / n, max_touched, total_counters);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  long repeat = 0;
  bool stats = false;
  int first = 1;
  if (argc > 2 && std::strcmp(argv[1], "--repeat") == 0) {
    repeat = std::strtol(argv[2], nullptr, 10);
    first = 3;
  } else if (argc > 1 && std::strcmp(argv[1], "--stats") == 0) {
    stats = true;
    first = 2;
  }
  if (argc <= first || repeat < 0) {
    std::fprintf(stderr, "usage: %s [--repeat N | --stats] FILE_OR_DIR...\n", argv[0]);
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

  if (stats) return Stats(inputs);
  StartTicking();
  if (repeat > 0) {
    const auto start = std::chrono::steady_clock::now();
    for (long r = 0; r < repeat; ++r) {
      for (const auto& input : inputs) RunOne(input);
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const double runs = static_cast<double>(repeat) * static_cast<double>(inputs.size());
    StopTicking();
    std::printf("replay: %.0f runs of %zu inputs in %.2f s: %.0f exec/s\n", runs, inputs.size(),
                took.count(), runs / took.count());
    return 0;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", files[i].c_str(), inputs[i].size());
    RunOne(inputs[i]);
  }
  StopTicking();
  std::fprintf(stderr, "replay: %zu inputs, all passed\n", files.size());
  return 0;
}
