// The address text grammar (see address.h): ParseAddress (through
// address_text::ParseInto, wrapped in address.cc) and the host grammars
// ParseIPv4Text / ParseIPv6Text. Written by hand on purpose: inet_pton is the
// independent oracle the tests and fuzzers compare this parser with.
//
// This file is the address_parse fuzzer's code under test (the only code it
// instruments), and that shapes it. Under the fuzz build every comparison is a
// callback (UBSan's pointer checks on s_[i] included) and every branch taken is
// a coverage counter libFuzzer handles after the run, so: a rejection records
// an AddressError code and returns, allocating nothing (the message is written
// by address_error.cc, and only when asked); single bytes are classified by
// table lookups and runs of a class are scanned eight bytes at a time
// (address_chars.h), each kind of scan through one out-of-line SpanOf; no
// library code that is not inlined (address_text.h says why).
#include <net/if.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "harness/address.h"
#include "harness/address_chars.h"
#include "harness/address_text.h"

namespace sockspec {
namespace {

using namespace address_chars;
using Code = AddressErrorCode;

constexpr std::size_t kMaxPath = SunPathSize();
constexpr std::size_t kMaxAbstract = SunPathSize() - 1;
constexpr std::size_t kMaxZoneName = IFNAMSIZ - 1;

// ---- words: eight text bytes in one integer (see address_chars.h). Shift counts are masked
// to 0..63, which they are anyway, so that UBSan's shift check is provably true and compiled
// away instead of being one more comparison callback.

// p, which is not null, said so to the compiler: UBSan checks p + i both for wrapping and
// for a non-zero offset to a null pointer, and the second check (a comparison callback per
// index under the fuzz build) is then compiled away. Used only where the text has a byte at
// or after the offset, and a string_view that holds bytes has a non-null data().
[[gnu::always_inline]] inline const char* NonNull(const char* p) {
  if (p == nullptr) __builtin_unreachable();
  return p;
}

// The eight bytes at p as a little-endian word (byte k in bits 8k..8k+7) on any host.
[[gnu::always_inline]] inline std::uint64_t LoadWord(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

// The 1..8 bytes s[b, e) in a word's first lanes, the other lanes zero: the eight bytes that
// end at e shifted down when the text has them (one in-bounds load), else a padded copy.
[[gnu::always_inline]] inline std::uint64_t TailWord(const char* s, std::size_t b,
                                                     std::size_t e) {
  if (e >= 8) return LoadWord(NonNull(s) + (e - 8)) >> ((8 * (8 - (e - b))) & 63);
  char padded[8] = {};
  std::memcpy(padded, NonNull(s) + b, e - b);
  return LoadWord(padded);
}

// The lane of the first lane set in `lanes` (not 0, so the builtin needs no zero case).
[[gnu::always_inline]] inline unsigned FirstLane(std::uint64_t lanes) {
  return static_cast<unsigned>(__builtin_ctzll(lanes)) / 8;
}

[[gnu::always_inline]] inline unsigned LaneByte(std::uint64_t w, unsigned lane) {
  return static_cast<unsigned>(w >> ((8 * lane) & 63)) & 0xff;
}

// Parses one piece of `text` at a time; the first error wins and keeps its
// absolute byte position, so messages point into what the user wrote.
class TextParser {
 public:
  // Errors go straight to `error`, the caller's result: nothing is copied or moved per
  // rejection.
  TextParser(std::string_view text, AddressError& error) : s_(text), error_(error) {}

  // Inlined: straight stores add no branch at the call site, and an out-of-line copy would add
  // its entry counter to almost every input. (The small helpers below stay out of line on
  // purpose: one copy of their branches serves every caller.)
  [[gnu::always_inline]] bool Fail(std::size_t pos, Code code, std::string_view what = {}) {
    error_.position = pos;
    error_.code = code;
    error_.what = what;
    return false;
  }
  [[gnu::always_inline]] bool FailByte(std::size_t pos, Code code, unsigned byte,
                                       std::string_view what = {}) {
    error_.byte = static_cast<int>(byte);
    return Fail(pos, code, what);
  }
  [[gnu::always_inline]] bool FailNumbers(std::size_t pos, Code code, std::string_view what,
                                          std::uint64_t n1, std::uint64_t n2 = 0) {
    error_.n1 = n1;
    error_.n2 = n2;
    return Fail(pos, code, what);
  }

  // The text's bytes, for offsets where it has bytes (NonNull: see there). At(i) is s_[i].
  const char* Text() const { return NonNull(s_.data()); }
  [[gnu::always_inline]] unsigned At(std::size_t i) const {
    return static_cast<unsigned char>(Text()[i]);
  }

  // The byte at i if i < end, else kEnd (the text may hold real NULs).
  unsigned Peek(std::size_t i, std::size_t end) const { return i < end ? At(i) : kEnd; }

  // Whether s_ holds `word` (not empty) at b. Not std::string_view's compare: that is not
  // inlined, and address_text.h says why this file calls no such library code.
  bool HasAt(std::size_t b, std::string_view word) const {
    return s_.size() - b >= word.size() &&
           std::memcmp(Text() + b, word.data(), word.size()) == 0;
  }

  // The first `c` in s_[b, e), else e. memchr: no per-byte branches here.
  std::size_t Find(char c, std::size_t b, std::size_t e) const {
    const void* p = b < e ? std::memchr(Text() + b, c, e - b) : nullptr;
    return p == nullptr ? e : static_cast<std::size_t>(static_cast<const char*>(p) - Text());
  }

  // The run of class `cls` that starts at b, at most to e.
  ByteRun Span(const WordClass& cls, std::size_t b, std::size_t e) const {
    return SpanOf(s_, b, e, cls);
  }

  // The value of the decimal digits s_[b, e).
  std::uint64_t Decimal(std::size_t b, std::size_t e) const {
    std::uint64_t value = 0;
    for (std::size_t i = b; i < e; ++i) {
      value = value * 10 + At(i) - '0';
    }
    return value;
  }

  // The value of the 1..4 hex digits s_[b, e), from one word instead of a load per digit:
  // each lane's nibble is its low four bits, plus 9 for a letter (bit 6 set: a-f, A-F); the
  // digits are moved to lanes 0..3, most significant first, leading lanes zero.
  std::uint16_t HexGroup(std::size_t b, std::size_t e) const {
    const std::uint64_t w = TailWord(Text(), b, e) << ((8 * (4 - (e - b))) & 63);
    const std::uint64_t nibbles = (w & (kOnes * 0x0f)) + 9 * ((w >> 6) & kOnes);
    return static_cast<std::uint16_t>(((nibbles << 12) & 0xf000) | (nibbles & 0x0f00) |
                                      ((nibbles >> 12) & 0x00f0) | ((nibbles >> 24) & 0x000f));
  }

  // s_[b, e) must be exactly a dotted quad.
  bool ParseIPv4(std::size_t b, std::size_t e, bool embedded, std::uint8_t* out) {
    const std::string_view what = embedded ? "embedded IPv4" : "IPv4";
    std::size_t i = b;
    for (int octet = 0; octet < 4; ++octet) {
      const std::size_t start = i;
      const ByteRun digits = Span(kDigitWord, start, e);
      i = digits.end;
      const unsigned next = digits.stop;
      if (i == start) {
        if (next == '.' || next == kEnd) return Fail(start, Code::kEmptyOctet, what);
        return FailByte(start, Code::kUnexpectedInIPv4, next, what);
      }
      if (At(start) == '0') {
        if (i - start > 1) return Fail(start, Code::kOctalOctet, what);
        if (next == 'x' || next == 'X') return Fail(start, Code::kHexOctet, what);
      }
      // Without a leading zero, four digits are at least 1000.
      const std::uint64_t value = i - start > 3 ? 256 : Decimal(start, i);
      if (value > 255) return Fail(start, Code::kOctetTooBig, what);
      out[octet] = static_cast<std::uint8_t>(value);
      if (octet < 3) {
        if (next == '.') {
          ++i;
          continue;
        }
        if (next == kEnd) return Fail(i, Code::kTooFewOctets, what);
        return FailByte(i, Code::kUnexpectedInIPv4, next, what);
      }
      if (next == '.') return Fail(i, Code::kTooManyOctets, what);
      if (next != kEnd) return FailByte(i, Code::kUnexpectedInIPv4, next, what);
    }
    return true;
  }

  // s_[b, e) must be exactly an RFC 4291 address.
  bool ParseIPv6(std::size_t b, std::size_t e, std::array<std::uint8_t, 16>& out) {
    if (b == e) return Fail(b, Code::kEmptyHost);
    std::uint16_t groups[8] = {};
    int count = 0;          // groups seen, an embedded IPv4 counting two
    int compressed = -1;    // index in groups where "::" stands, or -1
    std::size_t i = b;
    if (At(i) == ':') {
      if (Peek(i + 1, e) != ':') return Fail(i, Code::kIPv6StartsWithColon);
      compressed = 0;
      i += 2;
      if (Peek(i, e) == ':') return Fail(i, Code::kTripleColon);
    }
    while (i < e) {
      const std::size_t start = i;
      // "::" stands for at least one group, so with it at most 7 may be written.
      const int limit = compressed >= 0 ? 7 : 8;
      const ByteRun hex = Span(kHexWord, start, e);
      i = hex.end;
      const unsigned c = hex.stop;
      const std::size_t run = i - start;
      if (c == '.') {
        if (count + 2 > limit) return Fail(start, Code::kTooManyGroups);
        const std::size_t v4_end = Find(':', start, e);
        std::uint8_t v4[4];
        if (!ParseIPv4(start, v4_end, /*embedded=*/true, v4)) return false;
        if (v4_end < e) return Fail(v4_end, Code::kEmbeddedNotLast);
        if (count == 0 && compressed < 0) return Fail(start, Code::kIPv4ForIPv6);
        groups[count++] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
        groups[count++] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
        break;
      }
      if (run == 0) return FailByte(i, Code::kUnexpectedInIPv6, c);
      if (run > 4) return Fail(start, Code::kGroupTooLong);
      if (count + 1 > limit) return Fail(start, Code::kTooManyGroups);
      groups[count++] = HexGroup(start, i);
      if (c == kEnd) break;
      if (c != ':') return FailByte(i, Code::kUnexpectedInIPv6, c);
      if (Peek(i + 1, e) == ':') {
        if (compressed >= 0) return Fail(i, Code::kTwoCompressions);
        if (count == 8) return Fail(i, Code::kTooManyGroups);
        compressed = count;
        i += 2;
        if (Peek(i, e) == ':') return Fail(i, Code::kTripleColon);
        continue;
      }
      ++i;
      if (i == e) return Fail(i, Code::kIPv6EndsWithColon);
    }
    if (compressed < 0 && count < 8) return Fail(e, Code::kTooFewGroups);
    std::uint16_t full[8] = {};
    if (compressed < 0) {
      std::memcpy(full, groups, sizeof(full));
    } else {
      const int tail = count - compressed;
      for (int g = 0; g < compressed; ++g) full[g] = groups[g];
      for (int g = 0; g < tail; ++g) full[8 - tail + g] = groups[compressed + g];
    }
    for (int g = 0; g < 8; ++g) {
      out[2 * g] = static_cast<std::uint8_t>(full[g] >> 8);
      out[2 * g + 1] = static_cast<std::uint8_t>(full[g] & 0xff);
    }
    return true;
  }

  // s_[b, e) is the zone after '%'.
  bool ParseZone(std::size_t b, std::size_t e, Address& a) {
    if (b == e) return Fail(b, Code::kEmptyZone);
    if (Span(kDigitWord, b, e).end == e) {
      if (At(b) == '0') {
        return Fail(b, e - b == 1 ? Code::kZoneIndexZero : Code::kZoneIndexLeadingZero);
      }
      // Eleven digits without a leading zero exceed 4294967295.
      const std::uint64_t value = e - b > 10 ? 0x100000000u : Decimal(b, e);
      if (value > 0xffffffffu) return Fail(b, Code::kZoneIndexRange);
      a.scope_id = static_cast<std::uint32_t>(value);
      return true;
    }
    // A bad byte is reported before the length where both apply, as at one byte each.
    const ByteRun name = Span(kZoneWord, b, e);
    if (name.end < e && name.end - b <= kMaxZoneName) {
      if (name.stop == '[') return Fail(name.end, Code::kOpenBracket);
      return FailByte(name.end, Code::kZoneNameChar, name.stop);
    }
    if (e - b > kMaxZoneName) return Fail(b + kMaxZoneName, Code::kZoneNameTooLong);
    address_text::AssignBytes(a.scope_name, Text() + b, e - b);
    return true;
  }

  // Decimal digits from b, at most max_digits, value at most max_value. `what` names the
  // field. On success after_ is the run of digits (where it ends, and the byte there).
  bool ParseNumber(std::size_t b, std::size_t max_digits, std::uint64_t max_value,
                   std::string_view what, std::uint64_t& value) {
    const ByteRun digits = Span(kDigitWord, b, s_.size());
    if (digits.end == b) {
      const unsigned c = digits.stop;
      if (c == kEnd || c == ',') return Fail(b, Code::kEmptyNumber, what);
      if (c == '+' || c == '-') return Fail(b, Code::kSignInNumber, what);
      if (c == ' ' || c == '\t') return Fail(b, Code::kSpaceInNumber, what);
      return FailByte(b, Code::kMalformedNumber, c, what);
    }
    if (digits.end - b > max_digits) {
      return FailNumbers(b + max_digits, Code::kTooManyDigits, what, max_digits);
    }
    value = Decimal(b, digits.end);
    if (value > max_value) return FailNumbers(b, Code::kNumberRange, what, value, max_value);
    after_ = digits;
    return true;
  }

  // From b: ":" port [",flow=" flow] to the end of the text.
  bool ParsePortAndSuffix(std::size_t b, Address& a) {
    const std::size_t end = s_.size();
    if (b == end) return Fail(b, Code::kMissingPort);
    const unsigned c = At(b);
    if (c != ':') {
      if (c == '%') return Fail(b, Code::kZoneOutsideBrackets);
      if (c == ']') return Fail(b, Code::kCloseBracket);
      return FailByte(b, Code::kExpectedPort, c);
    }
    std::uint64_t port = 0;
    if (!ParseNumber(b + 1, 5, 65535, "port", port)) return false;
    a.port = static_cast<std::uint16_t>(port);
    const std::size_t i = after_.end;
    const unsigned after = after_.stop;
    if (after == kEnd) return true;
    if (after != ',') {
      if (after == ' ' || after == '\t') return Fail(i, Code::kSpaceAfterPort);
      return FailByte(i, Code::kGarbageAfterPort, after);
    }
    if (a.kind != AddrKind::kInet6) return Fail(i, Code::kFlowNotIPv6);
    constexpr std::string_view kFlow = ",flow=";
    if (!HasAt(i, kFlow)) return Fail(i, Code::kExpectedFlow);
    std::uint64_t flow = 0;
    if (!ParseNumber(i + kFlow.size(), 10, 0xffffffffu, "flow info", flow)) return false;
    a.flowinfo = static_cast<std::uint32_t>(flow);
    if (after_.stop != kEnd) return FailByte(after_.end, Code::kGarbageAfterFlow, after_.stop);
    return true;
  }

  bool ParseInetBody(std::size_t b, Address& a) {
    const std::size_t end = s_.size();
    if (Peek(b, end) == '[') {
      const ByteRun host = Span(kV6HostWord, b + 1, end);
      a.kind = AddrKind::kInet6;
      if (host.end == b + 1) return Fail(host.end, Code::kEmptyHost);
      if (!ParseIPv6(b + 1, host.end, a.ip)) return false;
      std::size_t i = host.end;
      if (host.stop == '%') {
        const std::size_t zone_end = Find(']', i + 1, end);
        if (!ParseZone(i + 1, zone_end, a)) return false;
        i = zone_end;
      }
      if (i == end) return Fail(i, Code::kMissingCloseBracket);
      return ParsePortAndSuffix(i + 1, a);
    }
    // "fe80::1:80" is ambiguous; an IPv4 host never holds ':' so two colons
    // before any '.' can only be IPv6 text.
    const std::size_t colon = Find(':', b, end);
    if (colon < end && Find(':', colon + 1, end) < end && Find('.', b, colon) == colon) {
      return Fail(b, Code::kIPv6NeedsBrackets);
    }
    // The host ends at ':' or '%'; a bracket before that is misplaced.
    const ByteRun host = Span(kV4HostWord, b, end);
    if (host.stop == ']') return Fail(host.end, Code::kCloseBracket);
    if (host.stop == '[') return Fail(host.end, Code::kOpenBracket);
    a.kind = AddrKind::kInet4;
    if (host.end == b) return Fail(b, Code::kEmptyHost);
    if (!ParseIPv4(b, host.end, /*embedded=*/false, a.ip.data())) return false;
    return ParsePortAndSuffix(host.end, a);
  }

  bool ParseUnixBody(std::size_t b, Address& a) {
    const std::size_t end = s_.size();
    if (b == end) {
      a.kind = AddrKind::kUnixUnnamed;
      return true;
    }
    const bool abstract = At(b) == '@';
    a.kind = abstract ? AddrKind::kUnixAbstract : AddrKind::kUnixPath;
    const std::size_t max = abstract ? kMaxAbstract : kMaxPath;
    // Decoded on the stack, stored only once the whole name is valid: a rejected text
    // allocates nothing.
    char bytes[kMaxPath];
    std::size_t n = 0;
    std::size_t i = abstract ? b + 1 : b;
    while (i < end) {
      // A run of bytes that stand for themselves, copied at once; scanned no further than
      // one byte past the most that still fit.
      const std::size_t limit = end - i > max - n ? i + (max - n) + 1 : end;
      // (Where the run reaches the limit, stop is kEnd but the name is too long anyway.)
      const ByteRun plain = Span(kUnixPlainWord, i, limit);
      if (plain.end > i) {
        if (plain.end - i > max - n) {
          return FailNumbers(i + (max - n), Code::kNameTooLong,
                             abstract ? "abstract name" : "pathname", max);
        }
        std::memcpy(bytes + n, Text() + i, plain.end - i);
        n += plain.end - i;
        i = plain.end;
      }
      if (plain.stop == kEnd) break;
      const std::size_t start = i;
      const unsigned c = plain.stop;
      if (c != '\\') return FailByte(i, Code::kRawByte, c);
      const unsigned esc = Peek(i + 1, end);
      unsigned byte = 0;
      if (esc == 'x') {
        const unsigned hi = Peek(i + 2, end);
        const unsigned lo = Peek(i + 3, end);
        if (!IsHex(hi) || !IsHex(lo)) return Fail(start, Code::kBadHexEscape);
        byte = HexValue(hi) * 16 + HexValue(lo);
        i += 4;
      } else if (esc == '\\') {
        byte = '\\';
        i += 2;
      } else if (esc == kEnd) {
        return Fail(start, Code::kUnfinishedEscape);
      } else {
        return FailByte(start, Code::kUnknownEscape, esc);
      }
      if (!abstract && byte == 0) return Fail(start, Code::kNulInPath);
      if (n == max) {
        return FailNumbers(start, Code::kNameTooLong, abstract ? "abstract name" : "pathname",
                           max);
      }
      bytes[n++] = static_cast<char>(byte);
    }
    address_text::AssignBytes(a.unix_name, bytes, n);
    return true;
  }

  // The whole text as an address: on failure `a` is unspecified and the error says why.
  bool ParseFull(Address& a) {
    struct Scheme {
      std::string_view name;
      bool is_unix;
      SockType type;
    };
    static constexpr Scheme kSchemes[] = {
        {"unix", true, SockType::kUnspecified},     {"unix-stream", true, SockType::kStream},
        {"unix-dgram", true, SockType::kDgram},     {"unix-seqpacket", true, SockType::kSeqPacket},
        {"tcp", false, SockType::kStream},          {"udp", false, SockType::kDgram},
        {"inet", false, SockType::kUnspecified},
    };
    // The one candidate a token can be, picked by its length and two bits of its first byte
    // instead of comparing every name (under the fuzz build each comparison is a callback and
    // each outcome a coverage counter, on every input). Names that would share a slot do not
    // compile (the index past the table).
    constexpr auto slot = [](std::size_t size, unsigned first) {
      return size * 4 + ((first >> 4) & 1) * 2 + (first & 1);
    };
    static constexpr auto kSchemeAt = [slot] {
      std::array<std::int8_t, 64> at{};
      for (auto& k : at) k = -1;
      for (std::size_t k = 0; k < std::size(kSchemes); ++k) {
        const std::size_t n = slot(kSchemes[k].name.size(), kSchemes[k].name[0]);
        at[at[n] < 0 ? n : at.size()] = static_cast<std::int8_t>(k);
      }
      return at;
    }();
    const std::size_t end = s_.size();
    const ByteRun scheme_token = Span(kSchemeWord, 0, end);
    const std::size_t i = scheme_token.end;
    const std::string_view token(s_.data(), i);
    if (token.empty()) return Fail(0, Code::kMissingScheme);
    const Scheme* scheme = nullptr;
    if (token.size() < kSchemeAt.size() / 4) {
      const int k = kSchemeAt[slot(token.size(), static_cast<unsigned char>(token[0]))];
      // The same length as the token: the slot says so.
      if (k >= 0 && HasAt(0, kSchemes[k].name)) scheme = &kSchemes[k];
    }
    if (scheme == nullptr) {
      address_text::AssignBytes(error_.text, token.data(), token.size());
      return Fail(0, Code::kUnknownScheme);
    }
    if (scheme_token.stop != ':') return Fail(i, Code::kMissingSchemeColon);
    a.type = scheme->type;
    return scheme->is_unix ? ParseUnixBody(i + 1, a) : ParseInetBody(i + 1, a);
  }

 private:
  std::string_view s_;
  ByteRun after_{};  // where ParseNumber stopped
  AddressError& error_;
};

}  // namespace

namespace address_chars {

__attribute__((noinline)) ByteRun SpanOf(std::string_view s, std::size_t b, std::size_t e,
                                         const WordClass& cls) {
  std::size_t i = b;
  while (e - i >= 8) {
    const std::uint64_t w = LoadWord(NonNull(s.data()) + i);
    const std::uint64_t stop = ~cls.Lanes(w) & kHigh;
    if (stop != 0) {
      const unsigned lane = FirstLane(stop);
      return {i + lane, LaneByte(w, lane)};
    }
    i += 8;
  }
  if (i == e) return {e, kEnd};
  // The last 1..7 bytes; the lanes after them stop the run.
  const std::size_t n = e - i;
  const std::uint64_t w = TailWord(s.data(), i, e);
  const unsigned lane = FirstLane((~cls.Lanes(w) & kHigh) | (kHigh << ((8 * n) & 63)));
  return {i + lane, lane < n ? LaneByte(w, lane) : kEnd};
}

}  // namespace address_chars

bool address_text::ParseInto(std::string_view text, Address& a, AddressError& error) {
  return TextParser(text, error).ParseFull(a);
}

Parsed<std::array<std::uint8_t, 4>> ParseIPv4Text(std::string_view text) {
  Parsed<std::array<std::uint8_t, 4>> out;
  TextParser parser(text, out.error);
  std::array<std::uint8_t, 4> ip;
  if (text.empty()) {
    parser.Fail(0, Code::kEmptyHost);
  } else if (parser.ParseIPv4(0, text.size(), /*embedded=*/false, ip.data())) {
    out.value.emplace(ip);
  }
  return out;
}

Parsed<std::array<std::uint8_t, 16>> ParseIPv6Text(std::string_view text) {
  Parsed<std::array<std::uint8_t, 16>> out;
  TextParser parser(text, out.error);
  std::array<std::uint8_t, 16> ip;
  if (parser.ParseIPv6(0, text.size(), ip)) out.value.emplace(ip);
  return out;
}

}  // namespace sockspec
