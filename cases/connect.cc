// connect(): establishing connections (stream, seqpacket), refusals and
// pathname errors, non-blocking connects (EINPROGRESS, EALREADY), address
// checks, and the peer association of datagram sockets (set, filter, change,
// dissolve with AF_UNSPEC).
//
// In-process connections use non-blocking connects and bounded polls, so no
// call can hang the test process; blocking connects run in forked processes.
// UDP may drop datagrams: the datagram cases resend a bounded number of times
// and only assert on what arrives, so a loss can never fail them wrongly.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "cases/support.h"
#include "harness/address.h"
#include "harness/errno_name.h"
#include "harness/features.h"
#include "harness/fd.h"
#include "harness/kinds.h"
#include "harness/matchers.h"
#include "harness/rules.h"
#include "harness/scenario.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"

namespace sockspec {
namespace {

using std::chrono::milliseconds;

// A client of `kind` connected to `to`, where `listener` listens, and its
// accepted end; the client is left non-blocking.
void MakeConnection(const SocketKind& kind, const Fd& listener, const Address& to, Fd* client,
                    Fd* accepted) {
  Result<Fd> c = kind.Create();
  ASSERT_THAT(c, SyscallSucceeds());
  ASSERT_THAT(StartConnect(*c, to), SyscallSucceeds());
  Result<Fd> a = AcceptBounded(listener);
  ASSERT_THAT(a, SyscallSucceeds());
  ASSERT_THAT(FinishConnect(*c), SyscallSucceeds());
  *client = std::move(*c);
  *accepted = std::move(*a);
}

// Sends `msg` from `tx` (to `to`, or to its peer when null) until `rx`
// receives a datagram, at most 8 times, and returns that first datagram.
void SendUntilReceived(const Fd& tx, std::string_view msg, const Address* to, const Fd& rx,
                       std::string* data, Address* from) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    Result<std::size_t> sent = to ? SendTo(tx, AsBytes(msg), *to) : Send(tx, AsBytes(msg));
    ASSERT_THAT(sent, SyscallSucceedsWithValue(msg.size()));
    Result<short> ready = Poll(rx, POLLIN, milliseconds(500));
    ASSERT_THAT(ready, SyscallSucceeds());
    if (!(*ready & POLLIN)) continue;  // lost (legal for UDP): send again
    std::string buf(256, '\0');
    Result<Received> r =
        RecvFrom(rx, std::as_writable_bytes(std::span(buf)), DontWait(rx.get()).flags());
    ASSERT_THAT(r, SyscallSucceeds());
    *data = buf.substr(0, r->size);
    *from = r->from;
    return;
  }
  FAIL() << "no datagram arrived after 8 sends";
}

// Receives every queued datagram without waiting; ends at EAGAIN.
void DrainDatagrams(const Fd& rx, std::vector<std::string>* out) {
  for (int i = 0; i < 64; ++i) {
    std::string buf(256, '\0');
    Result<std::size_t> r =
        Recv(rx, std::as_writable_bytes(std::span(buf)), DontWait(rx.get()).flags());
    if (!r.ok()) {
      EXPECT_THAT(r, SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
      return;
    }
    out->push_back(buf.substr(0, *r));
  }
  FAIL() << "more than 64 datagrams queued";
}

// Whether `a` is the inet wildcard address (0.0.0.0 or ::).
bool IsWildcard(const Address& a) {
  if (!a.is_inet()) return false;
  const std::size_t n = a.family() == AF_INET ? 4 : 16;
  for (std::size_t i = 0; i < n; ++i) {
    if (a.ip[i] != 0) return false;
  }
  return true;
}

// The AF_UNSPEC address that dissolves an association.
SockAddr UnspecAddress() {
  SockAddr sa;
  sa.storage.ss_family = AF_UNSPEC;
  sa.len = sizeof(sockaddr);
  return sa;
}

class ConnectTest : public ::testing::TestWithParam<SocketKind> {
 protected:
  const SocketKind& kind() const { return GetParam(); }
  void SetUpListener(int backlog = 8) {
    ASSERT_NO_FATAL_FAILURE(
        Keep(MakeListener(kind(), kind().AddressAt(dir_.UniquePath("listener")), backlog)));
  }
  // A socket of this kind bound but not listening: connections to its
  // address are refused, and the port (or path) stays reserved meanwhile.
  void SetUpBoundOnly() {
    ASSERT_NO_FATAL_FAILURE(Keep(MakeBound(kind(), kind().AddressAt(dir_.UniquePath("bound")))));
  }
  // Keeps `s` as this case's socket and its address.
  void Keep(Result<BoundSocket> s) {
    ASSERT_THAT(s, SyscallSucceeds());
    listener_ = std::move(s->fd);
    addr_ = s->addr;
  }

  TempDir dir_;
  Fd listener_;
  Address addr_;
};

class ConnectTcpTest : public ConnectTest {};
class ConnectUnixStreamTest : public ConnectTest {};
class ConnectUnixTest : public ConnectTest {};
class ConnectAnyTest : public ConnectTest {};

// ---------------------------------------------------------------------------
// Establishing connections.

TEST_P(ConnectTest, ConnectsToAListenerAndNamesItAsPeer) {
  SOCKSPEC_RULE("connect.stream", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  const SocketKind k = kind();
  Scenario s;
  const Address bind_to = k.AddressAt(s.Path("listener"));
  s.Spawn("server", [&](Process& p) {
    Result<Fd> l = PublishedListener(p, "addr", k, bind_to, 4);
    ASSERT_THAT(l, SyscallSucceeds());
    Result<Fd> c = Accept(*l);
    ASSERT_THAT(c, SyscallSucceeds());
    ASSERT_THAT(SendAll(*c, AsBytes("hi")), SyscallSucceeds());
    p.WaitFor("done");
  });
  s.Spawn("client", [&](Process& p) {
    Address a = p.Await("addr");
    Fd c = k.Create().value();
    ASSERT_THAT(Connect(c, a), SyscallSucceeds());  // blocking
    EXPECT_THAT(GetPeerName(c), SyscallSucceedsWithValue(a));
    Result<std::string> got = RecvAll(c, 2);
    ASSERT_THAT(got, SyscallSucceeds());
    EXPECT_EQ(*got, "hi");
    p.Signal("done");
  });
  s.Run();
}

TEST_P(ConnectTest, NonBlockingConnectCompletesAndBecomesWritable) {
  SOCKSPEC_RULE("connect.nonblock", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd c = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  Result<> r = Connect(c, addr_);
  if (!r.ok()) {
    EXPECT_THAT(r, SyscallFailsWithErrno(EINPROGRESS));
  }
  RecordValue(std::string("connect.nonblock.") + kind().name,
              r.ok() ? "immediate" : ErrnoName(r.error()));
  ASSERT_THAT(FinishConnect(c), SyscallSucceeds());
  EXPECT_THAT(GetPeerName(c), SyscallSucceedsWithValue(addr_));
  // A further connect once it has completed: EISCONN (POSIX, BSD) or 0 (Linux
  // TCP reports the completion once). Recorded; nothing else is legal.
  Result<> again = Connect(c, addr_);
  if (!again.ok()) {
    EXPECT_THAT(again, SyscallFailsWithErrno(EISCONN));
  }
  RecordValue(std::string("connect.nonblock.connect-after-completion.") + kind().name,
              again.ok() ? "ok" : ErrnoName(again.error()));
  Result<Fd> accepted = AcceptBounded(listener_);
  ASSERT_THAT(accepted, SyscallSucceeds());
  ExpectCarries(c, *accepted, "n");
}

TEST_P(ConnectTest, ConnectedSocketFailsEisconn) {
  SOCKSPEC_RULE("connect.eisconn", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  // Connected by a blocking connect: after a non-blocking one, Linux TCP
  // answers the first further connect with 0 (completion report), BSDs with
  // EISCONN; connect.nonblock records that.
  const SocketKind k = kind();
  Scenario s;
  const Address bind_to = k.AddressAt(s.Path("listener"));
  const Address other_to = k.AddressAt(s.Path("other"));
  s.Spawn("server", [&](Process& p) {
    Result<Fd> l = PublishedListener(p, "addr", k, bind_to, 4);
    ASSERT_THAT(l, SyscallSucceeds());
    Result<Fd> c = Accept(*l);
    ASSERT_THAT(c, SyscallSucceeds());
    Result<std::string> got = RecvAll(*c, 1);
    ASSERT_THAT(got, SyscallSucceeds());
    EXPECT_EQ(*got, "e");
  });
  s.Spawn("client", [&](Process& p) {
    Address a = p.Await("addr");
    Result<BoundSocket> other_listener = MakeListener(k, other_to, 4);
    ASSERT_THAT(other_listener, SyscallSucceeds());
    auto& [other, other_addr] = *other_listener;
    Fd c = k.Create().value();
    ASSERT_THAT(Connect(c, a), SyscallSucceeds());
    EXPECT_THAT(Connect(c, a), SyscallFailsWithErrno(EISCONN)) << "same address";
    EXPECT_THAT(Connect(c, other_addr), SyscallFailsWithErrno(EISCONN)) << "another listener";
    // The rejected calls left the connection as it was.
    EXPECT_THAT(GetPeerName(c), SyscallSucceedsWithValue(a));
    EXPECT_THAT(Poll(other, POLLIN, milliseconds(0)), SyscallSucceedsWithValue(0));
    ASSERT_THAT(SendAll(c, AsBytes("e")), SyscallSucceeds());
  });
  s.Run();
}

TEST_P(ConnectTest, ListeningSocketCannotConnect) {
  SOCKSPEC_RULE("connect.listening", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Result<BoundSocket> other_listener =
      MakeListener(kind(), kind().AddressAt(dir_.UniquePath("other")), 4);
  ASSERT_THAT(other_listener, SyscallSucceeds());
  auto& [other, other_addr] = *other_listener;
  ASSERT_THAT(SetNonBlocking(listener_), SyscallSucceeds());
  Result<> r = Connect(listener_, other_addr);
  // POSIX lists EOPNOTSUPP ("the socket is listening"); Linux TCP says
  // EISCONN, Linux AF_UNIX EINVAL.
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({EOPNOTSUPP, EISCONN, EINVAL}));
  if (!r.ok()) RecordValue(std::string("errno.connect.listening.") + kind().name, ErrnoName(r.error()));
  EXPECT_THAT(GetSockOptInt(listener_, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithNonZero());
  EXPECT_THAT(Poll(other, POLLIN, milliseconds(0)), SyscallSucceedsWithValue(0))
      << "the rejected connect reached the other listener";
}

TEST_P(ConnectTest, RecordsWhatAfUnspecDoesToAConnectedStream) {
  SOCKSPEC_RULE("connect.stream-unspec", May);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd c, accepted;
  ASSERT_NO_FATAL_FAILURE(MakeConnection(kind(), listener_, addr_, &c, &accepted));
  SockAddr unspec = UnspecAddress();
  int r = ::connect(c.get(), unspec.get(), unspec.len);
  int e = errno;
  const std::string name = std::string("connect.stream-unspec.") + kind().name;
  RecordValue(name, r == 0 ? "ok" : ErrnoName(e));
  Result<Address> peer = GetPeerName(c);
  RecordValue(name + ".after", peer.ok() ? "connected" : ErrnoName(peer.error()));
}

TEST_P(ConnectTest, NonBlockingConnectToNonListenerIsRefused) {
  SOCKSPEC_RULE("connect.nonblock-refused", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpBoundOnly());
  Fd c = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  Result<> r = Connect(c, addr_);
  ASSERT_FALSE(r.ok()) << "connect to a socket that is not listening succeeded";
  std::string how;
  if (r.error() == EINPROGRESS) {
    // Refused later: the socket becomes writable (or in error) and SO_ERROR says why.
    Result<short> ready = Poll(c, POLLOUT, kWait);
    ASSERT_THAT(ready, SyscallSucceeds());
    ASSERT_NE(*ready, 0) << "the connect neither completed nor failed within " << kWait.count()
                         << " ms";
    EXPECT_THAT(GetSockOptInt(c, SOL_SOCKET, SO_ERROR), SyscallSucceedsWithValue(ECONNREFUSED));
    how = "deferred";
  } else {
    EXPECT_THAT(r, SyscallFailsWithErrno(ECONNREFUSED));
    how = "immediate";
  }
  RecordValue(std::string("connect.nonblock-refused.") + kind().name, how);
}

TEST_P(ConnectTcpTest, SecondConnectWhileInProgressFailsEalready) {
  SOCKSPEC_RULE("connect.nonblock-ealready", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  // A TCP connect stays in progress when the listener's queue is full (its
  // SYN is dropped and retried much later). Only a second connect made while
  // the socket was observably in progress before AND after the call is held
  // to EALREADY; a handshake that completes meanwhile proves nothing.
  ASSERT_NO_FATAL_FAILURE(SetUpListener(0));
  std::vector<Fd> clients;
  bool conclusive = false;
  int attempts = 0;
  while (!conclusive && attempts < 8) {
    ++attempts;
    Fd c = kind().Create().value();
    ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
    Result<> first = Connect(c, addr_);
    if (!first.ok()) {
      ASSERT_THAT(first, SyscallFailsWithErrno(EINPROGRESS));
      Result<short> before = Poll(c, POLLOUT, milliseconds(0));
      ASSERT_THAT(before, SyscallSucceeds());
      if (*before == 0) {
        Result<> second = Connect(c, addr_);
        Result<short> after = Poll(c, POLLOUT, milliseconds(0));
        ASSERT_THAT(after, SyscallSucceeds());
        if (*after == 0) {
          conclusive = true;
          EXPECT_THAT(second, SyscallFailsWithErrno(EALREADY))
              << "the socket was connecting before and after this call";
        } else if (!second.ok()) {
          // The handshake ended around the call: still in progress, already
          // connected, or failed meanwhile, and then connect reports the
          // pending error (a refusal, or a reset such as FreeBSD's syncache
          // sends when the full queue has no room for the completed handshake).
          EXPECT_THAT(second,
                      SyscallFailsWithErrnoIn({EALREADY, EISCONN, ECONNREFUSED, ECONNRESET}))
              << "the connect completed or failed around this call";
        }
      }
    }
    clients.push_back(std::move(c));
  }
  if (!conclusive) {
    GTEST_SKIP() << "no connect stayed in progress (all " << attempts
                 << " completed at once): EALREADY cannot be observed here";
  }
  RecordValue(std::string("connect.nonblock-ealready.clients-needed.") + kind().name, attempts);
}

TEST_P(ConnectTcpTest, NoListenerOnLoopbackPortIsRefused) {
  SOCKSPEC_RULE("connect.refused-inet", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpBoundOnly());  // keeps the port reserved, never listens
  const SocketKind k = kind();
  const Address to = addr_;
  // A blocking connect, in a child so that it cannot hang the test.
  RunIsolated([&](Process&) {
    Fd c = k.Create().value();
    EXPECT_THAT(Connect(c, to), SyscallFailsWithErrno(ECONNREFUSED));
  });
}

TEST_P(ConnectTcpTest, RecordsWhetherASocketConnectsToItsOwnAddress) {
  // TCP simultaneous open (RFC 9293 3.5) lets a SYN reach the socket that sent it, so a
  // socket connecting to its own address may end up connected to itself; a stack may also
  // refuse. The lifecycle model relies on the answer being one of these: a connect to a port
  // nobody listens on may self-connect when the system picks that port as the source port.
  SOCKSPEC_RULE("connect.self-inet", May);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpBoundOnly());
  Result<> r = ConnectBounded(listener_, addr_);
  const std::string name = std::string("connect.self-inet.") + kind().name;
  if (!r.ok()) {
    RecordValue(name, ErrnoName(r.error()));
    return;
  }
  RecordValue(name, "connected to itself");
  EXPECT_THAT(GetPeerName(listener_), SyscallSucceedsWithValue(addr_));
  EXPECT_THAT(GetSockName(listener_), SyscallSucceedsWithValue(addr_));
  ExpectCarries(listener_, listener_, "self");
}

TEST(ConnectLoopback, AnyLoopbackAddressReachesAWildcardListener) {
  SOCKSPEC_RULE("connect.loopback-range", Platform);
  const SocketKind tcp4 = KindNamed("Tcp4");
  for (std::array<std::uint8_t, 4> ip : {std::array<std::uint8_t, 4>{127, 0, 0, 2},
                                         std::array<std::uint8_t, 4>{127, 1, 2, 3}}) {
    const Address target = Address::Inet4(ip, 0);
    SCOPED_TRACE(FormatAddress(target));
    {
      // Probe: is this a local address here? (Binding never sends anything.)
      Fd probe = tcp4.Create().value();
      Result<> r = Bind(probe, target);
      if (!r.ok()) GTEST_SKIP() << FormatAddress(target) << " is not local here: " << r;
    }
    Result<BoundSocket> listener = MakeListener(tcp4, Address::Inet4({0, 0, 0, 0}, 0), 4);
    ASSERT_THAT(listener, SyscallSucceeds());
    const Address to = target.WithPort(listener->addr.port);
    Fd c, accepted;
    ASSERT_NO_FATAL_FAILURE(MakeConnection(tcp4, listener->fd, to, &c, &accepted));
    EXPECT_THAT(GetPeerName(c), SyscallSucceedsWithValue(to));
    EXPECT_THAT(GetSockName(accepted), SyscallSucceedsWithValue(to));
    ExpectCarries(c, accepted, "l");
  }
}

// ---------------------------------------------------------------------------
// AF_UNIX pathnames.

TEST_P(ConnectUnixStreamTest, PathBoundButNotListeningIsRefused) {
  SOCKSPEC_RULE("connect.refused-unix", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpBoundOnly());
  Fd c = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  EXPECT_THAT(Connect(c, addr_), SyscallFailsWithErrno(ECONNREFUSED));
}

// The bound socket itself is the one connecting: its own name is not listening either.
TEST_P(ConnectUnixStreamTest, OwnPathWhileNotListeningIsRefused) {
  SOCKSPEC_RULE("connect.refused-unix", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpBoundOnly());
  ASSERT_THAT(SetNonBlocking(listener_), SyscallSucceeds());
  EXPECT_THAT(Connect(listener_, addr_), SyscallFailsWithErrno(ECONNREFUSED));
}

TEST_P(ConnectUnixStreamTest, StalePathOfAClosedListenerIsRefused) {
  SOCKSPEC_RULE("connect.refused-unix", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  listener_.reset();
  Fd c = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  if (::access(addr_.unix_name.c_str(), F_OK) != 0) {
    // bind.unix-file-persists is a may: without a stale file there is nothing to refuse.
    EXPECT_THAT(Connect(c, addr_), SyscallFailsWithErrno(ENOENT));
    GTEST_SKIP() << "the socket file went away with the listener";
  }
  EXPECT_THAT(Connect(c, addr_), SyscallFailsWithErrno(ECONNREFUSED));
}

TEST_P(ConnectUnixTest, MissingPathFailsEnoent) {
  SOCKSPEC_RULE("connect.unix-enoent", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  Fd c = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  EXPECT_THAT(Connect(c, Address::UnixPath(dir_.Path("missing"))), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(Connect(c, Address::UnixPath(dir_.Path("no-dir/sock"))),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(GetPeerName(c), SyscallFailsWithErrno(ENOTCONN));
}

TEST_P(ConnectUnixTest, RegularFileIsNotASocket) {
  SOCKSPEC_RULE("connect.unix-not-socket", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  const std::string path = dir_.Path("file");
  Fd file(::open(path.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0600));
  ASSERT_TRUE(file.valid()) << DescribeErrno(errno);
  Fd c = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  Result<> r = Connect(c, Address::UnixPath(path));
  // Linux ECONNREFUSED; BSDs, XNU and illumos ENOTSOCK.
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({ECONNREFUSED, ENOTSOCK}));
  if (!r.ok()) {
    RecordValue(std::string("errno.connect.unix-not-socket.") + kind().name, ErrnoName(r.error()));
  }
}

// A client type connecting to a path bound by a socket of another type.
struct TypePair {
  const char* name;
  const char* client;
  const char* server;
};
void PrintTo(const TypePair& p, std::ostream* os) { *os << p.name; }

class ConnectPrototypeTest : public ::testing::TestWithParam<TypePair> {};

TEST_P(ConnectPrototypeTest, PathOfAnotherSocketTypeFailsEprototype) {
  SOCKSPEC_RULE("connect.unix-prototype", Shall);
  const SocketKind client = KindNamed(GetParam().client);
  const SocketKind server = KindNamed(GetParam().server);
  SOCKSPEC_REQUIRE_KIND(client);
  SOCKSPEC_REQUIRE_KIND(server);
  TempDir dir;
  Result<BoundSocket> bound = MakeServer(server, server.AddressAt(dir.Path("server")));
  ASSERT_THAT(bound, SyscallSucceeds());
  auto& [s, a] = *bound;
  Fd c = client.Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  EXPECT_THAT(Connect(c, a), SyscallFailsWithErrno(EPROTOTYPE));
  if (!server.is_dgram()) {
    EXPECT_THAT(Poll(s, POLLIN, milliseconds(0)), SyscallSucceedsWithValue(0))
        << "the rejected connect reached the listener";
  }
}

// ---------------------------------------------------------------------------
// Addresses that cannot be used: wrong family, short length.

TEST_P(ConnectAnyTest, AddressOfAnotherFamilyFails) {
  SOCKSPEC_RULE("connect.family-mismatch", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  // Never a usable destination even if wrongly accepted: loopback, or a path
  // in our own directory.
  Address wrong;
  switch (kind().domain) {
    case AF_INET: wrong = Address::Loopback6(9); break;
    case AF_INET6: wrong = Address::UnixPath(dir_.Path("not-there")); break;
    default: wrong = Address::Loopback4(9); break;
  }
  Fd c = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  Result<> r = Connect(c, wrong);
  // POSIX: EAFNOSUPPORT (shall fail) or EINVAL ("invalid address family", may fail).
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({EAFNOSUPPORT, EINVAL}));
  if (!r.ok()) {
    RecordValue(std::string("errno.connect.family-mismatch.") + kind().name, ErrnoName(r.error()));
  }
  EXPECT_THAT(GetPeerName(c), SyscallFailsWithErrno(ENOTCONN));
}

TEST_P(ConnectAnyTest, ShortAddressLengthFailsEinval) {
  SOCKSPEC_RULE("connect.short-len", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  // A real destination in the buffer (bound, not listening), cut short.
  ASSERT_NO_FATAL_FAILURE(SetUpBoundOnly());
  SockAddr sa = ToSockaddr(addr_);
  socklen_t short_len = kind().domain == AF_INET    ? 7    // address cut mid-way
                        : kind().domain == AF_INET6 ? 20   // address cut mid-way
                                                    : 1;   // not even a family
  ASSERT_LT(short_len, sa.len);
  Fd c = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(c), SyscallSucceeds());
  EXPECT_THAT(::connect(c.get(), sa.get(), short_len), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(GetPeerName(c), SyscallFailsWithErrno(ENOTCONN));
}

TEST(ConnectErrors, ClosedDescriptorFailsEbadf) {
  SOCKSPEC_RULE("connect.ebadf", Shall);
  EXPECT_THAT(Connect(ClosedFd(), Address::Loopback4(9)), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(Connect(-1, Address::Loopback4(9)), SyscallFailsWithErrno(EBADF));
}

TEST(ConnectErrors, NonSocketDescriptorFailsEnotsock) {
  SOCKSPEC_RULE("connect.enotsock", Shall);
  Result<Pipe> p = MakePipe();
  ASSERT_THAT(p, SyscallSucceeds());
  EXPECT_THAT(Connect(p->r, Address::Loopback4(9)), SyscallFailsWithErrno(ENOTSOCK));
}

// ---------------------------------------------------------------------------
// Datagram sockets: the peer association.

class ConnectDgramTest : public ConnectTest {
 protected:
  // A bound socket of this kind and its address.
  void Bound(const char* name, Fd* fd, Address* a) {
    Result<BoundSocket> b = MakeBound(kind(), kind().AddressAt(dir_.UniquePath(name)));
    ASSERT_THAT(b, SyscallSucceeds());
    *fd = std::move(b->fd);
    *a = b->addr;
  }
};

TEST_P(ConnectDgramTest, SendWithoutAddressReachesThePeer) {
  SOCKSPEC_RULE("connect.dgram-peer", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  Fd rx, tx;
  Address rx_addr, tx_addr;
  ASSERT_NO_FATAL_FAILURE(Bound("rx", &rx, &rx_addr));
  ASSERT_NO_FATAL_FAILURE(Bound("tx", &tx, &tx_addr));
  ASSERT_THAT(Connect(tx, rx_addr), SyscallSucceeds());
  EXPECT_THAT(GetPeerName(tx), SyscallSucceedsWithValue(rx_addr));
  std::string data;
  Address from;
  ASSERT_NO_FATAL_FAILURE(SendUntilReceived(tx, "hello", nullptr, rx, &data, &from));
  EXPECT_EQ(data, "hello");
  EXPECT_EQ(from, tx_addr);
}

TEST_P(ConnectDgramTest, ConnectedSocketReceivesOnlyFromItsPeer) {
  SOCKSPEC_RULE("connect.dgram-filter", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  Fd rx, peer, stranger;
  Address rx_addr, peer_addr, stranger_addr;
  ASSERT_NO_FATAL_FAILURE(Bound("rx", &rx, &rx_addr));
  ASSERT_NO_FATAL_FAILURE(Bound("peer", &peer, &peer_addr));
  ASSERT_NO_FATAL_FAILURE(Bound("stranger", &stranger, &stranger_addr));
  ASSERT_THAT(Connect(rx, peer_addr), SyscallSucceeds());
  // The stranger's datagram goes first; whether its send fails (Linux
  // AF_UNIX: EPERM) or is silently discarded is the sender's business.
  Result<std::size_t> s =
      SendTo(stranger, AsBytes("stranger"), rx_addr, DontWait(stranger.get()).flags());
  RecordValue(std::string("connect.dgram-filter.stranger-send.") + kind().name,
              s.ok() ? "ok" : ErrnoName(s.error()));
  // Then the peer's (resent if lost). The first datagram received must be the
  // peer's, and nothing but the peer's may be queued behind it.
  std::string data;
  Address from;
  ASSERT_NO_FATAL_FAILURE(SendUntilReceived(peer, "peer", &rx_addr, rx, &data, &from));
  EXPECT_EQ(data, "peer");
  EXPECT_EQ(from, peer_addr);
  std::vector<std::string> rest;
  ASSERT_NO_FATAL_FAILURE(DrainDatagrams(rx, &rest));
  for (const std::string& d : rest) EXPECT_EQ(d, "peer") << "received a datagram from a stranger";
}

TEST_P(ConnectDgramTest, ConnectingAgainChangesThePeer) {
  SOCKSPEC_RULE("connect.dgram-reconnect", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  Fd s, first, second;
  Address s_addr, first_addr, second_addr;
  ASSERT_NO_FATAL_FAILURE(Bound("s", &s, &s_addr));
  ASSERT_NO_FATAL_FAILURE(Bound("first", &first, &first_addr));
  ASSERT_NO_FATAL_FAILURE(Bound("second", &second, &second_addr));
  ASSERT_THAT(Connect(s, first_addr), SyscallSucceeds());
  ASSERT_THAT(Connect(s, second_addr), SyscallSucceeds());
  EXPECT_THAT(GetPeerName(s), SyscallSucceedsWithValue(second_addr));
  std::string data;
  Address from;
  ASSERT_NO_FATAL_FAILURE(SendUntilReceived(s, "to-second", nullptr, second, &data, &from));
  EXPECT_EQ(data, "to-second");
  EXPECT_EQ(from, s_addr);
  // Sends are delivered synchronously on this host, so the old peer would
  // have it by now (a loss could only hide a failure, never cause one).
  char byte;
  EXPECT_THAT(
      Recv(first, std::as_writable_bytes(std::span(&byte, 1)), DontWait(first.get()).flags()),
      SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}))
      << "the old peer received a datagram after the reconnect";
  // And the new peer's datagrams are now accepted.
  ASSERT_NO_FATAL_FAILURE(SendUntilReceived(second, "back", &s_addr, s, &data, &from));
  EXPECT_EQ(data, "back");
  EXPECT_EQ(from, second_addr);
}

TEST_P(ConnectDgramTest, AfUnspecDissolvesTheAssociation) {
  SOCKSPEC_RULE("connect.dgram-unspec", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  Fd s, peer, other;
  Address s_addr, peer_addr, other_addr;
  ASSERT_NO_FATAL_FAILURE(Bound("s", &s, &s_addr));
  ASSERT_NO_FATAL_FAILURE(Bound("peer", &peer, &peer_addr));
  ASSERT_NO_FATAL_FAILURE(Bound("other", &other, &other_addr));
  ASSERT_THAT(Connect(s, peer_addr), SyscallSucceeds());
  // POSIX mandates the effect ("the socket's peer address shall be reset"),
  // not the return value: Linux returns 0, while BSD and macOS dissolve the
  // association and then reject the address itself (Darwin connect(2): "the
  // error EAFNOSUPPORT will be harmlessly returned"; XNU AF_UNIX: ENOENT).
  // Recorded; only the effect is asserted.
  SockAddr unspec = UnspecAddress();
  const int dissolved = ::connect(s.get(), unspec.get(), unspec.len);
  const std::string returned = dissolved == 0 ? "ok" : ErrnoName(errno);
  RecordValue(std::string("connect.dgram-unspec.return.") + kind().name, returned);
  EXPECT_THAT(GetPeerName(s), SyscallFailsWithErrno(ENOTCONN))
      << "connect(AF_UNSPEC) returned " << returned << " but the peer is still set";
  // No peer: a send without an address has no destination. POSIX send():
  // EDESTADDRREQ; Linux AF_UNIX reports ENOTCONN.
  Result<std::size_t> r = Send(s, AsBytes("x"), DontWait(s.get()).flags());
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({EDESTADDRREQ, ENOTCONN}));
  if (!r.ok()) {
    RecordValue(std::string("errno.connect.dgram-unspec.send.") + kind().name,
                ErrnoName(r.error()));
  }
  // The filter is gone too: anyone's datagrams arrive again. Linux UDP also
  // releases a kernel-chosen local port on dissolving (the failed send above
  // then picked a new one): recorded, and the datagram goes to the current name.
  Result<Address> name = GetSockName(s);
  ASSERT_THAT(name, SyscallSucceeds());
  const bool kept = *name == s_addr;
  RecordValue(std::string("connect.dgram-unspec.local-address-kept.") + kind().name,
              kept ? "yes" : "no");
  if (!kept) {
    ASSERT_TRUE(name->is_inet()) << "dissolving changed the name from " << s_addr << " to "
                                 << *name;
  }
  if (name->is_inet() && name->port == 0) {
    std::string ignored;
    Address ignored_from;
    ASSERT_NO_FATAL_FAILURE(SendUntilReceived(s, "bind", &other_addr, other, &ignored,
                                              &ignored_from));
    name = GetSockName(s);
    ASSERT_THAT(name, SyscallSucceeds());
  }
  // The BSDs' udp_disconnect resets the local address to the wildcard (the
  // port stays): such a name is reached on its family's loopback address,
  // since nothing here sends anywhere but loopback.
  Address to = *name;
  if (IsWildcard(to)) {
    to = to.family() == AF_INET ? Address::Loopback4(to.port, to.type)
                                : Address::Loopback6(to.port, to.type);
  }
  SCOPED_TRACE(::testing::Message() << "datagram from anyone sent to " << to);
  std::string data;
  Address from;
  ASSERT_NO_FATAL_FAILURE(SendUntilReceived(other, "anyone", &to, s, &data, &from));
  EXPECT_EQ(data, "anyone");
  EXPECT_EQ(from, other_addr);
}

INSTANTIATE_TEST_SUITE_P(Kinds, ConnectTest, ::testing::ValuesIn(ConnectionKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, ConnectTcpTest, ::testing::ValuesIn(TcpKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, ConnectUnixStreamTest,
                         ::testing::ValuesIn(UnixConnectionKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, ConnectUnixTest, ::testing::ValuesIn(UnixKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, ConnectAnyTest, ::testing::ValuesIn(AllKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, ConnectDgramTest, ::testing::ValuesIn(DatagramKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(
    Types, ConnectPrototypeTest,
    ::testing::Values(TypePair{"StreamToDgram", "UnixStream", "UnixDgram"},
                      TypePair{"SeqpacketToDgram", "UnixSeqpacket", "UnixDgram"},
                      TypePair{"DgramToStream", "UnixDgram", "UnixStream"},
                      TypePair{"StreamToSeqpacket", "UnixStream", "UnixSeqpacket"},
                      TypePair{"SeqpacketToStream", "UnixSeqpacket", "UnixStream"}),
    [](const ::testing::TestParamInfo<TypePair>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sockspec
