// The address model, its strict text grammar (see address.h) and sockaddr
// conversion. The IPv4/IPv6 grammar is written by hand on purpose: inet_pton
// is the independent oracle the tests and fuzzers compare this parser with.
#include "harness/address.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>
#include <utility>

namespace sockspec {
namespace {

constexpr std::size_t kSunPathOffset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t kMaxPath = SunPathSize();
constexpr std::size_t kMaxAbstract = SunPathSize() - 1;
constexpr std::size_t kMaxZoneName = IFNAMSIZ - 1;

bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsHex(int c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlnum(int c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsZoneChar(int c) { return IsAlnum(c) || c == '_' || c == '.' || c == '-'; }
bool IsPrintable(int c) { return c >= 0x20 && c <= 0x7e; }
int HexValue(int c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

constexpr char kHexDigits[] = "0123456789abcdef";

// Message text built in a stack buffer and copied into a std::string once: one allocation
// per message, and no string code run per piece (it is coverage-instrumented in fuzz builds).
class MessageBuilder {
 public:
  MessageBuilder& operator<<(std::string_view piece) {
    if (!spilled_ && piece.size() <= sizeof(buf_) - n_) {
      std::memcpy(buf_ + n_, piece.data(), piece.size());
      n_ += piece.size();
    } else {
      // Only an unknown scheme quoting a long token gets here.
      if (!spilled_) long_.assign(buf_, n_);
      spilled_ = true;
      long_.append(piece);
    }
    return *this;
  }
  MessageBuilder& operator<<(std::uint64_t n) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof(digits), n);
    return *this << std::string_view(digits, static_cast<std::size_t>(result.ptr - digits));
  }
  // A byte as it should appear in an error message: 'g' or byte 0x0a.
  MessageBuilder& Byte(int c) {
    if (IsPrintable(c)) {
      const char quoted[] = {'\'', static_cast<char>(c), '\''};
      return *this << std::string_view(quoted, sizeof(quoted));
    }
    const auto b = static_cast<unsigned char>(c);
    const char hex[] = {'b', 'y', 't', 'e', ' ', '0', 'x', kHexDigits[b >> 4], kHexDigits[b & 0xf]};
    return *this << std::string_view(hex, sizeof(hex));
  }
  std::string Take() { return spilled_ ? std::move(long_) : std::string(buf_, n_); }

 private:
  char buf_[112];  // longer than every fixed message
  std::size_t n_ = 0;
  bool spilled_ = false;
  std::string long_;
};

// Why a text was rejected, as a code and its few arguments. Fuzz inputs are mostly rejected,
// each by several grammars, and a test reads only the error it is handed back: so the parser
// records this (no allocation) and Message() writes the text once, for the caller.
enum class ParseErrorCode : std::uint8_t {
  kEmptyHost,
  // IPv4 octets; `what` is "IPv4" or "embedded IPv4".
  kEmptyOctet,
  kHexOctet,
  kOctalOctet,
  kOctetTooBig,
  kTooFewOctets,
  kTooManyOctets,
  kUnexpectedInIPv4,  // `byte`; `what` as above
  // IPv6.
  kIPv6StartsWithColon,
  kTripleColon,
  kTooManyGroups,
  kEmbeddedNotLast,
  kIPv4ForIPv6,
  kUnexpectedInIPv6,  // `byte`
  kGroupTooLong,
  kTwoCompressions,
  kIPv6EndsWithColon,
  kTooFewGroups,
  // Zone.
  kEmptyZone,
  kZoneIndexZero,
  kZoneIndexLeadingZero,
  kZoneIndexRange,
  kOpenBracket,  // also the zone's "unexpected '['"
  kCloseBracket,
  kZoneNameChar,  // `byte`
  kZoneNameTooLong,
  // Numbers; `what` is "port" or "flow info".
  kEmptyNumber,
  kSignInNumber,
  kSpaceInNumber,
  kMalformedNumber,  // `byte`
  kTooManyDigits,    // `n1` digits
  kNumberRange,      // `n1` value > `n2`
  // Port and flow suffix.
  kMissingPort,
  kZoneOutsideBrackets,
  kExpectedPort,  // `byte`
  kSpaceAfterPort,
  kGarbageAfterPort,  // `byte`
  kFlowNotIPv6,
  kExpectedFlow,
  kGarbageAfterFlow,  // `byte`
  // Inet body.
  kIPv6NeedsBrackets,
  kMissingCloseBracket,
  // Unix body.
  kUnfinishedEscape,
  kBadHexEscape,
  kUnknownEscape,  // `byte`
  kRawByte,        // `byte`
  kNulInPath,
  kNameTooLong,  // `what` "abstract name" or "pathname", `n1` the limit
  // Scheme.
  kMissingScheme,
  kUnknownScheme,  // `what` the scheme token
  kMissingSchemeColon,
};

struct ParseError {
  std::size_t position = 0;
  ParseErrorCode code = ParseErrorCode::kEmptyHost;
  int byte = 0;
  std::string_view what;  // a static string or part of the parsed text
  std::uint64_t n1 = 0;
  std::uint64_t n2 = 0;
};

ParseError MakeError(std::size_t position, ParseErrorCode code, int byte = 0,
                     std::string_view what = {}, std::uint64_t n1 = 0, std::uint64_t n2 = 0) {
  return ParseError{position, code, byte, what, n1, n2};
}

std::string Message(const ParseError& e) {
  using Code = ParseErrorCode;
  MessageBuilder m;
  switch (e.code) {
    case Code::kEmptyHost: m << "empty host"; break;
    case Code::kEmptyOctet: m << "empty " << e.what << " octet"; break;
    case Code::kHexOctet: m << "hexadecimal " << e.what << " octet (only decimal is accepted)"; break;
    case Code::kOctalOctet:
      m << "leading zero in " << e.what << " octet (octal forms are not accepted)";
      break;
    case Code::kOctetTooBig: m << e.what << " octet greater than 255"; break;
    case Code::kTooFewOctets: m << "too few " << e.what << " octets (need exactly 4)"; break;
    case Code::kTooManyOctets: m << "too many " << e.what << " octets (need exactly 4)"; break;
    case Code::kIPv6StartsWithColon: m << "IPv6 address starts with a single ':'"; break;
    case Code::kTripleColon: m << "':::' in IPv6 address"; break;
    case Code::kTooManyGroups: m << "too many IPv6 groups"; break;
    case Code::kEmbeddedNotLast:
      m << "embedded IPv4 address is allowed only as the last 32 bits";
      break;
    case Code::kIPv4ForIPv6:
      m << "IPv4 address where IPv6 is expected (use ::ffff:a.b.c.d)";
      break;
    case Code::kUnexpectedInIPv4:
    case Code::kUnexpectedInIPv6:
      if (e.byte == '[' || e.byte == ']') {
        m << "unbalanced brackets: unexpected '" << std::string_view(e.byte == '[' ? "[" : "]")
          << "'";
      } else if (e.byte == '%') {
        m << "zone outside brackets (write [ipv6%zone]:port)";
      } else {
        m << "unexpected ";
        m.Byte(e.byte) << " in ";
        m << (e.code == Code::kUnexpectedInIPv6 ? std::string_view("IPv6") : e.what)
          << " address";
      }
      break;
    case Code::kGroupTooLong: m << "IPv6 group has more than 4 hex digits"; break;
    case Code::kTwoCompressions: m << "more than one '::' in IPv6 address"; break;
    case Code::kIPv6EndsWithColon: m << "IPv6 address ends with a single ':'"; break;
    case Code::kTooFewGroups: m << "too few IPv6 groups (need 8, or '::')"; break;
    case Code::kEmptyZone: m << "empty zone"; break;
    case Code::kZoneIndexZero: m << "zone index 0 is no interface (omit the zone instead)"; break;
    case Code::kZoneIndexLeadingZero: m << "leading zero in zone index"; break;
    case Code::kZoneIndexRange: m << "zone index out of range (> 4294967295)"; break;
    case Code::kOpenBracket: m << "unbalanced brackets: unexpected '['"; break;
    case Code::kCloseBracket: m << "unbalanced brackets: unexpected ']'"; break;
    case Code::kZoneNameChar:
      m << "invalid ";
      m.Byte(e.byte) << " in zone name (allowed: A-Z a-z 0-9 _ . -)";
      break;
    case Code::kZoneNameTooLong:
      m << "zone name longer than " << std::uint64_t{kMaxZoneName} << " bytes";
      break;
    case Code::kEmptyNumber: m << "empty " << e.what; break;
    case Code::kSignInNumber: m << "sign in " << e.what << " (digits only)"; break;
    case Code::kSpaceInNumber: m << "whitespace in " << e.what; break;
    case Code::kMalformedNumber:
      m << "malformed " << e.what << ": expected a decimal digit, got ";
      m.Byte(e.byte);
      break;
    case Code::kTooManyDigits: m << e.what << " has more than " << e.n1 << " digits"; break;
    case Code::kNumberRange:
      m << e.what << " out of range (" << e.n1 << " > " << e.n2 << ")";
      break;
    case Code::kMissingPort: m << "missing port (expected ':' and a port number)"; break;
    case Code::kZoneOutsideBrackets: m << "zone outside brackets (write [ipv6%zone]:port)"; break;
    case Code::kExpectedPort:
      m << "expected ':' and a port, got ";
      m.Byte(e.byte);
      break;
    case Code::kSpaceAfterPort: m << "whitespace in or after port"; break;
    case Code::kGarbageAfterPort:
      m << "trailing garbage after port: ";
      m.Byte(e.byte);
      break;
    case Code::kFlowNotIPv6: m << "flow info applies to IPv6 only"; break;
    case Code::kExpectedFlow: m << "expected ',flow=' after port"; break;
    case Code::kGarbageAfterFlow:
      m << "trailing garbage after flow info: ";
      m.Byte(e.byte);
      break;
    case Code::kIPv6NeedsBrackets: m << "IPv6 address needs brackets ([addr]:port)"; break;
    case Code::kMissingCloseBracket: m << "unbalanced brackets: missing ']'"; break;
    case Code::kUnfinishedEscape: m << "unfinished escape at end of text"; break;
    case Code::kBadHexEscape: m << "\\x needs exactly two hex digits"; break;
    case Code::kUnknownEscape:
      m << "unknown escape \\ then ";
      m.Byte(e.byte) << " (only \\\\ and \\xHH)";
      break;
    case Code::kRawByte: {
      const auto b = static_cast<unsigned char>(e.byte);
      const char hex[] = {kHexDigits[b >> 4], kHexDigits[b & 0xf]};
      m << "raw ";
      m.Byte(e.byte) << " must be escaped as \\x" << std::string_view(hex, sizeof(hex));
      break;
    }
    case Code::kNulInPath: m << "NUL byte in pathname"; break;
    case Code::kNameTooLong: m << e.what << " longer than " << e.n1 << " bytes"; break;
    case Code::kMissingScheme: m << "missing scheme (unix:, tcp:, udp:, inet:, ...)"; break;
    case Code::kUnknownScheme: m << "unknown scheme \"" << e.what << "\""; break;
    case Code::kMissingSchemeColon: m << "missing ':' after scheme"; break;
  }
  return m.Take();
}

AddressError ToAddressError(const ParseError& e) { return AddressError{e.position, Message(e)}; }

// Parses one piece of `text` at a time; the first error wins and keeps its
// absolute byte position, so messages point into what the user wrote.
class TextParser {
 public:
  using Code = ParseErrorCode;

  explicit TextParser(std::string_view text) : s_(text) {}

  const ParseError& error() const { return error_; }

  bool Fail(std::size_t pos, Code code) { return Fail(MakeError(pos, code)); }
  bool Fail(ParseError e) {
    error_ = e;
    return false;
  }
  bool FailWhat(std::size_t pos, Code code, std::string_view what) {
    return Fail(MakeError(pos, code, 0, what));
  }
  bool FailByte(std::size_t pos, Code code, int byte, std::string_view what = {}) {
    return Fail(MakeError(pos, code, byte, what));
  }

  // The byte at i if i < end, else -1 (the text may hold real NULs).
  int Peek(std::size_t i, std::size_t end) const {
    return i < end ? static_cast<unsigned char>(s_[i]) : -1;
  }

  // s_[b, e) must be exactly a dotted quad.
  bool ParseIPv4(std::size_t b, std::size_t e, bool embedded, std::uint8_t* out) {
    const std::string_view what = embedded ? "embedded IPv4" : "IPv4";
    std::size_t i = b;
    for (int octet = 0; octet < 4; ++octet) {
      const std::size_t start = i;
      const int c = Peek(i, e);
      if (!IsDigit(c)) {
        if (c == '.' || c < 0) return FailWhat(i, Code::kEmptyOctet, what);
        return FailByte(i, Code::kUnexpectedInIPv4, c, what);
      }
      const int next = Peek(i + 1, e);
      if (c == '0' && (next == 'x' || next == 'X')) return FailWhat(i, Code::kHexOctet, what);
      if (c == '0' && IsDigit(next)) return FailWhat(i, Code::kOctalOctet, what);
      unsigned value = 0;
      while (IsDigit(Peek(i, e))) {
        value = value * 10 + static_cast<unsigned>(Peek(i, e) - '0');
        if (value > 255) return FailWhat(start, Code::kOctetTooBig, what);
        ++i;
      }
      out[octet] = static_cast<std::uint8_t>(value);
      const int after = Peek(i, e);
      if (octet < 3) {
        if (after == '.') {
          ++i;
          continue;
        }
        if (after < 0) return FailWhat(i, Code::kTooFewOctets, what);
        return FailByte(i, Code::kUnexpectedInIPv4, after, what);
      }
      if (after == '.') return FailWhat(i, Code::kTooManyOctets, what);
      if (after >= 0) return FailByte(i, Code::kUnexpectedInIPv4, after, what);
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
    if (Peek(i, e) == ':') {
      if (Peek(i + 1, e) != ':') return Fail(i, Code::kIPv6StartsWithColon);
      compressed = 0;
      i += 2;
      if (Peek(i, e) == ':') return Fail(i, Code::kTripleColon);
    }
    while (i < e) {
      const std::size_t start = i;
      // "::" stands for at least one group, so with it at most 7 may be written.
      const int limit = compressed >= 0 ? 7 : 8;
      std::size_t run = 0;
      while (IsHex(Peek(i + run, e))) ++run;
      if (Peek(i + run, e) == '.') {
        if (count + 2 > limit) return Fail(start, Code::kTooManyGroups);
        std::size_t v4_end = start;
        while (v4_end < e && s_[v4_end] != ':') ++v4_end;
        std::uint8_t v4[4];
        if (!ParseIPv4(start, v4_end, /*embedded=*/true, v4)) return false;
        if (v4_end < e) return Fail(v4_end, Code::kEmbeddedNotLast);
        if (count == 0 && compressed < 0) return Fail(start, Code::kIPv4ForIPv6);
        groups[count++] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
        groups[count++] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
        i = e;
        break;
      }
      if (run == 0) return FailByte(i, Code::kUnexpectedInIPv6, Peek(i, e));
      if (run > 4) return Fail(start, Code::kGroupTooLong);
      if (count + 1 > limit) return Fail(start, Code::kTooManyGroups);
      unsigned value = 0;
      for (std::size_t k = 0; k < run; ++k) value = value * 16 + HexValue(Peek(i + k, e));
      groups[count++] = static_cast<std::uint16_t>(value);
      i += run;
      if (i == e) break;
      const int c = Peek(i, e);
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
    if (compressed < 0 && count < 8) return Fail(i, Code::kTooFewGroups);
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
    bool all_digits = true;
    for (std::size_t i = b; i < e; ++i) all_digits = all_digits && IsDigit(Peek(i, e));
    if (all_digits) {
      if (s_[b] == '0') {
        return Fail(b, e - b == 1 ? Code::kZoneIndexZero : Code::kZoneIndexLeadingZero);
      }
      std::uint64_t value = 0;
      for (std::size_t i = b; i < e; ++i) {
        value = value * 10 + static_cast<unsigned>(s_[i] - '0');
        if (value > 0xffffffffu) return Fail(b, Code::kZoneIndexRange);
      }
      a.scope_id = static_cast<std::uint32_t>(value);
      return true;
    }
    for (std::size_t i = b; i < e; ++i) {
      const int c = Peek(i, e);
      if (!IsZoneChar(c)) {
        if (c == '[') return Fail(i, Code::kOpenBracket);
        return FailByte(i, Code::kZoneNameChar, c);
      }
      if (i - b >= kMaxZoneName) return Fail(i, Code::kZoneNameTooLong);
    }
    a.scope_name.assign(s_.substr(b, e - b));
    return true;
  }

  // Decimal digits from b, at most max_digits, value at most max_value. `what` names the field.
  bool ParseNumber(std::size_t b, std::size_t max_digits, std::uint64_t max_value,
                   std::string_view what, std::uint64_t& value) {
    const std::size_t end = s_.size();
    std::size_t i = b;
    const int first = Peek(i, end);
    if (first < 0 || first == ',') return FailWhat(i, Code::kEmptyNumber, what);
    if (first == '+' || first == '-') return FailWhat(i, Code::kSignInNumber, what);
    if (first == ' ' || first == '\t') return FailWhat(i, Code::kSpaceInNumber, what);
    if (!IsDigit(first)) return FailByte(i, Code::kMalformedNumber, first, what);
    value = 0;
    while (IsDigit(Peek(i, end))) {
      if (i - b == max_digits) {
        return Fail(MakeError(i, Code::kTooManyDigits, 0, what, max_digits));
      }
      value = value * 10 + static_cast<unsigned>(Peek(i, end) - '0');
      ++i;
    }
    if (value > max_value) return Fail(MakeError(b, Code::kNumberRange, 0, what, value, max_value));
    pos_ = i;
    return true;
  }

  // From b: ":" port [",flow=" flow] to the end of the text.
  bool ParsePortAndSuffix(std::size_t b, Address& a) {
    const std::size_t end = s_.size();
    if (b == end) return Fail(b, Code::kMissingPort);
    const int c = Peek(b, end);
    if (c == '%') return Fail(b, Code::kZoneOutsideBrackets);
    if (c != ':') {
      if (c == ']') return Fail(b, Code::kCloseBracket);
      return FailByte(b, Code::kExpectedPort, c);
    }
    std::uint64_t port = 0;
    if (!ParseNumber(b + 1, 5, 65535, "port", port)) return false;
    a.port = static_cast<std::uint16_t>(port);
    std::size_t i = pos_;
    if (i == end) return true;
    const int after = Peek(i, end);
    if (after == ' ' || after == '\t') return Fail(i, Code::kSpaceAfterPort);
    if (after != ',') return FailByte(i, Code::kGarbageAfterPort, after);
    if (a.kind != AddrKind::kInet6) return Fail(i, Code::kFlowNotIPv6);
    constexpr std::string_view kFlow = ",flow=";
    if (s_.substr(i, kFlow.size()) != kFlow) return Fail(i, Code::kExpectedFlow);
    std::uint64_t flow = 0;
    if (!ParseNumber(i + kFlow.size(), 10, 0xffffffffu, "flow info", flow)) return false;
    a.flowinfo = static_cast<std::uint32_t>(flow);
    if (pos_ != end) return FailByte(pos_, Code::kGarbageAfterFlow, Peek(pos_, end));
    return true;
  }

  bool ParseInetBody(std::size_t b, Address& a) {
    const std::size_t end = s_.size();
    if (Peek(b, end) == '[') {
      std::size_t host_end = b + 1;
      while (host_end < end && s_[host_end] != ']' && s_[host_end] != '%') ++host_end;
      a.kind = AddrKind::kInet6;
      if (host_end == b + 1) return Fail(host_end, Code::kEmptyHost);
      if (!ParseIPv6(b + 1, host_end, a.ip)) return false;
      std::size_t i = host_end;
      if (Peek(i, end) == '%') {
        std::size_t zone_end = i + 1;
        while (zone_end < end && s_[zone_end] != ']') ++zone_end;
        if (!ParseZone(i + 1, zone_end, a)) return false;
        i = zone_end;
      }
      if (i == end) return Fail(i, Code::kMissingCloseBracket);
      return ParsePortAndSuffix(i + 1, a);
    }
    std::size_t host_end = b;
    std::size_t colons = 0;
    bool dot_before_colon = false;
    for (std::size_t i = b; i < end; ++i) {
      if (s_[i] == ':') ++colons;
      if (s_[i] == '.' && colons == 0) dot_before_colon = true;
    }
    // "fe80::1:80" is ambiguous; an IPv4 host never holds ':' so two colons
    // before any '.' can only be IPv6 text.
    if (colons >= 2 && !dot_before_colon) return Fail(b, Code::kIPv6NeedsBrackets);
    while (host_end < end && s_[host_end] != ':' && s_[host_end] != '%') {
      if (s_[host_end] == ']') return Fail(host_end, Code::kCloseBracket);
      if (s_[host_end] == '[') return Fail(host_end, Code::kOpenBracket);
      ++host_end;
    }
    a.kind = AddrKind::kInet4;
    if (host_end == b) return Fail(b, Code::kEmptyHost);
    if (!ParseIPv4(b, host_end, /*embedded=*/false, a.ip.data())) return false;
    return ParsePortAndSuffix(host_end, a);
  }

  bool ParseUnixBody(std::size_t b, Address& a) {
    const std::size_t end = s_.size();
    if (b == end) {
      a.kind = AddrKind::kUnixUnnamed;
      return true;
    }
    const bool abstract = s_[b] == '@';
    a.kind = abstract ? AddrKind::kUnixAbstract : AddrKind::kUnixPath;
    const std::size_t max = abstract ? kMaxAbstract : kMaxPath;
    std::string& bytes = a.unix_name;
    std::size_t i = abstract ? b + 1 : b;
    // Each byte takes at least one byte of text.
    bytes.reserve(std::min(end - i, max));
    while (i < end) {
      const std::size_t start = i;
      const int c = Peek(i, end);
      int byte = 0;
      if (c == '\\') {
        const int esc = Peek(i + 1, end);
        if (esc < 0) return Fail(start, Code::kUnfinishedEscape);
        if (esc == '\\') {
          byte = '\\';
          i += 2;
        } else if (esc == 'x') {
          if (!IsHex(Peek(i + 2, end)) || !IsHex(Peek(i + 3, end))) {
            return Fail(start, Code::kBadHexEscape);
          }
          byte = HexValue(Peek(i + 2, end)) * 16 + HexValue(Peek(i + 3, end));
          i += 4;
        } else {
          return FailByte(start, Code::kUnknownEscape, esc);
        }
      } else if (!IsPrintable(c)) {
        return FailByte(i, Code::kRawByte, c);
      } else {
        byte = c;
        ++i;
      }
      if (!abstract && byte == 0) return Fail(start, Code::kNulInPath);
      if (bytes.size() == max) {
        return Fail(MakeError(start, Code::kNameTooLong, 0,
                              abstract ? "abstract name" : "pathname", max));
      }
      bytes.push_back(static_cast<char>(byte));
    }
    return true;
  }

  // The whole text as an address: on failure `a` is unspecified and error() says why.
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
    const std::size_t end = s_.size();
    std::size_t i = 0;
    while (i < end && (IsAlnum(Peek(i, end)) || s_[i] == '-' || s_[i] == '+' || s_[i] == '.')) ++i;
    const std::string_view token = s_.substr(0, i);
    if (token.empty()) return Fail(0, Code::kMissingScheme);
    const Scheme* scheme = nullptr;
    for (const Scheme& candidate : kSchemes) {
      if (candidate.name == token) scheme = &candidate;
    }
    if (scheme == nullptr) return FailWhat(0, Code::kUnknownScheme, token);
    if (Peek(i, end) != ':') return Fail(i, Code::kMissingSchemeColon);
    a.type = scheme->type;
    return scheme->is_unix ? ParseUnixBody(i + 1, a) : ParseInetBody(i + 1, a);
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;  // where ParseNumber stopped
  ParseError error_;
};

// The formatters append to one string that FormatAddress sizes once: formatting runs on
// every accepted fuzz input (twice) and in every test's failure output.
void AppendDecimal(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), n);
  out.append(buf, static_cast<std::size_t>(result.ptr - buf));
}

void AppendIPv4(std::string& out, const std::uint8_t* b) {
  for (int k = 0; k < 4; ++k) {
    if (k > 0) out += '.';
    AppendDecimal(out, b[k]);
  }
}

void AppendIPv6(std::string& out, const std::array<std::uint8_t, 16>& ip) {
  bool mapped = ip[10] == 0xff && ip[11] == 0xff;
  for (int k = 0; k < 10; ++k) mapped = mapped && ip[k] == 0;
  if (mapped) {
    out += "::ffff:";
    AppendIPv4(out, ip.data() + 12);
    return;
  }
  unsigned groups[8];
  for (int g = 0; g < 8; ++g) groups[g] = static_cast<unsigned>(ip[2 * g] << 8 | ip[2 * g + 1]);
  // RFC 5952 4.2: compress the longest run of two or more zero groups, the first on a tie.
  int best = -1;
  int best_len = 1;
  for (int g = 0; g < 8;) {
    if (groups[g] != 0) {
      ++g;
      continue;
    }
    int len = 0;
    while (g + len < 8 && groups[g + len] == 0) ++len;
    if (len > best_len) {
      best = g;
      best_len = len;
    }
    g += len;
  }
  const std::size_t begin = out.size();
  for (int g = 0; g < 8;) {
    if (g == best) {
      out += "::";
      g += best_len;
      continue;
    }
    if (out.size() != begin && out.back() != ':') out += ':';
    char buf[5];
    int n = 0;
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (groups[g] >> shift) & 0xf;
      if (nibble != 0 || started || shift == 0) {
        buf[n++] = kHexDigits[nibble];
        started = true;
      }
    }
    out.append(buf, static_cast<std::size_t>(n));
    ++g;
  }
}

std::string_view SchemeName(const Address& a) {
  if (a.is_unix()) {
    switch (a.type) {
      case SockType::kStream: return "unix-stream";
      case SockType::kDgram: return "unix-dgram";
      case SockType::kSeqPacket: return "unix-seqpacket";
      case SockType::kUnspecified: break;
    }
    return "unix";
  }
  switch (a.type) {
    case SockType::kStream: return "tcp";
    case SockType::kDgram: return "udp";
    default: return "inet";  // kSeqPacket has no inet scheme; CheckAddress says so
  }
}

void AppendEscapedUnixBytes(std::string& out, const std::string& bytes, bool is_path) {
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    const auto b = static_cast<unsigned char>(bytes[k]);
    if (b == '\\') {
      out += "\\\\";
    } else if (!IsPrintable(b) || (is_path && k == 0 && b == '@')) {
      const char escape[] = {'\\', 'x', kHexDigits[b >> 4], kHexDigits[b & 0xf]};
      out.append(escape, sizeof(escape));
    } else {
      out += static_cast<char>(b);
    }
  }
}

Parsed<Address> DecodeError(std::size_t position, std::string message) {
  Parsed<Address> out;
  out.error = AddressError{position, std::move(message)};
  return out;
}

bool ValidZoneName(const std::string& name) {
  if (name.empty() || name.size() > kMaxZoneName) return false;
  bool all_digits = true;
  for (char c : name) {
    if (!IsZoneChar(static_cast<unsigned char>(c))) return false;
    all_digits = all_digits && IsDigit(static_cast<unsigned char>(c));
  }
  return !all_digits;
}

}  // namespace

int ToSocketType(SockType t) {
  switch (t) {
    case SockType::kStream: return SOCK_STREAM;
    case SockType::kDgram: return SOCK_DGRAM;
    case SockType::kSeqPacket: return SOCK_SEQPACKET;
    case SockType::kUnspecified: break;
  }
  return 0;
}

Address Address::UnixPath(std::string path, SockType type) {
  Address a;
  a.kind = AddrKind::kUnixPath;
  a.type = type;
  a.unix_name = std::move(path);
  return a;
}

Address Address::UnixAbstract(std::string name, SockType type) {
  Address a;
  a.kind = AddrKind::kUnixAbstract;
  a.type = type;
  a.unix_name = std::move(name);
  return a;
}

Address Address::UnixUnnamed(SockType type) {
  Address a;
  a.kind = AddrKind::kUnixUnnamed;
  a.type = type;
  return a;
}

Address Address::Inet4(std::array<std::uint8_t, 4> ip, std::uint16_t port, SockType type) {
  Address a;
  a.kind = AddrKind::kInet4;
  a.type = type;
  std::memcpy(a.ip.data(), ip.data(), ip.size());
  a.port = port;
  return a;
}

Address Address::Inet6(std::array<std::uint8_t, 16> ip, std::uint16_t port, SockType type,
                       std::uint32_t scope_id, std::uint32_t flowinfo) {
  Address a;
  a.kind = AddrKind::kInet6;
  a.type = type;
  a.ip = ip;
  a.port = port;
  a.scope_id = scope_id;
  a.flowinfo = flowinfo;
  return a;
}

Address Address::Loopback4(std::uint16_t port, SockType type) {
  return Inet4({127, 0, 0, 1}, port, type);
}

Address Address::Loopback6(std::uint16_t port, SockType type) {
  std::array<std::uint8_t, 16> ip{};
  ip[15] = 1;
  return Inet6(ip, port, type);
}

int Address::family() const {
  switch (kind) {
    case AddrKind::kInet4: return AF_INET;
    case AddrKind::kInet6: return AF_INET6;
    case AddrKind::kUnixPath:
    case AddrKind::kUnixAbstract:
    case AddrKind::kUnixUnnamed: break;
  }
  return AF_UNIX;
}

Address Address::WithPort(std::uint16_t p) const {
  Address a = *this;
  a.port = p;
  return a;
}

std::string AddressError::Describe() const {
  return "at byte " + std::to_string(position) + ": " + message;
}

Parsed<Address> ParseAddress(std::string_view text) {
  Parsed<Address> out;
  TextParser parser(text);
  if (!parser.ParseFull(out.value.emplace())) {
    out.value.reset();
    out.error = ToAddressError(parser.error());
  }
  return out;
}

Parsed<std::array<std::uint8_t, 4>> ParseIPv4Text(std::string_view text) {
  TextParser parser(text);
  Parsed<std::array<std::uint8_t, 4>> out;
  std::array<std::uint8_t, 4> ip{};
  if (text.empty()) {
    parser.Fail(0, ParseErrorCode::kEmptyHost);
  } else if (parser.ParseIPv4(0, text.size(), /*embedded=*/false, ip.data())) {
    out.value = ip;
    return out;
  }
  out.error = ToAddressError(parser.error());
  return out;
}

Parsed<std::array<std::uint8_t, 16>> ParseIPv6Text(std::string_view text) {
  TextParser parser(text);
  Parsed<std::array<std::uint8_t, 16>> out;
  std::array<std::uint8_t, 16> ip{};
  if (parser.ParseIPv6(0, text.size(), ip)) {
    out.value = ip;
    return out;
  }
  out.error = ToAddressError(parser.error());
  return out;
}

std::string FormatAddress(const Address& a) {
  std::string out;
  // One allocation: an escaped unix byte takes at most 4 bytes; the longest inet form is
  // "inet:[" 45-byte IPv6 "%" 15-byte zone name "]:" 5-digit port ",flow=" 10 digits (89).
  out.reserve(a.is_unix() ? 16 + 4 * a.unix_name.size() : 96);
  out += SchemeName(a);
  out += ':';
  switch (a.kind) {
    case AddrKind::kUnixUnnamed: return out;
    case AddrKind::kUnixAbstract:
      out += '@';
      AppendEscapedUnixBytes(out, a.unix_name, false);
      return out;
    case AddrKind::kUnixPath: AppendEscapedUnixBytes(out, a.unix_name, true); return out;
    case AddrKind::kInet4:
      AppendIPv4(out, a.ip.data());
      out += ':';
      AppendDecimal(out, a.port);
      return out;
    case AddrKind::kInet6: break;
  }
  out += '[';
  AppendIPv6(out, a.ip);
  if (!a.scope_name.empty()) {
    out += '%';
    out += a.scope_name;
  } else if (a.scope_id != 0) {
    out += '%';
    AppendDecimal(out, a.scope_id);
  }
  out += "]:";
  AppendDecimal(out, a.port);
  if (a.flowinfo != 0) {
    out += ",flow=";
    AppendDecimal(out, a.flowinfo);
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Address& a) { return os << FormatAddress(a); }

std::optional<AddressError> CheckAddress(const Address& a) {
  auto problem = [](std::string message) {
    return std::optional<AddressError>(AddressError{0, std::move(message)});
  };
  const bool no_inet_fields = a.ip == std::array<std::uint8_t, 16>{} && a.port == 0 &&
                              a.flowinfo == 0 && a.scope_id == 0 && a.scope_name.empty();
  switch (a.kind) {
    case AddrKind::kUnixUnnamed:
      if (!a.unix_name.empty()) return problem("unnamed unix address with a name");
      break;
    case AddrKind::kUnixPath:
      if (a.unix_name.empty()) return problem("empty pathname");
      if (a.unix_name.find('\0') != std::string::npos) return problem("NUL byte in pathname");
      if (a.unix_name.size() > kMaxPath) return problem("pathname longer than sun_path");
      break;
    case AddrKind::kUnixAbstract:
      if (a.unix_name.size() > kMaxAbstract) return problem("abstract name too long");
      break;
    case AddrKind::kInet4:
    case AddrKind::kInet6: {
      if (a.type == SockType::kSeqPacket) return problem("no text scheme for inet seqpacket");
      if (!a.unix_name.empty()) return problem("inet address with a unix name");
      if (a.kind == AddrKind::kInet4) {
        for (std::size_t k = 4; k < a.ip.size(); ++k) {
          if (a.ip[k] != 0) return problem("IPv4 address with bytes beyond the fourth");
        }
        if (a.flowinfo != 0 || a.scope_id != 0 || !a.scope_name.empty()) {
          return problem("IPv4 address with IPv6 flow info or zone");
        }
        return std::nullopt;
      }
      if (!a.scope_name.empty() && a.scope_id != 0) {
        return problem("both scope_name and scope_id set");
      }
      if (!a.scope_name.empty() && !ValidZoneName(a.scope_name)) {
        return problem("scope_name is not a valid zone name");
      }
      return std::nullopt;
    }
  }
  if (!no_inet_fields) return problem("unix address with inet fields set");
  return std::nullopt;
}

SockAddr ToSockaddr(const Address& a) {
  SockAddr out;
  switch (a.kind) {
    case AddrKind::kUnixUnnamed:
    case AddrKind::kUnixPath:
    case AddrKind::kUnixAbstract: {
      sockaddr_un un{};
      un.sun_family = AF_UNIX;
      std::size_t len = sizeof(sa_family_t);
      if (a.kind == AddrKind::kUnixPath) {
        const std::size_t n = std::min(a.unix_name.size(), kMaxPath);
        std::memcpy(un.sun_path, a.unix_name.data(), n);
        // The terminator only when it fits: a full sun_path is legal without one.
        len = kSunPathOffset + n + (n < kMaxPath ? 1 : 0);
      } else if (a.kind == AddrKind::kUnixAbstract) {
        const std::size_t n = std::min(a.unix_name.size(), kMaxAbstract);
        std::memcpy(un.sun_path + 1, a.unix_name.data(), n);
        len = kSunPathOffset + 1 + n;
      }
      std::memcpy(&out.storage, &un, sizeof(un));
      out.len = static_cast<socklen_t>(len);
      return out;
    }
    case AddrKind::kInet4: {
      sockaddr_in in{};
      in.sin_family = AF_INET;
      in.sin_port = htons(a.port);
      std::memcpy(&in.sin_addr, a.ip.data(), 4);  // already network order
      std::memcpy(&out.storage, &in, sizeof(in));
      out.len = sizeof(in);
      return out;
    }
    case AddrKind::kInet6: break;
  }
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(a.port);
  in6.sin6_flowinfo = htonl(a.flowinfo);  // network order, like the port
  std::memcpy(&in6.sin6_addr, a.ip.data(), 16);
  in6.sin6_scope_id = a.scope_id;  // host order: an interface index, not a wire field
  std::memcpy(&out.storage, &in6, sizeof(in6));
  out.len = sizeof(in6);
  return out;
}

Parsed<Address> FromSockaddr(const void* data, std::size_t len, SockType type) {
  // Work on an aligned, zero-filled private copy: the caller's bytes may be
  // short, unaligned or longer than any sockaddr.
  if (data == nullptr && len > 0) return DecodeError(0, "null sockaddr with non-zero length");
  sockaddr_storage storage{};
  const std::size_t copied = std::min(len, sizeof(storage));
  if (copied > 0) std::memcpy(&storage, data, copied);
  constexpr std::size_t kFamilyEnd = offsetof(sockaddr, sa_family) + sizeof(sa_family_t);
  if (copied < kFamilyEnd) {
    return DecodeError(len, "sockaddr length " + std::to_string(len) +
                                " too short for sa_family_t");
  }
  sa_family_t family = 0;
  std::memcpy(&family, reinterpret_cast<const char*>(&storage) + offsetof(sockaddr, sa_family),
              sizeof(family));
  Address a;
  a.type = type;
  switch (family) {
    case AF_INET: {
      if (len < sizeof(sockaddr_in)) {
        return DecodeError(len, "sockaddr_in needs " + std::to_string(sizeof(sockaddr_in)) +
                                    " bytes, got " + std::to_string(len));
      }
      sockaddr_in in;
      std::memcpy(&in, &storage, sizeof(in));
      a.kind = AddrKind::kInet4;
      std::memcpy(a.ip.data(), &in.sin_addr, 4);
      a.port = ntohs(in.sin_port);
      break;
    }
    case AF_INET6: {
      if (len < sizeof(sockaddr_in6)) {
        return DecodeError(len, "sockaddr_in6 needs " + std::to_string(sizeof(sockaddr_in6)) +
                                    " bytes, got " + std::to_string(len));
      }
      sockaddr_in6 in6;
      std::memcpy(&in6, &storage, sizeof(in6));
      a.kind = AddrKind::kInet6;
      std::memcpy(a.ip.data(), &in6.sin6_addr, 16);
      a.port = ntohs(in6.sin6_port);
      a.flowinfo = ntohl(in6.sin6_flowinfo);
      a.scope_id = in6.sin6_scope_id;
      break;
    }
    case AF_UNIX: {
      if (copied <= kSunPathOffset) {
        a.kind = AddrKind::kUnixUnnamed;
        break;
      }
      // Linux getsockname reports offsetof + 108 + 1 for an unterminated 108-byte path:
      // the bytes past sun_path are not part of the name.
      const std::size_t path_len = std::min(copied - kSunPathOffset, kMaxPath);
      const char* path = reinterpret_cast<const char*>(&storage) + kSunPathOffset;
      if (path[0] == '\0') {
        a.kind = AddrKind::kUnixAbstract;
        a.unix_name.assign(path + 1, path_len - 1);
      } else {
        a.kind = AddrKind::kUnixPath;
        const void* nul = std::memchr(path, '\0', path_len);
        const std::size_t n =
            nul != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nul) - path)
                           : path_len;
        a.unix_name.assign(path, n);
      }
      break;
    }
    default:
      return DecodeError(offsetof(sockaddr, sa_family),
                         "unknown address family " + std::to_string(family));
  }
  Parsed<Address> out;
  out.value = std::move(a);
  return out;
}

std::optional<Address> ResolveScope(const Address& a) {
  if (a.kind != AddrKind::kInet6 || a.scope_name.empty()) return a;
  const unsigned index = if_nametoindex(a.scope_name.c_str());
  if (index == 0) return std::nullopt;
  Address resolved = a;
  resolved.scope_id = index;
  resolved.scope_name.clear();
  return resolved;
}

}  // namespace sockspec
