// Socket options (getsockopt/setsockopt at SOL_SOCKET), poll readiness of
// connected sockets, and the system's implementation-defined values
// (sun_path size, SOMAXCONN, ephemeral ports, default buffer sizes).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "cases/support.h"
#include "harness/address.h"
#include "harness/errno_name.h"
#include "harness/features.h"
#include "harness/kinds.h"
#include "harness/matchers.h"
#include "harness/rules.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"

namespace sockspec {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Single-socket option checks: each case loops over the kinds this system
// has (AvailableKinds), naming the kind in any failure.
TEST(Options, SoTypeReportsTheTypeWithoutFlags) {
  SOCKSPEC_RULE("sockopt.so-type", Shall);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    for (int flags :
         {0, kSockNonblockFlag, kSockCloexecFlag, kSockNonblockFlag | kSockCloexecFlag}) {
      Result<Fd> fd = k.Create(flags);
      ASSERT_THAT(fd, SyscallSucceeds()) << TypeName(k.type | flags);
      int v = -1;
      socklen_t len = sizeof(v);
      ASSERT_THAT(::getsockopt(fd->get(), SOL_SOCKET, SO_TYPE, &v, &len), SyscallSucceeds());
      EXPECT_EQ(v, k.type) << "created as " << TypeName(k.type | flags);
      EXPECT_EQ(len, sizeof(int)) << "SO_TYPE stores an int";
    }
  }
}

TEST(Options, SoDomainReportsTheFamily) {
  SOCKSPEC_RULE("sockopt.so-domain", Platform);
  SOCKSPEC_REQUIRE_FEATURE(kSoDomain);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    EXPECT_THAT(GetSockOptInt(fd, SOL_SOCKET, kSoDomainOption), SyscallSucceedsWithValue(k.domain));
  }
}

TEST(Options, SoProtocolReportsTheProtocol) {
  SOCKSPEC_RULE("sockopt.so-protocol", Platform);
  SOCKSPEC_REQUIRE_FEATURE(kSoProtocol);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    Result<int> proto = GetSockOptInt(fd, SOL_SOCKET, kSoProtocolOption);
    ASSERT_THAT(proto, SyscallSucceeds());
    if (k.is_inet()) {
      EXPECT_EQ(*proto, k.is_stream() ? IPPROTO_TCP : IPPROTO_UDP);
    } else {
      RecordValue(std::string("sockopt.so-protocol.") + k.name, *proto);
    }
    // With the protocol named explicitly the answer is the same.
    if (k.is_inet()) {
      Fd named = Socket(k.domain, k.type, *proto).value();
      EXPECT_THAT(GetSockOptInt(named, SOL_SOCKET, kSoProtocolOption),
                  SyscallSucceedsWithValue(*proto));
    }
  }
}

TEST(Options, SoErrorOfFreshSocketIsZero) {
  SOCKSPEC_RULE("sockopt.so-error", Shall);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    EXPECT_THAT(GetSockOptInt(fd, SOL_SOCKET, SO_ERROR), SyscallSucceedsWithValue(0));
  }
}

TEST(Options, UnknownLevelFails) {
  SOCKSPEC_RULE("sockopt.bad-level", Shall);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    // A level no protocol has. POSIX names ENOPROTOOPT and EINVAL; Linux
    // returns EOPNOTSUPP from getsockopt (and from setsockopt on AF_UNIX),
    // recorded as a deviation.
    constexpr int kNoSuchLevel = 0x7654;
    int v = 1;
    socklen_t len = sizeof(v);
    errno = 0;
    int r = ::getsockopt(fd.get(), kNoSuchLevel, 1, &v, &len);
    int err = errno;
    EXPECT_EQ(r, -1);
    EXPECT_TRUE(err == ENOPROTOOPT || err == EINVAL || err == EOPNOTSUPP) << DescribeErrno(err);
    RecordValue(std::string("errno.sockopt.bad-level.get.") + k.name, ErrnoName(err));
    errno = 0;
    r = ::setsockopt(fd.get(), kNoSuchLevel, 1, &v, sizeof(v));
    err = errno;
    EXPECT_EQ(r, -1);
    EXPECT_TRUE(err == ENOPROTOOPT || err == EINVAL || err == EOPNOTSUPP) << DescribeErrno(err);
    RecordValue(std::string("errno.sockopt.bad-level.set.") + k.name, ErrnoName(err));
  }
}

// POSIX getsockopt()/setsockopt() name two errors that fit an unknown option:
// [ENOPROTOOPT] "not supported by the protocol" and [EINVAL] "invalid at the
// specified socket level". Either is legal; which one is recorded.
TEST(Options, UnknownSocketLevelOptionFailsEnoprotooptOrEinval) {
  SOCKSPEC_RULE("sockopt.bad-option", Shall);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    constexpr int kNoSuchOption = 0x7654;
    int v = 1;
    socklen_t len = sizeof(v);
    errno = 0;
    int r = ::getsockopt(fd.get(), SOL_SOCKET, kNoSuchOption, &v, &len);
    int err = errno;
    EXPECT_THAT(r, SyscallFailsWithErrnoIn({ENOPROTOOPT, EINVAL}));
    if (r == -1) RecordValue(std::string("errno.sockopt.bad-option.get.") + k.name, ErrnoName(err));
    errno = 0;
    r = ::setsockopt(fd.get(), SOL_SOCKET, kNoSuchOption, &v, sizeof(v));
    err = errno;
    EXPECT_THAT(r, SyscallFailsWithErrnoIn({ENOPROTOOPT, EINVAL}));
    if (r == -1) RecordValue(std::string("errno.sockopt.bad-option.set.") + k.name, ErrnoName(err));
  }
}

TEST(Options, ShortOptionLengthFailsWithEinvalAndChangesNothing) {
  SOCKSPEC_RULE("sockopt.short-optlen", Shall);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    int before = GetSockOptInt(fd, SOL_SOCKET, SO_REUSEADDR).value();
    int on = 1;
    for (socklen_t len : {socklen_t{0}, socklen_t{1}, socklen_t{sizeof(int) - 1}}) {
      EXPECT_THAT(::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, len),
                  SyscallFailsWithErrno(EINVAL))
          << "optlen " << len;
    }
    EXPECT_THAT(GetSockOptInt(fd, SOL_SOCKET, SO_REUSEADDR), SyscallSucceedsWithValue(before));
  }
}

TEST(Options, BooleanOptionsRoundTrip) {
  SOCKSPEC_RULE("sockopt.boolean", Shall);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    for (int opt : {SO_REUSEADDR, SO_KEEPALIVE}) {
      const char* name = opt == SO_REUSEADDR ? "SO_REUSEADDR" : "SO_KEEPALIVE";
      // Any non-zero value enables; getsockopt then reports non-zero (BSDs
      // report the option's bit, not 1).
      ASSERT_THAT(SetSockOptInt(fd, SOL_SOCKET, opt, 1), SyscallSucceeds()) << name;
      Result<int> on = GetSockOptInt(fd, SOL_SOCKET, opt);
      EXPECT_THAT(on, SyscallSucceedsWithNonZero()) << name;
      if (on.ok()) RecordValue(std::string("sockopt.boolean.true-value.") + name, *on);
      ASSERT_THAT(SetSockOptInt(fd, SOL_SOCKET, opt, 0), SyscallSucceeds()) << name;
      EXPECT_THAT(GetSockOptInt(fd, SOL_SOCKET, opt), SyscallSucceedsWithValue(0)) << name;
      ASSERT_THAT(SetSockOptInt(fd, SOL_SOCKET, opt, 7), SyscallSucceeds()) << name;
      EXPECT_THAT(GetSockOptInt(fd, SOL_SOCKET, opt), SyscallSucceedsWithNonZero())
          << name << " set to 7";
    }
  }
}

TEST(Options, SoAcceptConnReportsListening) {
  SOCKSPEC_RULE("sockopt.so-acceptconn", Shall);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    TempDir dir;
    Fd fd = k.Create().value();
    EXPECT_THAT(GetSockOptInt(fd, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithValue(0))
        << "fresh socket";
    ASSERT_THAT(Bind(fd, k.BindableAddress(dir)), SyscallSucceeds());
    EXPECT_THAT(GetSockOptInt(fd, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithValue(0))
        << "bound socket";
    if (k.connection_oriented()) {
      ASSERT_THAT(Listen(fd, 1), SyscallSucceeds());
      EXPECT_THAT(GetSockOptInt(fd, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithNonZero())
          << "listening socket";
    }
  }
}

TEST(Options, DefaultBufferSizes) {
  SOCKSPEC_RULE("sockopt.buffers", May);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    Result<int> snd = GetSockOptInt(fd, SOL_SOCKET, SO_SNDBUF);
    Result<int> rcv = GetSockOptInt(fd, SOL_SOCKET, SO_RCVBUF);
    ASSERT_THAT(snd, SyscallSucceeds());
    ASSERT_THAT(rcv, SyscallSucceeds());
    EXPECT_GT(*snd, 0);
    EXPECT_GT(*rcv, 0);
    RecordValue(std::string("sockopt.buffers.SO_SNDBUF.") + k.name, *snd);
    RecordValue(std::string("sockopt.buffers.SO_RCVBUF.") + k.name, *rcv);
  }
}

TEST(Options, SetBufferSizesAreReportedBack) {
  SOCKSPEC_RULE("sockopt.buffer-set", May);
  for (const SocketKind& k : AvailableKinds()) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    for (int opt : {SO_SNDBUF, SO_RCVBUF}) {
      const std::string name = opt == SO_SNDBUF ? "SO_SNDBUF" : "SO_RCVBUF";
      // The system may round, double or clamp the request; it records what it
      // did. Only a failing call is wrong.
      for (int want : {4096, 65536}) {
        ASSERT_THAT(SetSockOptInt(fd, SOL_SOCKET, opt, want), SyscallSucceeds()) << name;
        Result<int> got = GetSockOptInt(fd, SOL_SOCKET, opt);
        ASSERT_THAT(got, SyscallSucceeds()) << name;
        EXPECT_GT(*got, 0);
        RecordValue("sockopt.buffer-set." + name + "." + std::to_string(want) + "." + k.name, *got);
      }
    }
  }
}


// SO_ERROR: a non-blocking TCP connect to a loopback port that is bound but
// not listening is refused; the error is pending until SO_ERROR reads it,
// and reading clears it.
using SoErrorPendingTest = ::testing::TestWithParam<SocketKind>;

TEST_P(SoErrorPendingTest, RefusedConnectLeavesPendingErrorThatReadingClears) {
  SOCKSPEC_RULE("sockopt.so-error", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  // Bound, not listening: the port stays ours and connections to it are refused.
  Result<BoundSocket> closed_port = MakeBound(k, k.BindableAddress(dir));
  ASSERT_THAT(closed_port, SyscallSucceeds());
  const Address& target = closed_port->addr;
  Fd c = k.Create(kSockNonblockFlag).value();
  ASSERT_THAT(SetNonBlocking(c, true), SyscallSucceeds());
  Result<> r = Connect(c, target);
  if (!r.ok() && r.error() == ECONNREFUSED) {
    // Reported at once: legal, and then nothing is left pending.
    RecordValue("sockopt.so-error.refused-connect", "immediate");
    EXPECT_THAT(GetSockOptInt(c, SOL_SOCKET, SO_ERROR), SyscallSucceedsWithValue(0));
    return;
  }
  ASSERT_FALSE(r.ok()) << "connect to a non-listening port succeeded";
  ASSERT_EQ(r.error(), EINPROGRESS) << r.Describe();
  RecordValue("sockopt.so-error.refused-connect", "pending");
  Result<short> ev = Poll(c, POLLOUT, seconds(5));
  ASSERT_THAT(ev, SyscallSucceeds());
  ASSERT_NE(*ev, 0) << "connect neither completed nor failed within 5 s";
  EXPECT_THAT(GetSockOptInt(c, SOL_SOCKET, SO_ERROR), SyscallSucceedsWithValue(ECONNREFUSED));
  EXPECT_THAT(GetSockOptInt(c, SOL_SOCKET, SO_ERROR), SyscallSucceedsWithValue(0))
      << "SO_ERROR did not clear the pending error";
}

INSTANTIATE_TEST_SUITE_P(Kinds, SoErrorPendingTest, ::testing::ValuesIn(TcpKinds()), KindName);

// poll on connected sockets.
using PollTest = ::testing::TestWithParam<SocketKind>;

TEST_P(PollTest, ConnectedSocketWithRoomIsWritable) {
  SOCKSPEC_RULE("poll.writable-connected", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<Connection> c = ConnectInProcess(k, dir);
  ASSERT_THAT(c, SyscallSucceeds());
  for (const Fd* fd : {&c->client, &c->server}) {
    Result<short> ev = Poll(*fd, POLLOUT, seconds(5));
    ASSERT_THAT(ev, SyscallSucceeds());
    EXPECT_NE(*ev & POLLOUT, 0) << "revents " << *ev;
    EXPECT_EQ(*ev & (POLLERR | POLLHUP | POLLNVAL), 0) << "revents " << *ev;
  }
  // Nothing to read yet: not readable.
  EXPECT_THAT(Poll(c->server, POLLIN, milliseconds(0)), SyscallSucceedsWithValue(0));
}

TEST_P(PollTest, PeerShutdownOrCloseMakesSocketReadableAtEof) {
  SOCKSPEC_RULE("poll.readable-eof", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  std::byte buf[8];
  {
    Result<Connection> c = ConnectInProcess(k, dir);
    ASSERT_THAT(c, SyscallSucceeds());
    ASSERT_THAT(Shutdown(c->client, SHUT_WR), SyscallSucceeds());
    // A read would not block (it returns 0), so POLLIN is set.
    Result<short> ev = Poll(c->server, POLLIN, seconds(5));
    ASSERT_THAT(ev, SyscallSucceeds());
    EXPECT_NE(*ev & POLLIN, 0) << "after shutdown(SHUT_WR): revents " << *ev;
    RecordValue(std::string("poll.readable-eof.shutdown-revents.") + k.name, *ev);
    EXPECT_THAT(Recv(c->server, buf, DontWait(c->server.get()).flags()),
                SyscallSucceedsWithValue(0u));
  }
  {
    Result<Connection> c = ConnectInProcess(k, dir);
    ASSERT_THAT(c, SyscallSucceeds());
    c->client.reset();
    // After close POSIX allows POLLHUP alongside (or, where reading gives
    // EOF anyway, instead of) POLLIN; a read then returns 0 without blocking.
    Result<short> ev = Poll(c->server, POLLIN, seconds(5));
    ASSERT_THAT(ev, SyscallSucceeds());
    EXPECT_NE(*ev & (POLLIN | POLLHUP), 0) << "after close: revents " << *ev;
    RecordValue(std::string("poll.readable-eof.close-revents.") + k.name, *ev);
    EXPECT_THAT(Recv(c->server, buf, DontWait(c->server.get()).flags()),
                SyscallSucceedsWithValue(0u));
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, PollTest, ::testing::ValuesIn(ConnectionKinds()), KindName);

TEST(Options, GetAndSetOnBadDescriptorFailWithEbadf) {
  SOCKSPEC_RULE("sockopt.ebadf", Shall);
  int v = 1;
  socklen_t len = sizeof(v);
  for (int fd : {ClosedFd(), -1}) {
    EXPECT_THAT(::getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), SyscallFailsWithErrno(EBADF));
    EXPECT_THAT(::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)),
                SyscallFailsWithErrno(EBADF));
  }
}

TEST(Options, GetAndSetOnNonSocketFailWithEnotsock) {
  SOCKSPEC_RULE("sockopt.enotsock", Shall);
  Result<Pipe> p = MakePipe();
  ASSERT_THAT(p, SyscallSucceeds());
  int v = 1;
  socklen_t len = sizeof(v);
  EXPECT_THAT(::getsockopt(p->r.get(), SOL_SOCKET, SO_TYPE, &v, &len),
              SyscallFailsWithErrno(ENOTSOCK));
  EXPECT_THAT(::setsockopt(p->w.get(), SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)),
              SyscallFailsWithErrno(ENOTSOCK));
}

// --- System facts: implementation-defined values, recorded for the matrix.

TEST(SystemLimits, SunPathSize) {
  SOCKSPEC_RULE("system.limits", May);
  static_assert(SunPathSize() >= 92, "sun_path below any known system's size");
  RecordValue("sun_path_size", static_cast<long long>(SunPathSize()));
}

TEST(SystemLimits, Somaxconn) {
  SOCKSPEC_RULE("system.limits", May);
  // POSIX: SOMAXCONN is the maximum backlog queue length, an integer
  // constant in <sys/socket.h>.
  EXPECT_GT(SOMAXCONN, 0);
  RecordValue("somaxconn", static_cast<long long>(SOMAXCONN));
  std::string proc = ProcSysNet("core/somaxconn");
  if (!proc.empty()) RecordValue("somaxconn.proc", proc);
}

TEST(SystemLimits, EphemeralPorts) {
  SOCKSPEC_RULE("system.limits", May);
  std::string range = ProcSysNet("ipv4/ip_local_port_range");
  if (!range.empty()) {
    for (char& ch : range) {
      if (ch == '\t') ch = ' ';
    }
    RecordValue("ephemeral_port_range", range);
  }
  TempDir dir;
  for (const SocketKind& k : InetKinds()) {
    if (!k.Available()) continue;
    Fd fd = k.Create().value();
    ASSERT_THAT(Bind(fd, k.BindableAddress(dir)), SyscallSucceeds());
    Address a = GetSockName(fd).value();
    EXPECT_NE(a.port, 0);
    // One sample of the port the system picked: it changes from run to run.
    RecordVolatileValue(std::string("ephemeral_port.") + k.name, a.port);
  }
}

}  // namespace
}  // namespace sockspec
