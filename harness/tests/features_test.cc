// DontWait's fallback (O_NONBLOCK around one call) is what DontWait(fd) does
// where MSG_DONTWAIT is absent, so by default only the posix-only build ran it.
// DontWait::ByFileStatusFlag reaches it in every build.
#include "harness/features.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness/fd.h"

namespace sockspec {
namespace {

struct Pair {
  Fd a, b;
};

Pair StreamPair() {
  int sv[2] = {-1, -1};
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0) << "errno " << errno;
  return {Fd(sv[0]), Fd(sv[1])};
}

bool NonBlocking(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

bool WouldBlock(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

// A receive of one byte from an empty socket that never blocks the test: when
// the descriptor is blocking (the fallback did not apply), it is not made at
// all and returns -2. The DontWait temporary in the argument lives until the
// end of the caller's full expression, as in the cases.
ssize_t RecvUnlessBlocking(int fd, int flags) {
  if (!NonBlocking(fd)) return -2;
  char c;
  return ::recv(fd, &c, 1, flags);
}

TEST(DontWaitFallback, MakesOneCallNonBlockingAndRestoresBlocking) {
  Pair p = StreamPair();
  const int fd = p.a.get();
  ASSERT_FALSE(NonBlocking(fd));
  errno = 0;
  EXPECT_EQ(RecvUnlessBlocking(fd, DontWait::ByFileStatusFlag(fd).flags()), -1);
  // The restore ran after the call and kept its errno.
  EXPECT_TRUE(WouldBlock(errno)) << "errno " << errno;
  EXPECT_FALSE(NonBlocking(fd));
}

TEST(DontWaitFallback, AddsNoMessageFlag) {
  Pair p = StreamPair();
  DontWait d = DontWait::ByFileStatusFlag(p.a.get());
  EXPECT_EQ(d.flags(), 0);
  EXPECT_TRUE(NonBlocking(p.a.get()));
  EXPECT_FALSE(NonBlocking(p.b.get()));  // only the descriptor named
}

TEST(DontWaitFallback, LeavesANonBlockingDescriptorNonBlocking) {
  Pair p = StreamPair();
  const int fd = p.a.get();
  ASSERT_EQ(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
  EXPECT_EQ(RecvUnlessBlocking(fd, DontWait::ByFileStatusFlag(fd).flags()), -1);
  EXPECT_TRUE(NonBlocking(fd));
}

TEST(DontWaitFallback, KeepsOtherFileStatusFlags) {
  Pair p = StreamPair();
  const int fd = p.a.get();
  const int before = ::fcntl(fd, F_GETFL);
  ASSERT_GE(before, 0);
  { DontWait d = DontWait::ByFileStatusFlag(fd); }
  EXPECT_EQ(::fcntl(fd, F_GETFL), before);
}

TEST(DontWaitFallback, RestoreKeepsErrnoEvenWhenItFails) {
  Pair p = StreamPair();
  const int fd = ::dup(p.a.get());
  ASSERT_GE(fd, 0);
  {
    DontWait d = DontWait::ByFileStatusFlag(fd);
    ASSERT_TRUE(NonBlocking(fd));
    ASSERT_EQ(::close(fd), 0);  // the restore's fcntl now fails with EBADF
    errno = EAGAIN;
  }
  EXPECT_EQ(errno, EAGAIN);
}

TEST(DontWaitFallback, BadDescriptorFailsInTheCallItself) {
  errno = 0;
  char c;
  EXPECT_EQ(::recv(-1, &c, 1, DontWait::ByFileStatusFlag(-1).flags()), -1);
  EXPECT_EQ(errno, EBADF);
}

// DontWait(fd) is the message flag where the platform has one (the descriptor
// untouched), else the fallback above.
TEST(DontWait, UsesTheMessageFlagWhereThePlatformHasIt) {
  Pair p = StreamPair();
  const int fd = p.a.get();
  DontWait d(fd);
  EXPECT_EQ(d.flags(), kMsgDontwaitFlag);
  EXPECT_EQ(NonBlocking(fd), kMsgDontwaitFlag == 0);
  if (d.flags() == 0 && !NonBlocking(fd)) return;  // the receive would block
  char c;
  errno = 0;
  EXPECT_EQ(::recv(fd, &c, 1, d.flags()), -1);
  EXPECT_TRUE(WouldBlock(errno)) << "errno " << errno;
}

// Reliable AF_UNIX datagrams are Linux's documented guarantee, not POSIX's: the
// posix-only build (a system without Linux extensions) and any other system
// report it absent, so dgram.unix-reliable skips and the properties tolerate
// loss and reordering there.
TEST(Features, UnixDgramReliableOnlyOnLinux) {
#if defined(SOCKSPEC_ASSUME_POSIX_ONLY) || !defined(__linux__)
  EXPECT_FALSE(Have(Feature::kUnixDgramReliable));
#else
  utsname u{};
  ASSERT_EQ(::uname(&u), 0) << "errno " << errno;
  EXPECT_EQ(Have(Feature::kUnixDgramReliable), std::strcmp(u.sysname, "Linux") == 0);
#endif
}

}  // namespace
}  // namespace sockspec
