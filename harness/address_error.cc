// The messages of AddressError (address_error.h): written only when a caller
// asks, from the code and arguments the parser recorded. Kept apart from the
// parser (address_text.cc), which the address_parse fuzzer instruments: code
// here would add coverage counters that libFuzzer scans after every input.
#include "harness/address_error.h"

#include <net/if.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "harness/address_chars.h"

namespace sockspec {
namespace {

using address_chars::IsPrintable;
using address_chars::kHexDigits;
using Code = AddressErrorCode;

constexpr std::size_t kMaxZoneName = IFNAMSIZ - 1;

// Message text built in a stack buffer and copied into a std::string once: one allocation
// per message, and no string code run per piece.
class MessageBuilder {
 public:
  MessageBuilder& operator<<(std::string_view piece) {
    if (piece.empty()) return *this;  // its data() may be null, which memcpy must not get
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
    char digits[20];
    std::size_t first = sizeof(digits);
    do {
      digits[--first] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    return *this << std::string_view(digits + first, sizeof(digits) - first);
  }
  // A byte as it should appear in an error message: 'g' or byte 0x0a.
  MessageBuilder& Byte(int c) {
    const auto b = static_cast<unsigned char>(c);
    if (IsPrintable(b)) {
      const char quoted[] = {'\'', static_cast<char>(b), '\''};
      return *this << std::string_view(quoted, sizeof(quoted));
    }
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

}  // namespace

AddressError AddressError::Text(std::size_t position, std::string message) {
  AddressError e;
  e.position = position;
  e.code = Code::kText;
  e.text = std::move(message);
  return e;
}

std::string AddressError::message() const {
  MessageBuilder m;
  switch (code) {
    case Code::kText: return text;
    case Code::kEmptyHost: m << "empty host"; break;
    case Code::kEmptyOctet: m << "empty " << what << " octet"; break;
    case Code::kHexOctet: m << "hexadecimal " << what << " octet (only decimal is accepted)"; break;
    case Code::kOctalOctet:
      m << "leading zero in " << what << " octet (octal forms are not accepted)";
      break;
    case Code::kOctetTooBig: m << what << " octet greater than 255"; break;
    case Code::kTooFewOctets: m << "too few " << what << " octets (need exactly 4)"; break;
    case Code::kTooManyOctets: m << "too many " << what << " octets (need exactly 4)"; break;
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
      if (byte == '[' || byte == ']') {
        m << "unbalanced brackets: unexpected '" << std::string_view(byte == '[' ? "[" : "]")
          << "'";
      } else if (byte == '%') {
        m << "zone outside brackets (write [ipv6%zone]:port)";
      } else {
        m << "unexpected ";
        m.Byte(byte) << " in ";
        m << (code == Code::kUnexpectedInIPv6 ? std::string_view("IPv6") : what) << " address";
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
      m.Byte(byte) << " in zone name (allowed: A-Z a-z 0-9 _ . -)";
      break;
    case Code::kZoneNameTooLong:
      m << "zone name longer than " << std::uint64_t{kMaxZoneName} << " bytes";
      break;
    case Code::kEmptyNumber: m << "empty " << what; break;
    case Code::kSignInNumber: m << "sign in " << what << " (digits only)"; break;
    case Code::kSpaceInNumber: m << "whitespace in " << what; break;
    case Code::kMalformedNumber:
      m << "malformed " << what << ": expected a decimal digit, got ";
      m.Byte(byte);
      break;
    case Code::kTooManyDigits: m << what << " has more than " << n1 << " digits"; break;
    case Code::kNumberRange: m << what << " out of range (" << n1 << " > " << n2 << ")"; break;
    case Code::kMissingPort: m << "missing port (expected ':' and a port number)"; break;
    case Code::kZoneOutsideBrackets: m << "zone outside brackets (write [ipv6%zone]:port)"; break;
    case Code::kExpectedPort:
      m << "expected ':' and a port, got ";
      m.Byte(byte);
      break;
    case Code::kSpaceAfterPort: m << "whitespace in or after port"; break;
    case Code::kGarbageAfterPort:
      m << "trailing garbage after port: ";
      m.Byte(byte);
      break;
    case Code::kFlowNotIPv6: m << "flow info applies to IPv6 only"; break;
    case Code::kExpectedFlow: m << "expected ',flow=' after port"; break;
    case Code::kGarbageAfterFlow:
      m << "trailing garbage after flow info: ";
      m.Byte(byte);
      break;
    case Code::kIPv6NeedsBrackets: m << "IPv6 address needs brackets ([addr]:port)"; break;
    case Code::kMissingCloseBracket: m << "unbalanced brackets: missing ']'"; break;
    case Code::kUnfinishedEscape: m << "unfinished escape at end of text"; break;
    case Code::kBadHexEscape: m << "\\x needs exactly two hex digits"; break;
    case Code::kUnknownEscape:
      m << "unknown escape \\ then ";
      m.Byte(byte) << " (only \\\\ and \\xHH)";
      break;
    case Code::kRawByte: {
      const auto b = static_cast<unsigned char>(byte);
      const char hex[] = {kHexDigits[b >> 4], kHexDigits[b & 0xf]};
      m << "raw ";
      m.Byte(byte) << " must be escaped as \\x" << std::string_view(hex, sizeof(hex));
      break;
    }
    case Code::kNulInPath: m << "NUL byte in pathname"; break;
    case Code::kNameTooLong: m << what << " longer than " << n1 << " bytes"; break;
    case Code::kMissingScheme: m << "missing scheme (unix:, tcp:, udp:, inet:, ...)"; break;
    case Code::kUnknownScheme: m << "unknown scheme \"" << text << "\""; break;
    case Code::kMissingSchemeColon: m << "missing ':' after scheme"; break;
  }
  return m.Take();
}

std::string AddressError::Describe() const {
  MessageBuilder m;
  m << "at byte " << std::uint64_t{position} << ": " << message();
  return m.Take();
}

}  // namespace sockspec
