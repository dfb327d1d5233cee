// Oracle failures in fuzz targets: print what was expected and the input, then
// abort, so libFuzzer records the input as a crash and the replay test fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sockspec::fuzz {

// The input as C-escaped text, cut at 512 bytes (messages stay readable).
inline std::string Printable(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  const std::size_t n = bytes.size() < 512 ? bytes.size() : 512;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (n < bytes.size()) out += "...";
  return out;
}

[[noreturn]] inline void Fail(const char* target, const std::string& what,
                              std::string_view input) {
  std::fprintf(stderr, "\n*** sockspec fuzz oracle violated (%s): %s\n*** input: \"%s\"\n",
               target, what.c_str(), Printable(input).c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace sockspec::fuzz
