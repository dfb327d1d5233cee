// Fuzz target: arbitrary text into the address parser.
//
// Oracles (any violation aborts with a message):
// - no crash and no sanitizer report (libFuzzer passes the text as an
//   exact-length heap buffer without a terminator, so an over-read is an ASan
//   report; replay_main.cc does the same);
// - a rejected text has an error code (every code has a non-empty message:
//   AddressParse.EveryCodeHasAMessage in harness/tests/address_test.cc; the text
//   itself is not written, that would cost more than the parse) and a position
//   inside the text;
// - an accepted text passes CheckAddress and formats to text that parses back
//   to an equal Address (skipped when the formatted text is the input itself:
//   the parser is a function of the text); so formatting is a fixed point
//   (Format . Parse . Format == Format, as FormatAddress depends only on the
//   fields compared); its sockaddr decodes back to it (unless a named zone);
// - differential against libc: for the host part of an inet-looking input
//   ("tcp:", "udp:", "inet:"), else for the whole input, ParseIPv4Text /
//   ParseIPv6Text accept exactly what inet_pton(AF_INET / AF_INET6) accepts,
//   with the same bytes, and an accepted inet address has inet_pton's bytes
//   for its host;
// - a host that inet_pton accepts parses inside "tcp:HOST:1" / "tcp:[HOST]:1"
//   (the full grammar does not lose what the host grammar takes); not
//   re-checked when the input itself was accepted as an address of that family,
//   which already shows the full grammar taking that host with those bytes.
// The documented differences from libc lie outside the host text (zones,
// brackets, ports: see harness/tests/address_test.cc), so none is excused here.
#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

// The end of the host in body[from, ...): the first of `stop1` or `stop2`.
std::size_t HostEnd(std::string_view body, std::size_t from, char stop1, char stop2) {
  std::size_t i = from;
  while (i < body.size() && body[i] != stop1 && body[i] != stop2) ++i;
  return i;
}

// The host text of an inet body: inside brackets up to ']' or '%', else up to
// ':' or '%' (mirrors the grammar's split, so a parsed address's host is found).
std::string_view HostOf(std::string_view body) {
  if (!body.empty() && body[0] == '[') return body.substr(1, HostEnd(body, 1, ']', '%') - 1);
  return body.substr(0, HostEnd(body, 0, ':', '%'));
}

// The length of an inet scheme prefix ("tcp:", "udp:", "inet:") of `text`, else 0. Fixed-size
// memcmp, which the compiler expands inline: starts_with would call memcmp, and every call is
// intercepted (ASan, libFuzzer's comparison hook) on every input.
std::size_t InetSchemeLength(std::string_view text) {
  const char* t = text.data();
  if (text.size() >= 4 && (std::memcmp(t, "tcp:", 4) == 0 || std::memcmp(t, "udp:", 4) == 0)) {
    return 4;
  }
  return text.size() >= 5 && std::memcmp(t, "inet:", 5) == 0 ? 5 : 0;
}

// What inet_pton says about one host text: computed once per input, used by the host
// differential, by the check of an accepted inet address (same host text) and by the
// full-grammar check.
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
  if (!full.ok() || full.value->kind != kind) return false;
  // Fixed sizes: the compiler expands these memcmp calls inline (no interceptor per input).
  const std::uint8_t* got = full.value->ip.data();
  return ip_size == 4 ? std::memcmp(got, ip, 4) == 0 : std::memcmp(got, ip, 16) == 0;
}

// The differential check of one host text against inet_pton.
LibcHost CheckHost(std::string_view host, std::string_view input) {
  LibcHost libc;
  const auto v4 = ParseIPv4Text(host);
  const auto v6 = ParseIPv6Text(host);
  if (!v4.ok() && v4.error.position > host.size()) Fail("IPv4 error position past the end", input);
  if (!v6.ok() && v6.error.position > host.size()) Fail("IPv6 error position past the end", input);
  // The grammar has no NUL anywhere (searched only when it accepted: rare).
  if ((v4.ok() || v6.ok()) && host.find('\0') != std::string_view::npos) {
    Fail("host grammar accepted a NUL byte", input);
  }
  // The longest host text either side accepts is 45 bytes
  // ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"); longer ones need no libc call.
  // A shorter one is copied with its terminator, byte by byte (no memcpy or memchr call,
  // which the sanitizer intercepts, on every input); one with a NUL gets no call either:
  // inet_pton would see only a prefix, and rejects the whole host like the grammar.
  constexpr std::size_t kLongestHost = 45;
  char c_host[kLongestHost + 1];
  bool ask_libc = host.size() <= kLongestHost;
  for (std::size_t k = 0; ask_libc && k < host.size(); ++k) {
    c_host[k] = host[k];
    ask_libc = host[k] != '\0';
  }
  if (ask_libc) {
    c_host[host.size()] = '\0';
    libc.v4 = inet_pton(AF_INET, c_host, libc.pton4.data()) == 1;
    libc.v6 = inet_pton(AF_INET6, c_host, libc.pton6.data()) == 1;
  }
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
  if (libc.v4 && *v4.value != libc.pton4) Fail("IPv4 bytes differ from inet_pton", input);
  if (libc.v6 && *v6.value != libc.pton6) Fail("IPv6 bytes differ from inet_pton", input);
  return libc;
}

// `host` is the input's host text and `libc` what inet_pton said about it (CheckHost): for
// an inet address that is exactly the host the parser read (same scheme split, HostOf).
void CheckAccepted(const Address& a, std::string_view text, std::string_view host,
                   const LibcHost& libc) {
  if (auto problem = CheckAddress(a)) {
    Fail("parsed address fails CheckAddress: " + problem->Describe(), text);
  }
  // One buffer for every input: its capacity outlives the run, so formatting allocates once.
  static std::string formatted;
  FormatAddressTo(a, formatted);
  // Parsing the formatted text again can tell something new only when it is not the input.
  if (formatted != text) {
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
  }
  // Format is a fixed point: Format(Parse(formatted)) == formatted holds because
  // Parse(formatted) == a (compared above, or formatted is the input itself) and FormatAddress
  // is a function of the compared fields alone, so it is not formatted a second time.
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
    const bool same = v4 ? std::memcmp(libc.pton4.data(), a.ip.data(), 4) == 0
                         : std::memcmp(libc.pton6.data(), a.ip.data(), 16) == 0;
    if (!same) {
      Fail("host bytes differ from inet_pton's", text);
    }
  }
}

}  // namespace
}  // namespace sockspec

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sockspec;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // The differential on the host part of an inet-looking text, else on the whole text
  // (a text with an inet scheme is no host text for either side).
  const std::size_t scheme = InetSchemeLength(text);
  const std::string_view host = scheme > 0 ? HostOf(text.substr(scheme)) : text;
  const LibcHost libc = CheckHost(host, text);

  const Parsed<Address> parsed = ParseAddress(text);
  if (parsed.ok()) {
    CheckAccepted(*parsed.value, text, host, libc);
  } else {
    if (parsed.error.code == AddressErrorCode::kText ||
        parsed.error.code > kLastAddressErrorCode) {
      Fail("rejected without an error code", text);
    }
    if (parsed.error.position > size) Fail("error position past the end of the text", text);
  }

  // An accepted inet input of the host's family already showed the full grammar taking it
  // (CheckAccepted compared its bytes with inet_pton's).
  const AddrKind kind = parsed.ok() ? parsed.value->kind : AddrKind::kUnixUnnamed;
  if (libc.v4 && kind != AddrKind::kInet4 &&
      !FullGrammarTakes(host, false, libc.pton4.data(), 4, AddrKind::kInet4)) {
    Fail("inet_pton IPv4 host not accepted as tcp:HOST:1", text);
  }
  if (libc.v6 && kind != AddrKind::kInet6 &&
      !FullGrammarTakes(host, true, libc.pton6.data(), 16, AddrKind::kInet6)) {
    Fail("inet_pton IPv6 host not accepted as tcp:[HOST]:1", text);
  }
  return 0;
}
