// accept() and accept4(): extracting connections from a listener's queue,
// the peer address and its length, blocking and non-blocking behaviour, the
// descriptor flags of the new socket, and the documented errors.
//
// Connections that need no concurrency are made in-process with a
// non-blocking connect (0 or EINPROGRESS are both legal), a bounded poll for
// the listener to become readable, then the accept under test. Cases where a
// blocking call or ordering between peers matters run in forked processes
// through Scenario.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
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

constexpr unsigned char kCanary = 0xA5;

// What accept with a caller-supplied buffer did.
struct RawAccept {
  int fd = -1;
  int err = 0;
  socklen_t len = 0;
};

// accept(listener, buf, &len) with *len == `supplied` on entry.
RawAccept AcceptInto(const Fd& listener, void* buf, socklen_t supplied) {
  RawAccept r;
  r.len = supplied;
  r.fd = ::accept(listener.get(), static_cast<sockaddr*>(buf), &r.len);
  r.err = r.fd < 0 ? errno : 0;
  return r;
}

// The raw name of `fd` (getsockname), as bytes and length.
void RawSockName(const Fd& fd, sockaddr_storage* ss, socklen_t* len) {
  std::memset(ss, 0, sizeof(*ss));
  *len = sizeof(*ss);
  ASSERT_THAT(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(ss), len), SyscallSucceeds());
}

// The fixture: a listener of the kind under test, with its own temp dir.
class AcceptTest : public ::testing::TestWithParam<SocketKind> {
 protected:
  const SocketKind& kind() const { return GetParam(); }

  void SetUpListener(int backlog = 8) {
    Result<BoundSocket> l =
        MakeListener(kind(), kind().AddressAt(dir_.UniquePath("listener")), backlog);
    ASSERT_THAT(l, SyscallSucceeds());
    listener_ = std::move(l->fd);
    addr_ = l->addr;
  }
  // A non-blocking client (optionally bound first) whose connection is
  // pending on the listener.
  void PendingClient(Fd* client, const Address* bind_to = nullptr) {
    Result<Fd> c = kind().Create();
    ASSERT_THAT(c, SyscallSucceeds());
    if (bind_to != nullptr) {
      ASSERT_THAT(Bind(*c, *bind_to), SyscallSucceeds());
    }
    ASSERT_THAT(StartConnect(*c, addr_), SyscallSucceeds());
    *client = std::move(*c);
    ASSERT_THAT(WaitPending(listener_), SyscallSucceeds());
  }
  // A client bound to a name of its own (a path for AF_UNIX; inet clients get
  // their port from connect), with its connection pending.
  void NamedPendingClient(Fd* client) {
    Address name = kind().AddressAt(dir_.UniquePath("client"));
    ASSERT_NO_FATAL_FAILURE(PendingClient(client, kind().is_unix() ? &name : nullptr));
  }

  TempDir dir_;
  Fd listener_;
  Address addr_;
};

// Unix connection kinds only (unnamed peers).
class AcceptUnixTest : public AcceptTest {};
// Datagram kinds (accept is not supported).
class AcceptDgramTest : public AcceptTest {};

// ---------------------------------------------------------------------------
// accept.basic, accept.null-address, accept.blocks, accept.fifo: forked peers.

TEST_P(AcceptTest, ReturnsNewConnectedSocketAndListenerKeepsListening) {
  SOCKSPEC_RULE("accept.basic", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  const SocketKind k = kind();
  Scenario s;
  const Address bind_to = k.AddressAt(s.Path("listener"));
  s.Spawn("server", [&](Process& p) {
    Result<Fd> l = PublishedListener(p, "addr", k, bind_to, 4);
    ASSERT_THAT(l, SyscallSucceeds());
    for (const char* token : {"1", "2"}) {
      Result<Fd> c = Accept(*l);
      ASSERT_THAT(c, SyscallSucceeds());
      EXPECT_NE(c->get(), l->get());
      // Same type and family as the listener (POSIX), and not itself listening.
      EXPECT_THAT(GetSockOptInt(*c, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(k.type));
      EXPECT_THAT(GetSockOptInt(*c, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithValue(0));
      Result<std::string> got = RecvAll(*c, 1);
      ASSERT_THAT(got, SyscallSucceeds());
      EXPECT_EQ(*got, token);
      ASSERT_THAT(SendAll(*c, AsBytes("ok")), SyscallSucceeds());
      // The listener is still listening after handing out a connection.
      EXPECT_THAT(GetSockOptInt(*l, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithNonZero());
      p.Signal(std::string("accepted-") + token);
    }
  });
  for (const char* token : {"1", "2"}) {
    const std::string me = token;
    s.Spawn(std::string("client") + token, [&, me](Process& p) {
      if (me == "2") p.WaitFor("accepted-1");  // the second arrives after the first accept
      Fd c = k.Create().value();
      ASSERT_THAT(Connect(c, p.Await("addr")), SyscallSucceeds());
      ASSERT_THAT(SendAll(c, AsBytes(me)), SyscallSucceeds());
      Result<std::string> got = RecvAll(c, 2);
      ASSERT_THAT(got, SyscallSucceeds());
      EXPECT_EQ(*got, "ok");
    });
  }
  s.Run();
}

TEST_P(AcceptTest, NullAddressAndLengthAcceptsAWorkingConnection) {
  SOCKSPEC_RULE("accept.null-address", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  const SocketKind k = kind();
  Scenario s;
  const Address bind_to = k.AddressAt(s.Path("listener"));
  s.Spawn("server", [&](Process& p) {
    Result<Fd> l = PublishedListener(p, "addr", k, bind_to, 4);
    ASSERT_THAT(l, SyscallSucceeds());
    Fd c(::accept(l->get(), nullptr, nullptr));
    ASSERT_TRUE(c.valid()) << "accept(fd, NULL, NULL) failed: " << DescribeErrno(errno);
    Result<std::string> got = RecvAll(c, 4);
    ASSERT_THAT(got, SyscallSucceeds());
    EXPECT_EQ(*got, "ping");
    ASSERT_THAT(SendAll(c, AsBytes("pong")), SyscallSucceeds());
  });
  s.Spawn("client", [&](Process& p) {
    Fd c = k.Create().value();
    ASSERT_THAT(Connect(c, p.Await("addr")), SyscallSucceeds());
    ASSERT_THAT(SendAll(c, AsBytes("ping")), SyscallSucceeds());
    Result<std::string> got = RecvAll(c, 4);
    ASSERT_THAT(got, SyscallSucceeds());
    EXPECT_EQ(*got, "pong");
  });
  s.Run();
}

TEST_P(AcceptTest, BlockingAcceptWaitsForAClient) {
  SOCKSPEC_RULE("accept.blocks", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  const SocketKind k = kind();
  Scenario s;
  const Address bind_to = k.AddressAt(s.Path("listener"));
  s.Spawn("server", [&](Process& p) {
    Result<Fd> l = PublishedListener(p, "addr", k, bind_to, 4);
    ASSERT_THAT(l, SyscallSucceeds());
    // Nothing is pending yet: the client connects only after "accepting".
    ASSERT_THAT(Poll(*l, POLLIN, milliseconds(0)), SyscallSucceedsWithValue(0));
    p.Signal("accepting");
    Result<Fd> c = Accept(*l);  // must wait for the client
    ASSERT_THAT(c, SyscallSucceeds());
    // What it returned is the client's connection, made after the signal.
    Result<std::string> got = RecvAll(*c, 5);
    ASSERT_THAT(got, SyscallSucceeds());
    EXPECT_EQ(*got, "token");
  });
  s.Spawn("client", [&](Process& p) {
    Address a = p.Await("addr");
    p.WaitFor("accepting");
    Fd c = k.Create().value();
    ASSERT_THAT(Connect(c, a), SyscallSucceeds());
    ASSERT_THAT(SendAll(c, AsBytes("token")), SyscallSucceeds());
  });
  s.Run();
}

TEST_P(AcceptTest, ConnectionsAreAcceptedInArrivalOrder) {
  SOCKSPEC_RULE("accept.fifo", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  const SocketKind k = kind();
  constexpr int kClients = 4;
  Scenario s;
  const Address bind_to = k.AddressAt(s.Path("listener"));
  s.Spawn("server", [&](Process& p) {
    Result<Fd> l = PublishedListener(p, "addr", k, bind_to, kClients + 2);
    ASSERT_THAT(l, SyscallSucceeds());
    p.WaitFor("connected-" + std::to_string(kClients - 1));
    for (int i = 0; i < kClients; ++i) {
      Result<Fd> c = Accept(*l);
      ASSERT_THAT(c, SyscallSucceeds());
      Result<std::string> got = RecvAll(*c, 1);
      ASSERT_THAT(got, SyscallSucceeds());
      EXPECT_EQ(*got, std::to_string(i)) << "accept #" << i << " returned client " << *got;
    }
    p.Signal("done");
  });
  for (int i = 0; i < kClients; ++i) {
    s.Spawn("client" + std::to_string(i), [&, i](Process& p) {
      Address a = p.Await("addr");
      // Client i connects only once client i-1's connect has returned.
      if (i > 0) p.WaitFor("connected-" + std::to_string(i - 1));
      Fd c = k.Create().value();
      ASSERT_THAT(Connect(c, a), SyscallSucceeds());
      ASSERT_THAT(SendAll(c, AsBytes(std::to_string(i))), SyscallSucceeds());
      p.Signal("connected-" + std::to_string(i));
      p.WaitFor("done");
    });
  }
  s.Run();
}

// ---------------------------------------------------------------------------
// The peer address and its length.

TEST_P(AcceptTest, NullAddressWithLengthRecordsWhatHappens) {
  SOCKSPEC_RULE("accept.null-address-len", May);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(PendingClient(&client));
  socklen_t len = 77;
  int r = ::accept(listener_.get(), nullptr, &len);
  int err = errno;
  Fd accepted(r);
  RecordValue(std::string("accept.null-address-len.") + kind().name,
              r >= 0 ? "ok" : ErrnoName(err));
  if (r >= 0) {
    RecordValue(std::string("accept.null-address-len.len-after.") + kind().name,
                static_cast<long long>(len));
    ASSERT_THAT(FinishConnect(client), SyscallSucceeds());
    ExpectCarries(client, accepted, "x");
  }
}

TEST_P(AcceptTest, StoresThePeerAddressAndItsLength) {
  SOCKSPEC_RULE("accept.address", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(NamedPendingClient(&client));
  sockaddr_storage want;
  socklen_t want_len;
  ASSERT_NO_FATAL_FAILURE(RawSockName(client, &want, &want_len));

  sockaddr_storage got;
  std::memset(&got, kCanary, sizeof(got));
  RawAccept r = AcceptInto(listener_, &got, sizeof(got));
  Fd accepted(r.fd);
  ASSERT_GE(r.fd, 0) << "accept failed: " << DescribeErrno(r.err);
  EXPECT_EQ(got.ss_family, kind().domain);
  EXPECT_EQ(r.len, want_len) << "*address_len is not the length of the client's address";
  Parsed<Address> peer = FromSockaddr(&got, std::min<std::size_t>(r.len, sizeof(got)));
  Parsed<Address> expected = FromSockaddr(&want, want_len);
  ASSERT_TRUE(peer.ok()) << peer.error.Describe();
  ASSERT_TRUE(expected.ok()) << expected.error.Describe();
  EXPECT_EQ(*peer.value, *expected.value) << "accepted peer address differs from the client's "
                                             "getsockname";
  ASSERT_THAT(FinishConnect(client), SyscallSucceeds());
  ExpectCarries(client, accepted, "a");
}

// The length to supply so that the peer's address cannot fit.
socklen_t ShortLength(const SocketKind& k) {
  if (k.is_unix()) return offsetof(sockaddr_un, sun_path) + 3;  // part of the path
  if (k.domain == AF_INET) return 6;                             // family, port, 2 address bytes
  return 12;                                                     // family, port, flow, 4 bytes
}

TEST_P(AcceptTest, ShortBufferTruncatesAndWritesNothingPastIt) {
  SOCKSPEC_RULE("accept.truncated", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(NamedPendingClient(&client));
  sockaddr_storage want;
  socklen_t want_len;
  ASSERT_NO_FATAL_FAILURE(RawSockName(client, &want, &want_len));
  const socklen_t supplied = ShortLength(kind());
  ASSERT_LT(supplied, want_len);

  std::array<unsigned char, sizeof(sockaddr_storage) + 64> buf;
  buf.fill(kCanary);
  RawAccept r = AcceptInto(listener_, buf.data(), supplied);
  Fd accepted(r.fd);
  ASSERT_GE(r.fd, 0) << "accept failed: " << DescribeErrno(r.err);
  // The stored address is the leading part of the peer's address...
  EXPECT_EQ(std::memcmp(buf.data(), &want, supplied), 0)
      << "the truncated address is not a prefix of the peer's address";
  // ...and nothing is written past the supplied length.
  for (std::size_t i = supplied; i < buf.size(); ++i) {
    ASSERT_EQ(buf[i], kCanary) << "accept wrote byte " << i << " past the supplied length "
                               << supplied;
  }
  // POSIX: *len is "the length of the stored address"; Linux documents the
  // true length (greater than supplied). Both readings are recorded, nothing
  // else is legal.
  EXPECT_TRUE(r.len == want_len || r.len == supplied)
      << "*address_len is " << r.len << ": neither the true length " << want_len
      << " nor the supplied length " << supplied;
  RecordValue(std::string("accept.truncated.len-reported.") + kind().name,
              r.len == want_len ? "actual" : (r.len == supplied ? "supplied" : "other"));
}

TEST_P(AcceptTest, LargeLengthIsShrunkToTheActualLength) {
  SOCKSPEC_RULE("accept.len-large", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  for (socklen_t supplied : {socklen_t{200}, socklen_t{2000}}) {
    SCOPED_TRACE("supplied length " + std::to_string(supplied));
    Fd client;
    ASSERT_NO_FATAL_FAILURE(NamedPendingClient(&client));
    sockaddr_storage want;
    socklen_t want_len;
    ASSERT_NO_FATAL_FAILURE(RawSockName(client, &want, &want_len));
    std::vector<unsigned char> buf(2048, kCanary);
    RawAccept r = AcceptInto(listener_, buf.data(), supplied);
    Fd accepted(r.fd);
    ASSERT_GE(r.fd, 0) << "accept failed: " << DescribeErrno(r.err);
    EXPECT_EQ(r.len, want_len);
    Parsed<Address> peer = FromSockaddr(buf.data(), std::min<std::size_t>(r.len, buf.size()));
    Parsed<Address> expected = FromSockaddr(&want, want_len);
    ASSERT_TRUE(peer.ok()) << peer.error.Describe();
    EXPECT_EQ(*peer.value, *expected.value);
    for (std::size_t i = supplied; i < buf.size(); ++i) {
      ASSERT_EQ(buf[i], kCanary) << "accept wrote byte " << i << " past the supplied length";
    }
  }
}

TEST_P(AcceptTest, NegativeLengthRecordsTheOutcome) {
  SOCKSPEC_RULE("accept.len-negative", May);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(PendingClient(&client));
  ASSERT_THAT(SetNonBlocking(listener_), SyscallSucceeds());
  std::vector<unsigned char> buf(sizeof(sockaddr_storage), kCanary);
  // socklen_t is unsigned; the value a caller passing int -1 would supply.
  RawAccept r = AcceptInto(listener_, buf.data(), static_cast<socklen_t>(-1));
  Fd accepted(r.fd);
  const std::string name = std::string("accept.len-negative.") + kind().name;
  RecordValue(name, r.fd >= 0 ? "ok" : ErrnoName(r.err));
  if (r.fd < 0) {
    // Is the connection still queued after the rejected call?
    Fd again(::accept(listener_.get(), nullptr, nullptr));
    int e = errno;
    EXPECT_TRUE(again.valid() || e == EAGAIN || e == EWOULDBLOCK) << DescribeErrno(e);
    RecordValue(name + ".connection-kept", again.valid() ? "yes" : "no");
  }
}

TEST_P(AcceptTest, ZeroLengthWritesNothingAndSucceeds) {
  SOCKSPEC_RULE("accept.len-zero", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(NamedPendingClient(&client));
  std::vector<unsigned char> buf(sizeof(sockaddr_storage), kCanary);
  RawAccept r = AcceptInto(listener_, buf.data(), 0);
  Fd accepted(r.fd);
  ASSERT_GE(r.fd, 0) << "accept with *address_len 0 failed: " << DescribeErrno(r.err);
  for (std::size_t i = 0; i < buf.size(); ++i) {
    ASSERT_EQ(buf[i], kCanary) << "accept wrote byte " << i << " with *address_len 0";
  }
  RecordValue(std::string("accept.len-zero.len-after.") + kind().name,
              static_cast<long long>(r.len));
  ASSERT_THAT(FinishConnect(client), SyscallSucceeds());
  ExpectCarries(accepted, client, "z");
}

TEST_P(AcceptUnixTest, UnboundClientGivesAnUnnamedUnixAddress) {
  SOCKSPEC_RULE("accept.unnamed-peer", May);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(PendingClient(&client));  // never bound
  sockaddr_storage got;
  std::memset(&got, kCanary, sizeof(got));
  RawAccept r = AcceptInto(listener_, &got, sizeof(got));
  Fd accepted(r.fd);
  ASSERT_GE(r.fd, 0) << "accept failed: " << DescribeErrno(r.err);
  RecordValue(std::string("accept.unnamed-peer.len.") + kind().name,
              static_cast<long long>(r.len));
  EXPECT_LE(r.len, sizeof(got));
  if (r.len >= sizeof(sa_family_t)) {
    EXPECT_EQ(got.ss_family, AF_UNIX);
  }
}

// ---------------------------------------------------------------------------
// Blocking mode, readiness and errors.

TEST_P(AcceptTest, NonBlockingWithNothingPendingFailsEagain) {
  SOCKSPEC_RULE("accept.nonblock-empty", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  ASSERT_THAT(SetNonBlocking(listener_), SyscallSucceeds());
  EXPECT_THAT(Accept(listener_), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
}

TEST_P(AcceptTest, PendingConnectionMakesListenerReadable) {
  SOCKSPEC_RULE("accept.poll", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  // Nothing pending: not readable.
  EXPECT_THAT(Poll(listener_, POLLIN, milliseconds(0)), SyscallSucceedsWithValue(0));
  Fd client = kind().Create().value();
  ASSERT_THAT(StartConnect(client, addr_), SyscallSucceeds());
  Result<short> r = Poll(listener_, POLLIN, kWait);
  ASSERT_THAT(r, SyscallSucceeds());
  EXPECT_TRUE(*r & POLLIN) << "revents " << *r;
  // And what made it readable is an acceptable connection.
  ASSERT_THAT(SetNonBlocking(listener_), SyscallSucceeds());
  EXPECT_THAT(Accept(listener_), SyscallSucceeds());
}

TEST_P(AcceptTest, NotListeningFailsEinval) {
  SOCKSPEC_RULE("accept.not-listening", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  Fd s = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(s), SyscallSucceeds());  // never block, whatever happens
  EXPECT_THAT(Accept(s), SyscallFailsWithErrno(EINVAL)) << "unbound";
  ASSERT_THAT(Bind(s, kind().BindableAddress(dir_)), SyscallSucceeds());
  EXPECT_THAT(Accept(s), SyscallFailsWithErrno(EINVAL)) << "bound, not listening";
}

TEST_P(AcceptDgramTest, DatagramSocketFailsEopnotsupp) {
  SOCKSPEC_RULE("accept.dgram", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  Fd s = kind().Create().value();
  ASSERT_THAT(SetNonBlocking(s), SyscallSucceeds());
  ASSERT_THAT(Bind(s, kind().BindableAddress(dir_)), SyscallSucceeds());
  Result<Fd> r = Accept(s);
  // POSIX: EOPNOTSUPP; FreeBSD reports EINVAL (not accepting connections).
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({EOPNOTSUPP, EINVAL}));
  if (!r.ok()) RecordValue(std::string("errno.accept.dgram.") + kind().name, ErrnoName(r.error()));
}

TEST(AcceptErrors, ClosedDescriptorFailsEbadf) {
  SOCKSPEC_RULE("accept.ebadf", Shall);
  EXPECT_THAT(Accept(ClosedFd()), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(Accept(-1), SyscallFailsWithErrno(EBADF));
}

TEST(AcceptErrors, NonSocketDescriptorFailsEnotsock) {
  SOCKSPEC_RULE("accept.enotsock", Shall);
  Result<Pipe> p = MakePipe();
  ASSERT_THAT(p, SyscallSucceeds());
  EXPECT_THAT(Accept(p->r), SyscallFailsWithErrno(ENOTSOCK));
}

// ---------------------------------------------------------------------------
// Flags of the new descriptor.

TEST_P(AcceptTest, RecordsWhetherO_NONBLOCKIsInherited) {
  SOCKSPEC_RULE("accept.nonblock-inherit", May);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  ASSERT_THAT(SetNonBlocking(listener_), SyscallSucceeds());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(PendingClient(&client));
  Result<Fd> c = Accept(listener_);
  ASSERT_THAT(c, SyscallSucceeds());
  Result<int> fl = GetFlags(*c);
  ASSERT_THAT(fl, SyscallSucceeds());
  RecordValue(std::string("accept.nonblock-inherit.") + kind().name,
              (*fl & O_NONBLOCK) ? "yes" : "no");
}

TEST_P(AcceptTest, AcceptedDescriptorHasCloexecClear) {
  SOCKSPEC_RULE("accept.cloexec-clear", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  // Even when the listener's descriptor has it set: it is not inherited.
  ASSERT_THAT(::fcntl(listener_.get(), F_SETFD, FD_CLOEXEC), SyscallSucceeds());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(PendingClient(&client));
  Result<Fd> c = Accept(listener_);
  ASSERT_THAT(c, SyscallSucceeds());
  Result<int> fd_flags = GetFdFlags(*c);
  ASSERT_THAT(fd_flags, SyscallSucceeds());
  EXPECT_EQ(*fd_flags & FD_CLOEXEC, 0) << "the accepted descriptor has FD_CLOEXEC set";
}

TEST_P(AcceptTest, Accept4FlagsSetCloexecAndNonblockIndependently) {
  SOCKSPEC_RULE("accept4.flags", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  SOCKSPEC_REQUIRE_FEATURE(kAccept4);
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  const int both = kSockCloexecFlag | kSockNonblockFlag;
  for (int flags : {0, kSockCloexecFlag, kSockNonblockFlag, both}) {
    SCOPED_TRACE("accept4 flags " + TypeName(flags));
    Fd client;
    ASSERT_NO_FATAL_FAILURE(PendingClient(&client));
    Result<Fd> c = Accept4(listener_, flags);
    ASSERT_THAT(c, SyscallSucceeds());
    Result<int> fd_flags = GetFdFlags(*c);
    Result<int> fl = GetFlags(*c);
    ASSERT_THAT(fd_flags, SyscallSucceeds());
    ASSERT_THAT(fl, SyscallSucceeds());
    EXPECT_EQ((*fd_flags & FD_CLOEXEC) != 0, (flags & kSockCloexecFlag) != 0)
        << "FD_CLOEXEC " << ((*fd_flags & FD_CLOEXEC) ? "set" : "clear");
    EXPECT_EQ((*fl & O_NONBLOCK) != 0, (flags & kSockNonblockFlag) != 0)
        << "O_NONBLOCK " << ((*fl & O_NONBLOCK) ? "set" : "clear");
    // The flags change the descriptor, not the connection.
    ASSERT_THAT(FinishConnect(client), SyscallSucceeds());
    ExpectCarries(client, *c, "f");
  }
}

// A flag bit accept4 does not know on this platform.
int UnknownAccept4Flag() {
  int known = kSockCloexecFlag | kSockNonblockFlag;
#ifdef SOCK_CLOFORK
  known |= SOCK_CLOFORK;
#endif
  for (int candidate : {0x01000000, 0x00400000, 0x00010000, 0x4000}) {
    if ((candidate & known) == 0) return candidate;
  }
  return 0;
}

TEST_P(AcceptTest, Accept4UnknownFlagFailsEinval) {
  SOCKSPEC_RULE("accept4.bad-flags", Shall);
  SOCKSPEC_REQUIRE_KIND(kind());
  SOCKSPEC_REQUIRE_FEATURE(kAccept4);
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  // A pending connection and a non-blocking listener: no implementation can
  // block here, whether it checks the flags first or not.
  ASSERT_THAT(SetNonBlocking(listener_), SyscallSucceeds());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(PendingClient(&client));
  const int bad = UnknownAccept4Flag();
  ASSERT_NE(bad, 0);
  EXPECT_THAT(Accept4(listener_, bad), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(Accept4(listener_, bad | kSockCloexecFlag), SyscallFailsWithErrno(EINVAL));
}

// ---------------------------------------------------------------------------
// Connections that went away, and the descriptor limit.

TEST_P(AcceptTest, PeerClosedBeforeAcceptRecordsTheOutcome) {
  SOCKSPEC_RULE("accept.peer-gone", May);
  SOCKSPEC_REQUIRE_KIND(kind());
  ASSERT_NO_FATAL_FAILURE(SetUpListener());
  Fd client;
  ASSERT_NO_FATAL_FAILURE(PendingClient(&client));
  ASSERT_THAT(FinishConnect(client), SyscallSucceeds());
  client.reset();
  ASSERT_THAT(SetNonBlocking(listener_), SyscallSucceeds());
  Result<Fd> c = Accept(listener_);
  std::string outcome;
  if (c.ok()) {
    // Returned: reading it shows the peer is gone (EOF or a reset).
    ASSERT_THAT(Poll(*c, POLLIN, kWait), SyscallSucceeds());
    char byte;
    ssize_t n = ::recv(c->get(), &byte, 1, DontWait(c->get()).flags());
    int e = errno;
    EXPECT_TRUE(n == 0 || (n < 0 && e == ECONNRESET))
        << "recv on a connection whose peer closed: " << (n < 0 ? DescribeErrno(e) : "data");
    outcome = n == 0 ? "accepted-eof" : "accepted-" + ErrnoName(e);
  } else {
    // Aborted, or silently dropped from the queue.
    EXPECT_THAT(c, SyscallFailsWithErrnoIn({ECONNABORTED, EAGAIN, EWOULDBLOCK}));
    outcome = c.error() == ECONNABORTED ? "ECONNABORTED" : "dropped";
  }
  RecordValue(std::string("accept.peer-gone.") + kind().name, outcome);
}

TEST_P(AcceptTest, AtDescriptorLimitFailsEmfile) {
  SOCKSPEC_RULE("accept.emfile", Shall);
  SOCKSPEC_RULE("accept.emfile-queued", May);
  SOCKSPEC_REQUIRE_KIND(kind());
  const SocketKind k = kind();
  Scenario s;
  const Address bind_to = k.AddressAt(s.Path("listener"));
  // In a child: the lowered limit must not outlive the case.
  s.Spawn("main", [&](Process& p) {
    Result<BoundSocket> listener = MakeListener(k, bind_to, 4);
    ASSERT_THAT(listener, SyscallSucceeds());
    auto& [l, a] = *listener;
    ASSERT_THAT(SetNonBlocking(l), SyscallSucceeds());
    Fd client = k.Create().value();
    ASSERT_THAT(StartConnect(client, a), SyscallSucceeds());
    ASSERT_THAT(WaitPending(l), SyscallSucceeds());

    // Cap the limit just above the lowest free descriptor, then fill the gap.
    const int lowest = NextFreeFd();
    ASSERT_GE(lowest, 0);
    Result<rlimit> saved = LowerFdLimit(static_cast<rlim_t>(lowest) + 2);
    ASSERT_TRUE(saved.ok()) << saved.Describe();
    std::vector<Fd> fillers;
    while (fillers.size() < 64) {
      int d = ::dup(l.get());
      if (d < 0) break;
      fillers.emplace_back(d);
    }
    RawAccept full;
    full.fd = ::accept(l.get(), nullptr, nullptr);
    full.err = errno;
    Fd stray(full.fd);
    fillers.pop_back();  // one descriptor free again
    Fd later(::accept(l.get(), nullptr, nullptr));
    int later_err = errno;
    fillers.clear();
    ASSERT_THAT(RestoreFdLimit(*saved), SyscallSucceeds());

    ASSERT_LT(full.fd, 0) << "accept succeeded with every descriptor in use";
    EXPECT_TRUE(full.err == EMFILE || full.err == ENFILE) << DescribeErrno(full.err);
    p.PublishText("errno", ErrnoName(full.err));
    EXPECT_TRUE(later.valid() || later_err == EAGAIN || later_err == EWOULDBLOCK)
        << DescribeErrno(later_err);
    p.PublishText("queued", later.valid() ? "yes" : "no");
  });
  s.Run();
  if (auto e = s.Published("errno")) RecordValue(std::string("errno.accept.emfile.") + k.name, *e);
  if (auto q = s.Published("queued")) {
    RecordValue(std::string("accept.emfile-queued.") + k.name, *q);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, AcceptTest, ::testing::ValuesIn(ConnectionKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, AcceptUnixTest, ::testing::ValuesIn(UnixConnectionKinds()),
                         KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, AcceptDgramTest, ::testing::ValuesIn(DatagramKinds()),
                         KindName);

}  // namespace
}  // namespace sockspec
