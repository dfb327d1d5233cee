// socketpair(): a connected pair of unnamed AF_UNIX sockets, both directions
// working, boundaries per type, the type flags on both descriptors, and the
// errors for families and protocols without pairs.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
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

namespace sockspec {
namespace {

using std::chrono::seconds;

std::string Text(const std::byte* p, std::size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n);
}

// The rule a pair of this type's basic behaviour is checked under.
void DeclarePairRule(const SocketKind& k) {
  if (k.is_stream()) {
    SOCKSPEC_RULE("socketpair.stream", Shall);
  } else if (k.is_dgram()) {
    SOCKSPEC_RULE("socketpair.dgram", Shall);
  } else {
    SOCKSPEC_RULE("socket.seqpacket-unix", Platform);
  }
}

// The unix kinds, parametrising the rules that hold for every pair type.
using SocketPairTest = ::testing::TestWithParam<SocketKind>;

TEST_P(SocketPairTest, DataFlowsBothWays) {
  DeclarePairRule(GetParam());
  SOCKSPEC_REQUIRE_KIND(GetParam());
  auto pair = SocketPair(AF_UNIX, GetParam().type);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  EXPECT_NE(a.get(), b.get());
  for (const Fd* fd : {&a, &b}) {
    EXPECT_THAT(GetSockOptInt(*fd, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(GetParam().type));
  }
  ASSERT_THAT(SendAll(a, AsBytes("ping")), SyscallSucceedsWithValue(4u));
  EXPECT_THAT(RecvAll(b, 4, seconds(5)), SyscallSucceedsWithValue(std::string("ping")));
  ASSERT_THAT(SendAll(b, AsBytes("pong!")), SyscallSucceedsWithValue(5u));
  EXPECT_THAT(RecvAll(a, 5, seconds(5)), SyscallSucceedsWithValue(std::string("pong!")));
}

// Without type flags neither descriptor is O_NONBLOCK or FD_CLOEXEC (POSIX
// level, runs everywhere); the flags themselves are a case of their own, so
// it skips where SOCK_NONBLOCK / SOCK_CLOEXEC are absent.
void ExpectPairFlags(const SocketKind& kind, const std::vector<int>& tries) {
  for (int flags : tries) {
    auto pair = SocketPair(AF_UNIX, kind.type | flags);
    ASSERT_THAT(pair, SyscallSucceeds());
    for (const Fd* fd : {&pair->first, &pair->second}) {
      const std::string type = TypeName(kind.type | flags);
      EXPECT_EQ(IsNonBlocking(*fd), (flags & kSockNonblockFlag) != 0) << type;
      EXPECT_EQ(IsCloexec(*fd), (flags & kSockCloexecFlag) != 0) << type;
      EXPECT_THAT(GetSockOptInt(*fd, SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(kind.type));
    }
    if (flags & kSockNonblockFlag) {
      // Non-blocking in fact: an empty receive fails instead of waiting.
      std::byte buf[8];
      EXPECT_THAT(Recv(pair->first, buf), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
    }
  }
}

TEST_P(SocketPairTest, WithoutFlagsNeitherDescriptorIsNonblockingOrCloexec) {
  SOCKSPEC_RULE("socketpair.flags-default", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  ExpectPairFlags(GetParam(), {0});
}

TEST_P(SocketPairTest, FlagsApplyToBothDescriptors) {
  SOCKSPEC_RULE("socketpair.flags", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  SOCKSPEC_REQUIRE_FEATURE(kSockNonblock);
  SOCKSPEC_REQUIRE_FEATURE(kSockCloexec);
  ExpectPairFlags(GetParam(), {0, kSockNonblockFlag, kSockCloexecFlag,
                               kSockNonblockFlag | kSockCloexecFlag});
}

INSTANTIATE_TEST_SUITE_P(Kinds, SocketPairTest, ::testing::ValuesIn(UnixKinds()), KindName);

TEST(SocketPair, NamesAreUnnamedUnixAddresses) {
  SOCKSPEC_RULE("socketpair.names", May);
  for (const SocketKind& k : UnixKinds()) {
    if (!k.Available()) continue;
    SCOPED_TRACE(k.name);
    auto pair = SocketPair(AF_UNIX, k.type);
    ASSERT_THAT(pair, SyscallSucceeds());
    for (bool peer : {false, true}) {
      sockaddr_storage ss{};
      socklen_t len = sizeof(ss);
      int r = peer ? ::getpeername(pair->first.get(), reinterpret_cast<sockaddr*>(&ss), &len)
                   : ::getsockname(pair->first.get(), reinterpret_cast<sockaddr*>(&ss), &len);
      // The pair is connected, so getpeername succeeds; getsockname always does.
      ASSERT_THAT(r, SyscallSucceeds()) << (peer ? "getpeername" : "getsockname");
      ASSERT_GE(len, sizeof(sa_family_t));
      EXPECT_EQ(ss.ss_family, AF_UNIX);
      // Unnamed: no path. Linux reports just the family (length 2); other
      // systems may report an empty sun_path.
      if (len > offsetof(sockaddr_un, sun_path)) {
        EXPECT_EQ(reinterpret_cast<sockaddr_un*>(&ss)->sun_path[0], '\0');
      }
      RecordValue(std::string(peer ? "socketpair.names.peer-len." : "socketpair.names.sock-len.") +
                      k.name,
                  static_cast<long long>(len));
    }
  }
}

TEST(SocketPair, StreamPairReportsEndOfStreamAfterPeerClose) {
  SOCKSPEC_RULE("socketpair.stream", Shall);
  auto pair = SocketPair(AF_UNIX, SOCK_STREAM);
  ASSERT_THAT(pair, SyscallSucceeds());
  ASSERT_THAT(SendAll(pair->first, AsBytes("last")), SyscallSucceedsWithValue(4u));
  pair->first.reset();
  EXPECT_THAT(RecvUntilEof(pair->second, seconds(5)),
              SyscallSucceedsWithValue(std::string("last")));
  std::byte buf[4];
  EXPECT_THAT(Recv(pair->second, buf), SyscallSucceedsWithValue(0u));
}

TEST(SocketPair, DgramPairKeepsMessageBoundaries) {
  SOCKSPEC_RULE("socketpair.dgram", Shall);
  auto pair = SocketPair(AF_UNIX, SOCK_DGRAM);
  ASSERT_THAT(pair, SyscallSucceeds());
  const std::vector<std::string> sent = {"ab", "cde", "f"};
  for (const std::string& m : sent) {
    ASSERT_THAT(Send(pair->first, AsBytes(m)), SyscallSucceedsWithValue(m.size()));
  }
  // Each receive returns exactly one whole message, even with room for all. Their order is
  // not asserted: POSIX gives SOCK_DGRAM no ordering guarantee (dgram.unix-reliable is a
  // platform rule); it is recorded.
  // Received until all the bytes sent came (a byte stream posing as a datagram pair hands them
  // over in one receive and must not leave the next one blocked).
  std::vector<std::string> got;
  for (std::size_t bytes = 0; bytes < 6 && got.size() < sent.size();) {
    std::byte buf[64];
    Result<std::size_t> n = Recv(pair->second, buf);
    ASSERT_THAT(n, SyscallSucceeds());
    got.push_back(Text(buf, *n));
    bytes += *n;
  }
  EXPECT_THAT(got, ::testing::UnorderedElementsAreArray(sent));
  RecordValue("socketpair.dgram.in-order", got == sent ? "yes" : "no");
}

TEST(SocketPair, DgramPairTruncatesToTheBufferAndDiscardsTheRest) {
  SOCKSPEC_RULE("socketpair.dgram", Shall);
  auto pair = SocketPair(AF_UNIX, SOCK_DGRAM);
  ASSERT_THAT(pair, SyscallSucceeds());
  ASSERT_THAT(Send(pair->first, AsBytes("abcdef")), SyscallSucceedsWithValue(6u));
  ASSERT_THAT(Send(pair->first, AsBytes("gh")), SyscallSucceedsWithValue(2u));
  std::byte small[3];
  EXPECT_THAT(Recv(pair->second, small), SyscallSucceedsWithValue(3u));
  EXPECT_EQ(Text(small, 3), "abc");
  std::byte buf[16];
  EXPECT_THAT(Recv(pair->second, buf), SyscallSucceedsWithValue(2u));
  EXPECT_EQ(Text(buf, 2), "gh");
}

TEST(SocketPair, InetFamiliesHaveNoPairs) {
  SOCKSPEC_RULE("socketpair.inet", Shall);
  int before = NextFreeFd();
  struct Case {
    int domain, type;
    const char* name;
  };
  for (Case c : {Case{AF_INET, SOCK_STREAM, "Tcp4"}, Case{AF_INET, SOCK_DGRAM, "Udp4"},
                 Case{AF_INET6, SOCK_STREAM, "Tcp6"}, Case{AF_INET6, SOCK_DGRAM, "Udp6"}}) {
    int sv[2] = {-1, -1};
    errno = 0;
    int r = ::socketpair(c.domain, c.type, 0, sv);
    int err = errno;
    if (r == 0) {
      ::close(sv[0]);
      ::close(sv[1]);
    }
    EXPECT_EQ(r, -1) << c.name << " pair created";
    // POSIX: EOPNOTSUPP (protocol has no pairs) or EAFNOSUPPORT.
    EXPECT_TRUE(err == EOPNOTSUPP || err == EAFNOSUPPORT) << c.name << ": " << DescribeErrno(err);
    RecordValue(std::string("errno.socketpair.inet.") + c.name, ErrnoName(err));
  }
  EXPECT_EQ(NextFreeFd(), before);
}

TEST(SocketPair, ProtocolOfAnotherFamilyFailsWithEprotonosupport) {
  SOCKSPEC_RULE("socketpair.bad-protocol", Shall);
  int sv[2] = {-1, -1};
  EXPECT_THAT(::socketpair(AF_UNIX, SOCK_STREAM, IPPROTO_TCP, sv),
              SyscallFailsWithErrno(EPROTONOSUPPORT));
}

TEST(SocketPair, UnknownTypeFlagBitsFail) {
  SOCKSPEC_RULE("socketpair.bad-type", Shall);
  int sv[2] = {-1, -1};
  const int bogus = UnknownTypeFlag();
  errno = 0;
  int r = ::socketpair(AF_UNIX, SOCK_STREAM | bogus, 0, sv);
  int err = errno;
  if (r == 0) {
    ::close(sv[0]);
    ::close(sv[1]);
  }
  EXPECT_EQ(r, -1);
  EXPECT_TRUE(err == EINVAL || err == EPROTOTYPE || err == ESOCKTNOSUPPORT ||
              err == EPROTONOSUPPORT || err == EOPNOTSUPP)
      << DescribeErrno(err);
  RecordValue("errno.socketpair.bad-type", ErrnoName(err));
}

// With one descriptor left under RLIMIT_NOFILE, a pair cannot be made: EMFILE,
// and the one free descriptor is not consumed.
TEST(SocketPair, WithOneFreeDescriptorFailsWithEmfile) {
  SOCKSPEC_RULE("socketpair.emfile", Shall);
  RunIsolated([](Process&) {
    const int lowest = NextFreeFd();
    ASSERT_GE(lowest, 0);
    Result<rlimit> old = LowerFdLimit(static_cast<rlim_t>(lowest) + 1);
    ASSERT_TRUE(old.ok()) << old.Describe();
    // Only plain calls while the limit is low: the sanitizer runtimes may
    // need a descriptor of their own when a matcher runs.
    auto pair = SocketPair(AF_UNIX, SOCK_STREAM);
    if (pair.ok()) {
      pair->first.reset();
      pair->second.reset();
    }
    const int next = NextFreeFd();
    ASSERT_THAT(RestoreFdLimit(*old), SyscallSucceeds());
    EXPECT_THAT(pair, SyscallFailsWithErrno(EMFILE));
    EXPECT_EQ(next, lowest) << "the failed socketpair() kept a descriptor";
  });
}

}  // namespace
}  // namespace sockspec
