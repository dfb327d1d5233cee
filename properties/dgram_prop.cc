// Property 4: message boundaries. AF_UNIX datagram and seqpacket sockets hand
// over each message whole, one per receive, in order (AF_UNIX datagrams in
// order and without loss only where kUnixDgramReliable holds); a short buffer
// gets the head of the message and MSG_TRUNC. UDP on loopback may lose or
// reorder (never fail on that: count and classify it), but whatever arrives is
// one sent datagram, whole and unaltered.
//
// In-process: both ends are non-blocking in this process, every wait is a
// bounded poll.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "harness/features.h"
#include "harness/kinds.h"
#include "harness/rules.h"
#include "harness/scenario.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"
#include "properties/prop.h"

namespace sockspec {
namespace {

// Message i of a case: a 4-byte index, then bytes derived from the index and a seed.
std::string Message(std::uint32_t index, std::size_t size, std::uint32_t seed) {
  std::string m(std::max<std::size_t>(size, 4), '\0');
  std::memcpy(m.data(), &index, 4);
  std::uint32_t x = seed * 2654435761u + index;
  for (std::size_t i = 4; i < m.size(); ++i) {
    x = x * 1103515245u + 12345u;
    m[i] = static_cast<char>(x >> 16);
  }
  return m;
}

struct Received {
  std::string data;   // what the buffer got
  std::size_t returned = 0;
  bool truncated = false;  // MSG_TRUNC in msg_flags
};

// recvmsg, so the MSG_TRUNC flag is visible. Waits (bounded) for a message first.
Result<Received> ReceiveOne(const Fd& fd, std::size_t buffer, int wait_ms) {
  Result<short> ready = Poll(fd, POLLIN, std::chrono::milliseconds(wait_ms));
  if (!ready.ok()) return Result<Received>::Err(ready.error(), ready.call());
  std::string buf(buffer, '\0');
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ssize_t n = ::recvmsg(fd.get(), &msg, DontWait(fd.get()).flags());
  if (n < 0) return Result<Received>::Err(errno, "recvmsg");
  Received r;
  r.returned = static_cast<std::size_t>(n);
  r.data = buf.substr(0, r.returned);
  r.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  return Result<Received>::Ok(r, "recvmsg");
}

// A connected pair of the kind, both non-blocking: datagram sockets bound and
// connected to each other, seqpacket/stream through listen/accept.
struct Pair {
  Fd sender, receiver;
};

Pair MakePair(const SocketKind& kind, TempDir& dir) {
  Pair p;
  Result<Fd> rx = kind.Create();
  RC_ASSERT(rx.ok());
  RC_ASSERT(Bind(*rx, kind.BindableAddress(dir)).ok());
  Result<Address> rx_addr = GetSockName(*rx);
  RC_ASSERT(rx_addr.ok());
  Result<Fd> tx = kind.Create();
  RC_ASSERT(tx.ok());
  if (kind.is_dgram()) {
    RC_ASSERT(Connect(*tx, *rx_addr).ok());
    p.receiver = std::move(*rx);
  } else {
    RC_ASSERT(Listen(*rx, 1).ok());
    RC_ASSERT(Connect(*tx, *rx_addr).ok());
    Result<Fd> acc = Accept(*rx);
    RC_ASSERT(acc.ok());
    p.receiver = std::move(*acc);
  }
  p.sender = std::move(*tx);
  RC_ASSERT(SetNonBlocking(p.sender).ok());
  RC_ASSERT(SetNonBlocking(p.receiver).ok());
  return p;
}

// Batches of message sizes: each batch is sent, then received (Linux's AF_UNIX
// datagram queue holds a whole batch; a smaller queue is drained when full).
rc::Gen<std::vector<std::vector<std::size_t>>> Batches(std::size_t max_size) {
  return rc::gen::container<std::vector<std::vector<std::size_t>>>(
      rc::gen::mapcat(rc::gen::inRange(1, 9), [max_size](int n) {
        return rc::gen::container<std::vector<std::size_t>>(
            n, rc::gen::inRange<std::size_t>(4, max_size + 1));
      }));
}

// One receive where datagrams may be lost or reordered (each message starts with its
// 4-byte index, Message()): waits up to `wait_ms`; nullopt when none came. What came
// must be one of `sent` (indexed by the message's index), not received before (`seen`,
// marked here), whole or its head with MSG_TRUNC. Returns its index.
std::optional<std::uint32_t> ReceiveUnordered(const Fd& fd, std::size_t buffer, int wait_ms,
                                              const std::vector<std::string>& sent,
                                              std::vector<bool>& seen) {
  Result<Received> r = ReceiveOne(fd, buffer, wait_ms);
  if (!r.ok() && (r.error() == EAGAIN || r.error() == EWOULDBLOCK)) return std::nullopt;
  RC_ASSERT(r.ok());
  RC_ASSERT(r->data.size() >= 4);
  std::uint32_t i;
  std::memcpy(&i, r->data.data(), 4);
  RC_ASSERT(i < sent.size());  // one of those sent
  RC_ASSERT(!seen[i]);         // not duplicated
  seen[i] = true;
  const std::string& m = sent[i];
  RC_ASSERT(r->data == m.substr(0, std::min(buffer, m.size())));  // whole and unaltered
  RC_ASSERT(r->truncated == (buffer < m.size()));
  return i;
}

// Loss and reordering of AF_UNIX datagrams seen where kUnixDgramReliable is
// absent: recorded after the property's last case, never failed on.
struct UnorderedUnixStats {
  std::size_t cases = 0, sent = 0, lost = 0, reordered = 0;
};

UnorderedUnixStats& UnorderedUnix() {
  static UnorderedUnixStats s;
  return s;
}

SOCKSPEC_PROP(DatagramProperty, UnixMessagesArriveWholeOneByOneInOrder, 60, ()) {
  SOCKSPEC_PROP_RULE("dgram.boundaries", Shall);
  SOCKSPEC_PROP_RULE("dgram.truncation", Shall);
  // The platform rules only where their feature is (else the cases report the skip).
  if (Have(Feature::kUnixDgramReliable)) SOCKSPEC_PROP_RULE("dgram.unix-reliable", Platform);
  if (Have(Feature::kUnixSeqpacket)) SOCKSPEC_PROP_RULE("seqpacket.boundaries", Platform);
  prop::AtEnd([] {
    UnorderedUnixStats& s = UnorderedUnix();
    if (s.cases == 0) return;  // every case asserted order and no loss
    // The counts depend on the random batches: they vary by run.
    RecordVolatileValue("dgram.unix-reliable.UnixDgram.sent", static_cast<long long>(s.sent));
    RecordVolatileValue("dgram.unix-reliable.UnixDgram.lost", static_cast<long long>(s.lost));
    RecordVolatileValue("dgram.unix-reliable.UnixDgram.reordered",
                        static_cast<long long>(s.reordered));
    s = {};
  });
  const SocketKind kind = *rc::gen::element(SocketKind{"UnixDgram", AF_UNIX, SOCK_DGRAM},
                                            SocketKind{"UnixSeqpacket", AF_UNIX, SOCK_SEQPACKET});
  if (!kind.Available()) RC_DISCARD(kind.MissingFeature());
  RC_TAG(kind.name);
  // SOCK_SEQPACKET is sequenced and reliable by definition (POSIX XSH 2.10.6). AF_UNIX
  // datagrams are so only where the platform documents it (Linux unix(7)); POSIX promises
  // no delivery for datagrams (XSH send()). Elsewhere every receive must still be one
  // message sent, whole, received once; loss and order are counted (as for UDP below).
  const bool ordered = kind.is_seqpacket() || Have(Feature::kUnixDgramReliable);
  const auto batches = *Batches(2048);
  const auto seed = *rc::gen::arbitrary<std::uint32_t>();
  TempDir dir;
  Pair p = MakePair(kind, dir);
  std::vector<std::string> sent;  // every message of the case, by index
  std::vector<bool> seen;         // unordered: which have been received
  std::size_t drained = 0;        // how many were sent before the last drain
  std::size_t received = 0;
  std::size_t reordered = 0;
  std::uint32_t last = 0;  // unordered: the index received last
  bool any_truncated = false;
  bool any_full = false;
  const auto nothing_queued = [&] {
    std::byte extra[1];
    Result<std::size_t> none = Recv(p.receiver, extra);
    RC_ASSERT(!none.ok());
    RC_ASSERT(none.error() == EAGAIN || none.error() == EWOULDBLOCK);
  };
  // Ordered: receives the queued messages in the order sent, each with a buffer that fits or a
  // short one (MSG_TRUNC, head of the message); then nothing is left over (each receive took
  // exactly one message).
  const auto receive_in_order = [&] {
    for (std::size_t k = drained; k < sent.size(); ++k) {
      const std::string& m = sent[k];
      const bool shorten = *rc::gen::inRange(0, 4) == 0;
      const std::size_t buffer =
          shorten ? *rc::gen::inRange<std::size_t>(1, m.size()) : m.size() + *rc::gen::inRange(0, 64);
      any_truncated = any_truncated || shorten;
      Result<Received> r = ReceiveOne(p.receiver, buffer, 1000);
      RC_ASSERT(r.ok());
      RC_ASSERT(r->data == m.substr(0, std::min(buffer, m.size())));
      RC_ASSERT(r->truncated == shorten);
      ++received;
    }
    nothing_queued();
  };
  // Unordered: receives as many messages as were sent since the last drain, or until none
  // comes in time (loss is then legal). Each receive is a message sent and not received before
  // (a late one from an earlier drain counts too), whole or its head with MSG_TRUNC; the buffer
  // holds at least the 4-byte index that names it.
  const auto receive_any = [&] {
    for (std::size_t got = 0; got < sent.size() - drained; ++got) {
      const bool shorten = *rc::gen::inRange(0, 4) == 0;
      const std::size_t buffer = shorten ? *rc::gen::inRange<std::size_t>(4, 64) : 2048 + 64;
      // Short bounded waits: on the systems known a successful AF_UNIX send has queued the
      // message already, so the wait only tolerates a slower one, and a lost message (legal
      // here) costs little.
      const std::optional<std::uint32_t> i =
          ReceiveUnordered(p.receiver, buffer, got == 0 ? 100 : 10, sent, seen);
      if (!i) break;
      any_truncated = any_truncated || buffer < sent[*i].size();
      if (received > 0 && *i < last) ++reordered;
      last = *i;
      ++received;
    }
    // All came: anything more would be a duplicate or a message never sent.
    if (received == sent.size()) nothing_queued();
  };
  const auto receive_all = [&] {
    if (ordered) {
      receive_in_order();
    } else {
      receive_any();
    }
    drained = sent.size();
  };
  for (const auto& batch : batches) {
    for (std::size_t size : batch) {
      std::string m = Message(static_cast<std::uint32_t>(sent.size()), size, seed);
      Result<std::size_t> w = Send(p.sender, AsBytes(m));
      // A full receiver: the queue's size is the implementation's (Linux holds a batch; a BSD
      // AF_UNIX receiver about 4 KiB, then ENOBUFS). Drain what is queued, then send again.
      if (!w.ok() && drained < sent.size() &&
          (w.error() == EAGAIN || w.error() == EWOULDBLOCK || w.error() == ENOBUFS)) {
        any_full = true;
        receive_all();
        w = Send(p.sender, AsBytes(m));
      }
      RC_ASSERT(w.ok());
      RC_ASSERT(*w == m.size());
      sent.push_back(std::move(m));
      seen.push_back(false);
    }
    receive_all();
  }
  RC_CLASSIFY(any_truncated, "truncated receives");
  RC_CLASSIFY(any_full, "receiver full");
  if (!ordered) {
    UnorderedUnixStats& s = UnorderedUnix();
    ++s.cases;
    s.sent += sent.size();
    s.lost += sent.size() - received;
    s.reordered += reordered;
    RC_CLASSIFY(true, "order and loss only counted");
    RC_CLASSIFY(received < sent.size(), "datagrams lost");
    RC_CLASSIFY(reordered > 0, "datagrams reordered");
  }
}

SOCKSPEC_PROP(DatagramProperty, UdpDeliversWholeSentDatagramsOrNone, 40, ()) {
  SOCKSPEC_PROP_RULE("dgram.boundaries", Shall);
  SOCKSPEC_PROP_RULE("dgram.truncation", Shall);
  SOCKSPEC_PROP_RULE("dgram.udp-unreliable", May);
  const SocketKind kind = *rc::gen::element(SocketKind{"Udp4", AF_INET, SOCK_DGRAM},
                                            SocketKind{"Udp6", AF_INET6, SOCK_DGRAM});
  if (!kind.Available()) RC_DISCARD(kind.MissingFeature());
  RC_TAG(kind.name);
  const auto batches = *Batches(1400);
  const auto seed = *rc::gen::arbitrary<std::uint32_t>();
  TempDir dir;
  Pair p = MakePair(kind, dir);
  // Every datagram of the case, by index: one that comes late may come in a later batch's
  // receives (UDP may reorder), so no wait has to outlast a lost one. The waits are short
  // (a lossy system would otherwise wait out every loss) and only decide what is counted
  // lost or reordered; a batch's first wait is longer, so a slow system's datagrams are
  // still received and checked.
  const int first_wait_ms = static_cast<int>(Scaled(std::chrono::milliseconds(250)).count());
  const int next_wait_ms = static_cast<int>(Scaled(std::chrono::milliseconds(10)).count());
  std::vector<std::string> sent;
  std::vector<bool> seen;
  std::size_t received = 0, reordered = 0;
  std::optional<std::uint32_t> last;
  for (const auto& batch : batches) {
    for (std::size_t size : batch) {
      sent.push_back(Message(static_cast<std::uint32_t>(sent.size()), size, seed));
      seen.push_back(false);
      Result<std::size_t> w = Send(p.sender, AsBytes(sent.back()));
      RC_ASSERT(w.ok());
      RC_ASSERT(*w == sent.back().size());
    }
    for (std::size_t got = 0; received < sent.size(); ++got, ++received) {
      const bool shorten = *rc::gen::inRange(0, 4) == 0;
      const std::size_t buffer = shorten ? *rc::gen::inRange<std::size_t>(4, 64) : 1500;
      // One of the case's datagrams not received before.
      const std::optional<std::uint32_t> i = ReceiveUnordered(
          p.receiver, buffer, got == 0 ? first_wait_ms : next_wait_ms, sent, seen);
      if (!i) break;
      if (last && *i < *last) ++reordered;
      last = i;
    }
  }
  const std::size_t lost = sent.size() - received;  // or still on their way
  RC_CLASSIFY(lost > 0, "datagrams lost");
  RC_CLASSIFY(reordered > 0, "datagrams reordered");
}

}  // namespace
}  // namespace sockspec
