// The model's decisions (Valid, Predict, Apply) and the check of an outcome
// against a prediction. The World (the system side) is in world.cc.
#include "properties/model/lifecycle.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "harness/errno_name.h"
#include "harness/sys.h"

namespace sockspec::model {
namespace {

// How long a UDP receive waits for a pending datagram. Loopback delivers at once;
// one that takes longer may be lost (dgram.udp-unreliable), and stays acceptable
// later as overdue, so a short wait costs nothing but time saved.
constexpr std::chrono::milliseconds kUdpSettle{250};

const char* OpName(Op op) {
  switch (op) {
    case Op::kSocket: return "socket";
    case Op::kBind: return "bind";
    case Op::kListen: return "listen";
    case Op::kConnect: return "connect";
    case Op::kAccept: return "accept";
    case Op::kSend: return "send";
    case Op::kRecv: return "recv";
    case Op::kShutdown: return "shutdown";
    case Op::kClose: return "close";
    case Op::kGetSockName: return "getsockname";
    case Op::kGetPeerName: return "getpeername";
  }
  return "?";
}

std::string HexByte(std::uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

// The allowed-errno list with EWOULDBLOCK beside EAGAIN where they differ.
void AddOne(Expected& e, int err) {
  if (std::find(e.errors.begin(), e.errors.end(), err) == e.errors.end()) e.errors.push_back(err);
}
void AddError(Expected& e, int err) {
  AddOne(e, err);
  if (err == EAGAIN && EWOULDBLOCK != EAGAIN) AddOne(e, EWOULDBLOCK);
}

Expected Ok() {
  Expected e;
  e.success = true;
  return e;
}

Expected Fail(std::initializer_list<int> errs) {
  Expected e;
  for (int err : errs) AddError(e, err);
  return e;
}

sa_family_t FamilyOf(const SockAddr& a) {
  if (a.len < static_cast<socklen_t>(offsetof(sockaddr, sa_family) + sizeof(sa_family_t))) {
    return AF_UNSPEC;
  }
  return a.storage.ss_family;
}

// An AF_INET address with its whole sockaddr_in (what FromSockaddr accepts).
std::optional<sockaddr_in> Inet4Of(const SockAddr& a) {
  if (FamilyOf(a) != AF_INET || a.len < static_cast<socklen_t>(sizeof(sockaddr_in))) {
    return std::nullopt;
  }
  sockaddr_in in;
  std::memcpy(&in, &a.storage, sizeof(in));
  return in;
}

bool SameInet4(const SockAddr& got, const ModelAddress& want) {
  std::optional<sockaddr_in> in = Inet4Of(got);
  return in && ntohs(in->sin_port) == want.port &&
         std::memcmp(&in->sin_addr, want.ip.data(), 4) == 0;
}

// An AF_UNIX address with no name: Linux gives just the family; the BSDs and macOS
// (sun_noname) a sun_path of NULs.
bool UnnamedUnix(const SockAddr& a) {
  if (FamilyOf(a) != AF_UNIX) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(&a.storage);
  const std::size_t end = std::min<std::size_t>(a.len, sizeof(sockaddr_un));
  for (std::size_t i = offsetof(sockaddr_un, sun_path); i < end; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

std::string FormatSockaddr(const SockAddr& a) {
  Parsed<Address> p = FromSockaddr(&a.storage, a.len);
  return p ? FormatAddress(*p.value) : "(undecodable: " + p.error.Describe() + ")";
}

}  // namespace

// ---------------------------------------------------------------- KnownBytes

void KnownBytes::Append(Run r) {
  if (r.size == 0) return;
  bytes_ += r.size;
  if (!runs_.empty()) {
    Run& last = runs_.back();
    if (last.At(last.size) == r.first && last.size + r.size <= 0xffff) {
      last.size = static_cast<std::uint16_t>(last.size + r.size);
      return;
    }
  }
  runs_.push_back(r);
}

void KnownBytes::DropFront(std::size_t n) {
  n = std::min(n, bytes_);
  bytes_ -= n;
  std::size_t gone = 0;  // whole runs dropped
  while (n > 0) {
    Run& r = runs_[gone];
    if (n < r.size) {
      r.first = r.At(n);
      r.size = static_cast<std::uint16_t>(r.size - n);
      break;
    }
    n -= r.size;
    ++gone;
  }
  for (std::size_t i = 0; i < gone; ++i) runs_.pop_front();
}

bool KnownBytes::StartsWith(std::string_view got) const {
  if (got.size() > bytes_) return false;
  std::size_t at = 0;
  for (const Run& r : runs_) {
    for (std::size_t i = 0; i < r.size && at < got.size(); ++i, ++at) {
      if (static_cast<std::uint8_t>(got[at]) != r.At(i)) return false;
    }
    if (at == got.size()) break;
  }
  return true;
}

void KnownBytes::CopyTo(char* out, std::size_t n) const {
  std::size_t at = 0;
  for (const Run& r : runs_) {
    for (std::size_t i = 0; i < r.size && at < n; ++i) out[at++] = static_cast<char>(r.At(i));
  }
}

// ---------------------------------------------------------------- Command

std::string Describe(const Command& c) {
  std::ostringstream os;
  os << OpName(c.op) << "(s" << c.slot;
  auto unix_or_slot = [&](bool unix_name) {
    if (unix_name) return "name n" + std::to_string(c.target);
    return c.target < 0 ? std::string("127.0.0.1:0") : "address of s" + std::to_string(c.target);
  };
  switch (c.op) {
    case Op::kSocket:
      os << ", " << (c.domain == Domain::kUnix ? "AF_UNIX" : "AF_INET") << ", "
         << (c.type == Type::kStream ? "SOCK_STREAM" : "SOCK_DGRAM");
      break;
    case Op::kBind:
    case Op::kConnect:
      os << ", " << unix_or_slot(c.domain == Domain::kUnix);
      break;
    case Op::kSend:
      os << ", " << c.size << " bytes from " << HexByte(c.fill);
      if (c.target >= 0) os << ", to " << unix_or_slot(c.domain == Domain::kUnix);
      break;
    case Op::kRecv:
      os << ", buffer " << c.size;
      break;
    case Op::kShutdown:
      os << ", " << ShutdownHowName(c.how);
      break;
    default:
      break;
  }
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Command& c) { return os << Describe(c); }

// ---------------------------------------------------------------- Outcome / Expected

std::string ModelAddress::Describe() const {
  if (domain == Domain::kUnix) return "name n" + std::to_string(name);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u:%u", ip[0], ip[1], ip[2], ip[3], port);
  return buf;
}

std::string Describe(const Outcome& o) {
  std::ostringstream os;
  os << (o.call.empty() ? std::string("call") : o.call.str()) << " -> ";
  if (o.err) {
    os << "-1 " << ErrnoName(o.err);
  } else {
    os << "ok";
    if (o.value) os << " value " << o.value;
    if (!o.data.empty()) os << " data " << o.data.size() << " bytes";
    if (o.addr) os << " addr " << FormatSockaddr(*o.addr);
    if (o.addr && o.addr_name >= 0) os << " (name n" << o.addr_name << ")";
    if (o.new_slot >= 0) os << " into s" << o.new_slot;
  }
  if (o.in_progress) os << " (after EINPROGRESS)";
  return os.str();
}

Expected Datagram::Expect() const {
  Expected e;
  e.success = true;
  e.min_value = e.max_value = value;
  e.check_data = true;
  e.data = KnownBytes::Of(data);
  e.addr_rule = addr_rule;
  e.addr = addr;
  return e;
}

std::string Expected::Describe() const {
  std::ostringstream os;
  const char* sep = "";
  if (success && !one_of.empty()) {
    os << "success as one of: ";
    for (std::size_t i = 0; i < one_of.size(); ++i) {
      os << (i ? "; " : "") << one_of[i].Expect().Describe() << " (" << one_of[i].data.size
         << "-byte datagram)";
    }
    sep = " or ";
  } else if (success) {
    os << "success";
    if (max_value) os << " with value in [" << min_value << ", " << max_value << "]";
    if (addr_rule == AddrRule::kEqual) os << " address " << addr.Describe();
    if (addr_rule == AddrRule::kEqualOrNone) os << " address " << addr.Describe() << " or none";
    if (addr_rule == AddrRule::kUnixAny) os << " any AF_UNIX address";
    if (addr_rule == AddrRule::kInet4Any) os << " any AF_INET address";
    sep = " or ";
  }
  for (std::size_t i = 0; i < errors.size(); ++i) {
    os << (i ? ", " : sep) << ErrnoName(errors[i]);
  }
  if (self_connect) os << " or success connected to itself (" << self_connect->Describe() << ")";
  return os.str();
}

std::optional<std::string> Expected::Mismatch(const Outcome& o) const {
  if (o.err != 0) {
    if (std::find(errors.begin(), errors.end(), o.err) != errors.end()) return std::nullopt;
    return "failed with " + ErrnoName(o.err) + ", expected " + Describe();
  }
  if (!success) {
    if (self_connect && o.local && SameInet4(*o.local, *self_connect)) return std::nullopt;
    return "succeeded, expected " + Describe();
  }
  if (!one_of.empty()) {
    for (const Datagram& alternative : one_of) {
      if (!alternative.Expect().Mismatch(o)) return std::nullopt;
    }
    return "returned " + std::to_string(o.value) + " bytes" +
           (o.addr ? " from " + FormatSockaddr(*o.addr) : std::string()) +
           " that match none of the pending datagrams, expected " + Describe();
  }
  if (o.value < min_value || o.value > max_value) {
    return "returned " + std::to_string(o.value) + ", expected " + Describe();
  }
  if (check_data &&
      (o.data.size() != std::min(o.value, data.size()) || !data.StartsWith(o.data.view()))) {
    return "received bytes that differ from what was sent (" + std::to_string(o.data.size()) +
           " bytes)";
  }
  switch (addr_rule) {
    case AddrRule::kNone:
      break;
    case AddrRule::kEqualOrNone:
      if (!o.addr || UnnamedUnix(*o.addr)) break;
      [[fallthrough]];
    case AddrRule::kEqual: {
      const bool same = o.addr && (addr.domain == Domain::kUnix ? o.addr_name == addr.name
                                                                : SameInet4(*o.addr, addr));
      if (!same) {
        return "address " + (o.addr ? FormatSockaddr(*o.addr) : std::string("none")) +
               ", expected " + addr.Describe();
      }
      break;
    }
    case AddrRule::kUnixAny:
      if (!o.addr || FamilyOf(*o.addr) != AF_UNIX) return "expected an AF_UNIX address";
      break;
    case AddrRule::kInet4Any:
      if (!o.addr || !Inet4Of(*o.addr)) return "expected an AF_INET address";
      break;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- Model

Model::Model(std::string unix_dir, bool unix_dgram_reliable)
    : unix_dir_(std::move(unix_dir)), unix_dgram_reliable_(unix_dgram_reliable) {
  Reset();
}

void Model::Reset() {
  socks_.clear();  // keeps the capacity: a reused Model stops allocating
  slot_.fill(-1);
  names_.fill(NameInfo{});
}

Model::Sock* Model::Slot(int slot) {
  return slot_[slot] < 0 ? nullptr : &socks_[slot_[slot]];
}
const Model::Sock* Model::Slot(int slot) const {
  return slot_[slot] < 0 ? nullptr : &socks_[slot_[slot]];
}

int Model::LowestEmptySlot() const {
  for (int i = 0; i < kSlots; ++i) {
    if (slot_[i] < 0) return i;
  }
  return -1;
}

int Model::NewSock(Domain d, Type t) {
  Sock s;
  s.domain = d;
  s.type = t;
  socks_.push_back(s);
  return static_cast<int>(socks_.size()) - 1;
}

int Model::InetReceiver(int port, Type type) const {
  if (port <= 0) return -1;
  for (std::size_t id = 0; id < socks_.size(); ++id) {
    const Sock& s = socks_[id];
    if (!s.open || s.domain != Domain::kInet4 || s.type != type || s.port != port) continue;
    if (type == Type::kDgram || s.state == State::kListening) return static_cast<int>(id);
  }
  return -1;
}

std::optional<ModelAddress> Model::LocalAddress(int id) const {
  const Sock& s = socks_[id];
  ModelAddress a;
  a.domain = s.domain;
  if (s.domain == Domain::kUnix) {
    if (s.name < 0) return std::nullopt;
    a.name = s.name;
    return a;
  }
  if (s.port <= 0) return std::nullopt;
  a.ip = s.ip;
  a.port = static_cast<std::uint16_t>(s.port);
  return a;
}

std::optional<ModelAddress> Model::PeerViewAddress(int id) const {
  std::optional<ModelAddress> a = LocalAddress(id);
  if (a && a->domain == Domain::kInet4) a->ip = {127, 0, 0, 1};
  return a;
}

bool Model::TcpMayBeClosed(const Sock& s) {
  return s.domain == Domain::kInet4 && s.type == Type::kStream &&
         s.state == State::kConnected && (s.peer_gone || (s.wr_shut && s.peer_wr_shut));
}

bool Model::MayBeDisconnected(const Sock& s) {
  if (s.type != Type::kStream || s.state != State::kConnected) return false;
  if (s.peer_gone) return true;
  return s.domain == Domain::kInet4 && s.wr_shut && (s.rd_shut || s.peer_wr_shut);
}

bool Model::Valid(const Command& c) const {
  if (c.slot < 0 || c.slot >= kSlots) return false;
  if (c.op == Op::kSocket) return !SlotOpen(c.slot);
  const Sock* s = Slot(c.slot);
  if (!s) return false;
  if (s->unspecified) return c.op == Op::kClose || c.op == Op::kGetSockName;
  if (s->self_connected) {
    return c.op == Op::kClose || c.op == Op::kGetSockName || c.op == Op::kGetPeerName;
  }
  const bool unix_family = s->domain == Domain::kUnix;
  // The domain recorded in the command must match the socket (it selects how
  // `target` is read, and shows in the printed command list).
  if (c.domain != s->domain) return false;
  auto inet_target_ok = [&](bool allow_self) {
    if (c.target < 0 || c.target >= kSlots) return false;
    const Sock* t = Slot(c.target);
    if (!t || t->domain != Domain::kInet4 || t->type != s->type || t->port <= 0) return false;
    // A reset connection, or a failed connect, may have given the port back (and
    // another socket taken it): Linux releases an ephemeral port then.
    if (t->unspecified || (c.op == Op::kBind && TcpMayBeClosed(*t))) return false;
    return allow_self || c.target != c.slot;
  };
  switch (c.op) {
    case Op::kSocket:
      return false;
    case Op::kBind:
      if (unix_family) return c.target >= 0 && c.target < kNames;
      // A TCP connection that reached CLOSED gives its port back (Linux): not determined.
      if (TcpMayBeClosed(*s)) return false;
      return c.target == -1 || inet_target_ok(true);
    case Op::kListen:
      // A disconnected socket (MayBeDisconnected, a superset of TcpMayBeClosed) may listen
      // on FreeBSD when it has a name, or fail EDESTADDRREQ or EINVAL: not determined.
      return !MayBeDisconnected(*s);
    case Op::kConnect: {
      if (s->type == Type::kStream && s->state == State::kConnected) return false;
      int receiver;
      if (unix_family) {
        if (c.target < 0 || c.target >= kNames) return false;
        receiver = UnixOwner(c.target);
      } else {
        if (!inet_target_ok(false)) return false;
        receiver = InetReceiver(socks_[slot_[c.target]].port, s->type);
      }
      // Linux drops an AF_UNIX datagram socket's queue when it connects to another
      // peer; POSIX says nothing of it. Reconnect only with an empty queue.
      if (unix_family && s->type == Type::kDgram && s->peer >= 0 && s->peer != receiver &&
          !s->messages.empty()) {
        return false;
      }
      // Keep accept queues below the backlog: a full queue makes TCP connects hang.
      if (s->type == Type::kStream && receiver >= 0 &&
          socks_[receiver].pending.size() + 1 >= static_cast<std::size_t>(kBacklog)) {
        return false;
      }
      return true;
    }
    case Op::kAccept:
      if (s->state == State::kListening && !s->pending.empty()) return LowestEmptySlot() >= 0;
      return true;
    case Op::kSend: {
      if (c.size == 0 || c.size > kMaxIo) return false;
      // Keep a stream inbox within kMaxRuns separate sends, and an AF_UNIX one within
      // the smallest buffers (kMaxUnixStreamQueued).
      if (s->type == Type::kStream && s->state == State::kConnected && !s->peer_gone) {
        const KnownBytes& inbox = socks_[s->peer].inbox;
        if (inbox.full()) return false;
        if (unix_family && inbox.size() + c.size > kMaxUnixStreamQueued) return false;
      }
      int receiver = -1;
      if (c.target >= 0) {
        if (s->type != Type::kDgram) return false;
        if (unix_family) {
          if (c.target >= kNames) return false;
          receiver = UnixOwner(c.target);
        } else {
          if (!inet_target_ok(true)) return false;
          receiver = InetReceiver(socks_[slot_[c.target]].port, Type::kDgram);
        }
      } else if (s->type == Type::kDgram && s->peer >= 0 && !s->peer_gone) {
        receiver = s->peer;
      }
      // Linux also drops an AF_UNIX datagram socket's own queue when a send finds its
      // connected peer closed (ECONNREFUSED, and the socket is disconnected); POSIX says
      // nothing of it. Send to a closed peer only with an empty queue.
      if (unix_family && s->type == Type::kDgram && c.target < 0 && s->peer >= 0 &&
          s->peer_gone && !s->messages.empty()) {
        return false;
      }
      // Keep datagram queues short: a full queue would make delivery depend on limits.
      if (s->type == Type::kDgram && receiver >= 0) {
        const auto& queue = socks_[receiver].messages;
        if (queue.size() >= kMaxQueued) return false;
        if (unix_family) {
          std::size_t bytes = c.size + kUnixAddressCost;
          for (const Message& m : queue) bytes += m.data.size + kUnixAddressCost;
          if (bytes > kMaxUnixDgramQueued) return false;
        }
      }
      return true;
    }
    case Op::kRecv:
      return c.size > 0 && c.size <= kMaxIo;
    case Op::kShutdown: {
      if (s->type != Type::kStream || s->state != State::kConnected ||
          (c.how != SHUT_RD && c.how != SHUT_WR && c.how != SHUT_RDWR)) {
        return false;
      }
      // TCP: data that reaches a socket shut both ways resets the connection (RFC 1122;
      // see Apply). Data the peer sent and this socket has not read may still be on its
      // way (Nagle's algorithm holds a small segment until the previous one is
      // acknowledged), so a shutdown that leaves the socket shut both ways while such
      // data is queued may or may not reset the connection: not determined.
      const bool rd = s->rd_shut || c.how == SHUT_RD || c.how == SHUT_RDWR;
      const bool wr = s->wr_shut || c.how == SHUT_WR || c.how == SHUT_RDWR;
      if (s->domain == Domain::kInet4 && rd && wr && !s->inbox.empty()) return false;
      // macOS fails ENOTCONN for a direction already shut (Predict), but SHUT_RDWR shuts
      // the read side before it finds the write side shut: whether a failed SHUT_RDWR
      // shut anything is not determined.
      return !(c.how == SHUT_RDWR && !ReadSideShut(*s) && s->wr_shut);
    }
    case Op::kClose:
    case Op::kGetSockName:
    case Op::kGetPeerName:
      return true;
  }
  return false;
}

Expected Model::Predict(const Command& c) const {
  const Sock* s = Slot(c.slot);
  switch (c.op) {
    case Op::kSocket:
      return Ok();
    case Op::kBind: {
      bool already = s->domain == Domain::kUnix ? s->name >= 0 : s->port != 0;
      bool unknown = s->domain == Domain::kInet4 && s->port < 0;
      bool taken;
      bool may_be_free = false;  // taken, unless the closed owner's file went with it
      if (s->domain == Domain::kUnix) {
        taken = names_[c.target].exists;
        may_be_free = names_[c.target].may_be_gone;
      } else {
        taken = c.target >= 0;  // the port of an open socket of the same type
      }
      // An accepted AF_UNIX socket reports its listener's name, but only Linux counts it
      // as bound; the BSDs and macOS bind it to a new name.
      if (unknown || s->name_inherited) {
        Expected e = taken ? Fail({EINVAL, EADDRINUSE}) : Fail({EINVAL});
        if (!taken || may_be_free) e.success = true;
        return e;
      }
      if (already) return Fail({EINVAL, EADDRINUSE});
      Expected e = taken ? Fail({EADDRINUSE}) : Ok();
      if (may_be_free) e.success = true;  // bind.unix-file-persists (may)
      // bind() [EINVAL] "... or the socket has been shut down" (macOS checks it).
      if (ReadSideShut(*s) || s->wr_shut) AddError(e, EINVAL);
      return e;
    }
    case Op::kListen: {
      if (s->type == Type::kDgram) return Fail({EOPNOTSUPP});
      if (s->state == State::kConnected) return Fail({EINVAL});
      if (s->state == State::kListening) {
        Expected e = Fail({EINVAL});  // listen.again: POSIX leaves it open; Linux succeeds
        e.success = true;
        return e;
      }
      if (s->domain == Domain::kUnix) {
        if (s->name < 0) return Fail({EINVAL, EDESTADDRREQ});
        return Ok();
      }
      if (s->port > 0) return Ok();
      Expected e = Fail({EDESTADDRREQ});  // listen.unbound-inet: autobind or EDESTADDRREQ
      e.success = true;
      return e;
    }
    case Op::kConnect:
      return PredictConnect(c);
    case Op::kAccept: {
      // accept.dgram: POSIX EOPNOTSUPP, FreeBSD EINVAL.
      if (s->type == Type::kDgram) return Fail({EOPNOTSUPP, EINVAL});
      if (s->state != State::kListening) return Fail({EINVAL});
      if (s->pending.empty()) return Fail({EAGAIN});
      Expected e = Ok();
      if (s->domain == Domain::kInet4) e.wait_events = POLLIN;
      return e;
    }
    case Op::kSend:
      return PredictSend(c);
    case Op::kRecv:
      return PredictRecv(c);
    case Op::kShutdown: {
      Expected e = Ok();
      // ENOTCONN: a connection that may be closed or disconnected (the BSDs, macOS), or
      // a direction already shut (macOS; POSIX shutdown() says nothing of a repeat).
      const bool rd = c.how == SHUT_RD || c.how == SHUT_RDWR;
      const bool wr = c.how == SHUT_WR || c.how == SHUT_RDWR;
      if (MayBeDisconnected(*s) || (rd && ReadSideShut(*s)) || (wr && s->wr_shut)) {
        AddError(e, ENOTCONN);
      }
      return e;
    }
    case Op::kClose:
      return Ok();
    case Op::kGetSockName: {
      Expected e = Ok();
      std::optional<ModelAddress> a = LocalAddress(slot_[c.slot]);
      if (a && !s->unspecified) {
        e.addr_rule = AddrRule::kEqual;
        e.addr = *a;
      } else {
        // getsockname.unbound: the value is unspecified, only the family is known.
        e.addr_rule = s->domain == Domain::kUnix ? AddrRule::kUnixAny : AddrRule::kInet4Any;
      }
      return e;
    }
    case Op::kGetPeerName: {
      if (s->peer < 0 || s->state == State::kListening) return Fail({ENOTCONN});
      if (s->peer_gone || MayBeDisconnected(*s)) {
        Expected e = Fail({ENOTCONN});
        e.success = true;
        e.addr_rule = s->domain == Domain::kUnix ? AddrRule::kUnixAny : AddrRule::kInet4Any;
        return e;
      }
      Expected e = Ok();
      std::optional<ModelAddress> a = PeerViewAddress(s->peer);
      if (a) {
        e.addr_rule = AddrRule::kEqual;
        e.addr = *a;
      } else {
        // accept.unnamed-peer: an unbound AF_UNIX peer's address is unspecified.
        e.addr_rule = s->domain == Domain::kUnix ? AddrRule::kUnixAny : AddrRule::kInet4Any;
      }
      return e;
    }
  }
  return Expected{};
}

Expected Model::PredictConnect(const Command& c, bool as_fresh) const {
  const Sock* s = Slot(c.slot);
  const bool unix_family = s->domain == Domain::kUnix;
  // The state of socket `id`, the connecting one taken as fresh when `as_fresh`.
  auto state_of = [&](int id) {
    return as_fresh && id == slot_[c.slot] ? State::kFresh : socks_[id].state;
  };
  if (state_of(slot_[c.slot]) == State::kListening) {
    // The system may look at the target first (Linux AF_UNIX does): its errors too.
    Expected e = Fail({EISCONN, EINVAL, EOPNOTSUPP});
    for (int err : PredictConnect(c, true).errors) AddError(e, err);
    return e;
  }
  int receiver;
  if (unix_family) {
    if (!names_[c.target].exists) return Fail({ENOENT});
    receiver = UnixOwner(c.target);
    if (receiver < 0) return NameWithoutOwner(c.target);
    if (socks_[receiver].type != s->type) return Fail({EPROTOTYPE, ECONNREFUSED});
  } else {
    receiver = InetReceiver(socks_[slot_[c.target]].port, s->type);
  }
  if (s->type == Type::kDgram) {
    // UDP: connect only records the peer. AF_UNIX: the owner is a datagram socket, and
    // Linux refuses (EPERM) one that is connected to another socket, as for send; POSIX
    // lists no such error (the receiver is what filters senders), and the BSDs connect.
    Expected e = Ok();
    if (unix_family) {
      const Sock& r = socks_[receiver];
      if (r.peer >= 0 && r.peer != slot_[c.slot]) AddError(e, EPERM);
    }
    return e;
  }
  if (receiver < 0 || state_of(receiver) != State::kListening) {
    Expected e = Fail({ECONNREFUSED});
    // connect.self-inet: the SYN may reach the connecting socket itself (Apply). The World
    // connects to the target's loopback address, the one its peers see.
    if (!unix_family) e.self_connect = PeerViewAddress(slot_[c.target]);
    return e;
  }
  // connect.nonblock: 0 or EINPROGRESS; the World completes an EINPROGRESS and reports
  // the final outcome.
  return Ok();
}

Expected Model::PredictSend(const Command& c) const {
  const Sock* s = Slot(c.slot);
  const int self = slot_[c.slot];
  const bool unix_family = s->domain == Domain::kUnix;
  Expected ok = Ok();
  ok.min_value = ok.max_value = c.size;
  if (s->type == Type::kStream) {
    ok.min_value = 1;  // stream.coalesce (may): a send may take only a prefix of the bytes
    if (s->state != State::kConnected) return Fail({ENOTCONN, EPIPE});  // stream.unconnected
    if (s->wr_shut) {                                                   // stream.epipe
      // A reset the peer sent may be reported first (Linux TCP: ECONNRESET).
      return s->peer_gone ? Fail({EPIPE, ECONNRESET}) : Fail({EPIPE});
    }
    if (s->peer_gone) {
      if (unix_family) return Fail({EPIPE, ECONNRESET});
      Expected e = ok;  // TCP: the first send after the peer's close may still succeed
      AddError(e, EPIPE);
      AddError(e, ECONNRESET);
      return e;
    }
    // After the peer's SHUT_RD: Linux and FreeBSD EPIPE; macOS takes the data (POSIX
    // [EPIPE] covers neither case). Apply queues it; the peer may or may not read it.
    if (socks_[s->peer].rd_shut && unix_family) AddError(ok, EPIPE);
    return ok;
  }
  // Datagram. Errors any send of this socket may report first (XSH 2.3: "the order of
  // detection is undefined"): a connected socket's sendto may fail EISCONN (POSIX allows
  // it; Linux sends; the BSDs and macOS refuse before looking the name up), and a
  // connected AF_UNIX socket whose peer closed has ECONNRESET pending (UnixResetPending).
  auto also = [&](Expected e) {
    if (c.target >= 0 && s->peer >= 0) AddError(e, EISCONN);
    if (UnixResetPending(*s)) AddError(e, ECONNRESET);
    return e;
  };
  int receiver = -1;
  bool gone = false;
  if (c.target >= 0) {
    if (unix_family) {
      if (!names_[c.target].exists) return also(Fail({ENOENT}));
      receiver = UnixOwner(c.target);
      if (receiver < 0) return also(NameWithoutOwner(c.target));
      if (socks_[receiver].type != Type::kDgram) return also(Fail({EPROTOTYPE, ECONNREFUSED}));
    } else {
      receiver = InetReceiver(socks_[slot_[c.target]].port, Type::kDgram);
    }
  } else {
    if (s->peer < 0) return Fail({EDESTADDRREQ, ENOTCONN});  // dgram.no-destination
    receiver = s->peer;
    gone = s->peer_gone;
  }
  Expected e = also(ok);
  if (s->may_refuse) AddError(e, ECONNREFUSED);
  if (gone) {
    if (unix_family) {
      // dgram.unix-peer-closed (may; POSIX does not describe it): Linux ECONNREFUSED (and
      // then ENOTCONN: it disconnects), FreeBSD ECONNRESET, gVisor EPIPE; a system may also
      // take the datagram and drop it (Apply delivers it nowhere).
      for (int err : {ECONNREFUSED, ECONNRESET, EPIPE, ENOTCONN, EDESTADDRREQ}) AddError(e, err);
      return e;
    }
    AddError(e, ECONNREFUSED);
    return e;
  }
  if (unix_family) {
    const Sock& r = socks_[receiver];
    // A connected AF_UNIX datagram socket takes messages only from its peer: Linux
    // refuses the send (EPERM); a system that filters at the receiver drops the datagram
    // (Apply). With the peer gone, Linux may deliver it (it forgets a dead peer only
    // when it next sends).
    if (r.peer >= 0 && r.peer != self) AddError(e, EPERM);
  }
  return e;
}

Datagram Model::ExpectMessage(const Sock& s, const Message& m, std::size_t size) const {
  Datagram d;
  d.data = m.data;
  d.value = std::min<std::size_t>(size, m.data.size);  // dgram.truncation
  std::optional<ModelAddress> from = PeerViewAddress(m.sender);
  if (from) {
    // An AF_UNIX sender that bound its name after sending: Linux reports the name it has
    // when the datagram is received, gVisor none and the BSDs and macOS an unnamed one (the
    // datagram had no source address when sent); POSIX names "the source address of the
    // received data".
    d.addr_rule = m.sender_named ? AddrRule::kEqual : AddrRule::kEqualOrNone;
    d.addr = *from;
  } else {
    d.addr_rule = s.domain == Domain::kUnix ? AddrRule::kNone : AddrRule::kInet4Any;
  }
  return d;
}

int Model::ReceivedMessage(const Sock& s, const Command& c, const Outcome& o) const {
  if (s.messages.empty()) return -1;
  if (s.domain == Domain::kUnix && unix_dgram_reliable_) return 0;  // in order
  for (std::size_t i = 0; i < s.messages.size(); ++i) {
    if (!ExpectMessage(s, s.messages[i], c.size).Expect().Mismatch(o)) return static_cast<int>(i);
  }
  return -1;
}

Expected Model::PredictRecv(const Command& c) const {
  const Sock* s = Slot(c.slot);
  const bool unix_family = s->domain == Domain::kUnix;
  if (s->type == Type::kDgram) {
    if (s->messages.empty()) {
      Expected e = Fail({EAGAIN});
      if (s->may_refuse) AddError(e, ECONNREFUSED);
      if (UnixResetPending(*s)) AddError(e, ECONNRESET);
      return e;
    }
    if (unix_family && unix_dgram_reliable_) {
      return ExpectMessage(*s, s->messages.front(), c.size).Expect();
    }
    // dgram.udp-unreliable (and AF_UNIX without dgram.unix-reliable): any pending
    // datagram (reordering), or none (loss).
    Expected e = Fail({EAGAIN});
    e.success = true;
    for (const Message& m : s->messages) e.one_of.push_back(ExpectMessage(*s, m, c.size));
    // Wait only for datagrams not yet known to be late: an overdue one may be lost.
    if (std::any_of(s->messages.begin(), s->messages.end(),
                    [](const Message& m) { return !m.overdue; })) {
      e.wait_events = POLLIN;
      e.wait_limit = kUdpSettle;
    }
    if (s->may_refuse) AddError(e, ECONNREFUSED);
    if (UnixResetPending(*s)) AddError(e, ECONNRESET);
    return e;
  }
  if (s->state != State::kConnected) return Fail({ENOTCONN, EINVAL});
  Expected e;
  if (!unix_family) e.wait_events = POLLIN;
  if (!s->inbox.empty()) {
    e.success = true;
    // After SHUT_RD queued data may be dropped; after a TCP reset it may be discarded.
    e.min_value = s->rd_shut || (s->peer_gone && !unix_family) ? 0 : 1;
    e.max_value = std::min(c.size, s->inbox.size());
    e.check_data = true;
    e.data = s->inbox;
    if (s->peer_gone && !unix_family) AddError(e, ECONNRESET);
    // shutdown.rd (may): POSIX only "disables further receive operations", so a receive
    // after the socket's own SHUT_RD may also find nothing (EAGAIN), data queued or not.
    if (s->rd_shut) AddError(e, EAGAIN);
    return e;
  }
  if (s->rd_shut || s->peer_wr_shut || s->peer_gone) {
    e.success = true;  // end of file: 0 bytes
    if (s->rd_shut) AddError(e, EAGAIN);  // shutdown.rd, as above
    if (s->peer_gone) AddError(e, ECONNRESET);
    // FreeBSD: an AF_UNIX stream whose connection was dropped (its listener closed
    // before accepting it) has EPIPE pending.
    if (s->peer_gone && unix_family) AddError(e, EPIPE);
    return e;
  }
  e = Fail({EAGAIN});  // stream.nonblock-empty
  return e;
}

Expected Model::NameWithoutOwner(int name) const {
  return names_[name].may_be_gone ? Fail({ECONNREFUSED, ENOENT}) : Fail({ECONNREFUSED});
}

void Model::LearnName(const Command& c, const Outcome& o) {
  if (c.target < 0 || Slot(c.slot)->domain != Domain::kUnix) return;
  NameInfo& n = names_[c.target];
  if (!n.may_be_gone || n.owner >= 0) return;
  // Only the name's lookup gives these (the other errors Predict allows do not say).
  if (o.err == ENOENT) n = NameInfo{};
  if (o.err == ECONNREFUSED || o.err == EADDRINUSE) n.may_be_gone = false;
}

void Model::LearnPort(int id, const Outcome& o) {
  Sock& s = socks_[id];
  if (s.domain != Domain::kInet4 || !o.local) return;
  if (std::optional<sockaddr_in> in = Inet4Of(*o.local)) {
    s.port = ntohs(in->sin_port);
    std::memcpy(s.ip.data(), &in->sin_addr, 4);
  }
}

void Model::CloseSock(int id) {
  Sock& s = socks_[id];
  if (!s.open) return;
  s.open = false;
  for (auto& n : names_) {
    if (n.owner != id) continue;
    n.owner = -1;
    n.may_be_gone = true;  // bind.unix-file-persists is a may
  }
  for (int embryo : s.pending) CloseSock(embryo);
  s.pending.clear();
  for (std::size_t other = 0; other < socks_.size(); ++other) {
    Sock& o = socks_[other];
    if (!o.open || o.peer != id) continue;
    o.peer_gone = true;
    // UDP: a datagram sent before the close may still be on its way (delivery may be
    // late or out of order) and draw a port-unreachable answer: ECONNREFUSED at the sender.
    if (o.domain == Domain::kInet4 && o.type == Type::kDgram) o.may_refuse = true;
  }
}

void Model::Apply(const Command& c, const Outcome& o) {
  Sock* s = Slot(c.slot);
  const int self = slot_[c.slot];
  const bool ok = o.err == 0;
  // Even a failed call may bind an inet socket (Linux autobinds UDP on any send):
  // the World reports getsockname after each call that may bind.
  if (s && s->domain == Domain::kInet4 && o.local &&
      (c.op == Op::kBind || c.op == Op::kListen || c.op == Op::kConnect || c.op == Op::kSend)) {
    LearnPort(self, o);
  }
  switch (c.op) {
    case Op::kSocket:
      if (ok) slot_[c.slot] = NewSock(c.domain, c.type);
      return;
    case Op::kBind:
      if (!ok) {
        // EADDRINUSE says the file is there, unless the socket had a name already (Predict).
        if (s->name < 0 && !s->name_inherited) LearnName(c, o);
        return;
      }
      if (s->domain == Domain::kUnix) {
        s->name = c.target;
        s->name_inherited = false;
        names_[c.target] = NameInfo{true, self};
      } else {
        LearnPort(self, o);
      }
      return;
    case Op::kListen:
      if (s->domain == Domain::kInet4 && !ok && s->port < 0) s->port = 0;
      if (!ok) return;
      s->state = State::kListening;
      LearnPort(self, o);
      return;
    case Op::kConnect: {
      if (!ok) {
        s->unspecified = true;  // POSIX connect(): the state after a failure is unspecified
        LearnName(c, o);
        return;
      }
      LearnPort(self, o);
      int receiver = s->domain == Domain::kUnix
                         ? UnixOwner(c.target)
                         : InetReceiver(socks_[slot_[c.target]].port, s->type);
      if (s->type == Type::kDgram) {
        s->peer = receiver;
        s->peer_gone = receiver < 0;
        return;
      }
      if (receiver < 0 || socks_[receiver].state != State::kListening) {
        // Success with no listener: Predict allowed it only as a connection to itself.
        s->state = State::kConnected;
        s->peer = self;
        s->self_connected = true;
        return;
      }
      int embryo = NewSock(s->domain, s->type);
      Sock& e = socks_[embryo];  // (NewSock may move socks_: take references after it)
      Sock& client = socks_[self];
      Sock& l = socks_[receiver];
      e.state = State::kEmbryo;
      e.listener = receiver;
      e.peer = self;
      e.name = l.name;
      e.name_inherited = e.domain == Domain::kUnix && l.name >= 0;
      e.port = l.port;
      l.pending.push_back(embryo);
      client.state = State::kConnected;
      client.peer = embryo;
      return;
    }
    case Op::kAccept: {
      if (!ok) return;
      int embryo = s->pending.front();
      s->pending.pop_front();
      socks_[embryo].state = State::kConnected;
      socks_[embryo].listener = -1;
      int into = o.new_slot >= 0 ? o.new_slot : LowestEmptySlot();
      slot_[into] = embryo;
      return;
    }
    case Op::kSend: {
      if (s->domain == Domain::kInet4 && s->port <= 0) LearnPort(self, o);
      if (s->type == Type::kStream) {
        if (!ok || s->peer_gone) return;
        Sock& peer = socks_[s->peer];
        if (s->domain == Domain::kInet4 && peer.rd_shut && peer.wr_shut) {
          // Data for a TCP socket shut both ways (FIN-WAIT): RFC 1122 has it answer
          // with a reset, which breaks the connection for both ends.
          s->peer_gone = true;
          peer.peer_gone = true;
          return;
        }
        peer.inbox.Append(c.Payload(o.value));
        return;
      }
      bool gone_peer = c.target < 0 && s->peer_gone;
      if (gone_peer && s->domain == Domain::kInet4) s->may_refuse = true;
      if (!ok) {
        LearnName(c, o);
        return;
      }
      int receiver;
      if (c.target >= 0) {
        receiver = s->domain == Domain::kUnix
                       ? UnixOwner(c.target)
                       : InetReceiver(socks_[slot_[c.target]].port, Type::kDgram);
      } else {
        receiver = s->peer_gone ? -1 : s->peer;
      }
      if (receiver < 0) return;
      Sock& r = socks_[receiver];
      // UDP: a connected receiver drops datagrams from anyone but its peer, and the
      // port-unreachable answer may surface as ECONNREFUSED at a connected sender.
      if (s->domain == Domain::kInet4 && r.peer >= 0 && r.peer != self) {
        s->may_refuse = true;
        return;
      }
      // AF_UNIX: one connected to another live socket drops it (see PredictSend).
      if (r.peer >= 0 && r.peer != self && !r.peer_gone) return;
      r.messages.push_back(
          Message{c.Payload(c.size), self, false, s->domain != Domain::kUnix || s->name >= 0});
      return;
    }
    case Op::kRecv:
      if (s->type == Type::kDgram) {
        if (!ok) {
          // UDP (or unreliable AF_UNIX): nothing came; what is pending may be lost, or
          // still come (overdue).
          if ((s->domain == Domain::kInet4 || !unix_dgram_reliable_) &&
              (o.err == EAGAIN || o.err == EWOULDBLOCK)) {
            for (Message& m : s->messages) m.overdue = true;
          }
          return;
        }
        if (s->messages.empty()) return;
        const int i = ReceivedMessage(*s, c, o);
        // (-1 only for an outcome Predict did not allow: drop the oldest.)
        s->messages.erase_at(static_cast<std::size_t>(i < 0 ? 0 : i));
      } else {
        if (!ok) return;
        s->inbox.DropFront(o.value);
      }
      return;
    case Op::kShutdown:
      if (!ok) return;
      if (c.how == SHUT_RD || c.how == SHUT_RDWR) s->rd_shut = true;
      if (c.how == SHUT_WR || c.how == SHUT_RDWR) {
        s->wr_shut = true;
        if (!s->peer_gone) socks_[s->peer].peer_wr_shut = true;
      }
      return;
    case Op::kClose:
      CloseSock(self);
      slot_[c.slot] = -1;
      return;
    case Op::kGetSockName:
    case Op::kGetPeerName:
      return;
  }
}

std::string Model::DescribeSock(int id) const {
  const Sock& s = socks_[id];
  std::ostringstream os;
  os << (s.domain == Domain::kUnix ? "unix" : "inet") << " "
     << (s.type == Type::kStream ? "stream" : "dgram");
  switch (s.state) {
    case State::kFresh: break;
    case State::kListening: os << " listening (" << s.pending.size() << " pending)"; break;
    case State::kConnected: os << " connected"; break;
    case State::kEmbryo: os << " embryo"; break;
  }
  if (s.name >= 0) os << " name n" << s.name;
  if (s.port > 0) os << " port " << s.port;
  if (s.port < 0) os << " port unknown";
  if (s.peer >= 0) os << " peer #" << s.peer << (s.peer_gone ? " (gone)" : "");
  if (s.unspecified) os << " (unspecified after failed connect)";
  if (s.self_connected) os << " (connected to itself)";
  if (s.rd_shut) os << " SHUT_RD";
  if (s.wr_shut) os << " SHUT_WR";
  if (s.peer_wr_shut) os << " peer-SHUT_WR";
  if (!s.inbox.empty()) os << " inbox " << s.inbox.size();
  if (!s.messages.empty()) os << " messages " << s.messages.size();
  return os.str();
}

std::string Model::DescribeSlot(int slot) const {
  if (slot_[slot] < 0) return "s" + std::to_string(slot) + ": empty";
  return "s" + std::to_string(slot) + " (#" + std::to_string(slot_[slot]) +
         "): " + DescribeSock(slot_[slot]);
}

std::string Model::DescribeAll() const {
  std::string out;
  for (int i = 0; i < kSlots; ++i) out += DescribeSlot(i) + "\n";
  return out;
}

}  // namespace sockspec::model
