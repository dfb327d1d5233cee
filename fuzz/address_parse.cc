// Fuzz target: arbitrary text into the address parser.
//
// Oracles (any violation aborts with a message):
// - no crash and no sanitizer report (the text is passed as an exact-length
//   heap buffer without a terminator, so an over-read is an ASan report);
// - a rejected text has an error message and a position inside the text;
// - an accepted text passes CheckAddress, formats to text that parses back to
//   an equal Address, and formatting is a fixed point (Format . Parse . Format
//   == Format); its sockaddr decodes back to it;
// - differential against libc: for the host part of an inet-looking input
//   ("tcp:", "udp:", "inet:"), else for the whole input, ParseIPv4Text / ParseIPv6Text accept exactly what
//   inet_pton(AF_INET / AF_INET6) accepts, with the same bytes, and a host that
//   inet_pton accepts parses inside "tcp:HOST:1" / "tcp:[HOST]:1" (so the full
//   grammar does not lose what the host grammar takes). The documented
//   differences from libc lie outside the host text (zones, brackets, ports:
//   see harness/tests/address_test.cc), so none is excused here.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "harness/address.h"

namespace sockspec {
namespace {

constexpr char kTarget[] = "address_parse";

[[noreturn]] void Fail(const std::string& what, std::string_view input) {
  fuzz::Fail(kTarget, what, input);
}

// The host text of an inet body: inside brackets up to ']' or '%', else up to
// ':' or '%' (mirrors the grammar's split, so a parsed address's host is found).
std::string_view HostOf(std::string_view body) {
  if (!body.empty() && body[0] == '[') {
    body.remove_prefix(1);
    return body.substr(0, body.find_first_of("]%"));
  }
  return body.substr(0, body.find_first_of(":%"));
}

// What inet_pton says about one host text: computed once per input, used by the host
// differential and by the check of an accepted inet address (same host text).
struct LibcHost {
  bool v4 = false;
  bool v6 = false;
  std::array<std::uint8_t, 4> pton4{};
  std::array<std::uint8_t, 16> pton6{};
};

// The inet_pton-accepted host inside the full grammar, "tcp:HOST:1" or "tcp:[HOST]:1",
// without a heap copy (a host inet_pton accepts is at most 45 bytes).
bool FullGrammarTakes(std::string_view host, bool bracketed, const std::uint8_t* ip,
                      std::size_t ip_size, AddrKind kind) {
  char buf[64];
  std::size_t n = 0;
  auto put = [&](std::string_view piece) {
    std::memcpy(buf + n, piece.data(), piece.size());
    n += piece.size();
  };
  put(bracketed ? "tcp:[" : "tcp:");
  put(host);
  put(bracketed ? "]:1" : ":1");
  const auto full = ParseAddress(std::string_view(buf, n));
  return full.ok() && full.value->kind == kind &&
         std::memcmp(full.value->ip.data(), ip, ip_size) == 0;
}

// The differential check of one host text against inet_pton.
LibcHost CheckHost(std::string_view host, std::string_view input) {
  LibcHost libc;
  const auto v4 = ParseIPv4Text(host);
  const auto v6 = ParseIPv6Text(host);
  if (!v4.ok() && v4.error.position > host.size()) Fail("IPv4 error position past the end", input);
  if (!v6.ok() && v6.error.position > host.size()) Fail("IPv6 error position past the end", input);
  if (host.find('\0') != std::string_view::npos) {
    // inet_pton would see only a prefix; the grammar has no NUL anywhere.
    if (v4.ok() || v6.ok()) Fail("host grammar accepted a NUL byte", input);
    return libc;
  }
  // The longest host text either side accepts is 45 bytes
  // ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"); longer ones need no libc call
  // (and no heap copy: this runs on every input).
  constexpr std::size_t kLongestHost = 45;
  char c_host[kLongestHost + 1];
  const bool short_host = host.size() <= kLongestHost;
  if (short_host) {
    std::memcpy(c_host, host.data(), host.size());
    c_host[host.size()] = '\0';
  }
  libc.v4 = short_host && inet_pton(AF_INET, c_host, libc.pton4.data()) == 1;
  libc.v6 = short_host && inet_pton(AF_INET6, c_host, libc.pton6.data()) == 1;
  if (libc.v4 != v4.ok()) {
    Fail(std::string("IPv4 differential: inet_pton ") + (libc.v4 ? "accepts" : "rejects") +
             " \"" + fuzz::Printable(host) + "\" but ParseIPv4Text " +
             (v4.ok() ? "accepts it" : "rejects it: " + v4.error.Describe()),
         input);
  }
  if (libc.v6 != v6.ok()) {
    Fail(std::string("IPv6 differential: inet_pton ") + (libc.v6 ? "accepts" : "rejects") +
             " \"" + fuzz::Printable(host) + "\" but ParseIPv6Text " +
             (v6.ok() ? "accepts it" : "rejects it: " + v6.error.Describe()),
         input);
  }
  if (libc.v4) {
    if (*v4.value != libc.pton4) Fail("IPv4 bytes differ from inet_pton", input);
    if (!FullGrammarTakes(host, false, libc.pton4.data(), 4, AddrKind::kInet4)) {
      Fail("inet_pton IPv4 host not accepted as tcp:HOST:1", input);
    }
  }
  if (libc.v6) {
    if (*v6.value != libc.pton6) Fail("IPv6 bytes differ from inet_pton", input);
    if (!FullGrammarTakes(host, true, libc.pton6.data(), 16, AddrKind::kInet6)) {
      Fail("inet_pton IPv6 host not accepted as tcp:[HOST]:1", input);
    }
  }
  return libc;
}

// `host` is the input's host text and `libc` what inet_pton said about it (CheckHost): for
// an inet address that is exactly the host the parser read (same scheme split, HostOf).
void CheckAccepted(const Address& a, std::string_view text, std::string_view host,
                   const LibcHost& libc) {
  if (auto problem = CheckAddress(a)) {
    Fail("parsed address fails CheckAddress: " + problem->Describe(), text);
  }
  const std::string formatted = FormatAddress(a);
  const auto again = ParseAddress(formatted);
  if (!again.ok()) {
    Fail("formatted text \"" + fuzz::Printable(formatted) +
             "\" does not parse: " + again.error.Describe(),
         text);
  }
  if (*again.value != a) {
    Fail("formatted text \"" + fuzz::Printable(formatted) + "\" parses to a different address",
         text);
  }
  // Format is a fixed point: Format(*again) == formatted holds because *again == a (every
  // field compared) and FormatAddress is a function of those fields alone, so it is not
  // formatted a second time.
  // A named zone has no sockaddr form until resolved; everything else survives the trip.
  if (a.scope_name.empty()) {
    const SockAddr sa = ToSockaddr(a);
    const auto decoded = FromSockaddr(sa.get(), sa.len, a.type);
    if (!decoded.ok() || *decoded.value != a) {
      Fail("sockaddr of \"" + fuzz::Printable(formatted) + "\" does not decode back to it", text);
    }
  }
  if (a.is_inet()) {
    // A host with a NUL or over 45 bytes got no libc call: inet_pton rejects it (it would
    // see a prefix, or it is longer than any text inet_pton takes).
    const bool v4 = a.kind == AddrKind::kInet4;
    if (!(v4 ? libc.v4 : libc.v6)) {
      Fail("accepted host \"" + fuzz::Printable(host) + "\" that inet_pton rejects", text);
    }
    const std::uint8_t* pton = v4 ? libc.pton4.data() : libc.pton6.data();
    if (std::memcmp(pton, a.ip.data(), v4 ? 4 : 16) != 0) {
      Fail("host bytes differ from inet_pton's", text);
    }
  }
}

}  // namespace
}  // namespace sockspec

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sockspec;
  // An exact-size heap copy: any read past the end is an ASan report.
  std::unique_ptr<char[]> buffer(new char[size]);
  if (size > 0) std::memcpy(buffer.get(), data, size);
  const std::string_view text(buffer.get(), size);

  // The differential on the host part of an inet-looking text, else on the whole text
  // (a text with an inet scheme is no host text for either side).
  std::string_view host = text;
  for (std::string_view scheme : {"tcp:", "udp:", "inet:"}) {
    if (text.starts_with(scheme)) host = HostOf(text.substr(scheme.size()));
  }
  const LibcHost libc = CheckHost(host, text);

  const Parsed<Address> parsed = ParseAddress(text);
  if (parsed.ok()) {
    CheckAccepted(*parsed.value, text, host, libc);
  } else {
    if (parsed.error.message().empty()) Fail("rejected without a message", text);
    if (parsed.error.position > size) Fail("error position past the end of the text", text);
  }
  return 0;
}
