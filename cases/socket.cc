// socket(): creation across families and types, the type flags, the errors
// for bad arguments, descriptor allocation, and what open() does with the
// filesystem name of a bound AF_UNIX socket.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "cases/support.h"
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

// A failed socket() must leave NextFreeFd() unchanged: POSIX 2.14 makes the
// lowest free descriptor the next one handed out, so a leaked one shows.
// Cases that loop over kinds use AvailableKinds (the parametrised
// socket.create case reports the others as skipped).

using SocketTest = ::testing::TestWithParam<SocketKind>;

TEST_P(SocketTest, CreatesSocketWhoseSoTypeIsTheType) {
  SOCKSPEC_RULE("socket.create", Shall);
  SOCKSPEC_RULE("socket.is-socket", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  Result<Fd> fd = GetParam().Create();
  ASSERT_THAT(fd, SyscallSucceeds());
  EXPECT_GE(fd->get(), 0);
  EXPECT_THAT(GetSockOptInt(*fd, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(GetParam().type));
  struct stat st {};
  ASSERT_THAT(::fstat(fd->get(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISSOCK(st.st_mode)) << "st_mode " << std::oct << st.st_mode;
  // A new socket is unconnected.
  EXPECT_THAT(GetPeerName(*fd), SyscallFailsWithErrno(ENOTCONN));
}

INSTANTIATE_TEST_SUITE_P(Kinds, SocketTest, ::testing::ValuesIn(AllKinds()), KindName);

// The flag cases are single-socket checks: one case loops over the kinds.
TEST(SocketFlags, WithoutFlagsNonblockAndCloexecAreClear) {
  SOCKSPEC_RULE("socket.flags-default", Shall);
  for (const SocketKind& k : AvailableKinds(AllKinds())) {
    SCOPED_TRACE(k.name);
    Fd fd = k.Create().value();
    EXPECT_FALSE(IsNonBlocking(fd)) << "O_NONBLOCK set without SOCK_NONBLOCK";
    EXPECT_FALSE(IsCloexec(fd)) << "FD_CLOEXEC set without SOCK_CLOEXEC";
  }
}

TEST(SocketFlags, SockCloexecSetsFdCloexecOnly) {
  SOCKSPEC_RULE("socket.flag-cloexec", Shall);
  SOCKSPEC_REQUIRE_FEATURE(kSockCloexec);
  for (const SocketKind& k : AvailableKinds(AllKinds())) {
    SCOPED_TRACE(k.name);
    Result<Fd> fd = k.Create(kSockCloexecFlag);
    ASSERT_THAT(fd, SyscallSucceeds());
    EXPECT_TRUE(IsCloexec(*fd));
    EXPECT_FALSE(IsNonBlocking(*fd));
    // The flag is not part of the type.
    EXPECT_THAT(GetSockOptInt(*fd, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(k.type));
  }
}

TEST(SocketFlags, SockNonblockSetsONonblockOnly) {
  SOCKSPEC_RULE("socket.flag-nonblock", Shall);
  SOCKSPEC_REQUIRE_FEATURE(kSockNonblock);
  for (const SocketKind& k : AvailableKinds(AllKinds())) {
    SCOPED_TRACE(k.name);
    Result<Fd> fd = k.Create(kSockNonblockFlag);
    ASSERT_THAT(fd, SyscallSucceeds());
    // (ASSERT: the accept/recv probe below would block on a blocking socket)
    ASSERT_TRUE(IsNonBlocking(*fd));
    EXPECT_FALSE(IsCloexec(*fd));
    EXPECT_THAT(GetSockOptInt(*fd, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(k.type));
    // Non-blocking in fact: with nothing to receive or accept the call fails
    // at once instead of waiting.
    std::byte buf[4];
    TempDir dir;
    ASSERT_THAT(Bind(*fd, k.BindableAddress(dir)), SyscallSucceeds());
    if (k.connection_oriented()) {
      ASSERT_THAT(Listen(*fd, 1), SyscallSucceeds());
      EXPECT_THAT(Accept(*fd), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
    } else {
      EXPECT_THAT(Recv(*fd, buf), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
    }
  }
}

TEST(SocketFlags, BothFlagsTogetherSetBoth) {
  SOCKSPEC_RULE("socket.flag-nonblock", Shall);
  SOCKSPEC_RULE("socket.flag-cloexec", Shall);
  SOCKSPEC_REQUIRE_FEATURE(kSockNonblock);
  SOCKSPEC_REQUIRE_FEATURE(kSockCloexec);
  for (const SocketKind& k : AvailableKinds(AllKinds())) {
    SCOPED_TRACE(k.name);
    Result<Fd> fd = k.Create(kSockNonblockFlag | kSockCloexecFlag);
    ASSERT_THAT(fd, SyscallSucceeds());
    EXPECT_TRUE(IsNonBlocking(*fd));
    EXPECT_TRUE(IsCloexec(*fd));
    EXPECT_THAT(GetSockOptInt(*fd, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(k.type));
  }
}

// open() of the filesystem name of a bound socket. POSIX lists [EOPNOTSUPP]
// ("the path argument names a socket") among the errors open() *may* return,
// so a successful open is not excluded: recorded (and closed). A failure must
// be one of the named errors: POSIX EOPNOTSUPP, Linux ENXIO (open(2)).
TEST(Socket, OpenOfBoundSocketPathFailsOnlyWithEnxioOrEopnotsupp) {
  SOCKSPEC_RULE("socket.open-path", Shall);
  TempDir dir;
  for (const SocketKind& k : AvailableKinds(UnixKinds())) {
    SCOPED_TRACE(k.name);
    Fd s = k.Create().value();
    Address addr = k.BindableAddress(dir);
    ASSERT_THAT(Bind(s, addr), SyscallSucceeds());
    for (int mode : {O_RDWR, O_RDONLY, O_WRONLY}) {
      errno = 0;
      int fd = ::open(addr.unix_name.c_str(), mode | O_CLOEXEC);
      int err = errno;
      if (fd >= 0) {
        ::close(fd);
      } else {
        EXPECT_THAT(fd, SyscallFailsWithErrnoIn({ENXIO, EOPNOTSUPP}))
            << "open(" << addr.unix_name << ", " << mode << ")";
      }
      if (mode == O_RDWR) {
        RecordValue(std::string("errno.socket.open-path.") + k.name,
                    fd >= 0 ? "opens" : ErrnoName(err));
      }
    }
  }
}

TEST(Socket, ReturnsTheLowestFreeDescriptor) {
  SOCKSPEC_RULE("socket.lowest-fd", Shall);
  Fd a = Socket(AF_INET, SOCK_STREAM).value();
  Fd b = Socket(AF_INET, SOCK_STREAM).value();
  int freed = a.get();
  ASSERT_LT(freed, b.get());
  a.reset();
  // `freed` was the lowest free number when it was allocated and nothing
  // below it changed since, so it is again the lowest free one.
  // fcntl(F_DUPFD, 0) names the lowest free number independently: a socket()
  // that skipped it would otherwise reuse `freed` and look right.
  int lowest = ::fcntl(b.get(), F_DUPFD, 0);
  ASSERT_GE(lowest, 0);
  ::close(lowest);
  Fd c = Socket(AF_UNIX, SOCK_STREAM).value();
  EXPECT_EQ(c.get(), lowest);
  EXPECT_EQ(c.get(), freed);
}

TEST(Socket, ExplicitDefaultProtocolsAreAccepted) {
  SOCKSPEC_RULE("socket.create", Shall);
  Result<Fd> tcp = Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_THAT(tcp, SyscallSucceeds());
  EXPECT_THAT(GetSockOptInt(*tcp, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(SOCK_STREAM));
  Result<Fd> udp = Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  ASSERT_THAT(udp, SyscallSucceeds());
  EXPECT_THAT(GetSockOptInt(*udp, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(SOCK_DGRAM));
}

TEST(Socket, SeqpacketUnixSocketKeepsRecordBoundaries) {
  SOCKSPEC_RULE("socket.seqpacket-unix", Platform);
  SOCKSPEC_REQUIRE_FEATURE(kUnixSeqpacket);
  Result<Fd> fd = Socket(AF_UNIX, SOCK_SEQPACKET);
  ASSERT_THAT(fd, SyscallSucceeds());
  EXPECT_THAT(GetSockOptInt(*fd, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(SOCK_SEQPACKET));
  auto pair = SocketPair(AF_UNIX, SOCK_SEQPACKET);
  ASSERT_THAT(pair, SyscallSucceeds());
  ASSERT_THAT(Send(pair->first, AsBytes("ab")), SyscallSucceedsWithValue(2u));
  ASSERT_THAT(Send(pair->first, AsBytes("cde")), SyscallSucceedsWithValue(3u));
  std::byte buf[16];
  EXPECT_THAT(Recv(pair->second, buf), SyscallSucceedsWithValue(2u));
  EXPECT_THAT(Recv(pair->second, buf), SyscallSucceedsWithValue(3u));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf), 3), "cde");
}

TEST(Socket, UnsupportedDomainFailsWithEafnosupport) {
  SOCKSPEC_RULE("socket.bad-domain", Shall);
  int before = NextFreeFd();
  // AF_MAX is one past the last family the headers know; -1 and a large
  // number are no family anywhere.
#ifdef AF_MAX
  constexpr int kPastLastFamily = AF_MAX;
#else
  constexpr int kPastLastFamily = 4097;
#endif
  for (int domain : {kPastLastFamily, 12345, -1}) {
    EXPECT_THAT(::socket(domain, SOCK_STREAM, 0), SyscallFailsWithErrno(EAFNOSUPPORT))
        << "domain " << domain;
  }
  EXPECT_EQ(NextFreeFd(), before) << "a failed socket() left a descriptor open";
}

TEST(Socket, UnknownTypeFails) {
  SOCKSPEC_RULE("socket.bad-type", Shall);
  int before = NextFreeFd();
  // A type number no system defines, for each family.
  for (int domain : {AF_UNIX, AF_INET}) {
    errno = 0;
    int r = ::socket(domain, 0x7f, 0);
    int err = errno;
    if (r >= 0) ::close(r);
    EXPECT_EQ(r, -1) << "socket(" << DomainName(domain) << ", 0x7f, 0) succeeded";
    EXPECT_TRUE(err == EINVAL || err == EPROTOTYPE || err == ESOCKTNOSUPPORT ||
                err == EPROTONOSUPPORT)
        << DescribeErrno(err);
    if (domain == AF_INET) RecordValue("errno.socket.bad-type.unknown-type", ErrnoName(err));
  }
  EXPECT_EQ(NextFreeFd(), before);
}

TEST(Socket, UnknownTypeFlagBitsFail) {
  SOCKSPEC_RULE("socket.bad-type", Shall);
  int before = NextFreeFd();
  const int bogus = UnknownTypeFlag();
  errno = 0;
  int r = ::socket(AF_INET, SOCK_STREAM | bogus, 0);
  int err = errno;
  if (r >= 0) ::close(r);
  EXPECT_EQ(r, -1) << "SOCK_STREAM|" << bogus << " accepted";
  EXPECT_TRUE(err == EINVAL || err == EPROTOTYPE || err == ESOCKTNOSUPPORT ||
              err == EPROTONOSUPPORT)
      << DescribeErrno(err);
  RecordValue("errno.socket.bad-type.flag-bits", ErrnoName(err));
  EXPECT_EQ(NextFreeFd(), before);
}

TEST(Socket, TypeTheFamilyLacksFails) {
  SOCKSPEC_RULE("socket.bad-type", Shall);
  // SOCK_SEQPACKET over IPv4 would need SCTP, which is optional: where it
  // exists the call succeeds and there is nothing to check here.
  errno = 0;
  int r = ::socket(AF_INET, SOCK_SEQPACKET, 0);
  int err = errno;
  if (r >= 0) {
    ::close(r);
    RecordValue("errno.socket.bad-type.inet-seqpacket", "supported");
    return;
  }
  EXPECT_TRUE(err == EPROTOTYPE || err == ESOCKTNOSUPPORT || err == EPROTONOSUPPORT ||
              err == EINVAL)
      << DescribeErrno(err);
  RecordValue("errno.socket.bad-type.inet-seqpacket", ErrnoName(err));
}

TEST(Socket, ProtocolOfAnotherTypeFails) {
  SOCKSPEC_RULE("socket.bad-protocol", Shall);
  int before = NextFreeFd();
  struct Case {
    int domain, type, protocol;
    const char* name;
  };
  // The protocol exists in the family but not for this type: POSIX names
  // EPROTOTYPE ("type not supported by the protocol") and EPROTONOSUPPORT;
  // Linux and the BSDs return EPROTONOSUPPORT.
  for (Case c : {Case{AF_INET, SOCK_STREAM, IPPROTO_UDP, "inet-stream-udp"},
                 Case{AF_INET, SOCK_DGRAM, IPPROTO_TCP, "inet-dgram-tcp"}}) {
    errno = 0;
    int r = ::socket(c.domain, c.type, c.protocol);
    int err = errno;
    if (r >= 0) ::close(r);
    EXPECT_EQ(r, -1) << c.name;
    EXPECT_TRUE(err == EPROTONOSUPPORT || err == EPROTOTYPE) << c.name << ": "
                                                              << DescribeErrno(err);
    RecordValue(std::string("errno.socket.bad-protocol.") + c.name, ErrnoName(err));
  }
  EXPECT_EQ(NextFreeFd(), before);
}

TEST(Socket, ProtocolOfAnotherFamilyFailsWithEprotonosupport) {
  SOCKSPEC_RULE("socket.bad-protocol", Shall);
  // AF_UNIX has no protocol numbered IPPROTO_TCP.
  EXPECT_THAT(::socket(AF_UNIX, SOCK_STREAM, IPPROTO_TCP), SyscallFailsWithErrno(EPROTONOSUPPORT));
}

// At the descriptor limit socket() fails with EMFILE. The limit is lowered in
// a forked child so the test process keeps its own.
TEST(Socket, AtDescriptorLimitFailsWithEmfile) {
  SOCKSPEC_RULE("socket.emfile", Shall);
  RunIsolated([](Process&) {
    const int lowest = NextFreeFd();
    ASSERT_GE(lowest, 0);
    // Every descriptor below `lowest` is in use; with the limit at lowest+1
    // exactly one descriptor is left.
    Result<rlimit> old = LowerFdLimit(static_cast<rlim_t>(lowest) + 1);
    ASSERT_TRUE(old.ok()) << old.Describe();
    // Only plain calls while the limit is low: the sanitizer runtimes may
    // need a descriptor of their own when a matcher runs.
    Result<Fd> last = Socket(AF_INET, SOCK_STREAM);
    Result<Fd> over_inet = Socket(AF_INET, SOCK_STREAM);
    Result<Fd> over_unix = Socket(AF_UNIX, SOCK_DGRAM);
    const bool last_ok = last.ok();
    if (last_ok) last->reset();  // frees the one descriptor
    Result<Fd> again = Socket(AF_UNIX, SOCK_DGRAM);
    const bool again_ok = again.ok();
    if (again_ok) again->reset();
    ASSERT_THAT(RestoreFdLimit(*old), SyscallSucceeds());
    EXPECT_TRUE(last_ok) << "the last free descriptor could not be used: " << last.Describe();
    EXPECT_THAT(over_inet, SyscallFailsWithErrno(EMFILE));
    EXPECT_THAT(over_unix, SyscallFailsWithErrno(EMFILE));
    // Once a descriptor is free again, creation works again.
    EXPECT_TRUE(again_ok) << again.Describe();
    EXPECT_EQ(NextFreeFd(), lowest);
  });
}

}  // namespace
}  // namespace sockspec
