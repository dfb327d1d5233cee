// The address model: constructors, the canonical text form (FormatAddress),
// CheckAddress, sockaddr conversion and zone resolution. The text parser is in
// address_text.cc; ParseAddress here only wraps its result (address_text.h
// says why).
#include "harness/address.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>
#include <utility>

#include "harness/address_chars.h"
#include "harness/address_text.h"

namespace sockspec {
namespace {

using namespace address_chars;

constexpr std::size_t kSunPathOffset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t kMaxPath = SunPathSize();
constexpr std::size_t kMaxAbstract = SunPathSize() - 1;
constexpr std::size_t kMaxZoneName = IFNAMSIZ - 1;

// The formatters append to one string that FormatAddress sizes once: formatting runs on
// every accepted fuzz input and in every test's failure output.
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
  out.error = AddressError::Text(position, std::move(message));
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

void FormatAddressTo(const Address& a, std::string& out) {
  out.clear();
  // At most one allocation: an escaped unix byte takes at most 4 bytes; the longest inet form
  // is "inet:[" 45-byte IPv6 "%" 15-byte zone name "]:" 5-digit port ",flow=" 10 digits (89).
  out.reserve(a.is_unix() ? 16 + 4 * a.unix_name.size() : 96);
  out += SchemeName(a);
  out += ':';
  switch (a.kind) {
    case AddrKind::kUnixUnnamed: return;
    case AddrKind::kUnixAbstract:
      out += '@';
      AppendEscapedUnixBytes(out, a.unix_name, false);
      return;
    case AddrKind::kUnixPath: AppendEscapedUnixBytes(out, a.unix_name, true); return;
    case AddrKind::kInet4:
      AppendIPv4(out, a.ip.data());
      out += ':';
      AppendDecimal(out, a.port);
      return;
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
}

Parsed<Address> ParseAddress(std::string_view text) {
  Parsed<Address> out;
  if (!address_text::ParseInto(text, out.value.emplace(), out.error)) out.value.reset();
  return out;
}

void address_text::AssignBytes(std::string& to, const char* data, std::size_t n) {
  to.assign(data, n);
}

std::string FormatAddress(const Address& a) {
  std::string out;
  FormatAddressTo(a, out);
  return out;
}

std::ostream& operator<<(std::ostream& os, const Address& a) { return os << FormatAddress(a); }

std::optional<AddressError> CheckAddress(const Address& a) {
  auto problem = [](std::string message) {
    return std::optional<AddressError>(AddressError::Text(0, std::move(message)));
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
