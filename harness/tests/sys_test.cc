// The wrapper adds ownership, errno capture and tracing, never behaviour.
#include "harness/sys.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <string>
#include <vector>

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

// The wrapper keeps a call's address argument as the sockaddr it passed and
// writes the text only when asked: the text must still be FormatAddress's, for
// every kind of address, including those the sockaddr cannot show (kept as text).
TEST(Sys, CallTextShowsTheAddressAsFormatAddressDoes) {
  std::vector<Address> addresses = {
      Address::UnixPath("/tmp/x", SockType::kStream),
      Address::UnixPath("@not-abstract"),
      Address::UnixPath(std::string(SunPathSize(), 'p'), SockType::kDgram),
      Address::UnixPath(std::string(SunPathSize() + 20, 'q')),  // too long for sun_path
      Address::UnixPath(std::string("a\0b", 3)),                // NUL inside
      Address::UnixPath(""),                                    // empty
      Address::UnixAbstract(std::string("ab\0c", 4), SockType::kDgram),
      Address::UnixAbstract(""),
      Address::UnixUnnamed(SockType::kSeqPacket),
      Address::Inet4({127, 0, 0, 1}, 80, SockType::kStream),
      Address::Inet6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 9, SockType::kDgram, 3, 5),
  };
  Parsed<Address> zoned = ParseAddress("tcp:[fe80::1%lo]:80");
  ASSERT_TRUE(zoned.ok());
  addresses.push_back(*zoned.value);
  for (const Address& a : addresses) {
    const std::string shown = FormatAddress(a);
    SCOPED_TRACE(shown);
    ClearTrace();
    EXPECT_EQ(Bind(-1, a).call(), "bind(-1, " + shown + ")");
    EXPECT_EQ(Connect(-1, a).call(), "connect(-1, " + shown + ")");
    EXPECT_EQ(SendTo(-1, AsBytes("x"), a).call(), "sendto(-1, <1 bytes>, 0, " + shown + ")");
    std::vector<std::string> lines = CurrentTrace().Lines();
    ASSERT_EQ(lines.size(), 3u);
    // The trace keeps the first TraceEntry::kTextSize - 1 bytes of a call's text.
    EXPECT_EQ(lines[0], ("bind(-1, " + shown + ")").substr(0, TraceEntry::kTextSize - 1) +
                            " = -1 EBADF");
  }
}

TEST(Sys, CallTextOfEveryWrapper) {
  auto [a, b] = SocketPair(AF_UNIX, SOCK_STREAM).value();
  const std::string fd = std::to_string(a.get());
  std::array<std::byte, 4> buf{};
  EXPECT_EQ(Send(a, AsBytes("hi"), MSG_DONTWAIT).call(), "send(" + fd + ", <2 bytes>, MSG_DONTWAIT)");
  EXPECT_EQ(Recv(b, buf).call(), "recv(" + std::to_string(b.get()) + ", <4 byte buffer>, 0)");
  EXPECT_EQ(RecvFrom(-1, buf, MSG_PEEK).call(), "recvfrom(-1, <4 byte buffer>, MSG_PEEK, &addr, &len)");
  EXPECT_EQ(GetSockName(-1).call(), "getsockname(-1)");
  EXPECT_EQ(GetPeerNameRaw(-1).call(), "getpeername(-1)");
  EXPECT_EQ(Accept(-1).call(), "accept(-1, NULL, NULL)");
  EXPECT_EQ(AcceptWithAddress(-1).call(), "accept(-1, &addr, &len)");
  EXPECT_EQ(Shutdown(-1, SHUT_RDWR).call(), "shutdown(-1, SHUT_RDWR)");
  EXPECT_EQ(GetSockOptInt(-1, SOL_SOCKET, SO_TYPE).call(),
            "getsockopt(-1, " + std::to_string(SOL_SOCKET) + ", " + std::to_string(SO_TYPE) + ")");
  EXPECT_EQ(SetSockOptInt(-1, 1, 2, 3).call(), "setsockopt(-1, 1, 2, 3)");
  EXPECT_EQ(GetFlags(-1).call(), "fcntl(-1, F_GETFL)");
  EXPECT_EQ(GetFdFlags(-1).call(), "fcntl(-1, F_GETFD)");
  EXPECT_EQ(SetNonBlocking(a).call(), "fcntl(" + fd + ", F_SETFL, |O_NONBLOCK)");
  EXPECT_EQ(SetNonBlocking(a, false).call(), "fcntl(" + fd + ", F_SETFL, &~O_NONBLOCK)");
  EXPECT_EQ(Poll(-1, POLLIN, std::chrono::milliseconds(7)).call(), "poll([-1], 7 ms)");
  EXPECT_EQ(Write(-1, AsBytes("abc")).call(), "write(-1, <3 bytes>)");
  EXPECT_EQ(Read(-1, buf).call(), "read(-1, <4 byte buffer>)");
  Result<std::pair<Fd, Fd>> pair = SocketPair(AF_UNIX, SOCK_DGRAM);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair.call(), "socketpair(AF_UNIX, SOCK_DGRAM, 0) -> [" +
                             std::to_string(pair->first.get()) + ", " +
                             std::to_string(pair->second.get()) + "]");
  EXPECT_EQ(SendAll(a, AsBytes("x")).call(), "SendAll(" + fd + ")");
  EXPECT_EQ(Result<>::Err(EINVAL, "free text").call(), "free text");
  EXPECT_EQ(Result<>::Err(EINVAL).Describe().rfind("call = -1 EINVAL", 0), 0u);
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

// A signal every millisecond (as libFuzzer's -timeout alarm, more often) neither
// ends the wait with EINTR nor makes it unbounded: it times out as asked.
TEST(Sys, PollWaitsOutItsTimeoutThroughSignals) {
  auto [a, b] = SocketPair(AF_UNIX, SOCK_STREAM).value();
  struct sigaction tick {}, old {};
  tick.sa_handler = [](int) {};
  sigemptyset(&tick.sa_mask);
  ASSERT_EQ(sigaction(SIGALRM, &tick, &old), 0);
  const itimerval every_ms{{0, 1000}, {0, 1000}}, off{};
  ASSERT_EQ(setitimer(ITIMER_REAL, &every_ms, nullptr), 0);
  const auto start = std::chrono::steady_clock::now();
  Result<short> r = Poll(b, POLLIN, std::chrono::milliseconds(30));
  const auto waited = std::chrono::steady_clock::now() - start;
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &old, nullptr);
  EXPECT_THAT(r, SyscallSucceedsWithValue(0));
  EXPECT_GE(waited, std::chrono::milliseconds(30));
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
