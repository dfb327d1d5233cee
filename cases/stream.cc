// Data transfer on connection-mode sockets: ordering, end of stream,
// EPIPE/SIGPIPE, shutdown(), MSG_PEEK, MSG_WAITALL, non-blocking receive,
// SO_RCVTIMEO, and the send()/recv()/shutdown() errors of POSIX.1-2024.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/support.h"
#include "cases/transfer_support.h"
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

using transfer::AsMutable;
using transfer::Delivery;
using transfer::kDatagramLost;
using transfer::SendUntilReadable;
using transfer::IgnoreSigpipe;
using transfer::kDataWait;
using transfer::Pattern;
using ::testing::Eq;

std::string Text(const char* s) { return std::string(s); }

// ---------------------------------------------------------------------------
// Byte streams (UnixStream, Tcp4, Tcp6), client and server in forked processes.

class StreamTransferTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(StreamTransferTest, BytesArriveOnceEachInOrderAcrossManyWrites) {
  SOCKSPEC_RULE("stream.order", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  // 8 KiB in writes of 1..700 bytes, so boundaries fall everywhere.
  const std::string data = Pattern(8192, 1);
  Scenario s;
  const std::string path = s.Path("server");
  s.Spawn("server", [&](Process& p) {
    Result<Fd> c = ServeOne(p, kind, path);
    ASSERT_THAT(c, SyscallSucceeds());
    Result<std::string> got = RecvUntilEof(*c, kDataWait);
    ASSERT_THAT(got, SyscallSucceeds());
    ASSERT_EQ(got->size(), data.size());
    EXPECT_TRUE(*got == data) << "bytes differ from what was sent, first at offset "
                              << std::distance(data.begin(),
                                               std::mismatch(data.begin(), data.end(),
                                                             got->begin()).first);
  });
  s.Spawn("client", [&](Process& p) {
    Result<Fd> c = ConnectToServer(p, kind);
    ASSERT_THAT(c, SyscallSucceeds());
    std::size_t off = 0;
    for (std::size_t i = 0; off < data.size(); ++i) {
      std::size_t n = std::min<std::size_t>(1 + (i * 97) % 700, data.size() - off);
      ASSERT_THAT(SendAll(*c, AsBytes(std::string_view(data).substr(off, n))),
                  SyscallSucceedsWithValue(n));
      off += n;
    }
    ASSERT_THAT(Shutdown(*c, SHUT_WR), SyscallSucceeds());
  });
  s.Run();
}

TEST_P(StreamTransferTest, RecordsWhetherOneReceiveReturnsBytesOfSeveralSends) {
  SOCKSPEC_RULE("stream.coalesce", May);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  for (const char* piece : {"one,", "two,", "three"}) {
    ASSERT_THAT(Send(a, AsBytes(piece)), SyscallSucceedsWithValue(std::strlen(piece)));
  }
  ASSERT_THAT(Shutdown(a, SHUT_WR), SyscallSucceeds());
  ASSERT_THAT(Poll(b, POLLIN, kDataWait), SyscallSucceedsWithValue(::testing::Ne(0)));
  std::string buf(64, '\0');
  Result<std::size_t> first = Recv(b, AsMutable(buf));
  ASSERT_THAT(first, SyscallSucceedsWithValue(::testing::Gt(0u)));
  std::string got = buf.substr(0, *first);
  Result<std::string> rest = RecvUntilEof(b, kDataWait);
  ASSERT_THAT(rest, SyscallSucceeds());
  // Whatever the split, every byte arrives once, in order.
  EXPECT_EQ(got + *rest, "one,two,three");
  RecordValue(std::string("stream.coalesce.") + GetParam().name,
              *first > 4 ? "coalesced" : "not-coalesced");
}

TEST_P(StreamTransferTest, RecvReturnsZeroAfterPeerShutdownWrOnceDataIsDrained) {
  SOCKSPEC_RULE("stream.eof-shutdown", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  const std::string path = s.Path("server");
  s.Spawn("server", [&](Process& p) {
    Result<Fd> c = ServeOne(p, kind, path);
    ASSERT_THAT(c, SyscallSucceeds());
    ASSERT_THAT(SendAll(*c, AsBytes("last words")), SyscallSucceeds());
    ASSERT_THAT(Shutdown(*c, SHUT_WR), SyscallSucceeds());
    // Only the sending direction is shut: the reply still arrives.
    EXPECT_THAT(RecvAll(*c, 5, kDataWait), SyscallSucceedsWithValue(Text("reply")));
    p.WaitFor("client-done");  // keeps the socket open while the client checks EOF
  });
  s.Spawn("client", [&](Process& p) {
    Result<Fd> c = ConnectToServer(p, kind);
    ASSERT_THAT(c, SyscallSucceeds());
    EXPECT_THAT(RecvAll(*c, 10, kDataWait), SyscallSucceedsWithValue(Text("last words")));
    char b[8];
    EXPECT_THAT(::recv(c->get(), b, sizeof b, 0), SyscallSucceedsWithValue(0));
    // End of stream is sticky.
    EXPECT_THAT(::recv(c->get(), b, sizeof b, 0), SyscallSucceedsWithValue(0));
    EXPECT_THAT(::read(c->get(), b, sizeof b), SyscallSucceedsWithValue(0));
    EXPECT_THAT(SendAll(*c, AsBytes("reply")), SyscallSucceedsWithValue(5u));
    p.Signal("client-done");
  });
  s.Run();
}

TEST_P(StreamTransferTest, RecvReturnsZeroAfterPeerCloseOnceDataIsDrained) {
  SOCKSPEC_RULE("stream.eof-close", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  const std::string data = Pattern(3000, 2);
  Scenario s;
  const std::string path = s.Path("server");
  s.Spawn("server", [&](Process& p) {
    Result<Fd> c = ServeOne(p, kind, path);
    ASSERT_THAT(c, SyscallSucceeds());
    ASSERT_THAT(SendAll(*c, AsBytes(data)), SyscallSucceeds());
    ASSERT_THAT(Close(*c), SyscallSucceeds());
  });
  s.Spawn("client", [&](Process& p) {
    Result<Fd> c = ConnectToServer(p, kind);
    ASSERT_THAT(c, SyscallSucceeds());
    Result<std::string> got = RecvAll(*c, data.size(), kDataWait);
    ASSERT_THAT(got, SyscallSucceeds());
    EXPECT_TRUE(*got == data) << "received bytes differ from those sent";
    char b[8];
    EXPECT_THAT(::recv(c->get(), b, sizeof b, 0), SyscallSucceedsWithValue(0));
    EXPECT_THAT(::recv(c->get(), b, sizeof b, 0), SyscallSucceedsWithValue(0));
  });
  s.Run();
}

// MSG_WAITALL: the receiver is in recv() with only part 1 available; part 2
// is sent once it has said so. recv returns the full amount in one call.
TEST_P(StreamTransferTest, RecvWaitallWaitsForTheFullAmountAcrossSends) {
  SOCKSPEC_RULE("stream.waitall", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  const std::string path = s.Path("server");
  s.Spawn("receiver", [&](Process& p) {
    Result<Fd> c = ServeOne(p, kind, path);
    ASSERT_THAT(c, SyscallSucceeds());
    p.WaitFor("part1-sent");
    ASSERT_THAT(Poll(*c, POLLIN, kDataWait), SyscallSucceedsWithValue(::testing::Ne(0)));
    p.Signal("receiving");
    char b[12] = {};
    EXPECT_THAT(::recv(c->get(), b, 10, MSG_WAITALL), SyscallSucceedsWithValue(10));
    EXPECT_EQ(std::string(b, 10), "part1part2");
  });
  s.Spawn("sender", [&](Process& p) {
    Result<Fd> c = ConnectToServer(p, kind);
    ASSERT_THAT(c, SyscallSucceeds());
    ASSERT_THAT(SendAll(*c, AsBytes("part1")), SyscallSucceeds());
    p.Signal("part1-sent");
    p.WaitFor("receiving");
    ASSERT_THAT(SendAll(*c, AsBytes("part2")), SyscallSucceeds());
  });
  s.Run();
}

// POSIX lets MSG_WAITALL return less when the connection is terminated.
TEST_P(StreamTransferTest, RecvWaitallReturnsFewerBytesAtEndOfStream) {
  SOCKSPEC_RULE("stream.waitall", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  const std::string path = s.Path("server");
  s.Spawn("receiver", [&](Process& p) {
    Result<Fd> c = ServeOne(p, kind, path);
    ASSERT_THAT(c, SyscallSucceeds());
    p.Signal("receiving");
    char b[16] = {};
    EXPECT_THAT(::recv(c->get(), b, sizeof b, MSG_WAITALL), SyscallSucceedsWithValue(4));
    EXPECT_EQ(std::string(b, 4), "tail");
    EXPECT_THAT(::recv(c->get(), b, sizeof b, MSG_WAITALL), SyscallSucceedsWithValue(0));
  });
  s.Spawn("sender", [&](Process& p) {
    Result<Fd> c = ConnectToServer(p, kind);
    ASSERT_THAT(c, SyscallSucceeds());
    p.WaitFor("receiving");
    ASSERT_THAT(SendAll(*c, AsBytes("tail")), SyscallSucceeds());
    ASSERT_THAT(Shutdown(*c, SHUT_WR), SyscallSucceeds());
  });
  s.Run();
}

TEST_P(StreamTransferTest, PeekReturnsDataWithoutConsumingIt) {
  SOCKSPEC_RULE("stream.peek", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ASSERT_THAT(SendAll(a, AsBytes("hello world")), SyscallSucceeds());
  ASSERT_THAT(Poll(b, POLLIN, kDataWait), SyscallSucceedsWithValue(::testing::Ne(0)));
  std::string p1(5, '\0'), p2(5, '\0');
  // A stream receive may be short, but what it returns starts at the front.
  Result<std::size_t> n1 = Recv(b, AsMutable(p1), MSG_PEEK);
  ASSERT_THAT(n1, SyscallSucceedsWithValue(::testing::Gt(0u)));
  EXPECT_EQ(p1.substr(0, *n1), std::string("hello").substr(0, *n1));
  Result<std::size_t> n2 = Recv(b, AsMutable(p2), MSG_PEEK);
  // Short again, maybe shorter than the first (a short read is legal): both
  // must still start at the front.
  ASSERT_THAT(n2, SyscallSucceedsWithValue(::testing::Gt(0u)));
  EXPECT_EQ(p2.substr(0, *n2), std::string("hello").substr(0, *n2));
  // Nothing was consumed: the ordinary receive sees every byte.
  EXPECT_THAT(RecvAll(b, 11, kDataWait), SyscallSucceedsWithValue(Text("hello world")));
}

TEST_P(StreamTransferTest, NonBlockingSendOnFullBufferFailsEagain) {
  SOCKSPEC_RULE("stream.nonblock-full", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ASSERT_THAT(SetNonBlocking(a), SyscallSucceeds());
  const std::string chunk(64 * 1024, 'x');
  long long total = 0;
  // Nobody reads b: buffers fill. 1024 chunks (64 MiB) bounds the loop.
  for (int i = 0; i < 1024; ++i) {
    ssize_t r = ::send(a.get(), chunk.data(), chunk.size(), 0);
    if (r < 0) {
      EXPECT_THAT(r, SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
      RecordValue(std::string("stream.nonblock-full.buffered.") + GetParam().name, total);
      return;
    }
    total += r;
  }
  ADD_FAILURE() << "64 MiB sent without EAGAIN to a peer that never reads";
}

// Send to a peer that has closed: the first sends may be accepted; within a
// bounded number of attempts one fails with EPIPE or ECONNRESET.
TEST_P(StreamTransferTest, SendToClosedPeerEventuallyFailsEpipeOrEconnreset) {
  SOCKSPEC_RULE("stream.peer-closed", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  s.Spawn("sender", [&](Process& p) {
    IgnoreSigpipe();
    TempDir dir;
    auto pair = ConnectedPair(kind, dir);
    ASSERT_THAT(pair, SyscallSucceeds());
    auto& [a, b] = *pair;
    ASSERT_THAT(Close(b), SyscallSucceeds());
    int accepted = 0;
    for (int i = 0; i < 50; ++i) {
      ssize_t r = ::send(a.get(), "x", 1, 0);
      if (r < 0) {
        int e = errno;
        EXPECT_THAT(r, SyscallFailsWithErrnoIn({EPIPE, ECONNRESET}));
        p.PublishText("errno", ErrnoName(e));
        p.PublishText("accepted", std::to_string(accepted));
        return;
      }
      ++accepted;
      // Give the peer's reset (TCP) time to come back, without sleeping.
      (void)Poll(a, POLLHUP | POLLERR, std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "50 sends to a closed peer all succeeded";
  });
  s.Run();
  if (auto e = s.Published("errno")) {
    RecordValue(std::string("stream.peer-closed.errno.") + kind.name, *e);
    RecordValue(std::string("stream.peer-closed.sends-accepted.") + kind.name,
                *s.Published("accepted"));
  }
}

TEST_P(StreamTransferTest, ShutdownRdRecordsWhatReceiveAndPeerSeeAfterwards) {
  SOCKSPEC_RULE("shutdown.rd", May);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  s.Spawn("main", [&](Process& p) {
    IgnoreSigpipe();
    TempDir dir;
    auto pair = ConnectedPair(kind, dir);
    ASSERT_THAT(pair, SyscallSucceeds());
    auto& [a, b] = *pair;
    ASSERT_THAT(Shutdown(b, SHUT_RD), SyscallSucceeds());
    char buf[8];
    ssize_t r = ::recv(b.get(), buf, sizeof buf, DontWait(b.get()).flags());
    p.PublishText("recv", r < 0 ? ErrnoName(errno) : std::to_string(r));
    r = ::send(a.get(), "late", 4, 0);
    if (r < 0) {
      p.PublishText("peer-send", ErrnoName(errno));
      return;
    }
    p.PublishText("peer-send", std::to_string(r));
    (void)Poll(b, POLLIN, std::chrono::milliseconds(50));
    r = ::recv(b.get(), buf, sizeof buf, DontWait(b.get()).flags());
    p.PublishText("late-recv", r < 0 ? ErrnoName(errno) : std::to_string(r));
    // Still able to send: only receiving was shut down.
    EXPECT_THAT(Send(b, AsBytes("back")), SyscallSucceedsWithValue(4u));
    EXPECT_THAT(RecvAll(a, 4, kDataWait), SyscallSucceedsWithValue(Text("back")));
  });
  s.Run();
  for (const char* key : {"recv", "peer-send", "late-recv"}) {
    if (auto v = s.Published(key)) {
      RecordValue(std::string("shutdown.rd.") + key + "." + kind.name, *v);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, StreamTransferTest, ::testing::ValuesIn(ByteStreamKinds()),
                         KindName);

// ---------------------------------------------------------------------------
// SIGPIPE: in a forked child, so the signal's default action is observable.

class StreamSigpipeTest : public ::testing::TestWithParam<SocketKind> {};

// POSIX send() and write() [EPIPE] name two conditions: "shut down for
// writing" and "no longer connected", and tie SIGPIPE to the second only ("In
// the latter case"). After the socket's own SHUT_WR, EPIPE is mandated and the
// signal is not; Linux send(2) raises it for both. Recorded, never failed.
TEST_P(StreamSigpipeTest, SendAfterOwnShutdownWrRecordsWhetherSigpipeKills) {
  SOCKSPEC_RULE("stream.epipe-sigpipe", May);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  Fd& a = pair->first;  // the child inherits it
  ASSERT_THAT(Shutdown(a, SHUT_WR), SyscallSucceeds());
  Scenario s;
  s.Spawn("sender", [&](Process& p) {
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ssize_t r = ::send(a.get(), "x", 1, 0);
    // Reached only if no SIGPIPE killed us.
    p.PublishText("survived", r < 0 ? ErrnoName(errno) : std::to_string(r));
  });
  ScenarioReport report = s.RunAndCollect();
  ASSERT_EQ(report.processes.size(), 1u);
  const ProcessOutcome& o = report.processes[0];
  const std::string name = std::string("stream.epipe-sigpipe.default.") + GetParam().name;
  if (o.signal == SIGPIPE) {
    RecordValue(name, "killed");
    return;
  }
  // Not killed: then the sender ran to its end (what send returned is
  // stream.epipe's business, checked below).
  ASSERT_TRUE(o.ok() && s.Published("survived")) << report.Summary();
  RecordValue(name, "survived");
}

volatile sig_atomic_t g_sigpipes = 0;
void CountSigpipe(int) { g_sigpipes = g_sigpipes + 1; }

// EPIPE is mandated; how many SIGPIPEs the handler saw is recorded
// (stream.epipe-sigpipe, see above).
TEST_P(StreamSigpipeTest, SendAndWriteAfterOwnShutdownWrFailEpipe) {
  SOCKSPEC_RULE("stream.epipe", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  s.Spawn("sender", [&](Process& p) {
    struct sigaction sa {};
    sa.sa_handler = CountSigpipe;
    sigemptyset(&sa.sa_mask);
    ASSERT_EQ(sigaction(SIGPIPE, &sa, nullptr), 0);
    TempDir dir;
    auto pair = ConnectedPair(kind, dir);
    ASSERT_THAT(pair, SyscallSucceeds());
    auto& [a, b] = *pair;
    ASSERT_THAT(Shutdown(a, SHUT_WR), SyscallSucceeds());
    g_sigpipes = 0;
    EXPECT_THAT(::send(a.get(), "x", 1, 0), SyscallFailsWithErrno(EPIPE));
    const int after_send = g_sigpipes;
    EXPECT_THAT(::write(a.get(), "x", 1), SyscallFailsWithErrno(EPIPE));
    p.PublishText("sigpipes", "send " + std::to_string(after_send) + ", write " +
                                  std::to_string(g_sigpipes - after_send));
    // The peer sees end of stream and nothing of the failed sends.
    char buf[4];
    EXPECT_THAT(::recv(b.get(), buf, sizeof buf, 0), SyscallSucceedsWithValue(0));
  });
  s.Run();
  if (auto v = s.Published("sigpipes")) {
    RecordValue(std::string("stream.epipe-sigpipe.handler.") + kind.name, *v);
  }
}

// Takes a SIGPIPE pending on this (single-threaded) process, which blocks
// it: true if there was one. sigpending and sigwait, not sigtimedwait (which
// macOS lacks).
sigset_t SigpipeOnly() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  return set;
}

bool TakePendingSigpipe() {
  sigset_t pending;
  if (::sigpending(&pending) != 0 || sigismember(&pending, SIGPIPE) != 1) return false;
  const sigset_t pipe_only = SigpipeOnly();
  int sig = 0;
  return ::sigwait(&pipe_only, &sig) == 0 && sig == SIGPIPE;
}

// Where POSIX does mandate the signal: send() and write() [EPIPE] on a
// SOCK_STREAM socket that "is no longer connected" (the peer closed). SIGPIPE
// is blocked, so a generated one stays pending (checked, never delivered);
// the disposition is SIG_DFL because a blocked, ignored signal may be
// discarded. ECONNRESET, the other legal answer, carries no signal: sending
// goes on until EPIPE.
TEST_P(StreamSigpipeTest, SendFailingEpipeAfterPeerCloseRaisesSigpipe) {
  SOCKSPEC_RULE("stream.peer-closed-sigpipe", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  s.Spawn("sender", [&](Process& p) {
    const sigset_t pipe_only = SigpipeOnly();
    ASSERT_EQ(::sigprocmask(SIG_BLOCK, &pipe_only, nullptr), 0);
    ::signal(SIGPIPE, SIG_DFL);
    TempDir dir;
    auto pair = ConnectedPair(kind, dir);
    ASSERT_THAT(pair, SyscallSucceeds());
    auto& [a, b] = *pair;
    ASSERT_THAT(Close(b), SyscallSucceeds());
    for (int i = 0; i < 50; ++i) {
      errno = 0;
      ssize_t r = ::send(a.get(), "x", 1, 0);
      const int e = errno;
      if (r < 0 && e == EPIPE) {
        EXPECT_TRUE(TakePendingSigpipe()) << "send() failed EPIPE after the peer closed: no SIGPIPE";
        errno = 0;
        r = ::write(a.get(), "x", 1);
        const int we = errno;
        EXPECT_THAT(r, SyscallFailsWithErrnoIn({EPIPE, ECONNRESET}));
        if (r < 0 && we == EPIPE) {
          EXPECT_TRUE(TakePendingSigpipe()) << "write() failed EPIPE after the peer closed: no SIGPIPE";
        }
        p.PublishText("sends", std::to_string(i + 1));
        return;
      }
      if (r < 0) {
        EXPECT_EQ(e, ECONNRESET) << DescribeErrno(e);
      }
      // Give the peer's reset (TCP) time to come back, without sleeping.
      (void)Poll(a, POLLHUP | POLLERR, std::chrono::milliseconds(20));
    }
    GTEST_SKIP() << "no send failed EPIPE in 50 attempts: no signal to check";
  });
  s.Run();
  if (auto n = s.Published("sends")) {
    RecordValue(std::string("stream.peer-closed-sigpipe.sends-to-epipe.") + kind.name, *n);
  }
}

// POSIX MSG_NOSIGNAL suppresses the signal of the "no longer connected" case;
// after the socket's own SHUT_WR no signal is mandated at all, and with the
// flag none may come whichever reading a system follows.
TEST_P(StreamSigpipeTest, MsgNosignalSuppressesSigpipeButStillFailsEpipe) {
  SOCKSPEC_RULE("stream.msg-nosignal", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  SOCKSPEC_REQUIRE_FEATURE(kMsgNoSignal);
  const SocketKind kind = GetParam();
  Scenario s;
  s.Spawn("sender", [&](Process& p) {
    ::signal(SIGPIPE, SIG_DFL);  // a SIGPIPE now would kill this child
    TempDir dir;
    auto pair = ConnectedPair(kind, dir);
    ASSERT_THAT(pair, SyscallSucceeds());
    auto& [a, b] = *pair;
    ASSERT_THAT(Shutdown(a, SHUT_WR), SyscallSucceeds());
    EXPECT_THAT(::send(a.get(), "x", 1, kMsgNoSignalFlag), SyscallFailsWithErrno(EPIPE));
  });
  s.Run();
}

INSTANTIATE_TEST_SUITE_P(Kinds, StreamSigpipeTest, ::testing::ValuesIn(ByteStreamKinds()),
                         KindName);

// ---------------------------------------------------------------------------
// Never-connected connection-mode sockets (all connection kinds).

class StreamConnectionTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(StreamConnectionTest, SendAndWriteOnNeverConnectedSocketFail) {
  SOCKSPEC_RULE("stream.unconnected", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  s.Spawn("main", [&](Process& p) {
    IgnoreSigpipe();  // Linux TCP answers EPIPE and raises SIGPIPE
    Result<Fd> fd = kind.Create();
    ASSERT_THAT(fd, SyscallSucceeds());
    ssize_t r = ::send(fd->get(), "x", 1, 0);
    int e = errno;
    EXPECT_THAT(r, SyscallFailsWithErrnoIn({ENOTCONN, EPIPE}));
    if (r < 0) p.PublishText("send", ErrnoName(e));
    EXPECT_THAT(::write(fd->get(), "x", 1), SyscallFailsWithErrnoIn({ENOTCONN, EPIPE}));
  });
  s.Run();
  if (auto e = s.Published("send")) {
    RecordValue(std::string("stream.unconnected.send.") + kind.name, *e);
  }
}

TEST_P(StreamConnectionTest, RecvAndReadOnNeverConnectedSocketFail) {
  SOCKSPEC_RULE("stream.unconnected", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  // The expected answer is immediate. A wrongly blocking receive is bounded
  // by the scenario's watchdog, not by SO_RCVTIMEO (which POSIX lets an
  // implementation refuse) nor by O_NONBLOCK (which would make EAGAIN legal).
  Scenario s;
  s.Spawn("main", [&](Process& p) {
    Result<Fd> fd = kind.Create();
    ASSERT_THAT(fd, SyscallSucceeds());
    char b[4];
    ssize_t r = ::recv(fd->get(), b, sizeof b, 0);
    int e = errno;
    // POSIX: ENOTCONN. Linux AF_UNIX stream answers EINVAL (documented deviation).
    EXPECT_THAT(r, SyscallFailsWithErrnoIn({ENOTCONN, EINVAL}));
    if (r < 0) p.PublishText("recv", ErrnoName(e));
    EXPECT_THAT(::read(fd->get(), b, sizeof b), SyscallFailsWithErrnoIn({ENOTCONN, EINVAL}));
  });
  s.Run();
  if (auto e = s.Published("recv")) {
    RecordValue(std::string("stream.unconnected.recv.") + kind.name, *e);
  }
}

TEST_P(StreamConnectionTest, SendtoWithAddressOnConnectedSocketIsIgnoredOrEisconn) {
  SOCKSPEC_RULE("sendto.connected-stream", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  TempDir dir;
  auto pair = ConnectedPair(kind, dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  // Some other listening address of the same kind: if used, data would go there.
  Result<BoundSocket> other = MakeServer(kind, kind.AddressAt(dir.UniquePath("other")));
  ASSERT_THAT(other, SyscallSucceeds());
  SockAddr to = ToSockaddr(other->addr);
  ssize_t r = ::sendto(a.get(), "abc", 3, 0, to.get(), to.len);
  int e = errno;
  if (r < 0) {
    EXPECT_EQ(e, EISCONN) << DescribeErrno(e);
    RecordValue(std::string("sendto.connected-stream.") + kind.name, ErrnoName(e));
    return;
  }
  EXPECT_EQ(r, 3);
  RecordValue(std::string("sendto.connected-stream.") + kind.name, "address-ignored");
  // Ignored means: the data went to the connected peer.
  EXPECT_THAT(RecvAll(b, 3, kDataWait), SyscallSucceedsWithValue(Text("abc")));
  ASSERT_THAT(SetNonBlocking(other->fd), SyscallSucceeds());
  EXPECT_THAT(Accept(other->fd), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
}

TEST_P(StreamConnectionTest, ShutdownRdwrEndsBothDirections) {
  SOCKSPEC_RULE("shutdown.rdwr", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  Scenario s;
  s.Spawn("main", [&](Process& p) {
    IgnoreSigpipe();
    TempDir dir;
    auto pair = ConnectedPair(kind, dir);
    ASSERT_THAT(pair, SyscallSucceeds());
    auto& [a, b] = *pair;
    ASSERT_THAT(Send(a, AsBytes("before")), SyscallSucceedsWithValue(6u));
    ASSERT_THAT(Shutdown(a, SHUT_RDWR), SyscallSucceeds());
    EXPECT_THAT(::send(a.get(), "x", 1, 0), SyscallFailsWithErrno(EPIPE));
    // The peer gets what was sent before, then end of stream.
    char buf[16];
    // (a stream receive may be short: collect the six bytes, then the end)
    EXPECT_THAT(RecvAll(b, 6, kDataWait), SyscallSucceedsWithValue(Text("before")));
    EXPECT_THAT(::recv(b.get(), buf, sizeof buf, 0), SyscallSucceedsWithValue(0));
  });
  s.Run();
}

INSTANTIATE_TEST_SUITE_P(Kinds, StreamConnectionTest, ::testing::ValuesIn(ConnectionKinds()),
                         KindName);

// ---------------------------------------------------------------------------
// Every kind: shutdown with a bad `how`, receive with nothing to receive.

class StreamAnyKindTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(StreamAnyKindTest, ShutdownWithBadHowFailsEinvalAndChangesNothing) {
  SOCKSPEC_RULE("stream.shutdown-bad", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  for (int how : {-1, 3, 99}) {
    EXPECT_THAT(::shutdown(a.get(), how), SyscallFailsWithErrno(EINVAL)) << "how " << how;
  }
  // Neither direction was shut down by the failed calls.
  Delivery d = SendUntilReadable(GetParam(), a, b, "ping");
  if (d == Delivery::kLost) GTEST_SKIP() << kDatagramLost;
  ASSERT_EQ(d, Delivery::kReadable);
  EXPECT_THAT(RecvAll(b, 4, kDataWait), SyscallSucceedsWithValue(Text("ping")));
  d = SendUntilReadable(GetParam(), b, a, "pong");
  if (d == Delivery::kLost) GTEST_SKIP() << kDatagramLost;
  ASSERT_EQ(d, Delivery::kReadable);
  EXPECT_THAT(RecvAll(a, 4, kDataWait), SyscallSucceedsWithValue(Text("pong")));
}

// MSG_DONTWAIT is not POSIX: its own case, so it skips where it is absent.
TEST_P(StreamAnyKindTest, ReceiveWithNoDataFailsEagainViaMsgDontwait) {
  SOCKSPEC_RULE("recv.dontwait", Platform);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  SOCKSPEC_REQUIRE_FEATURE(kMsgDontwait);
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  char buf[8];
  // For this call only; the descriptor stays blocking.
  EXPECT_THAT(::recv(b.get(), buf, sizeof buf, kMsgDontwaitFlag),
              SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
  Result<int> flags = GetFlags(b);
  ASSERT_THAT(flags, SyscallSucceeds());
  EXPECT_EQ(*flags & O_NONBLOCK, 0);
}

TEST_P(StreamAnyKindTest, ReceiveWithNoDataFailsEagainViaONonblock) {
  SOCKSPEC_RULE("stream.nonblock-empty", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  char buf[8];
  // O_NONBLOCK (stream.nonblock-empty): recv, read and recvfrom all fail, never return 0.
  ASSERT_THAT(SetNonBlocking(b), SyscallSucceeds());
  EXPECT_THAT(::recv(b.get(), buf, sizeof buf, 0), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
  EXPECT_THAT(::read(b.get(), buf, sizeof buf), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
  sockaddr_storage from;
  socklen_t len = sizeof from;
  EXPECT_THAT(::recvfrom(b.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len),
              SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
  // Once data is there, the same call returns it.
  Delivery d = SendUntilReadable(GetParam(), a, b, "x");
  if (d == Delivery::kLost) GTEST_SKIP() << kDatagramLost;
  ASSERT_EQ(d, Delivery::kReadable);
  EXPECT_THAT(::recv(b.get(), buf, sizeof buf, 0), SyscallSucceedsWithValue(1));
}

TEST_P(StreamAnyKindTest, ReceiveTimeoutFailsEagainAfterTheTimeout) {
  SOCKSPEC_RULE("stream.rcvtimeo", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  constexpr auto kTimeout = std::chrono::milliseconds(30);
  timeval tv{0, static_cast<suseconds_t>(kTimeout.count() * 1000)};
  // POSIX setsockopt(): "not all implementations allow this option to be set".
  const std::string settable = std::string("stream.rcvtimeo.settable.") + GetParam().name;
  if (::setsockopt(b.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
    const int e = errno;
    RecordValue(settable, ErrnoName(e));
    GTEST_SKIP() << "SO_RCVTIMEO cannot be set here (" << DescribeErrno(e)
                 << "); POSIX lets an implementation refuse it";
  }
  RecordValue(settable, "yes");
  char buf[8];
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(::recv(b.get(), buf, sizeof buf, 0), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
  auto elapsed = std::chrono::steady_clock::now() - start;
  // A lower bound cannot flake under load; the upper bound is generous.
  EXPECT_GE(elapsed, kTimeout - std::chrono::milliseconds(5));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

INSTANTIATE_TEST_SUITE_P(Kinds, StreamAnyKindTest, ::testing::ValuesIn(AllKinds()), KindName);

// ---------------------------------------------------------------------------
// shutdown() on unconnected inet sockets, and descriptor errors.

class ShutdownUnconnectedTest : public ::testing::TestWithParam<SocketKind> {};

// POSIX mandates ENOTCONN for every socket type; Linux's unix_shutdown()
// accepts it on AF_UNIX (listed in expectations/linux).
TEST_P(ShutdownUnconnectedTest, ShutdownOfUnconnectedSocketFailsEnotconn) {
  SOCKSPEC_RULE("shutdown.enotconn", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  Result<Fd> fd = GetParam().Create();
  ASSERT_THAT(fd, SyscallSucceeds());
  EXPECT_THAT(Shutdown(*fd, SHUT_RDWR), SyscallFailsWithErrno(ENOTCONN));
}

INSTANTIATE_TEST_SUITE_P(Kinds, ShutdownUnconnectedTest, ::testing::ValuesIn(AllKinds()),
                         KindName);

// Out-of-band data exists on TCP (urgent data, tcp(7)).
class StreamTcpTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(StreamTcpTest, RecvOobWithNoUrgentDataFailsEinval) {
  SOCKSPEC_RULE("recv.oob-none", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  char c;
  EXPECT_THAT(::recv(b.get(), &c, 1, MSG_OOB | DontWait(b.get()).flags()), SyscallFailsWithErrno(EINVAL));
}

INSTANTIATE_TEST_SUITE_P(Kinds, StreamTcpTest, ::testing::ValuesIn(TcpKinds()), KindName);

// Descriptors that are not open (ClosedFd) or not sockets (MakePipe).

TEST(StreamDescriptorTest, ShutdownFailsEbadfOnClosedAndEnotsockOnPipe) {
  SOCKSPEC_RULE("shutdown.ebadf", Shall);
  SOCKSPEC_RULE("shutdown.enotsock", Shall);
  EXPECT_THAT(::shutdown(ClosedFd(), SHUT_RDWR), SyscallFailsWithErrno(EBADF));
  Result<Pipe> p = MakePipe("x");
  ASSERT_THAT(p, SyscallSucceeds());
  EXPECT_THAT(::shutdown(p->r.get(), SHUT_RDWR), SyscallFailsWithErrno(ENOTSOCK));
}

TEST(StreamDescriptorTest, SendFamilyFailsEbadfOnClosedAndEnotsockOnPipe) {
  SOCKSPEC_RULE("send.ebadf", Shall);
  SOCKSPEC_RULE("send.enotsock", Shall);
  sockaddr_storage to{};
  to.ss_family = AF_INET;
  char c = 'x';
  iovec iov{&c, 1};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  const socklen_t tolen = sizeof(sockaddr_in);
  const sockaddr* sa = reinterpret_cast<const sockaddr*>(&to);
  int fd = ClosedFd();
  EXPECT_THAT(::send(fd, &c, 1, 0), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(::sendto(fd, &c, 1, 0, sa, tolen), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(::sendmsg(fd, &m, 0), SyscallFailsWithErrno(EBADF));
  Result<Pipe> p = MakePipe("x");
  ASSERT_THAT(p, SyscallSucceeds());
  EXPECT_THAT(::send(p->w.get(), &c, 1, 0), SyscallFailsWithErrno(ENOTSOCK));
  EXPECT_THAT(::sendto(p->w.get(), &c, 1, 0, sa, tolen), SyscallFailsWithErrno(ENOTSOCK));
  EXPECT_THAT(::sendmsg(p->w.get(), &m, 0), SyscallFailsWithErrno(ENOTSOCK));
}

TEST(StreamDescriptorTest, RecvFamilyFailsEbadfOnClosedAndEnotsockOnPipe) {
  SOCKSPEC_RULE("recv.ebadf", Shall);
  SOCKSPEC_RULE("recv.enotsock", Shall);
  char c;
  iovec iov{&c, 1};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  int fd = ClosedFd();
  EXPECT_THAT(::recv(fd, &c, 1, 0), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(::recvfrom(fd, &c, 1, 0, nullptr, nullptr), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(::recvmsg(fd, &m, 0), SyscallFailsWithErrno(EBADF));
  // The pipe holds a byte: a recv that wrongly read it would succeed.
  Result<Pipe> p = MakePipe("x");
  ASSERT_THAT(p, SyscallSucceeds());
  EXPECT_THAT(::recv(p->r.get(), &c, 1, 0), SyscallFailsWithErrno(ENOTSOCK));
  EXPECT_THAT(::recvfrom(p->r.get(), &c, 1, 0, nullptr, nullptr), SyscallFailsWithErrno(ENOTSOCK));
  EXPECT_THAT(::recvmsg(p->r.get(), &m, 0), SyscallFailsWithErrno(ENOTSOCK));
}

}  // namespace
}  // namespace sockspec
