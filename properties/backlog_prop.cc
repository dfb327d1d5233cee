// Property 5: a listening AF_UNIX stream socket with backlog n admits at least
// n pending non-blocking connects before any accept, and accept later hands
// every admitted connection over, oldest first — with NULL address arguments
// and with real ones. Admitting more than n is legal: the capacity is
// recorded as an implementation-defined value, never failed on.
//
// A non-blocking connect may report EINPROGRESS (connect.nonblock): it is
// admitted once it completes (writable, SO_ERROR 0), and the next connect
// starts only then, so the queue keeps the order of the calls. Stream I/O may
// be short: the index is sent and received with the resuming helpers.
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "harness/features.h"
#include "harness/rules.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"
#include "properties/prop.h"

namespace sockspec {
namespace {

// Connects past any plausible capacity are not tried: the loop is bounded.
constexpr int kExtraTries = 64;
// How long a connect that said EINPROGRESS may take to complete. On loopback
// it is done at once; one still in progress after this waits for room in a
// full queue (listen.full-unix-nonblock allows that answer).
constexpr std::chrono::milliseconds kConnectWait{1000};
constexpr std::chrono::milliseconds kIoWait{5000};

struct CapacityStats {
  int min_excess = INT_MAX, max_excess = INT_MIN;
  std::map<int, int> capacity_by_backlog;  // the last capacity seen for each n
};

CapacityStats& Stats() {
  static CapacityStats s;
  return s;
}

SOCKSPEC_PROP(BacklogProperty, UnixListenerAdmitsBacklogThenAcceptsInOrder, 40, ()) {
  SOCKSPEC_PROP_RULE("listen.backlog-capacity", Shall);
  SOCKSPEC_PROP_RULE("listen.full-unix-nonblock", Shall);
  SOCKSPEC_PROP_RULE("accept.fifo", Shall);
  SOCKSPEC_PROP_RULE("accept.null-address", Shall);
  SOCKSPEC_PROP_RULE("accept.address", Shall);
  SOCKSPEC_PROP_RULE("connect.nonblock", Shall);
  prop::AtEnd([] {
    const CapacityStats& s = Stats();
    if (s.capacity_by_backlog.empty()) return;
    RecordValue("listen.backlog-capacity.UnixStream.excess-min", s.min_excess);
    RecordValue("listen.backlog-capacity.UnixStream.excess-max", s.max_excess);
    // Which backlogs were tried is random: these vary by run (cases/backlog.cc
    // records fixed ones).
    for (const auto& [n, cap] : s.capacity_by_backlog) {
      RecordVolatileValue("listen.backlog-capacity.UnixStream.b" + std::to_string(n), cap);
    }
  });
  const int n = *rc::gen::inRange(1, 33);
  TempDir dir;
  const Address addr = Address::UnixPath(dir.Path("listener"), SockType::kStream);
  Result<Fd> l = Socket(AF_UNIX, SOCK_STREAM);
  RC_ASSERT(l.ok());
  RC_ASSERT(Bind(*l, addr).ok());
  RC_ASSERT(Listen(*l, n).ok());
  RC_ASSERT(SetNonBlocking(*l).ok());

  // Connect until the queue is full, each client sending its index at once.
  std::vector<Fd> clients;
  int full_errno = 0;          // the error of the first connect not admitted
  bool full_in_progress = false;  // or: it stayed in progress (and was abandoned)
  int in_progress = 0;         // admitted connects that said EINPROGRESS first
  for (int i = 0; i < n + kExtraTries; ++i) {
    Result<Fd> c = Socket(AF_UNIX, SOCK_STREAM);
    RC_ASSERT(c.ok());
    RC_ASSERT(SetNonBlocking(*c).ok());
    Result<> r = Connect(*c, addr);
    if (!r.ok() && r.error() == EINPROGRESS) {
      Result<short> p = Poll(*c, POLLOUT, kConnectWait);
      RC_ASSERT(p.ok());
      if (*p == 0) {
        full_in_progress = true;  // closing *c abandons it, so accept never sees it
        break;
      }
      Result<int> err = GetSockOptInt(*c, SOL_SOCKET, SO_ERROR);
      RC_ASSERT(err.ok());
      if (*err != 0) {
        full_errno = *err;
        break;
      }
      ++in_progress;
    } else if (!r.ok()) {
      full_errno = r.error();
      break;
    }
    std::uint32_t index = static_cast<std::uint32_t>(i);
    Result<std::size_t> w = SendAll(*c, std::as_bytes(std::span(&index, 1)), 0, kIoWait);
    RC_ASSERT(w.ok());
    RC_ASSERT(*w == sizeof index);
    clients.push_back(std::move(*c));
  }
  const int capacity = static_cast<int>(clients.size());
  RC_ASSERT(capacity >= n);  // listen.backlog-capacity
  // listen.full-unix-nonblock: Linux EAGAIN, BSD ECONNREFUSED, or still in progress
  // (unless the bound was hit).
  if (capacity < n + kExtraTries && !full_in_progress) {
    RC_ASSERT(full_errno == EAGAIN || full_errno == EWOULDBLOCK || full_errno == ECONNREFUSED);
  }
  RC_CLASSIFY(in_progress > 0, "connect said EINPROGRESS");
  RC_CLASSIFY(full_in_progress, "full queue: connect stayed in progress");
  RC_CLASSIFY(capacity == n, "capacity == n");
  RC_CLASSIFY(capacity == n + 1, "capacity == n + 1");
  RC_CLASSIFY(capacity > n + 1, "capacity > n + 1");
  CapacityStats& s = Stats();
  s.min_excess = std::min(s.min_excess, capacity - n);
  s.max_excess = std::max(s.max_excess, capacity - n);
  s.capacity_by_backlog[n] = capacity;

  // Every admitted connection comes out of accept, in the order of connect.
  for (int i = 0; i < capacity; ++i) {
    const bool with_address = *rc::gen::arbitrary<bool>();
    // Bounded wait for the listener to show it (instant where connect completed at once).
    RC_ASSERT(Poll(*l, POLLIN, kIoWait).ok());
    Fd accepted;
    if (with_address) {
      Result<std::pair<Fd, Address>> a = AcceptWithAddress(*l);
      RC_ASSERT(a.ok());
      RC_ASSERT(a->second.is_unix());  // an unbound client: unnamed (accept.unnamed-peer)
      accepted = std::move(a->first);
    } else {
      Result<Fd> a = Accept(*l);
      RC_ASSERT(a.ok());
      accepted = std::move(*a);
    }
    // Stream reads may be short (stream.coalesce): gather the 4 bytes.
    Result<std::string> r = RecvAll(accepted, sizeof(std::uint32_t), kIoWait);
    RC_ASSERT(r.ok());
    RC_ASSERT(r->size() == sizeof(std::uint32_t));
    std::uint32_t index = UINT32_MAX;
    std::memcpy(&index, r->data(), sizeof index);
    RC_ASSERT(index == static_cast<std::uint32_t>(i));  // accept.fifo
  }
  Result<Fd> none = Accept(*l);
  RC_ASSERT(!none.ok());
  RC_ASSERT(none.error() == EAGAIN || none.error() == EWOULDBLOCK);
}

}  // namespace
}  // namespace sockspec
