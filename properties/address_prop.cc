// Properties 1 and 2: the address text form and the sockaddr form are faithful
// encodings of the Address model (harness self-checks: they test sockspec, not
// the system), and the system agrees with the model about the address a
// socket is bound to.
#include <unistd.h>

#include <string>

#include "harness/address.h"
#include "harness/features.h"
#include "harness/rules.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"
#include "properties/gen.h"
#include "properties/prop.h"

namespace sockspec {
namespace {

const char* KindTag(const Address& a) {
  switch (a.kind) {
    case AddrKind::kUnixPath: return "unix path";
    case AddrKind::kUnixAbstract: return "unix abstract";
    case AddrKind::kUnixUnnamed: return "unix unnamed";
    case AddrKind::kInet4: return "ipv4";
    case AddrKind::kInet6: return "ipv6";
  }
  return "?";
}

// Address equality up to the SockType (the system reports no type).
bool SameEndpoint(Address a, Address b) {
  a.type = b.type = SockType::kUnspecified;
  return a == b;
}

// Pure and cheap: many cases.
SOCKSPEC_PROP(AddressProperty, TextRoundTrips, 2000, (const Address& a)) {
  SOCKSPEC_SELF_CHECK("address model: text form round trip");
  RC_TAG(KindTag(a));
  RC_ASSERT(!CheckAddress(a).has_value());
  const std::string text = FormatAddress(a);
  Parsed<Address> back = ParseAddress(text);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back.value == a);
  // Canonical: formatting the reparsed value gives the same text again.
  RC_ASSERT(FormatAddress(*back.value) == text);
}

SOCKSPEC_PROP(AddressProperty, SockaddrRoundTrips, 2000, ()) {
  SOCKSPEC_SELF_CHECK("address model: sockaddr round trip");
  const Address a = *gen::SockaddrAddress();
  RC_TAG(KindTag(a));
  SockAddr sa = ToSockaddr(a);
  Parsed<Address> back = FromSockaddr(&sa.storage, sa.len, a.type);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back.value == a);
}

// What the system reports for a socket bound to a generated address.
struct Bound {
  Result<> bind = Result<>::Err(0);
  Result<Address> name = Result<Address>::Err(0);
};

Bound BindAndName(const Address& a) {
  Bound out;
  Result<Fd> s = SocketFor(a);
  RC_ASSERT(s.ok());
  out.bind = Bind(*s, a);
  if (out.bind.ok()) out.name = GetSockName(*s);
  return out;
}

SOCKSPEC_PROP(AddressProperty, GetSockNameReturnsBoundAddress, 150, ()) {
  SOCKSPEC_PROP_RULE("getsockname.bound", Shall);
  const SockType type = *rc::gen::element(SockType::kStream, SockType::kDgram);
  const int family = *rc::gen::element(0, 1, 2, 3);
  Address a;
  TempDir dir;  // one per case, so every pathname is fresh
  switch (family) {
    case 0: {
      // Any non-NUL byte but "/" in a name that fits sun_path with the directory.
      const std::size_t room = SunPathSize() - dir.path().size() - 1;
      const std::size_t n = *rc::gen::inRange<std::size_t>(1, room + 1);
      std::string name = *rc::gen::container<std::string>(
          n, rc::gen::map(rc::gen::inRange<int>(1, 256), [](int b) {
            return static_cast<char>(b == '/' ? 'x' : b);
          }));
      if (name == "." || name == "..") name = "x";
      a = Address::UnixPath(dir.Path(name), type);
      break;
    }
    case 1: {
      if (!Have(Feature::kUnixAbstract)) RC_DISCARD("no abstract AF_UNIX names here");
      // A per-process prefix keeps clear of other programs' names; then arbitrary bytes.
      std::string prefix = "sockspec-prop." + std::to_string(::getpid()) + ".";
      const std::size_t n = *rc::gen::inRange<std::size_t>(0, SunPathSize() - prefix.size());
      a = Address::UnixAbstract(prefix + *rc::gen::container<std::string>(
                                             n, rc::gen::arbitrary<char>()),
                                type);
      break;
    }
    case 2:
      a = Address::Loopback4(0, type);
      break;
    case 3:
      if (!Have(Feature::kInet6)) RC_DISCARD("no IPv6 loopback here");
      a = Address::Loopback6(0, type);
      break;
  }
  RC_TAG(KindTag(a));
  Bound b = BindAndName(a);
  RC_ASSERT(b.bind.ok());
  RC_ASSERT(b.name.ok());
  Address got = *b.name;
  if (a.is_inet()) {
    RC_ASSERT(got.port != 0);  // bind.inet-ephemeral
    got.port = 0;              // the ephemeral port aside, the rest is what was bound
  }
  RC_ASSERT(SameEndpoint(got, a));
}

}  // namespace
}  // namespace sockspec
