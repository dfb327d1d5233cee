// The wrapper adds ownership, errno capture and tracing, never behaviour.
#include "harness/sys.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "harness/matchers.h"
#include "harness/trace.h"

namespace sockspec {
namespace {

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

TEST(Fd, ClosesExactlyOnce) {
  int raw;
  {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    raw = fd.get();
    ASSERT_TRUE(IsOpen(raw));
    Fd moved(std::move(fd));
    EXPECT_FALSE(fd.valid());
    EXPECT_EQ(moved.get(), raw);
  }
  EXPECT_FALSE(IsOpen(raw));
}

TEST(Fd, ReleaseGivesUpOwnership) {
  int raw;
  {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    raw = fd.release();
    EXPECT_EQ(fd.get(), -1);
  }
  EXPECT_TRUE(IsOpen(raw));
  ::close(raw);
}

TEST(Fd, MoveAssignClosesThePrevious) {
  Fd a(::socket(AF_UNIX, SOCK_STREAM, 0));
  Fd b(::socket(AF_UNIX, SOCK_STREAM, 0));
  int old = a.get();
  a = std::move(b);
  EXPECT_FALSE(IsOpen(old));
}

TEST(Sys, ResultCarriesErrnoAndCallText) {
  Result<> r = Listen(-1, 5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), EBADF);
  EXPECT_EQ(r.call(), "listen(-1, 5)");
  EXPECT_EQ(r.Describe().rfind("listen(-1, 5) = -1 EBADF (", 0), 0u);
}

TEST(Sys, TraceRecordsCallsAndOutcomes) {
  ClearTrace();
  Fd fd = Socket(AF_UNIX, SOCK_STREAM).value();
  (void)Listen(-1, 1);
  std::vector<std::string> lines = CurrentTrace().Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "socket(AF_UNIX, SOCK_STREAM, 0) = " + std::to_string(fd.get()));
  EXPECT_EQ(lines[1], "listen(-1, 1) = -1 EBADF");
}

TEST(Sys, TraceKeepsOnlyTheLastEntries) {
  ClearTrace();
  for (int i = 0; i < 40; ++i) (void)Listen(-1, i);
  std::vector<std::string> lines = CurrentTrace().Lines();
  ASSERT_EQ(lines.size(), TraceRing::kEntries);
  EXPECT_EQ(lines.back(), "listen(-1, 39) = -1 EBADF");
}

TEST(Sys, StreamPairRoundTrip) {
  auto [a, b] = SocketPair(AF_UNIX, SOCK_STREAM).value();
  ASSERT_THAT(SendAll(a, AsBytes("hello")), SyscallSucceedsWithValue(5u));
  ASSERT_THAT(Shutdown(a, SHUT_WR), SyscallSucceeds());
  Result<std::string> got = RecvUntilEof(b);
  ASSERT_THAT(got, SyscallSucceeds());
  EXPECT_EQ(*got, "hello");
}

TEST(Sys, RecvAllTimesOutInsteadOfHanging) {
  auto [a, b] = SocketPair(AF_UNIX, SOCK_STREAM).value();
  EXPECT_THAT(RecvAll(b, 1, std::chrono::milliseconds(10)), SyscallFailsWithErrno(ETIMEDOUT));
}

TEST(Sys, CloseReleasesTheFd) {
  Fd fd = Socket(AF_UNIX, SOCK_DGRAM).value();
  int raw = fd.get();
  EXPECT_THAT(Close(fd), SyscallSucceeds());
  EXPECT_FALSE(fd.valid());
  EXPECT_FALSE(IsOpen(raw));
}

TEST(Sys, NamesAreDecodedThroughTheAddressModel) {
  Fd fd = Socket(AF_INET, SOCK_DGRAM).value();
  ASSERT_THAT(Bind(fd, Address::Loopback4()), SyscallSucceeds());
  Result<Address> a = GetSockName(fd);
  ASSERT_THAT(a, SyscallSucceeds());
  EXPECT_EQ(a->kind, AddrKind::kInet4);
  EXPECT_NE(a->port, 0);
}

TEST(Sys, ArgumentNames) {
  EXPECT_EQ(DomainName(AF_INET6), "AF_INET6");
  EXPECT_EQ(TypeName(SOCK_SEQPACKET), "SOCK_SEQPACKET");
  EXPECT_EQ(ShutdownHowName(SHUT_RDWR), "SHUT_RDWR");
}

}  // namespace
}  // namespace sockspec
