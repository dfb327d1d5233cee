// Errors of the address model: why a text was rejected (address_text.cc), why a
// sockaddr does not decode or an Address has no text form (address.cc). The
// messages are written in address_error.cc.
//
// A text error is recorded as a code and its few arguments, without allocating:
// fuzz inputs are mostly rejected, each by several grammars, and a caller reads
// at most the one error it is handed. message() writes the text when asked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockspec {

// One code per distinct text-parse message; the arguments each one uses are named beside it
// (`what` is always a static name). kText: the message is `text` itself.
enum class AddressErrorCode : std::uint8_t {
  kText,
  kEmptyHost,
  // IPv4 octets; `what` is "IPv4" or "embedded IPv4".
  kEmptyOctet,
  kHexOctet,
  kOctalOctet,
  kOctetTooBig,
  kTooFewOctets,
  kTooManyOctets,
  kUnexpectedInIPv4,  // `byte`, `what`
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
  kOpenBracket,
  kCloseBracket,
  kZoneNameChar,  // `byte`
  kZoneNameTooLong,
  // Numbers; `what` is "port" or "flow info".
  kEmptyNumber,
  kSignInNumber,
  kSpaceInNumber,
  kMalformedNumber,  // `byte`
  kTooManyDigits,    // `n1`: the most digits allowed
  kNumberRange,      // `n1`: the value, `n2`: the largest allowed
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
  kNameTooLong,  // `what`: "abstract name" or "pathname", `n1`: the limit
  // Scheme.
  kMissingScheme,
  kUnknownScheme,  // `text`: the scheme token
  kMissingSchemeColon,
};
inline constexpr AddressErrorCode kLastAddressErrorCode = AddressErrorCode::kMissingSchemeColon;

// What is wrong, and the byte offset where it was found.
struct AddressError {
  std::size_t position = 0;
  AddressErrorCode code = AddressErrorCode::kText;
  int byte = 0;
  std::string_view what;
  std::uint64_t n1 = 0;
  std::uint64_t n2 = 0;
  std::string text;

  // A free-form error (decode errors, CheckAddress).
  static AddressError Text(std::size_t position, std::string message);

  // "leading zero in IPv4 octet (octal forms are not accepted)"
  std::string message() const;
  // "at byte 7: leading zero in IPv4 octet (octal forms are not accepted)"
  std::string Describe() const;
  // Same position and same message, however each was recorded.
  friend bool operator==(const AddressError& a, const AddressError& b) {
    return a.position == b.position && a.message() == b.message();
  }
};

}  // namespace sockspec
