// getsockname() and getpeername(): the bound and the peer address, exact
// (family, address, port, path), truncation into short buffers checked with
// canary bytes, and the errors for unconnected sockets and bad descriptors.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "cases/support.h"
#include "harness/address.h"
#include "harness/errno_name.h"
#include "harness/features.h"
#include "harness/kinds.h"
#include "harness/matchers.h"
#include "harness/rules.h"
#include "harness/scenario.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"

namespace sockspec {
namespace {

// getsockname reports no socket type; compare addresses without it.
Address Untyped(Address a) {
  a.type = SockType::kUnspecified;
  return a;
}

constexpr unsigned char kCanaries[] = {0xA5, 0x5A};
constexpr std::size_t kBufSize = sizeof(sockaddr_storage) + 32;

struct RawName {
  int rc = -1;
  int err = 0;
  socklen_t len = 0;
  std::vector<unsigned char> buf;
};

// getsockname/getpeername into a canary-filled buffer, claiming `given` bytes.
RawName CallName(int fd, bool peer, socklen_t given, unsigned char canary) {
  RawName out;
  out.buf.assign(kBufSize, canary);
  out.len = given;
  auto* sa = reinterpret_cast<sockaddr*>(out.buf.data());
  errno = 0;
  out.rc = peer ? ::getpeername(fd, sa, &out.len) : ::getsockname(fd, sa, &out.len);
  out.err = errno;
  return out;
}

// The truncation rule, for the name `peer` selects: a buffer shorter than the
// address gets the leading bytes of the address and nothing past the given
// length; the returned length is the full length (Linux) or the stored,
// truncated one (POSIX's "length of the stored address"; FreeBSD): either
// is accepted and recorded under `len_value`.
void CheckTruncation(int fd, bool peer, const std::string& len_value) {
  RawName full = CallName(fd, peer, kBufSize, 0xA5);
  ASSERT_THAT(full.rc, SyscallSucceeds()) << DescribeErrno(full.err);
  const socklen_t n = full.len;
  ASSERT_GT(n, sizeof(sa_family_t));
  ASSERT_LE(n, sizeof(sockaddr_storage));
  std::vector<socklen_t> sizes = {0, 1, sizeof(sa_family_t), sizeof(sa_family_t) + 1, n / 2,
                                  n - 1};
  std::string reported;
  for (socklen_t given : sizes) {
    for (unsigned char canary : kCanaries) {
      RawName t = CallName(fd, peer, given, canary);
      ASSERT_THAT(t.rc, SyscallSucceeds()) << "given " << given << ": " << DescribeErrno(t.err);
      // The stored part is the address's prefix.
      EXPECT_EQ(0, std::memcmp(t.buf.data(), full.buf.data(), given))
          << "given " << given << ": stored bytes differ from the address's first bytes";
      // Nothing written past the given length.
      auto past = std::find_if(t.buf.begin() + given, t.buf.end(),
                               [&](unsigned char b) { return b != canary; });
      EXPECT_EQ(past, t.buf.end()) << "given " << given << ": byte "
                                   << (past - t.buf.begin()) << " past the buffer was written";
      EXPECT_TRUE(t.len == n || t.len == given)
          << "given " << given << ": returned length " << t.len << ", address length " << n;
      if (given == n - 1 && canary == kCanaries[0]) {
        reported = t.len == n ? "full" : "stored";
      }
    }
  }
  RecordValue(len_value, reported);
}

using NamesTest = ::testing::TestWithParam<SocketKind>;

TEST_P(NamesTest, GetSockNameEqualsTheBoundAddress) {
  SOCKSPEC_RULE("getsockname.bound", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fd fd = k.Create().value();
  Address want = Untyped(k.BindableAddress(dir));
  ASSERT_THAT(Bind(fd, want), SyscallSucceeds());
  Result<Address> got = GetSockName(fd);
  ASSERT_THAT(got, SyscallSucceeds());
  if (k.is_unix()) {
    EXPECT_EQ(*got, want);
  } else {
    // Same family and address; the port asked for was 0, so an ephemeral one.
    EXPECT_EQ(got->kind, want.kind);
    EXPECT_EQ(got->ip, want.ip);
    EXPECT_NE(got->port, 0) << "getsockname after bind to port 0 reports port 0";
    EXPECT_EQ(got->scope_id, 0u);
  }
  // The raw length: the family's sockaddr for inet; for a pathname the
  // path with or without its terminating NUL.
  RawName raw = CallName(fd.get(), false, kBufSize, 0xA5);
  ASSERT_THAT(raw.rc, SyscallSucceeds());
  EXPECT_EQ(reinterpret_cast<sockaddr*>(raw.buf.data())->sa_family, k.domain);
  if (k.domain == AF_INET) {
    EXPECT_EQ(raw.len, sizeof(sockaddr_in));
  }
  if (k.domain == AF_INET6) {
    EXPECT_EQ(raw.len, sizeof(sockaddr_in6));
  }
  if (k.is_unix()) {
    // POSIX says only "the length of the stored address": Linux and the BSDs return the path
    // with or without its NUL; a system may return the whole NUL-padded sockaddr_un. Any
    // length in between is legal when every byte after the path is a NUL.
    const socklen_t base = offsetof(sockaddr_un, sun_path) + want.unix_name.size();
    ASSERT_TRUE(raw.len >= base && raw.len <= sizeof(sockaddr_un)) << "length " << raw.len;
    for (socklen_t i = base; i < raw.len; ++i) {
      EXPECT_EQ(raw.buf[i], 0) << "byte " << i << " of a length-" << raw.len
                               << " address is past the path and not a NUL";
    }
    RecordValue(std::string("getsockname.bound.unix-len.") + k.name,
                raw.len == base       ? "path"
                : raw.len == base + 1 ? "path+nul"
                                      : "path+" + std::to_string(raw.len - base) + "-nuls");
  }
}

TEST_P(NamesTest, NamesTruncateIntoAShortBuffer) {
  SOCKSPEC_RULE("getsockname.truncated", Shall);
  SOCKSPEC_RULE("getsockname.truncated-len", May);
  SOCKSPEC_RULE("getpeername.truncated", Shall);
  SOCKSPEC_RULE("getpeername.truncated-len", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<Connection> c = ConnectInProcess(k, dir);
  ASSERT_THAT(c, SyscallSucceeds());
  {
    SCOPED_TRACE("getsockname of the bound server socket");
    const Fd& bound = c->listener.valid() ? c->listener : c->server;
    CheckTruncation(bound.get(), false, std::string("getsockname.truncated-len.") + k.name);
  }
  {
    // The client's peer is the bound server address (a pathname for unix).
    SCOPED_TRACE("getpeername of the client");
    CheckTruncation(c->client.get(), true, std::string("getpeername.truncated-len.") + k.name);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, NamesTest, ::testing::ValuesIn(AllKinds()), KindName);

// Connection kinds: server and client in separate processes; each end's
// getpeername is the other end's getsockname.
using PeerNameConnectedTest = ::testing::TestWithParam<SocketKind>;

TEST_P(PeerNameConnectedTest, EachEndsPeerIsTheOtherEndsName) {
  SOCKSPEC_RULE("getpeername.connected", Shall);
  const SocketKind k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  Scenario s;
  const Address bind_to = k.AddressAt(s.Path("server"));
  s.Spawn("server", [&](Process& p) {
    Result<BoundSocket> l = MakeListener(k, bind_to, 1);
    ASSERT_THAT(l, SyscallSucceeds());
    p.Publish("server", l->addr);
    Result<std::pair<Fd, Address>> acc = AcceptWithAddress(l->fd);
    ASSERT_THAT(acc, SyscallSucceeds());
    Result<Address> peer = GetPeerName(acc->first);
    ASSERT_THAT(peer, SyscallSucceeds());
    EXPECT_EQ(*peer, acc->second) << "getpeername differs from accept's address";
    p.Publish("accepted.sock", GetSockName(acc->first).value());
    EXPECT_EQ(*peer, p.Await("client.sock")) << "accepted socket's peer is not the client";
    p.WaitFor("client.done");
  });
  s.Spawn("client", [&](Process& p) {
    Address server = p.Await("server");
    Fd c = k.Create().value();
    ASSERT_THAT(Connect(c, server), SyscallSucceeds());
    p.Publish("client.sock", GetSockName(c).value());
    Result<Address> peer = GetPeerName(c);
    ASSERT_THAT(peer, SyscallSucceeds());
    EXPECT_EQ(*peer, server) << "client's peer is not the listener's address";
    EXPECT_EQ(*peer, p.Await("accepted.sock")) << "client's peer is not the accepted socket";
    p.Signal("client.done");
  });
  s.Run();
}

INSTANTIATE_TEST_SUITE_P(Kinds, PeerNameConnectedTest, ::testing::ValuesIn(ConnectionKinds()),
                         KindName);

// Single-socket checks: each case loops over the kinds this system has.
TEST(Names, GetSockNameOfUnboundSocketSucceeds) {
  SOCKSPEC_RULE("getsockname.unbound", May);
  for (const SocketKind& k : AvailableKinds(AllKinds())) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    RawName raw = CallName(fd.get(), false, kBufSize, 0xA5);
    // Nothing in the ERRORS section applies to an unbound socket: it
    // succeeds; what it stores is unspecified, so it is only recorded.
    ASSERT_THAT(raw.rc, SyscallSucceeds()) << DescribeErrno(raw.err);
    Parsed<Address> a = FromSockaddr(raw.buf.data(), raw.len);
    RecordValue(std::string("getsockname.unbound.") + k.name,
                a ? FormatAddress(*a.value) : "undecodable, length " + std::to_string(raw.len));
  }
}

TEST(Names, GetPeerNameOfUnconnectedSocketFailsWithEnotconn) {
  SOCKSPEC_RULE("getpeername.unconnected", Shall);
  TempDir dir;
  for (const SocketKind& k : AvailableKinds(AllKinds())) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    EXPECT_THAT(GetPeerName(fd), SyscallFailsWithErrno(ENOTCONN)) << "fresh socket";
    ASSERT_THAT(Bind(fd, k.BindableAddress(dir)), SyscallSucceeds());
    EXPECT_THAT(GetPeerName(fd), SyscallFailsWithErrno(ENOTCONN)) << "bound socket";
    if (k.connection_oriented()) {
      ASSERT_THAT(Listen(fd, 1), SyscallSucceeds());
      EXPECT_THAT(GetPeerName(fd), SyscallFailsWithErrno(ENOTCONN)) << "listening socket";
    }
  }
}

// Datagram kinds: connect() sets the peer, which getpeername then reports.
TEST(Names, ConnectedDatagramSocketReportsItsPeer) {
  SOCKSPEC_RULE("getpeername.connected", Shall);
  TempDir dir;
  for (const SocketKind& k : AvailableKinds(DatagramKinds())) {
    SCOPED_TRACE(k.name);
    Result<BoundSocket> server = MakeBound(k, k.BindableAddress(dir));
    ASSERT_THAT(server, SyscallSucceeds());
    Fd client = k.Create().value();
    ASSERT_THAT(Connect(client, server->addr), SyscallSucceeds());
    EXPECT_THAT(GetPeerName(client), SyscallSucceedsWithValue(server->addr));
  }
}

TEST(Names, GetSockNameOnBadDescriptorOrNonSocketFails) {
  SOCKSPEC_RULE("getsockname.ebadf", Shall);
  SOCKSPEC_RULE("getsockname.enotsock", Shall);
  EXPECT_THAT(GetSockName(ClosedFd()), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(GetSockName(-1), SyscallFailsWithErrno(EBADF));
  Result<Pipe> p = MakePipe();
  ASSERT_THAT(p, SyscallSucceeds());
  EXPECT_THAT(GetSockName(p->r), SyscallFailsWithErrno(ENOTSOCK));
}

TEST(Names, GetPeerNameOnBadDescriptorOrNonSocketFails) {
  SOCKSPEC_RULE("getpeername.ebadf", Shall);
  SOCKSPEC_RULE("getpeername.enotsock", Shall);
  EXPECT_THAT(GetPeerName(ClosedFd()), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(GetPeerName(-1), SyscallFailsWithErrno(EBADF));
  Result<Pipe> p = MakePipe();
  ASSERT_THAT(p, SyscallSucceeds());
  EXPECT_THAT(GetPeerName(p->w), SyscallFailsWithErrno(ENOTSOCK));
}

}  // namespace
}  // namespace sockspec
