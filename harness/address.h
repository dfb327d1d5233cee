// The socket-address model: one value type for every address sockspec
// uses, its canonical text form, and conversion to and from sockaddr.
// Implemented in address.cc (model, format, sockaddr), address_text.cc (the
// parser) and address_error.cc (error messages).
//
// Text grammar (strict: no locale, no DNS, no inet_aton shorthands; the parser is hand-written
// and never calls inet_pton, which is the independent oracle the fuzzers compare against):
//   address   = scheme ":" body
//   scheme    = "unix" | "unix-stream" | "unix-dgram" | "unix-seqpacket"   (AF_UNIX)
//             | "tcp" | "udp" | "inet"                                     (AF_INET/AF_INET6;
//                                                 tcp = stream, udp = dgram, inet = no type)
//               Schemes are lower case only ("TCP:" is an unknown scheme).
//   unix body = ""            unnamed (sockaddr length == sizeof(sa_family_t); on bind: autobind)
//             | "@" bytes     abstract (Linux): sun_path[0] == 0, then the bytes; "@" alone is the
//                             empty abstract name (length offsetof(sun_path) + 1)
//             | bytes         pathname (non-empty; a first byte "@" must be written "\x40")
//   bytes     : printable ASCII (0x20..0x7e) except "\"; "\\" is a backslash; "\xHH" (two hex
//               digits, either case) is any byte; any other escape and any raw byte outside
//               0x20..0x7e is an error. Pathnames may not contain NUL (\x00); abstract names may.
//               Pathnames fit sun_path (up to sizeof(sun_path) bytes; at exactly that size the
//               sockaddr has no terminating NUL); abstract names up to sizeof(sun_path) - 1 bytes.
//   inet body = ( ipv4 ":" port ) | ( "[" ipv6 [ "%" zone ] "]" ":" port [ ",flow=" flow ] )
//   ipv4      = four decimal octets 0..255, no leading zeros ("0" itself is fine)
//   ipv6      = RFC 4291 text: hex groups of 1..4 digits (either case), at most one "::"
//               (standing for at least one zero group), an embedded ipv4 (same octet rules) only
//               as the last 32 bits
//   zone      = decimal interface index 1..4294967295 without leading zeros (all-digit zones
//               are always indexes; "%0" is rejected: scope id 0 means "no zone")
//             | interface name: 1..IFNAMSIZ-1 bytes of [A-Za-z0-9_.-], not all digits
//   port      = 1..5 ASCII decimal digits (leading zeros allowed), value 0..65535, no sign
//   flow      = 1..10 ASCII decimal digits, value 0..4294967295: sin6_flowinfo in host order
//               (traffic class and flow label; not masked, so the kernel's checks stay testable)
// Canonical form (Format): lower-case RFC 5952 IPv6 (longest run of two or more zero groups
// compressed, first on a tie, a lone zero group written "0"; ::ffff:a.b.c.d kept dotted, other
// IPv4-embedding prefixes printed as hex), zone ("%name" if scope_name is set, else "%N" if
// scope_id != 0) and flow info (",flow=N" when non-zero) preserved; ports without leading
// zeros; unix bytes escaped only where needed (non-printables and bytes >= 0x7f as lower-case
// "\xhh", backslash as "\\", a leading "@" of a path as "\x40").
// Every Address that CheckAddress accepts formats to text that parses back to an equal Address,
// and Format(Parse(t)) is a fixed point of Format . Parse.
//
// Examples: unix:/tmp/s  unix-dgram:@name\x00with-nul  unix:  tcp:127.0.0.1:0
//           udp:[::1]:53  tcp:[fe80::1%lo]:80  tcp:[::ffff:127.0.0.1]:8080  udp:[::1]:9,flow=5
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "harness/address_error.h"

namespace sockspec {

enum class AddrKind : std::uint8_t { kUnixPath, kUnixAbstract, kUnixUnnamed, kInet4, kInet6 };
enum class SockType : std::uint8_t { kUnspecified, kStream, kDgram, kSeqPacket };

// SOCK_STREAM etc. for a SockType (0 for kUnspecified).
int ToSocketType(SockType t);

struct Address {
  AddrKind kind = AddrKind::kUnixUnnamed;
  SockType type = SockType::kUnspecified;
  // kUnixPath: the path bytes (no terminator). kUnixAbstract: the name bytes after the leading
  // NUL (may contain NULs). Empty otherwise.
  std::string unix_name;
  // kInet4: ip[0..3] in network order. kInet6: all 16 bytes in network order.
  std::array<std::uint8_t, 16> ip{};
  std::uint16_t port = 0;      // host byte order
  std::uint32_t flowinfo = 0;  // host byte order (kInet6 only)
  std::uint32_t scope_id = 0;  // kInet6 only; 0 = none
  // kInet6 with a zone given by name in text ("%lo"); resolved separately by ResolveScope so
  // that parsing stays pure. Empty when the zone was numeric or absent.
  std::string scope_name;

  static Address UnixPath(std::string path, SockType type = SockType::kUnspecified);
  static Address UnixAbstract(std::string name, SockType type = SockType::kUnspecified);
  static Address UnixUnnamed(SockType type = SockType::kUnspecified);
  static Address Inet4(std::array<std::uint8_t, 4> ip, std::uint16_t port,
                       SockType type = SockType::kUnspecified);
  static Address Inet6(std::array<std::uint8_t, 16> ip, std::uint16_t port,
                       SockType type = SockType::kUnspecified, std::uint32_t scope_id = 0,
                       std::uint32_t flowinfo = 0);
  // 127.0.0.1 and ::1.
  static Address Loopback4(std::uint16_t port = 0, SockType type = SockType::kUnspecified);
  static Address Loopback6(std::uint16_t port = 0, SockType type = SockType::kUnspecified);

  int family() const;  // AF_UNIX, AF_INET or AF_INET6
  bool is_unix() const { return family() == AF_UNIX; }
  bool is_inet() const { return !is_unix(); }
  // The same address with another port (inet only).
  Address WithPort(std::uint16_t p) const;

  friend bool operator==(const Address&, const Address&) = default;
};

template <typename T>
struct Parsed {
  std::optional<T> value;
  AddressError error;  // meaningful only when !value
  bool ok() const { return value.has_value(); }
  explicit operator bool() const { return ok(); }
};

Parsed<Address> ParseAddress(std::string_view text);
std::string FormatAddress(const Address& a);
// The same text into `out` (replacing its contents), reusing its capacity: for callers that
// format in a loop, such as the address_parse fuzzer's oracle on every accepted input.
void FormatAddressTo(const Address& a, std::string& out);

// Why `a` has no text form that parses back to it (nullopt when it has one): a path that is
// empty, contains NUL or overflows sun_path; an abstract name over sizeof(sun_path) - 1 bytes;
// inet fields set on a unix address or vice versa; kSeqPacket on an inet address; a scope_name
// that the zone grammar rejects, or both scope_name and scope_id set. Position is always 0.
std::optional<AddressError> CheckAddress(const Address& a);

// The host grammars alone, the whole text (no scheme, brackets, zone or port): for
// differential tests against inet_pton. Positions are offsets into `text`.
Parsed<std::array<std::uint8_t, 4>> ParseIPv4Text(std::string_view text);
Parsed<std::array<std::uint8_t, 16>> ParseIPv6Text(std::string_view text);
std::ostream& operator<<(std::ostream& os, const Address& a);

// A sockaddr buffer with its length, ready for bind/connect/sendto.
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

// The sockaddr for `a`. Pathnames get a terminating NUL when it fits in sun_path
// (length offsetof(sun_path) + size + 1), none at exactly sizeof(sun_path) bytes.
// Abstract: offsetof(sun_path) + 1 + size. Unnamed: sizeof(sa_family_t). A named zone
// that was never resolved is encoded as scope id 0.
SockAddr ToSockaddr(const Address& a);

// Decodes what a system call wrote. Safe on any bytes and any length: short, zero,
// longer than sockaddr_storage, unterminated paths. A pathname ends at its first NUL
// or at the end of the given length. The result's type is `type`.
Parsed<Address> FromSockaddr(const void* data, std::size_t len,
                             SockType type = SockType::kUnspecified);

// Resolves a named zone to its interface index with if_nametoindex (host-dependent,
// hence kept out of the parser): the result has scope_id set and scope_name cleared, so it
// formats as "%N" and still round-trips. nullopt when the interface does not exist.
// Addresses without a named zone come back unchanged.
std::optional<Address> ResolveScope(const Address& a);

// sizeof(sockaddr_un::sun_path) on this platform.
constexpr std::size_t SunPathSize() { return sizeof(sockaddr_un{}.sun_path); }

}  // namespace sockspec
