// Fuzz target: arbitrary bytes and lengths into FromSockaddr.
//
// Input: byte 0 picks the SockType (mod 4); the remaining bytes are the
// sockaddr, passed as an exact-size heap buffer whose size is the length
// argument (so lengths from 0 to far beyond sockaddr_storage all occur, and any
// over-read is an ASan report).
//
// Oracles (any violation aborts with a message):
// - the decode agrees with a reference reading of the bytes written here from
//   the sockaddr layouts: success iff the length covers sa_family_t and the
//   family's fixed part (AF_INET, AF_INET6; any AF_UNIX length >= 2 decodes),
//   and then family, port, flow info, scope id, address bytes and unix name
//   bytes are the ones in the buffer (a pathname ends at its first NUL or at
//   the end of sun_path, an abstract name is everything after the leading NUL);
// - the decoded Address passes CheckAddress (except an inet address with
//   SockType kSeqPacket, which has no text scheme), and then formats to text
//   that parses back to it;
// - ToSockaddr of it is equivalent to the input (the same reference reading
//   gives the same fields) with the length the model prescribes (sockaddr_in /
//   sockaddr_in6 size; sizeof(sa_family_t) unnamed; path + NUL when it fits;
//   NUL + name for abstract), and decodes again to an equal Address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "harness/address.h"

namespace sockspec {
namespace {

constexpr char kTarget[] = "sockaddr_decode";
constexpr std::size_t kPathOffset = offsetof(sockaddr_un, sun_path);

std::string_view g_input;  // for messages only

[[noreturn]] void Fail(const std::string& what) { fuzz::Fail(kTarget, what, g_input); }

// What a sockaddr says, read field by field at the offsets of the structs.
struct Fields {
  int family = 0;
  AddrKind kind = AddrKind::kUnixUnnamed;
  std::uint16_t port = 0;
  std::uint32_t flowinfo = 0;
  std::uint32_t scope_id = 0;
  std::array<std::uint8_t, 16> ip{};
  std::string unix_name;
};

template <typename T>
T Read(const std::uint8_t* p, std::size_t offset) {
  T v;
  std::memcpy(&v, p + offset, sizeof(v));
  return v;
}

// nullopt when the bytes are no decodable sockaddr.
std::optional<Fields> Reference(const std::uint8_t* p, std::size_t len) {
  if (len < offsetof(sockaddr, sa_family) + sizeof(sa_family_t)) return std::nullopt;
  Fields f;
  f.family = Read<sa_family_t>(p, offsetof(sockaddr, sa_family));
  switch (f.family) {
    case AF_INET:
      if (len < sizeof(sockaddr_in)) return std::nullopt;
      f.kind = AddrKind::kInet4;
      f.port = ntohs(Read<std::uint16_t>(p, offsetof(sockaddr_in, sin_port)));
      std::memcpy(f.ip.data(), p + offsetof(sockaddr_in, sin_addr), 4);
      return f;
    case AF_INET6:
      if (len < sizeof(sockaddr_in6)) return std::nullopt;
      f.kind = AddrKind::kInet6;
      f.port = ntohs(Read<std::uint16_t>(p, offsetof(sockaddr_in6, sin6_port)));
      f.flowinfo = ntohl(Read<std::uint32_t>(p, offsetof(sockaddr_in6, sin6_flowinfo)));
      f.scope_id = Read<std::uint32_t>(p, offsetof(sockaddr_in6, sin6_scope_id));
      std::memcpy(f.ip.data(), p + offsetof(sockaddr_in6, sin6_addr), 16);
      return f;
    case AF_UNIX: {
      if (len <= kPathOffset) {
        f.kind = AddrKind::kUnixUnnamed;
        return f;
      }
      const std::size_t n = std::min(len - kPathOffset, SunPathSize());
      const char* path = reinterpret_cast<const char*>(p + kPathOffset);
      if (path[0] == '\0') {
        f.kind = AddrKind::kUnixAbstract;
        f.unix_name.assign(path + 1, n - 1);
      } else {
        f.kind = AddrKind::kUnixPath;
        f.unix_name.assign(path, std::find(path, path + n, '\0') - path);
      }
      return f;
    }
    default:
      return std::nullopt;
  }
}

void CheckFields(const Address& a, const Fields& f, const char* what) {
  const std::string where = std::string(what) + ": ";
  if (a.family() != f.family) Fail(where + "family differs");
  if (a.kind != f.kind) Fail(where + "kind differs");
  if (a.port != f.port) Fail(where + "port differs");
  if (a.flowinfo != f.flowinfo) Fail(where + "flow info differs");
  if (a.scope_id != f.scope_id) Fail(where + "scope id differs");
  if (a.ip != f.ip) Fail(where + "address bytes differ");
  if (a.unix_name != f.unix_name) Fail(where + "unix name bytes differ");
  if (!a.scope_name.empty()) Fail(where + "decoded a scope name");
}

// The length ToSockaddr must give `a` (see ToSockaddr in harness/address.h).
std::size_t ModelLength(const Address& a) {
  switch (a.kind) {
    case AddrKind::kUnixUnnamed: return sizeof(sa_family_t);
    case AddrKind::kUnixPath:
      return kPathOffset + a.unix_name.size() + (a.unix_name.size() < SunPathSize() ? 1 : 0);
    case AddrKind::kUnixAbstract: return kPathOffset + 1 + a.unix_name.size();
    case AddrKind::kInet4: return sizeof(sockaddr_in);
    case AddrKind::kInet6: return sizeof(sockaddr_in6);
  }
  return 0;
}

}  // namespace
}  // namespace sockspec

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sockspec;
  g_input = std::string_view(reinterpret_cast<const char*>(data), size);
  if (size == 0) return 0;
  const auto type = static_cast<SockType>(data[0] % 4);
  const std::size_t len = size - 1;
  std::unique_ptr<std::uint8_t[]> buffer(new std::uint8_t[len]);
  if (len > 0) std::memcpy(buffer.get(), data + 1, len);

  const Parsed<Address> decoded = FromSockaddr(len > 0 ? buffer.get() : nullptr, len, type);
  const std::optional<Fields> want = Reference(buffer.get(), len);
  if (decoded.ok() != want.has_value()) {
    Fail(decoded.ok() ? "decoded bytes that are no sockaddr"
                      : "rejected a sockaddr: " + decoded.error.Describe());
  }
  if (!decoded.ok()) {
    if (decoded.error.message().empty()) Fail("rejected without a message");
    return 0;
  }
  const Address& a = *decoded.value;
  if (a.type != type) Fail("SockType not kept");
  CheckFields(a, *want, "decode");

  const auto problem = CheckAddress(a);
  const bool text_form = !(a.is_inet() && type == SockType::kSeqPacket);
  if (problem.has_value() == text_form) {
    Fail(problem ? "decoded address fails CheckAddress: " + problem->Describe()
                 : "CheckAddress accepts an inet seqpacket address");
  }
  if (text_form) {
    const std::string text = FormatAddress(a);
    const auto reparsed = ParseAddress(text);
    if (!reparsed.ok() || *reparsed.value != a) {
      Fail("\"" + fuzz::Printable(text) + "\" does not parse back to the decoded address");
    }
  }

  const SockAddr encoded = ToSockaddr(a);
  if (encoded.len != ModelLength(a)) {
    Fail("encoded length " + std::to_string(encoded.len) + ", model says " +
         std::to_string(ModelLength(a)));
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&encoded.storage);
  const std::optional<Fields> encoded_fields = Reference(bytes, encoded.len);
  if (!encoded_fields) Fail("encoded sockaddr is not decodable");
  CheckFields(a, *encoded_fields, "encode");
  const Parsed<Address> again = FromSockaddr(bytes, encoded.len, type);
  if (!again.ok() || *again.value != a) Fail("encoded sockaddr decodes to a different address");
  return 0;
}
