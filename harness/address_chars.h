// Byte classes of the address grammar, shared by the parser (address_text.cc)
// and the formatter (address.cc). Internal to sockspec_address.
//
// Two forms of the same classes, both for the fuzz build's sake (the parser is
// the address_parse fuzzer's code under test, and there every comparison is a
// runtime callback, UBSan's pointer checks included):
// - kClass, a table: one lookup per single-byte question instead of chained
//   range comparisons. 257 entries: index 256 is the parser's end-of-text
//   marker (kEnd), which belongs to no class.
// - WordClass, the class of eight bytes at once (SWAR: plain integer
//   arithmetic on a 64-bit word, no comparison), for SpanOf, which scans a run
//   of a class a word at a time: a few callbacks per eight bytes where a
//   byte-by-byte loop costs about four per byte. address_test.cc checks both
//   forms against each other on every byte.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace sockspec::address_chars {

inline constexpr unsigned kEnd = 256;

enum : std::uint8_t {
  kDigit = 1 << 0,      // 0-9
  kHex = 1 << 1,        // 0-9 a-f A-F
  kZone = 1 << 2,       // a zone name byte: alnum _ . -
  kScheme = 1 << 3,     // a scheme token byte: alnum - + .
  kPrintable = 1 << 4,  // 0x20..0x7e
  kUnixPlain = 1 << 5,  // a unix name byte that stands for itself: printable but not '\\'
  kV4HostEnd = 1 << 6,  // ends or breaks an unbracketed host: ':' '%' '[' ']'
  kV6HostEnd = 1 << 7,  // ends a bracketed host: ']' '%'
};

inline constexpr std::array<std::uint8_t, 257> kClass = [] {
  std::array<std::uint8_t, 257> t{};
  for (unsigned c = 0x20; c <= 0x7e; ++c) t[c] |= kPrintable | kUnixPlain;
  t['\\'] &= static_cast<std::uint8_t>(~kUnixPlain);
  for (unsigned c = '0'; c <= '9'; ++c) t[c] |= kDigit | kHex | kZone | kScheme;
  for (unsigned c = 'a'; c <= 'z'; ++c) t[c] |= kZone | kScheme;
  for (unsigned c = 'A'; c <= 'Z'; ++c) t[c] |= kZone | kScheme;
  for (unsigned c = 'a'; c <= 'f'; ++c) t[c] |= kHex;
  for (unsigned c = 'A'; c <= 'F'; ++c) t[c] |= kHex;
  for (unsigned char c : {'_', '.', '-'}) t[c] |= kZone;
  for (unsigned char c : {'-', '+', '.'}) t[c] |= kScheme;
  for (unsigned char c : {':', '%', '[', ']'}) t[c] |= kV4HostEnd;
  for (unsigned char c : {']', '%'}) t[c] |= kV6HostEnd;
  return t;
}();

// The value of a hex digit; only meaningful where kClass says kHex.
inline constexpr std::array<std::uint8_t, 257> kHexValue = [] {
  std::array<std::uint8_t, 257> t{};
  for (unsigned c = '0'; c <= '9'; ++c) t[c] = static_cast<std::uint8_t>(c - '0');
  for (unsigned c = 'a'; c <= 'f'; ++c) t[c] = static_cast<std::uint8_t>(c - 'a' + 10);
  for (unsigned c = 'A'; c <= 'F'; ++c) t[c] = static_cast<std::uint8_t>(c - 'A' + 10);
  return t;
}();

inline constexpr char kHexDigits[] = "0123456789abcdef";

// `c` is a byte (0..255) or kEnd.
inline bool Is(unsigned c, std::uint8_t cls) { return (kClass[c] & cls) != 0; }
inline bool IsDigit(unsigned c) { return Is(c, kDigit); }
inline bool IsHex(unsigned c) { return Is(c, kHex); }
inline bool IsZoneChar(unsigned c) { return Is(c, kZone); }
inline bool IsPrintable(unsigned c) { return Is(c, kPrintable); }
inline unsigned HexValue(unsigned c) { return kHexValue[c]; }

// ---- eight bytes at once. A word holds bytes in memory order; a class gives the word's
// "lanes" in it: the high bit of each byte that is in the class, and no other bit.

inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kHigh = 0x8080808080808080ull;

struct ByteRange {
  unsigned char lo;
  unsigned char hi;  // lo <= hi < 0x80
};

// A union of one to five byte ranges below 0x80, or its complement.
class WordClass {
 public:
  constexpr WordClass(std::initializer_list<ByteRange> ranges, bool complement = false)
      : flip_(complement ? kHigh : 0) {
    Range* slots[] = {&r0_, &r1_, &r2_, &r3_, &r4_};
    std::size_t k = 0;
    for (ByteRange r : ranges) *slots[k++] = {kOnes * (0x80u - r.lo), kOnes * (0x7fu - r.hi)};
    for (; k < 5; ++k) *slots[k] = r0_;  // a repeated range adds nothing
  }

  // Per lane, low7 + (0x80 - lo) sets the lane's high bit iff byte >= lo, and
  // low7 + (0x7f - hi) iff byte > hi; neither sum leaves its lane (at most 0x7f + 0x80), so
  // no carry crosses lanes. A byte >= 0x80 is in no range (the `& ~w`).
  [[gnu::always_inline]] constexpr std::uint64_t Lanes(std::uint64_t w) const {
    const std::uint64_t low7 = w & ~kHigh;
    const std::uint64_t in = In(low7, r0_) | In(low7, r1_) | In(low7, r2_) | In(low7, r3_) |
                             In(low7, r4_);
    return ((in & ~w) ^ flip_) & kHigh;
  }

 private:
  struct Range {
    std::uint64_t add_lo = 0;
    std::uint64_t add_hi = 0;
  };
  static constexpr std::uint64_t In(std::uint64_t low7, Range r) {
    return (low7 + r.add_lo) & ~(low7 + r.add_hi);
  }
  Range r0_, r1_, r2_, r3_, r4_;
  std::uint64_t flip_;
};

// The word forms of the table's classes (kV4Host / kV6Host: the bytes that do not end a host).
inline constexpr WordClass kDigitWord{{'0', '9'}};
inline constexpr WordClass kHexWord{{'0', '9'}, {'a', 'f'}, {'A', 'F'}};
inline constexpr WordClass kZoneWord{{'0', '9'}, {'a', 'z'}, {'A', 'Z'}, {'_', '_'}, {'-', '.'}};
inline constexpr WordClass kSchemeWord{{'0', '9'}, {'a', 'z'}, {'A', 'Z'}, {'+', '+'}, {'-', '.'}};
inline constexpr WordClass kUnixPlainWord{{0x20, '\\' - 1}, {'\\' + 1, 0x7e}};
inline constexpr WordClass kV4HostWord{{{':', ':'}, {'%', '%'}, {'[', '['}, {']', ']'}}, true};
inline constexpr WordClass kV6HostWord{{{']', ']'}, {'%', '%'}}, true};

// Where a run of a class ends, and the byte that ends it.
struct ByteRun {
  std::size_t end;  // the first i in [b, e) whose byte s[i] is not in the class, else e
  unsigned stop;    // s[end], or kEnd when end == e
};

// The run of `cls` in s[b, e) from b (b <= e <= s.size(); s.data() not null, as in the
// parser). Defined in address_text.cc, out of line on purpose: every scan then shares one set
// of branches (coverage counters) under the fuzz build.
ByteRun SpanOf(std::string_view s, std::size_t b, std::size_t e, const WordClass& cls);

}  // namespace sockspec::address_chars
