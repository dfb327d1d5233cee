// Data transfer on message-based sockets (SOCK_DGRAM, AF_UNIX SOCK_SEQPACKET):
// message boundaries, truncation, zero-length and oversized datagrams, peek,
// destination errors, and scatter-gather I/O on every kind.
//
// UDP may drop, duplicate and reorder datagrams even on loopback: the UDP
// cases identify each datagram by its content and assert only on what arrives
// (dgram.udp-unreliable), with bounded waits.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
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
using transfer::MayDrop;
using transfer::SendUntilReadable;
using transfer::kDataWait;
using transfer::Pattern;

// One datagram received with recvmsg into a buffer of `cap` bytes: its
// bytes, msg_flags, or nullopt when nothing arrived within `wait` (loss).
struct Message {
  std::string data;
  int flags = 0;
};
std::optional<Message> ReceiveOne(const Fd& fd, std::size_t cap,
                                  std::chrono::milliseconds wait = kDataWait) {
  Result<short> ready = Poll(fd, POLLIN, wait);
  if (!ready || *ready == 0) return std::nullopt;
  std::string buf(cap + 8, '\x5a');  // canaries past the buffer
  iovec iov{buf.data(), cap};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ssize_t n = ::recvmsg(fd.get(), &m, DontWait(fd.get()).flags());
  if (n < 0) {
    ADD_FAILURE() << "recvmsg after POLLIN: " << DescribeErrno(errno);
    return std::nullopt;
  }
  EXPECT_EQ(buf.substr(cap), std::string(8, '\x5a')) << "recvmsg wrote past its buffer";
  return Message{buf.substr(0, static_cast<std::size_t>(n)), m.msg_flags};
}

// Nothing left to receive (checked without blocking).
void ExpectNothingQueued(const Fd& fd) {
  char b[64];
  EXPECT_THAT(::recv(fd.get(), b, sizeof b, DontWait(fd.get()).flags()),
              SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
}

// ---------------------------------------------------------------------------
// Datagram kinds: UnixDgram, Udp4, Udp6.

class DgramTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(DgramTest, SendAndWriteOnUnconnectedSocketFailWithoutDestination) {
  SOCKSPEC_RULE("dgram.no-destination", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  Result<Fd> fd = GetParam().Create();
  ASSERT_THAT(fd, SyscallSucceeds());
  ssize_t r = ::send(fd->get(), "x", 1, 0);
  int e = errno;
  // POSIX send(): EDESTADDRREQ (no peer address set); its generic ENOTCONN
  // ("not connected") also applies. Linux AF_UNIX answers ENOTCONN.
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({EDESTADDRREQ, ENOTCONN}));
  if (r < 0) RecordValue(ValueName("dgram.no-destination.send", GetParam()), ErrnoName(e));
  // write() on a socket is send() with no flags.
  EXPECT_THAT(::write(fd->get(), "x", 1), SyscallFailsWithErrnoIn({EDESTADDRREQ, ENOTCONN}));
  char c = 'x';
  iovec iov{&c, 1};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  EXPECT_THAT(::sendmsg(fd->get(), &m, 0), SyscallFailsWithErrnoIn({EDESTADDRREQ, ENOTCONN}));
}

TEST_P(DgramTest, EachReceiveReturnsExactlyOneWholeDatagram) {
  SOCKSPEC_RULE("dgram.boundaries", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  // All distinct, each at most 2048 bytes and 2410 in all: the maximum
  // datagram size is the implementation's (send() [EMSGSIZE]); macOS and
  // FreeBSD 14.0 cap AF_UNIX datagrams at 2 KiB, and a BSD AF_UNIX receiver
  // holds about 4 KiB (addresses included) before sends fail ENOBUFS.
  const std::vector<std::size_t> sizes = {1, 300, 17, 2000, 2, 90};
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    sent.push_back(Pattern(sizes[i], 10 + static_cast<std::uint32_t>(i)));
    ASSERT_THAT(Send(a, AsBytes(sent.back())), SyscallSucceedsWithValue(sizes[i]));
  }
  int received = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    std::optional<Message> m = ReceiveOne(b, 8192);
    if (!m) break;  // lost (UDP): nothing more to check
    ++received;
    EXPECT_EQ(m->flags & MSG_TRUNC, 0);
    bool whole = false;
    for (const std::string& s : sent) whole |= (m->data == s);
    EXPECT_TRUE(whole) << "a receive returned " << m->data.size()
                       << " bytes that are not exactly one datagram sent";
  }
  RecordValue(ValueName("dgram.boundaries.received-of-6", GetParam()), received);
}

TEST_P(DgramTest, ShortBufferTruncatesSetsMsgTruncAndDiscardsTheRest) {
  SOCKSPEC_RULE("dgram.truncation", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ASSERT_THAT(Send(a, AsBytes("0123456789")), SyscallSucceedsWithValue(10u));
  ASSERT_THAT(Send(a, AsBytes("nx!")), SyscallSucceedsWithValue(3u));
  for (int i = 0; i < 2; ++i) {
    std::optional<Message> m = ReceiveOne(b, 4);
    if (!m) break;
    if (m->data == "0123") {
      EXPECT_NE(m->flags & MSG_TRUNC, 0) << "truncated datagram without MSG_TRUNC";
    } else if (m->data == "nx!") {
      EXPECT_EQ(m->flags & MSG_TRUNC, 0) << "MSG_TRUNC on a datagram that fit";
    } else {
      ADD_FAILURE() << "received \"" << m->data << "\": the excess of a truncated datagram "
                    << "must be discarded";
    }
  }
  ExpectNothingQueued(b);
}

TEST_P(DgramTest, RecordsWhetherZeroLengthDatagramIsDelivered) {
  SOCKSPEC_RULE("dgram.zero-length", May);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ASSERT_THAT(::send(a.get(), "", 0, 0), SyscallSucceedsWithValue(0));
  ASSERT_THAT(Send(a, AsBytes("z")), SyscallSucceedsWithValue(1u));
  std::optional<Message> first = ReceiveOne(b, 16);
  if (!first) GTEST_SKIP() << "nothing arrived (UDP loss); nothing to record";
  if (first->data.empty()) {
    RecordValue(ValueName("dgram.zero-length", GetParam()), "delivered");
    std::optional<Message> next = ReceiveOne(b, 16);
    if (next) {
      EXPECT_EQ(next->data, "z");
    }
  } else {
    EXPECT_EQ(first->data, "z");
    RecordValue(ValueName("dgram.zero-length", GetParam()), "not-delivered");
  }
}

TEST_P(DgramTest, DatagramOverTheMaximumFailsEmsgsizeAndSendsNothing) {
  SOCKSPEC_RULE("dgram.emsgsize", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  TempDir dir;
  auto pair = ConnectedPair(kind, dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  std::size_t size;
  switch (kind.domain) {
    case AF_INET: size = 65536 - 20 - 8; break;  // one past 65535 - IPv4 header - UDP header
    case AF_INET6: size = 65536 - 8; break;      // one past the 16-bit payload length - UDP header
    default: {
      Result<int> sndbuf = GetSockOptInt(a, SOL_SOCKET, SO_SNDBUF);
      ASSERT_THAT(sndbuf, SyscallSucceeds());
      size = 16u << 20;
      if (static_cast<std::size_t>(*sndbuf) >= size) {
        GTEST_SKIP() << "SO_SNDBUF " << *sndbuf << " is not below 16 MiB";
      }
    }
  }
  std::string big(size, 'b');
  ssize_t r = ::send(a.get(), big.data(), big.size(), DontWait(a.get()).flags());
  int e = errno;
  if (kind.is_unix()) {
    // unix(7): EMSGSIZE over the send buffer; BSDs may answer ENOBUFS.
    EXPECT_THAT(r, SyscallFailsWithErrnoIn({EMSGSIZE, ENOBUFS}));
    if (r < 0) RecordValue(ValueName("dgram.emsgsize.errno", kind), ErrnoName(e));
  } else {
    EXPECT_THAT(r, SyscallFailsWithErrno(EMSGSIZE));
  }
  ExpectNothingQueued(b);
}

TEST_P(DgramTest, SendtoAnotherAddressOnConnectedSocketOverridesOrFailsEisconn) {
  SOCKSPEC_RULE("sendto.connected-dgram", May);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  TempDir dir;
  auto pair = ConnectedPair(kind, dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  Result<BoundSocket> other = MakeBound(kind, kind.AddressAt(dir.UniquePath("c")));
  ASSERT_THAT(other, SyscallSucceeds());
  SockAddr to = ToSockaddr(other->addr);
  ssize_t r = ::sendto(a.get(), "over", 4, 0, to.get(), to.len);
  int e = errno;
  if (r < 0) {
    // POSIX sendto(): override the peer, or fail with EISCONN.
    EXPECT_EQ(e, EISCONN) << DescribeErrno(e);
    RecordValue(ValueName("sendto.connected-dgram", kind), ErrnoName(e));
    return;
  }
  RecordValue(ValueName("sendto.connected-dgram", kind), "override");
  std::optional<Message> m = ReceiveOne(other->fd, 16);
  if (m) {
    EXPECT_EQ(m->data, "over");
  }
  ExpectNothingQueued(b);  // not delivered to the connected peer
}

INSTANTIATE_TEST_SUITE_P(Kinds, DgramTest, ::testing::ValuesIn(DatagramKinds()), KindName);

// ---------------------------------------------------------------------------
// Message kinds (datagram kinds and UnixSeqpacket): MSG_PEEK.

class DgramMessageTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(DgramMessageTest, PeekReturnsTheSameWholeMessageUntilReceived) {
  SOCKSPEC_RULE("dgram.peek", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ASSERT_THAT(Send(a, AsBytes("first")), SyscallSucceedsWithValue(5u));
  ASSERT_THAT(Send(a, AsBytes("second")), SyscallSucceedsWithValue(6u));
  Result<short> ready = Poll(b, POLLIN, kDataWait);
  ASSERT_THAT(ready, SyscallSucceeds());
  if (*ready == 0 && MayDrop(GetParam())) GTEST_SKIP() << kDatagramLost << ": both of them";
  ASSERT_NE(*ready & POLLIN, 0) << "nothing to receive after two sends";
  std::string p1(16, '\0'), p2(16, '\0'), part(2, '\0'), got(16, '\0');
  // A short peek does not discard the rest of the message.
  Result<std::size_t> np = Recv(b, AsMutable(part), MSG_PEEK);
  ASSERT_THAT(np, SyscallSucceedsWithValue(2u));
  // Each receive below is bounded by a poll: a peek that consumed would
  // otherwise leave a later receive blocked for ever.
  ASSERT_THAT(Poll(b, POLLIN, kDataWait), SyscallSucceedsWithValue(::testing::Ne(0)));
  Result<std::size_t> n1 = Recv(b, AsMutable(p1), MSG_PEEK);
  ASSERT_THAT(n1, SyscallSucceeds());
  ASSERT_THAT(Poll(b, POLLIN, kDataWait), SyscallSucceedsWithValue(::testing::Ne(0)));
  Result<std::size_t> n2 = Recv(b, AsMutable(p2), MSG_PEEK);
  ASSERT_THAT(n2, SyscallSucceeds());
  p1.resize(*n1);
  p2.resize(*n2);
  EXPECT_TRUE(p1 == "first" || p1 == "second") << "peeked \"" << p1 << "\"";  // UDP may reorder
  EXPECT_EQ(p2, p1) << "a second peek returned another message";
  EXPECT_EQ(part, p1.substr(0, 2));
  ASSERT_THAT(Poll(b, POLLIN, kDataWait), SyscallSucceedsWithValue(::testing::Ne(0)));
  Result<std::size_t> n = Recv(b, AsMutable(got));
  ASSERT_THAT(n, SyscallSucceeds());
  got.resize(*n);
  EXPECT_EQ(got, p1) << "recv after peek returned another message";
  std::optional<Message> next = ReceiveOne(b, 16);
  if (next) {
    EXPECT_EQ(next->data, p1 == "first" ? "second" : "first");
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, DgramMessageTest, ::testing::ValuesIn(MessageKinds()), KindName);

// ---------------------------------------------------------------------------
// Every kind: sendmsg/writev gather and recvmsg/readv scatter.

class DgramScatterGatherTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(DgramScatterGatherTest, GatheredBytesArriveIntactAndScatterInOrder) {
  SOCKSPEC_RULE("io.scatter-gather", Shall);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  const SocketKind kind = GetParam();
  TempDir dir;
  auto pair = ConnectedPair(kind, dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  char p0[] = "ab", p2[] = "cdefg", p3[] = "h";
  iovec out[] = {{p0, 2}, {nullptr, 0}, {p2, 5}, {p3, 1}};
  msghdr m{};
  m.msg_iov = out;
  m.msg_iovlen = 4;
  // Round 0 gathers with sendmsg and scatters with recvmsg; round 1 with
  // writev and readv. Each round sends, then receives; a UDP datagram may be
  // lost even on loopback, so UDP sends again (at most 8 times).
  for (int round = 0; round < 2; ++round) {
    char r0[3], r1[1], r2[10];
    std::memset(r2, 0, sizeof r2);
    iovec in[] = {{r0, 3}, {r1, 1}, {r2, sizeof r2}};
    // (The sender's descriptor by value: clang cannot capture a structured binding.)
    const Delivery d = SendUntilReadable(kind, b, [&, tx = a.get()] {
      const ssize_t n = round == 0 ? ::sendmsg(tx, &m, 0) : ::writev(tx, out, 4);
      EXPECT_THAT(n, SyscallSucceedsWithValue(8)) << (round == 0 ? "sendmsg" : "writev");
      return n == 8;
    });
    if (d == Delivery::kLost) GTEST_SKIP() << kDatagramLost << " (round " << round << ")";
    ASSERT_EQ(d, Delivery::kReadable) << "round " << round;
    std::string got;
    if (kind.is_stream()) {
      // A stream may deliver the 8 bytes in any split: read until 8.
      Result<std::string> all = RecvAll(b, 8, kDataWait);
      ASSERT_THAT(all, SyscallSucceeds());
      got = *all;
    } else {
      msghdr rm{};
      rm.msg_iov = in;
      rm.msg_iovlen = 3;
      ssize_t n = round == 0 ? ::recvmsg(b.get(), &rm, 0) : ::readv(b.get(), in, 3);
      ASSERT_EQ(n, 8) << DescribeErrno(errno);
      if (round == 0) {
        EXPECT_EQ(rm.msg_flags & MSG_TRUNC, 0);
      }
      // Filled in order: each buffer completely before the next.
      EXPECT_EQ(std::string(r0, 3), "abc");
      EXPECT_EQ(std::string(r1, 1), "d");
      got = std::string(r0, 3) + std::string(r1, 1) + std::string(r2, 4);
    }
    EXPECT_EQ(got, "abcdefgh") << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, DgramScatterGatherTest, ::testing::ValuesIn(AllKinds()), KindName);

// ---------------------------------------------------------------------------
// UDP: record loss and order on loopback; assert only on what arrives.

class DgramUdpTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(DgramUdpTest, BurstOnLoopbackRecordsLossAndOrderAndArrivesIntact) {
  SOCKSPEC_RULE("dgram.udp-unreliable", May);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  constexpr int kCount = 64;
  for (int i = 0; i < kCount; ++i) {
    std::string d = std::to_string(i) + ":" + Pattern(100, static_cast<std::uint32_t>(i));
    ASSERT_THAT(Send(a, AsBytes(d)), SyscallSucceedsWithValue(d.size()));
  }
  int received = 0, last = -1;
  bool in_order = true;
  for (int i = 0; i < kCount; ++i) {
    std::optional<Message> m = ReceiveOne(b, 512, std::chrono::milliseconds(500));
    if (!m) break;
    ++received;
    std::size_t colon = m->data.find(':');
    ASSERT_NE(colon, std::string::npos) << "a datagram arrived damaged";
    int seq = std::stoi(m->data.substr(0, colon));
    EXPECT_EQ(m->data.substr(colon + 1), Pattern(100, static_cast<std::uint32_t>(seq)))
        << "datagram " << seq << " arrived damaged";
    if (seq < last) in_order = false;
    last = seq;
  }
  RecordValue(ValueName("dgram.udp-unreliable.received-of-64", GetParam()), received);
  RecordValue(ValueName("dgram.udp-unreliable.in-order", GetParam()), in_order ? "yes" : "no");
}

INSTANTIATE_TEST_SUITE_P(Kinds, DgramUdpTest, ::testing::ValuesIn(UdpKinds()), KindName);

// ---------------------------------------------------------------------------
// AF_UNIX datagrams.

const SocketKind kUnixDgram = KindNamed("UnixDgram");

TEST(DgramUnixTest, DatagramsArriveInOrderWithoutLossUnderPressure) {
  SOCKSPEC_RULE("dgram.unix-reliable", Platform);
  // Only Linux unix(7) documents this; POSIX promises no delivery for datagrams.
  SOCKSPEC_REQUIRE_FEATURE(kUnixDgramReliable);
  constexpr int kCount = 200;  // well over the default receive queue length
  Scenario s;
  const std::string path = s.Path("receiver");
  s.Spawn("receiver", [&](Process& p) {
    Result<BoundSocket> r = MakeBound(kUnixDgram, kUnixDgram.AddressAt(path));
    ASSERT_THAT(r, SyscallSucceeds());
    p.Publish("receiver", r->addr);
    for (int i = 0; i < kCount; ++i) {
      std::optional<Message> m = ReceiveOne(r->fd, 2048);
      ASSERT_TRUE(m) << "datagram " << i << " never arrived";
      ASSERT_EQ(m->data, std::to_string(i) + Pattern(static_cast<std::size_t>(i) * 7 % 1000,
                                                     static_cast<std::uint32_t>(i)))
          << "datagram " << i << " lost, reordered or damaged";
    }
  });
  s.Spawn("sender", [&](Process& p) {
    Address to = p.Await("receiver");
    Result<Fd> c = kUnixDgram.Create();
    ASSERT_THAT(c, SyscallSucceeds());
    ASSERT_THAT(Connect(*c, to), SyscallSucceeds());
    for (int i = 0; i < kCount; ++i) {
      // Blocking send: a full receiver makes the sender wait, not drop.
      std::string d = std::to_string(i) + Pattern(static_cast<std::size_t>(i) * 7 % 1000,
                                                  static_cast<std::uint32_t>(i));
      ASSERT_THAT(Send(*c, AsBytes(d)), SyscallSucceedsWithValue(d.size()));
    }
  });
  s.Run();
}

TEST(DgramUnixTest, SendtoMissingPathFailsEnoent) {
  SOCKSPEC_RULE("dgram.unix-enoent", Shall);
  TempDir dir;
  Result<Fd> fd = kUnixDgram.Create();
  ASSERT_THAT(fd, SyscallSucceeds());
  EXPECT_THAT(SendTo(*fd, AsBytes("x"), Address::UnixPath(dir.Path("missing"))),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(SendTo(*fd, AsBytes("x"), Address::UnixPath(dir.Path("no-dir/s"))),
              SyscallFailsWithErrno(ENOENT));
}

TEST(DgramUnixTest, SendtoPathThroughRegularFileFailsEnotdir) {
  SOCKSPEC_RULE("dgram.unix-enotdir", Shall);
  TempDir dir;
  Fd file(::open(dir.Path("file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  ASSERT_TRUE(file.valid()) << DescribeErrno(errno);
  Result<Fd> fd = kUnixDgram.Create();
  ASSERT_THAT(fd, SyscallSucceeds());
  EXPECT_THAT(SendTo(*fd, AsBytes("x"), Address::UnixPath(dir.Path("file/s"))),
              SyscallFailsWithErrno(ENOTDIR));
}

TEST(DgramUnixTest, SendToClosedPeerRecordsOutcome) {
  SOCKSPEC_RULE("dgram.unix-peer-closed", May);
  TempDir dir;
  auto pair = ConnectedPair(kUnixDgram, dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ASSERT_THAT(Close(b), SyscallSucceeds());
  for (const char* which : {"first", "second"}) {
    ssize_t r = ::send(a.get(), "x", 1, DontWait(a.get()).flags() | kMsgNoSignalFlag);
    int e = errno;
    if (r < 0) {
      EXPECT_THAT(r, SyscallFailsWithErrnoIn({ECONNREFUSED, ECONNRESET, EPIPE, ENOTCONN,
                                               EDESTADDRREQ}));
    }
    RecordValue(std::string("dgram.unix-peer-closed.") + which,
                r < 0 ? ErrnoName(e) : "succeeds");
  }
}

class DgramUnixOobTest : public ::testing::TestWithParam<SocketKind> {};

TEST_P(DgramUnixOobTest, SendOobRecordsSupportOrFailsEopnotsupp) {
  SOCKSPEC_RULE("send.oob-unix", May);
  SOCKSPEC_REQUIRE_KIND(GetParam());
  TempDir dir;
  auto pair = ConnectedPair(GetParam(), dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ssize_t r = ::send(a.get(), "!", 1, MSG_OOB);
  int e = errno;
  if (r < 0) {
    // POSIX send(): a flag the socket does not support is EOPNOTSUPP.
    EXPECT_EQ(e, EOPNOTSUPP) << DescribeErrno(e);
    RecordValue(ValueName("send.oob-unix", GetParam()), ErrnoName(e));
    return;
  }
  EXPECT_EQ(r, 1);
  RecordValue(ValueName("send.oob-unix", GetParam()), "supported");
  ASSERT_THAT(Poll(b, POLLIN | POLLPRI, kDataWait), SyscallSucceedsWithValue(::testing::Ne(0)));
  char c = 0;
  ssize_t got = ::recv(b.get(), &c, 1, MSG_OOB | DontWait(b.get()).flags());
  RecordValue(ValueName("send.oob-unix.recv-oob", GetParam()),
              got == 1 ? std::string(1, c) == "!" ? "byte" : "other" : ErrnoName(errno));
}

INSTANTIATE_TEST_SUITE_P(Kinds, DgramUnixOobTest, ::testing::ValuesIn(UnixKinds()), KindName);

// ---------------------------------------------------------------------------
// AF_UNIX SOCK_SEQPACKET (platform).

const SocketKind kSeqpacket = KindNamed("UnixSeqpacket");

TEST(SeqpacketTest, EachReceiveReturnsExactlyOneRecord) {
  SOCKSPEC_RULE("seqpacket.boundaries", Platform);
  SOCKSPEC_REQUIRE_KIND(kSeqpacket);
  TempDir dir;
  auto pair = ConnectedPair(kSeqpacket, dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  const std::vector<std::string> sent = {"hello", "x", Pattern(300, 5), Pattern(2000, 6)};
  for (const std::string& s : sent) {
    ASSERT_THAT(Send(a, AsBytes(s)), SyscallSucceedsWithValue(s.size()));
  }
  for (const std::string& s : sent) {
    std::optional<Message> m = ReceiveOne(b, 4096);
    ASSERT_TRUE(m) << "record lost";
    EXPECT_TRUE(m->data == s) << "got " << m->data.size() << " bytes, sent " << s.size();
    EXPECT_EQ(m->flags & MSG_TRUNC, 0);
  }
}

TEST(SeqpacketTest, ShortBufferDiscardsTheRestOfTheRecord) {
  SOCKSPEC_RULE("seqpacket.boundaries", Platform);
  SOCKSPEC_REQUIRE_KIND(kSeqpacket);
  TempDir dir;
  auto pair = ConnectedPair(kSeqpacket, dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ASSERT_THAT(Send(a, AsBytes("0123456789")), SyscallSucceedsWithValue(10u));
  ASSERT_THAT(Send(a, AsBytes("next")), SyscallSucceedsWithValue(4u));
  std::optional<Message> m = ReceiveOne(b, 4);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->data, "0123");
  RecordValue("seqpacket.boundaries.msg_trunc", (m->flags & MSG_TRUNC) ? "set" : "clear");
  std::optional<Message> next = ReceiveOne(b, 16);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->data, "next") << "the excess of a truncated record must be discarded";
}

TEST(SeqpacketTest, RecvReturnsZeroAfterPeerCloseOnceDrained) {
  SOCKSPEC_RULE("seqpacket.boundaries", Platform);
  SOCKSPEC_REQUIRE_KIND(kSeqpacket);
  TempDir dir;
  auto pair = ConnectedPair(kSeqpacket, dir);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;
  ASSERT_THAT(Send(a, AsBytes("bye")), SyscallSucceedsWithValue(3u));
  ASSERT_THAT(Close(a), SyscallSucceeds());
  std::string buf(16, '\0');
  EXPECT_THAT(Recv(b, AsMutable(buf)), SyscallSucceedsWithValue(3u));
  EXPECT_THAT(Recv(b, AsMutable(buf)), SyscallSucceedsWithValue(0u));
  EXPECT_THAT(Recv(b, AsMutable(buf)), SyscallSucceedsWithValue(0u));
}

}  // namespace
}  // namespace sockspec
