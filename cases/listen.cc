// Conformance cases for listen(): which sockets can listen, and what a
// successful listen changes (SO_ACCEPTCONN). The listen queue and its backlog
// are in backlog.cc (rules listen.backlog-*, listen.full-*, listen.queue-drain).
//
// POSIX.1-2024 XSH listen() ERRORS: shall fail EDESTADDRREQ (unbound, and the
// protocol cannot listen unbound), EINVAL (already connected), EOPNOTSUPP
// (the protocol does not support listen).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "cases/support.h"
#include "harness/address.h"
#include "harness/errno_name.h"
#include "harness/fd.h"
#include "harness/kinds.h"
#include "harness/matchers.h"
#include "harness/rules.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"

namespace sockspec {
namespace {

class ListenConnection : public ::testing::TestWithParam<SocketKind> {};
class ListenDatagram : public ::testing::TestWithParam<SocketKind> {};
class ListenTcp : public ::testing::TestWithParam<SocketKind> {};
class ListenUnix : public ::testing::TestWithParam<SocketKind> {};

TEST_P(ListenConnection, ListenOnABoundSocketSetsSoAcceptconn) {
  SOCKSPEC_RULE("listen.stream", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fd l = k.Create().value();
  ASSERT_THAT(Bind(l, k.BindableAddress(dir)), SyscallSucceeds());
  EXPECT_THAT(GetSockOptInt(l, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithValue(0));
  ASSERT_THAT(Listen(l, 5), SyscallSucceeds());
  // On is any non-zero value (Linux 1, the BSDs 2): recorded.
  Result<int> on = GetSockOptInt(l, SOL_SOCKET, SO_ACCEPTCONN);
  EXPECT_THAT(on, SyscallSucceedsWithNonZero()) << "SO_ACCEPTCONN after listen()";
  if (on.ok()) RecordValue(ValueName("listen.stream", k, "so-acceptconn"), *on);
  // It is a listener now: a client's connection arrives.
  Fd c = k.Create().value();
  ASSERT_THAT(ConnectBounded(c, GetSockName(l).value()), SyscallSucceeds());
  EXPECT_THAT(AcceptBounded(l), SyscallSucceeds());
}

TEST_P(ListenDatagram, ListenOnADatagramSocketFailsWithEopnotsupp) {
  SOCKSPEC_RULE("listen.dgram", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fd s = k.Create().value();
  ASSERT_THAT(Bind(s, k.BindableAddress(dir)), SyscallSucceeds());
  EXPECT_THAT(Listen(s, 5), SyscallFailsWithErrno(EOPNOTSUPP));
  EXPECT_THAT(GetSockOptInt(s, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithValue(0));
}

TEST_P(ListenConnection, ListenOnAConnectedSocketFailsWithEinval) {
  SOCKSPEC_RULE("listen.connected", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<Connection> conn = ConnectInProcess(k, dir);
  ASSERT_THAT(conn, SyscallSucceeds());
  const Fd& c = conn->client;
  const Fd& a = conn->server;

  EXPECT_THAT(Listen(c, 5), SyscallFailsWithErrno(EINVAL));  // the connecting side
  EXPECT_THAT(Listen(a, 5), SyscallFailsWithErrno(EINVAL));  // the accepted side
  // The failed listens changed nothing: the connection still carries data.
  ASSERT_THAT(SendAll(c, AsBytes("ok")), SyscallSucceedsWithValue(2u));
  EXPECT_THAT(RecvAll(a, 2), SyscallSucceedsWithValue(std::string("ok")));
  EXPECT_THAT(GetSockOptInt(c, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithValue(0));
}

TEST_P(ListenTcp, ListenOnAnUnboundSocket) {
  SOCKSPEC_RULE("listen.unbound-inet", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  Fd l = k.Create().value();
  Result<> r = Listen(l, 5);
  std::string name = std::string("listen.unbound-inet.") + k.name;
  if (!r) {
    // The one failure POSIX allows here.
    EXPECT_EQ(r.error(), EDESTADDRREQ) << r;
    RecordValue(name, ErrnoName(r.error()));
    return;
  }
  RecordValue(name, "binds-ephemeral");
  // Listening means bound: to some port a client on loopback reaches.
  Address at = GetSockName(l).value();
  ASSERT_NE(at.port, 0) << at;
  Address loopback = k.domain == AF_INET ? Address::Loopback4(at.port) : Address::Loopback6(at.port);
  Fd c = k.Create().value();
  EXPECT_THAT(ConnectBounded(c, loopback), SyscallSucceeds());
  EXPECT_THAT(AcceptBounded(l), SyscallSucceeds());
}

TEST_P(ListenUnix, ListenOnAnUnboundUnixSocketFails) {
  SOCKSPEC_RULE("listen.unbound-unix", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  Fd l = k.Create().value();
  Result<> r = Listen(l, 5);
  // POSIX names EDESTADDRREQ; Linux documents EINVAL.
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({EDESTADDRREQ, EINVAL}));
  if (!r) RecordValue(std::string("errno.listen.unbound-unix.") + k.name, ErrnoName(r.error()));
  EXPECT_THAT(GetSockOptInt(l, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithValue(0));
}

TEST(ListenDescriptor, ClosedDescriptorFailsWithEbadf) {
  SOCKSPEC_RULE("listen.ebadf", Shall);
  EXPECT_THAT(::listen(ClosedFd(), 5), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(::listen(-1, 5), SyscallFailsWithErrno(EBADF));
}

TEST(ListenDescriptor, NonSocketDescriptorFailsWithEnotsock) {
  SOCKSPEC_RULE("listen.enotsock", Shall);
  Result<Pipe> p = MakePipe();
  ASSERT_THAT(p, SyscallSucceeds());
  EXPECT_THAT(::listen(p->r.get(), 5), SyscallFailsWithErrno(ENOTSOCK));
}

INSTANTIATE_TEST_SUITE_P(Kinds, ListenConnection, ::testing::ValuesIn(ConnectionKinds()),
                         KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, ListenDatagram, ::testing::ValuesIn(DatagramKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, ListenTcp, ::testing::ValuesIn(TcpKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, ListenUnix, ::testing::ValuesIn(UnixConnectionKinds()), KindName);

}  // namespace
}  // namespace sockspec
