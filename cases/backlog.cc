// Conformance cases for the listen queue: how many pending connections a
// backlog admits, what a client sees when the queue is full, and that every
// queued connection is accepted, in order. Rules listen.backlog-*,
// listen.full-*, listen.again, listen.queue-drain (catalogue: listen.tsv).
//
// POSIX.1-2024 XSH listen(): the backlog is a hint "the implementation shall
// use to limit the number of outstanding connections"; values up to
// SOMAXCONN shall be supported; a larger one is reduced to the limit; a
// negative one "behaves as if" 0; with 0 the queue length is an
// implementation-defined minimum.
//
// The queue is measured in-process with non-blocking connects from fresh
// sockets until one is not admitted. AF_UNIX refuses at once when full
// (Linux EAGAIN, BSD ECONNREFUSED). A full TCP listener drops the SYN, so
// the client stays in progress: once `backlog` connections are in (at least
// one, so a listen(0) queue's first connection is not rushed), each further
// attempt gets a short poll to complete (a loopback handshake completes
// within the connect call), so a TCP measurement costs one such wait. A
// FreeBSD listener completes every handshake in its syncache and resets the
// ones its full queue has no room for (syncache(4) rst_on_sock_fail): the
// client then reads ECONNRESET, a refusal of its own kind. Every count is
// bounded at backlog + 64.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cases/support.h"
#include "harness/address.h"
#include "harness/errno_name.h"
#include "harness/fd.h"
#include "harness/features.h"
#include "harness/kinds.h"
#include "harness/matchers.h"
#include "harness/rules.h"
#include "harness/scenario.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"

namespace sockspec {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kExtraWait{30};  // for an attempt beyond the backlog (see above)
constexpr int kSlack = 64;              // attempts beyond the backlog before giving up

// kReset: a TCP connection reset or aborted by the server after its
// handshake (the FreeBSD syncache's answer to a full queue, see above).
enum class Outcome { kAdmitted, kRefused, kReset, kPending };

struct Attempt {
  Outcome outcome = Outcome::kRefused;
  int err = 0;  // errno of a refused or reset connect
  Fd fd;        // the client socket (kept: closing it would free its slot)
};

// How a failed connect to `to` with `err` counts.
Outcome FailureOutcome(const Address& to, int err) {
  return to.is_inet() && (err == ECONNRESET || err == ECONNABORTED) ? Outcome::kReset
                                                                     : Outcome::kRefused;
}

// One non-blocking connect from `fd`; an in-progress connect gets `wait` to
// complete.
Attempt TryConnectFrom(Fd fd, const Address& to, milliseconds wait) {
  Attempt a;
  a.fd = std::move(fd);
  EXPECT_THAT(SetNonBlocking(a.fd), SyscallSucceeds());
  Result<> r = Connect(a.fd, to);
  if (r) {
    a.outcome = Outcome::kAdmitted;
  } else if (r.error() != EINPROGRESS) {
    a.err = r.error();
    a.outcome = FailureOutcome(to, a.err);
  } else {
    Result<short> ev = Poll(a.fd, POLLOUT, wait);
    if (!ev || *ev == 0) {
      a.outcome = Outcome::kPending;
    } else {
      int so = GetSockOptInt(a.fd, SOL_SOCKET, SO_ERROR).value();
      a.outcome = so == 0 ? Outcome::kAdmitted : FailureOutcome(to, so);
      a.err = so;
    }
  }
  return a;
}

// The same from a fresh, unbound socket of kind `k`.
Attempt TryConnect(const SocketKind& k, const Address& to, milliseconds wait) {
  return TryConnectFrom(k.Create().value(), to, wait);
}

struct Fill {
  std::vector<Fd> admitted;
  Attempt stopped;         // the first attempt not admitted, unless the bound was hit
  bool hit_bound = false;

  int count() const { return static_cast<int>(admitted.size()); }
  // "6", or ">=69" when the bound stopped the count.
  std::string Text() const { return (hit_bound ? ">=" : "") + std::to_string(count()); }
  // How the first connect past the limit ended: "EAGAIN", "in-progress",
  // "reset:ECONNRESET", ...
  std::string StopText() const {
    if (hit_bound) return "no-limit";
    if (stopped.outcome == Outcome::kPending) return "in-progress";
    if (stopped.outcome == Outcome::kReset) return "reset:" + ErrnoName(stopped.err);
    return ErrnoName(stopped.err);
  }
};

// Connects until one attempt is not admitted, at most `bound` admitted.
Fill FillQueue(const SocketKind& k, const Address& to, int backlog, int bound) {
  Fill f;
  while (f.count() < bound) {
    milliseconds wait = Scaled(f.count() < std::max(backlog, 1) ? kWait : kExtraWait);
    Attempt a = TryConnect(k, to, wait);
    if (a.outcome != Outcome::kAdmitted) {
      f.stopped = std::move(a);
      return f;
    }
    f.admitted.push_back(std::move(a.fd));
  }
  f.hit_bound = true;
  return f;
}

// A connect refused by a full queue fails with one of these (listen.full-*;
// EINPROGRESS is the POSIX non-blocking answer and shows up as kPending, a
// TCP reset after the handshake as kReset).
void ExpectLegalRefusal(const Fill& f) {
  if (f.hit_bound || f.stopped.outcome != Outcome::kRefused) return;
  int e = f.stopped.err;
  EXPECT_TRUE(e == EAGAIN || e == EWOULDBLOCK || e == ECONNREFUSED)
      << "a connect to a full queue failed with " << DescribeErrno(e);
}

// --- capacity ------------------------------------------------------------------

using KindAndBacklog = std::tuple<SocketKind, int>;

std::string KindAndBacklogName(const ::testing::TestParamInfo<KindAndBacklog>& info) {
  return std::string(std::get<0>(info.param).name) + "_b" +
         std::to_string(std::get<1>(info.param));
}

class BacklogCapacity : public ::testing::TestWithParam<KindAndBacklog> {};

// The system's run-time limit on the backlog where one can be read (Linux
// net.core.somaxconn, which an administrator may set to any value).
std::optional<long long> RuntimeSomaxconn() {
  const std::string v = ProcSysNet("core/somaxconn");
  if (v.empty()) return std::nullopt;
  return std::strtoll(v.c_str(), nullptr, 10);
}

TEST_P(BacklogCapacity, AdmitsAtLeastBacklogPendingConnections) {
  SOCKSPEC_RULE("listen.backlog-capacity", Shall);
  const auto& [k, backlog] = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<BoundSocket> l = MakeListener(k, k.BindableAddress(dir), backlog);
  ASSERT_THAT(l, SyscallSucceeds());
  Fill f = FillQueue(k, l->addr, backlog, backlog + kSlack);
  const std::string name = ValueName("listen.backlog-capacity", k, "b" + std::to_string(backlog));
  RecordValue(name, f.Text());
  RecordValue(name + ".stop", f.StopText());
  // The backlog is a limit the implementation "may ... silently reduce": the
  // floor is the backlog capped at the limit the system reports, where one
  // can be read; otherwise only that listen(n >= 1) admits a connection.
  std::optional<long long> limit = RuntimeSomaxconn();
  if (limit && *limit < 1) limit.reset();  // no usable limit
  const int want = limit ? static_cast<int>(std::min<long long>(backlog, *limit)) : 1;
  const std::string limit_text =
      limit ? "system limit " + std::to_string(*limit) : std::string("no readable system limit");
  EXPECT_GE(f.count(), want) << "listen(fd, " << backlog << ") admitted " << f.Text()
                             << " pending connections (" << limit_text
                             << "); stopped by: " << f.StopText();
  ExpectLegalRefusal(f);
}

INSTANTIATE_TEST_SUITE_P(Kinds, BacklogCapacity,
                         ::testing::Combine(::testing::ValuesIn(ConnectionKinds()),
                                            ::testing::Values(1, 2, 5, 16)),
                         KindAndBacklogName);

class Backlog : public ::testing::TestWithParam<SocketKind> {};
class BacklogUnix : public ::testing::TestWithParam<SocketKind> {};
class BacklogTcp : public ::testing::TestWithParam<SocketKind> {};

TEST_P(Backlog, ZeroBacklogCapacityIsRecorded) {
  SOCKSPEC_RULE("listen.backlog-zero", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<BoundSocket> l = MakeListener(k, k.BindableAddress(dir), 0);
  ASSERT_THAT(l, SyscallSucceeds());
  Fill f = FillQueue(k, l->addr, 0, kSlack);
  RecordValue(ValueName("listen.backlog-zero", k), f.Text());
  ExpectLegalRefusal(f);
}

TEST_P(Backlog, NegativeBacklogBehavesAsZero) {
  SOCKSPEC_RULE("listen.backlog-negative", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fill zero;
  {
    Result<BoundSocket> l = MakeListener(k, k.BindableAddress(dir), 0);
    ASSERT_THAT(l, SyscallSucceeds());
    zero = FillQueue(k, l->addr, 0, kSlack);
  }
  Result<BoundSocket> l = MakeBound(k, k.BindableAddress(dir));
  ASSERT_THAT(l, SyscallSucceeds());
  EXPECT_THAT(Listen(l->fd, -1), SyscallSucceeds());
  Fill negative = FillQueue(k, l->addr, 0, kSlack);
  RecordValue(ValueName("listen.backlog-negative", k), negative.Text());
  EXPECT_EQ(negative.Text(), zero.Text())
      << "listen(fd, -1) admitted " << negative.Text() << " connections, listen(fd, 0) "
      << zero.Text() << " (POSIX: a negative backlog behaves as 0)";
}

TEST_P(Backlog, BacklogUpToSomaxconnIsSupported) {
  SOCKSPEC_RULE("listen.backlog-somaxconn", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<BoundSocket> l = MakeBound(k, k.BindableAddress(dir));
  ASSERT_THAT(l, SyscallSucceeds());
  EXPECT_THAT(Listen(l->fd, SOMAXCONN), SyscallSucceeds());
  EXPECT_THAT(GetSockOptInt(l->fd, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithNonZero());
  Attempt a = TryConnect(k, l->addr, Scaled(kWait));
  EXPECT_EQ(a.outcome, Outcome::kAdmitted) << DescribeErrno(a.err);
}

TEST_P(Backlog, BacklogOverTheMaximumIsReducedSilently) {
  SOCKSPEC_RULE("listen.backlog-over-max", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  RecordValue("listen.somaxconn", static_cast<long long>(SOMAXCONN));
  // Linux's run-time limit, if present.
  if (std::optional<long long> runtime = RuntimeSomaxconn()) {
    RecordValue("listen.somaxconn.runtime", *runtime);
  }
  TempDir dir;
  Result<BoundSocket> l = MakeBound(k, k.BindableAddress(dir));
  ASSERT_THAT(l, SyscallSucceeds());
  // "If backlog exceeds this limit, the length of the listen queue is set to
  // the limit": the call itself succeeds.
  EXPECT_THAT(Listen(l->fd, INT_MAX), SyscallSucceeds());
  EXPECT_THAT(GetSockOptInt(l->fd, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithNonZero());
  Attempt a = TryConnect(k, l->addr, Scaled(kWait));
  EXPECT_EQ(a.outcome, Outcome::kAdmitted) << DescribeErrno(a.err);
}

TEST_P(Backlog, ListenAgainOnAListener) {
  SOCKSPEC_RULE("listen.again", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<BoundSocket> l = MakeListener(k, k.BindableAddress(dir), 1);
  ASSERT_THAT(l, SyscallSucceeds());
  Result<> again = Listen(l->fd, 5);
  RecordValue(ValueName("listen.again", k), again ? "ok" : ErrnoName(again.error()));
  if (!again) return;
  EXPECT_THAT(GetSockOptInt(l->fd, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithNonZero());
  // Whether the new backlog took effect: the capacity after listen(1), listen(5).
  Fill f = FillQueue(k, l->addr, 1, 5 + kSlack);
  RecordValue(ValueName("listen.again", k, "capacity-b1-then-b5"), f.Text());
  EXPECT_GE(f.count(), 1);
  ExpectLegalRefusal(f);
}

// --- full queues -----------------------------------------------------------------

TEST_P(BacklogUnix, NonBlockingConnectToAFullQueueFails) {
  SOCKSPEC_RULE("listen.full-unix-nonblock", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<BoundSocket> l = MakeListener(k, k.BindableAddress(dir), 1);
  ASSERT_THAT(l, SyscallSucceeds());
  Fill f = FillQueue(k, l->addr, 1, 1 + kSlack);
  ASSERT_FALSE(f.hit_bound) << "listen(fd, 1) admitted " << f.Text() << " connections";
  RecordValue(ValueName("errno.listen.full-unix-nonblock", k), f.StopText());
  // EINPROGRESS (the POSIX answer for a non-blocking connect that cannot
  // complete at once) would show as "in-progress"; otherwise a failure.
  if (f.stopped.outcome == Outcome::kRefused) ExpectLegalRefusal(f);
  if (f.stopped.outcome == Outcome::kPending) return;  // that attempt now waits for room

  // Accepting one makes room: the next connect is admitted.
  ASSERT_THAT(AcceptBounded(l->fd), SyscallSucceeds());
  Attempt next = TryConnect(k, l->addr, Scaled(kWait));
  EXPECT_EQ(next.outcome, Outcome::kAdmitted) << DescribeErrno(next.err);
}

TEST_P(BacklogUnix, BlockingConnectToAFullQueueWaitsForRoom) {
  SOCKSPEC_RULE("listen.full-unix-block", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  Scenario s;
  const Address listen_at = Address::UnixPath(s.Path("listener"), k.sock_type());
  s.Spawn("server", [&](Process& p) {
    Result<BoundSocket> listener = MakeListener(k, listen_at, 1);
    ASSERT_THAT(listener, SyscallSucceeds());
    const Fd& l = listener->fd;
    Fill f = FillQueue(k, listen_at, 1, 1 + kSlack);
    ASSERT_FALSE(f.hit_bound);
    if (f.stopped.outcome != Outcome::kRefused) {
      p.PublishText("result", "queue-never-refuses");  // nothing to observe here
      p.Signal("go");
      return;
    }
    for (Fd& fd : f.admitted) ASSERT_THAT(SendAll(fd, AsBytes("F")), SyscallSucceeds());
    p.Signal("go");
    p.WaitFor("connecting");
    // Still full: a blocking connect now has to wait (non-blocking probe).
    Attempt probe = TryConnect(k, listen_at, milliseconds(0));
    EXPECT_NE(probe.outcome, Outcome::kAdmitted) << "the full queue admitted a connection";
    // Make room, and learn what the blocked client got.
    Result<Fd> first = Accept(l);
    ASSERT_THAT(first, SyscallSucceeds());
    EXPECT_THAT(RecvAll(*first, 1), SyscallSucceedsWithValue(std::string("F")));
    std::string result = p.AwaitText("result");
    if (result != "connected") return;
    // The client's connection is in the queue behind the fillers.
    bool seen = false;
    for (std::size_t i = 1; i <= f.admitted.size() && !seen; ++i) {
      Result<Fd> c = Accept(l);
      ASSERT_THAT(c, SyscallSucceeds());
      Result<std::string> b = RecvAll(*c, 1);
      ASSERT_THAT(b, SyscallSucceeds());
      seen = *b == "C";
    }
    EXPECT_TRUE(seen) << "the client's connect succeeded but no accept returned it";
  });
  s.Spawn("client", [&](Process& p) {
    p.WaitFor("go");
    Fd c = k.Create().value();
    p.Signal("connecting");
    Result<> r = Connect(c, listen_at);  // blocks while the queue is full, if it waits
    p.PublishText("result", r ? "connected" : ErrnoName(r.error()));
    if (r) { ASSERT_THAT(SendAll(c, AsBytes("C")), SyscallSucceeds()); }
  });
  s.Run();
  std::optional<std::string> result = s.Published("result");
  ASSERT_TRUE(result.has_value());
  RecordValue(ValueName("listen.full-unix-block", k),
              *result == "connected" ? "waits" : *result);
  // Waiting for room, or refusing like a non-blocking connect, are the legal answers.
  EXPECT_TRUE(*result == "connected" || *result == "ECONNREFUSED" || *result == "EAGAIN" ||
              *result == "queue-never-refuses")
      << *result;
}

TEST_P(BacklogTcp, ConnectToAFullTcpQueueIsRecorded) {
  SOCKSPEC_RULE("listen.full-tcp", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Result<BoundSocket> l = MakeListener(k, k.BindableAddress(dir), 1);
  ASSERT_THAT(l, SyscallSucceeds());
  Fill f = FillQueue(k, l->addr, 1, 1 + kSlack);
  RecordValue(ValueName("listen.full-tcp", k), f.StopText());
  EXPECT_GE(f.count(), 1);
}

// --- draining the queue ---------------------------------------------------------

struct DrainCase {
  SocketKind kind;
  bool with_address;
};

// GoogleTest prints a parameter without a PrintTo as its raw bytes (a pointer among
// them), which would make the listed names differ from build to build.
void PrintTo(const DrainCase& c, std::ostream* os) {
  *os << c.kind.name << (c.with_address ? " with address" : " with null address");
}

std::string DrainName(const ::testing::TestParamInfo<DrainCase>& info) {
  return std::string(info.param.kind.name) + (info.param.with_address ? "_Address" : "_Null");
}

std::vector<DrainCase> DrainCases() {
  std::vector<DrainCase> out;
  for (const SocketKind& k : ConnectionKinds()) {
    out.push_back({k, false});
    out.push_back({k, true});
  }
  return out;
}

class BacklogDrain : public ::testing::TestWithParam<DrainCase> {};

TEST_P(BacklogDrain, EveryQueuedConnectionIsAcceptedInArrivalOrder) {
  SOCKSPEC_RULE("listen.queue-drain", Shall);
  const SocketKind& k = GetParam().kind;
  const bool with_address = GetParam().with_address;
  SOCKSPEC_REQUIRE_KIND(k);
  constexpr int kClients = 5;
  TempDir dir;
  Result<BoundSocket> l = MakeListener(k, k.BindableAddress(dir), kClients);
  ASSERT_THAT(l, SyscallSucceeds());
  std::vector<Fd> clients;
  std::vector<Address> names;
  for (int i = 0; i < kClients; ++i) {
    Fd c = k.Create().value();
    // Named AF_UNIX clients, so the accepted address can be compared.
    if (k.is_unix()) { ASSERT_THAT(Bind(c, k.BindableAddress(dir)), SyscallSucceeds()); }
    Attempt a = TryConnectFrom(std::move(c), l->addr, Scaled(kWait));
    ASSERT_EQ(a.outcome, Outcome::kAdmitted) << "client " << i << ": " << DescribeErrno(a.err);
    names.push_back(GetSockName(a.fd).value());
    ASSERT_THAT(SendAll(a.fd, AsBytes(std::string(1, static_cast<char>('0' + i)))),
                SyscallSucceeds());
    clients.push_back(std::move(a.fd));
  }
  for (int i = 0; i < kClients; ++i) {
    ASSERT_THAT(Poll(l->fd, POLLIN, Scaled(kWait)), SyscallSucceedsWithValue(::testing::Ne(0)));
    Fd conn;
    if (with_address) {
      Result<std::pair<Fd, Address>> r = AcceptWithAddress(l->fd);
      ASSERT_THAT(r, SyscallSucceeds());
      conn = std::move(r->first);
      EXPECT_EQ(r->second, names[i]) << "accept #" << i;
    } else {
      Result<Fd> r = Accept(l->fd);
      ASSERT_THAT(r, SyscallSucceeds());
      conn = std::move(*r);
    }
    Result<std::string> b = RecvAll(conn, 1, Scaled(kWait));
    ASSERT_THAT(b, SyscallSucceeds());
    EXPECT_EQ(*b, std::string(1, static_cast<char>('0' + i)))
        << "accept #" << i << " returned client " << *b;
  }
  // Drained: nothing is left in the queue.
  ASSERT_THAT(SetNonBlocking(l->fd), SyscallSucceeds());
  EXPECT_THAT(Accept(l->fd), SyscallFailsWithErrnoIn({EAGAIN, EWOULDBLOCK}));
  EXPECT_THAT(GetSockOptInt(l->fd, SOL_SOCKET, SO_ACCEPTCONN), SyscallSucceedsWithNonZero());
}

INSTANTIATE_TEST_SUITE_P(Kinds, Backlog, ::testing::ValuesIn(ConnectionKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, BacklogUnix, ::testing::ValuesIn(UnixConnectionKinds()),
                         KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, BacklogTcp, ::testing::ValuesIn(TcpKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, BacklogDrain, ::testing::ValuesIn(DrainCases()), DrainName);

}  // namespace
}  // namespace sockspec
