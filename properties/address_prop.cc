// Properties 1 and 2: the address text form and the sockaddr form are faithful
// encodings of the Address model (harness self-checks: they test sockspec, not
// the system), and the system agrees with the model about the address a
// socket is bound to.
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "harness/address.h"
#include "harness/errno_name.h"
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

// The POSIX portable filename character set (XBD 3.265): names every file
// system creates. bind() of a pathname creates a file, so other bytes can fail
// for file system reasons, not socket ones: APFS (the macOS $TMPDIR) and ZFS
// with utf8only refuse names that are not UTF-8 (EILSEQ).
constexpr std::string_view kPortableFilenameChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";

// A name for a file in `dir` whose whole path fits sun_path with its NUL: at
// most sun_path's size - 1 bytes. A full, unterminated sun_path need not bind
// (POSIX leaves sun_path's size and termination to the implementation; OpenBSD
// refuses it, EINVAL): bind.unix-path-max records what the system does.
std::string UnixName(const TempDir& dir, bool any_bytes) {
  const std::size_t used = dir.path().size() + 1;  // the directory and its "/"
  if (used + 2 > SunPathSize()) RC_DISCARD("temporary directory too long for sun_path");
  const std::size_t room = SunPathSize() - used;  // the name and its NUL
  const std::size_t n = *rc::gen::inRange<std::size_t>(1, room);
  std::string name;
  if (any_bytes) {
    // Any byte but NUL and "/".
    name = *rc::gen::container<std::string>(n, rc::gen::map(rc::gen::inRange<int>(1, 256), [](int b) {
      return static_cast<char>(b == '/' ? 'x' : b);
    }));
  } else {
    name = *rc::gen::container<std::string>(n, rc::gen::elementOf(kPortableFilenameChars));
  }
  if (name == "." || name == "..") name = "x";  // the directory itself or its parent
  return name;
}

// Where the file system refused an arbitrary-bytes name (below): how often and
// the last errno, recorded after the property's last case.
struct RefusedNames {
  int count = 0;
  int last_errno = 0;
};

RefusedNames& Refused() {
  static RefusedNames r;
  return r;
}

SOCKSPEC_PROP(AddressProperty, GetSockNameReturnsBoundAddress, 150, ()) {
  SOCKSPEC_PROP_RULE("getsockname.bound", Shall);
  prop::AtEnd([] {
    RefusedNames& r = Refused();
    if (r.count == 0) return;
    // Which names were drawn is random: these vary by run.
    RecordVolatileValue("getsockname.bound.unix-any-bytes.refused", r.count);
    RecordVolatileValue("getsockname.bound.unix-any-bytes.refused-errno", ErrnoName(r.last_errno));
    r = {};
  });
  const SockType type = *rc::gen::element(SockType::kStream, SockType::kDgram);
  // 0: unix path of portable characters; 4: unix path of arbitrary bytes.
  const int family = *rc::gen::element(0, 1, 2, 3, 4);
  Address a;
  TempDir dir;  // one per case, so every pathname is fresh
  switch (family) {
    case 0:
    case 4:
      a = Address::UnixPath(dir.Path(UnixName(dir, family == 4)), type);
      break;
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
  RC_TAG(family == 4 ? "unix path, any bytes" : KindTag(a));
  Bound b = BindAndName(a);
  if (family == 4 && !b.bind.ok() &&
      (b.bind.error() == EILSEQ || b.bind.error() == EINVAL || b.bind.error() == ENAMETOOLONG)) {
    // The file system refused the name (see kPortableFilenameChars), not the socket API.
    ++Refused().count;
    Refused().last_errno = b.bind.error();
    RC_DISCARD("the file system refused the name: " + ErrnoName(b.bind.error()));
  }
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
