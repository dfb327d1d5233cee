// The socket-lifecycle model: a small world of socket slots, the commands a
// test may run on it, and, for each command, the set of outcomes POSIX (and
// the platforms sockspec knows) allow. Shared by the stateful property test
// (properties/lifecycle_prop.cc) and the call-sequence fuzzer (fuzz/), so the
// two can never disagree about what is correct.
//
// Plain C++: no RapidCheck, no GoogleTest. Three pieces:
//
//   Model   the expected state: which slot holds which socket, what it is
//           bound to, connected to, what is queued for it. Pure; never calls
//           the system.
//   World   the real system: one descriptor per slot, a private directory for
//           AF_UNIX names. Runs a command through the harness wrapper
//           (world.cc; lifecycle.cc holds the model, which the call-sequence
//           fuzzer takes its coverage from).
//   Expected / Outcome   what the model allows, what the system did.
//
// One step, as both users drive it:
//
//   World world;  Model model(world.dir());  // world: every socket non-blocking
//   if (!model.Valid(cmd)) skip;          // precondition (see Valid)
//   Expected want = model.Predict(cmd);
//   Outcome got = world.Run(cmd, want);   // want.wait_events: see Expected
//   if (auto why = want.Mismatch(got)) fail(*why);
//   model.Apply(cmd, got);                // next state, from what happened
//   ...
//   world.CloseAll();                     // every descriptor closed
//
// Determinism: every socket is non-blocking (accepted ones are made so after
// recording whether O_NONBLOCK was inherited), so no call can block. Where
// the system's answer depends on timing (TCP/UDP loopback delivery is
// asynchronous), Predict asks the World to poll, bounded, for readiness first
// (Expected::wait_events), or allows both answers. A non-blocking TCP connect
// that reports EINPROGRESS is completed by the World (poll for POLLOUT, then
// SO_ERROR), and the outcome is the final one, with Outcome::in_progress set.
// Where POSIX leaves a choice the model allows every permitted answer, e.g.
// listen on an unbound AF_INET socket (success by autobind, or EDESTADDRREQ),
// or send on an unconnected datagram socket (EDESTADDRREQ; Linux AF_UNIX says
// ENOTCONN).
//
// Preconditions (Valid) keep the answer determined: e.g. shutdown only on
// connected stream sockets (Linux accepts it on unconnected AF_UNIX ones,
// POSIX says ENOTCONN), binding or connecting an inet socket only to the
// port of an open socket of the same type, datagram queues kept short so
// nothing is dropped for want of room. They also bound what the model stores
// (sizes up to kMaxIo, kMaxQueued datagrams, kMaxRuns separate sends queued
// on a stream socket), so it keeps everything inline and never allocates
// once its socket table has grown: the call-sequence fuzzer runs it thousands
// of times a second.
//
// UDP is unreliable (dgram.udp-unreliable): a receive may return any datagram
// sent to the socket and not yet received (reordering), or EAGAIN while some
// are pending (loss); a datagram that did not come within a short wait is
// "overdue" and may still come later, but never twice. AF_UNIX datagrams are
// strict where the platform rule dgram.unix-reliable holds (Linux: the oldest
// first, none lost), elsewhere unreliable as UDP's.
//
// The model learns port numbers from Outcome::local (the World's getsockname
// after every AF_INET call that may bind), so inet addresses are compared
// exactly. AF_UNIX addresses are compared by name: the World says which of its
// names (n0..n7) an address the system returned is.
#pragma once

#include <sys/un.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/address.h"
#include "harness/call_text.h"
#include "harness/fd.h"
#include "harness/temp_dir.h"
#include "properties/model/fixed_vector.h"

namespace sockspec::model {

inline constexpr int kSlots = 4;      // sockets alive at once
inline constexpr int kNames = 8;      // AF_UNIX names n0..n7 in the world's directory
inline constexpr int kBacklog = 8;    // every listen uses this backlog (> kSlots)
inline constexpr std::size_t kMaxQueued = 8;  // datagrams queued per socket
inline constexpr std::size_t kMaxIo = 512;    // bytes per send, and per receive buffer
// Bytes an AF_UNIX socket may hold unread, so no send meets a full buffer: macOS (and
// FreeBSD before 15) give a unix stream 8 KiB for sender and receiver together and a
// unix datagram receiver 4 KiB, its senders' addresses included.
inline constexpr std::size_t kMaxUnixStreamQueued = 4096;
inline constexpr std::size_t kMaxUnixDgramQueued = 2048;
inline constexpr std::size_t kUnixAddressCost = sizeof(sockaddr_un);  // per queued datagram
inline constexpr std::size_t kMaxRuns = 32;   // separate sends queued on one stream socket
inline constexpr std::size_t kMaxErrors = 8;  // errnos one prediction allows

enum class Domain : std::uint8_t { kUnix, kInet4 };
enum class Type : std::uint8_t { kStream, kDgram };

enum class Op : std::uint8_t {
  kSocket,       // socket(domain, type | SOCK_NONBLOCK) into an empty slot
  kBind,         // unix: bind to name `target`; inet: target < 0 port 0, else the address of slot `target`
  kListen,       // listen(kBacklog)
  kConnect,      // unix: connect to name `target`; inet: to the address of slot `target`
  kAccept,       // accept (NULL address) into the lowest empty slot
  kSend,         // send(size bytes, MSG_NOSIGNAL); datagram with target >= 0: sendto as for kConnect
  kRecv,         // recv into a buffer of `size` bytes (datagram: recvfrom)
  kShutdown,     // shutdown(how)
  kClose,        // close
  kGetSockName,  // getsockname
  kGetPeerName,  // getpeername
};

// Payload bytes: a send's payload is fill, fill+1, ... (mod 256), so any piece of
// one is known by its first byte and its length.
struct Run {
  std::uint8_t first = 0;
  std::uint16_t size = 0;  // at most kMaxIo
  std::uint8_t At(std::size_t i) const { return static_cast<std::uint8_t>(first + i); }
};

struct Command {
  Op op = Op::kSocket;
  int slot = 0;        // the socket the command is about, 0..kSlots-1
  Domain domain = Domain::kUnix;  // kSocket
  Type type = Type::kStream;      // kSocket
  int target = -1;     // kBind / kConnect / kSend, see Op
  std::size_t size = 1;  // kSend: bytes; kRecv: buffer size (1..kMaxIo)
  std::uint8_t fill = 0;  // kSend: the payload is fill, fill+1, ...
  int how = SHUT_WR;   // kShutdown

  // The first `n` bytes of a kSend's payload.
  Run Payload(std::size_t n) const {
    return Run{fill, static_cast<std::uint16_t>(n < size ? n : size)};
  }
};

// "connect(s1, name n2)", "send(s0, 5 bytes from 0x41, to s2)".
std::string Describe(const Command& c);
std::ostream& operator<<(std::ostream& os, const Command& c);

// Bytes the model knows are queued (a stream socket's inbox) or expected (a
// receive): runs of payload bytes, oldest first. Inline, no heap.
class KnownBytes {
 public:
  static KnownBytes Of(Run r) {
    KnownBytes p;
    p.Append(r);
    return p;
  }
  std::size_t size() const { return bytes_; }
  bool empty() const { return bytes_ == 0; }
  // No room for another run (Valid keeps a stream send from overflowing an inbox).
  bool full() const { return runs_.full(); }
  // Adds bytes at the end (merged into the last run when they continue it).
  void Append(Run r);
  // Removes the first `n` bytes (n <= size()).
  void DropFront(std::size_t n);
  // Whether `got` is exactly the first got.size() bytes.
  bool StartsWith(std::string_view got) const;
  // Writes the first `n` bytes (n <= size()) to `out`.
  void CopyTo(char* out, std::size_t n) const;

 private:
  FixedVector<Run, kMaxRuns> runs_;
  std::size_t bytes_ = 0;
};

// Received bytes, inline (a receive buffer holds at most kMaxIo bytes). Only the
// bytes in use are ever read or copied: the rest stays uninitialized.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer& other) : size_(other.size_) {
    if (size_ != 0) std::memcpy(bytes_, other.bytes_, size_);
  }
  ByteBuffer& operator=(const ByteBuffer& other) {
    size_ = other.size_;
    if (size_ != 0 && this != &other) std::memcpy(bytes_, other.bytes_, size_);
    return *this;
  }
  char* data() { return bytes_; }  // room for kMaxIo bytes
  std::string_view view() const { return {bytes_, size_}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void resize(std::size_t n) { size_ = n < kMaxIo ? n : kMaxIo; }

 private:
  std::size_t size_ = 0;
  char bytes_[kMaxIo];
};

// An address as the model knows it: one of the world's AF_UNIX names, or an AF_INET
// address.
struct ModelAddress {
  Domain domain = Domain::kUnix;
  int name = -1;                     // unix: the name's index (n0..n7)
  std::array<std::uint8_t, 4> ip{};  // inet
  std::uint16_t port = 0;            // inet, host order
  std::string Describe() const;      // "name n3", "127.0.0.1:40000"
};

// What the system did.
struct Outcome {
  int err = 0;                  // 0: success, else errno
  std::size_t value = 0;        // send/recv: byte count
  ByteBuffer data;              // recv: the bytes
  // getsockname/getpeername/recvfrom: the address returned, as the system wrote it, and
  // which of the world's names it is (-1: none, e.g. not AF_UNIX or another path).
  std::optional<SockAddr> addr;
  int addr_name = -1;
  std::optional<SockAddr> local; // AF_INET, after a call that may have bound the socket
                                 // (bind/listen/send on one without a port; connect):
                                 // getsockname's answer
  bool in_progress = false;     // connect said EINPROGRESS before completing
  bool nonblock_inherited = false;  // accept: the new socket had O_NONBLOCK
  int new_slot = -1;            // accept: where the new socket went
  CallText call;                // the wrapper's description of the call, for messages
};

std::string Describe(const Outcome& o);

// How an address in a successful outcome is checked.
enum class AddrRule : std::uint8_t {
  kNone,      // not checked
  kEqual,     // equal to Expected::addr (SockType ignored)
  kUnixAny,   // any AF_UNIX address (e.g. an unbound socket's name: unspecified)
  kInet4Any,  // any AF_INET address
  kEqualOrNone,  // equal to Expected::addr, or none (no address, or an unnamed AF_UNIX one)
};

struct Expected;

// One pending datagram a UDP receive may return (Expected::one_of).
struct Datagram {
  Run data;                // the whole datagram
  std::size_t value = 0;   // what a receive returns: data cut to the buffer
  AddrRule addr_rule = AddrRule::kNone;
  ModelAddress addr;       // the sender as a receiver sees it
  // The same as a whole Expected (success only).
  Expected Expect() const;
};

// The outcomes the model allows for one command. Inline, no heap.
struct Expected {
  bool success = false;          // success is allowed
  FixedVector<int, kMaxErrors> errors;  // errnos allowed (besides success, if allowed)
  std::size_t min_value = 0;     // success: the returned count lies in [min_value, max_value]
  std::size_t max_value = 0;
  // recv success: the bytes must be `data` cut to the returned count (a prefix: stream
  // sockets may return fewer bytes than are queued; datagrams are cut only by the buffer).
  bool check_data = false;
  KnownBytes data;
  AddrRule addr_rule = AddrRule::kNone;
  ModelAddress addr;
  // Before the call, the World polls the socket for these events, bounded (async
  // loopback delivery); 0: call at once. wait_limit bounds that poll (0: the default,
  // generous one; shorter where what does not come may legally be lost).
  short wait_events = 0;
  std::chrono::milliseconds wait_limit{0};
  // Success must match one of these alternatives (UDP: each pending datagram, as
  // success, count, data and address), instead of the fields above.
  FixedVector<Datagram, kMaxQueued> one_of;
  // connect.self-inet (may): a TCP connect to a port no socket listens on may succeed by
  // connecting the socket to itself, when the system picks that very port as the source
  // port (TCP simultaneous open: its SYN reaches itself). Success is then allowed, besides
  // `success`, when Outcome::local is this address (the target's).
  std::optional<ModelAddress> self_connect;

  // Why `o` is not allowed, or nullopt when it is.
  std::optional<std::string> Mismatch(const Outcome& o) const;
  std::string Describe() const;
};

class Model {
 public:
  // `unix_dir`: the directory the World keeps AF_UNIX names in (World::dir()).
  // `unix_dgram_reliable`: AF_UNIX datagrams arrive in order and none is lost
  // (Have(Feature::kUnixDgramReliable), rule dgram.unix-reliable); otherwise they are
  // treated as UDP's are (FreeBSD serves connected senders first, and drops a sender's
  // queued datagrams when it closes or reconnects).
  Model(std::string unix_dir, bool unix_dgram_reliable);

  // Back to the initial state (no socket, no name), keeping the storage: one Model can
  // serve many runs without allocating.
  void Reset();

  // The precondition: the command refers to sockets in states where the model
  // can tell every allowed outcome (see the file comment). Commands that are
  // not Valid must not be run.
  bool Valid(const Command& c) const;
  // The allowed outcomes of a Valid command in the current state.
  Expected Predict(const Command& c) const;
  // The next state, given what the system did (which Predict allowed).
  void Apply(const Command& c, const Outcome& o);

  bool SlotOpen(int slot) const { return slot_[slot] >= 0; }
  // The family and type of an open slot's socket (for generating commands).
  Domain DomainOf(int slot) const { return socks_[slot_[slot]].domain; }
  Type TypeOf(int slot) const { return socks_[slot_[slot]].type; }
  int LowestEmptySlot() const;  // -1 when all are in use
  // The model's view of one slot, for messages: "s1: unix stream connected, peer s0".
  std::string DescribeSlot(int slot) const;
  std::string DescribeAll() const;

 private:
  enum class State : std::uint8_t { kFresh, kListening, kConnected, kEmbryo };
  struct Message {
    Run data;
    int sender = -1;  // socket id
    bool overdue = false;  // UDP: a receive found nothing while it was pending (lost?)
    bool sender_named = true;  // AF_UNIX: the sender had a name when it sent this
  };
  // Plain data (inline queues): copying one is a memcpy, and a vector of them never
  // allocates once it has grown.
  struct Sock {
    Domain domain = Domain::kUnix;
    Type type = Type::kStream;
    State state = State::kFresh;
    bool open = true;
    int name = -1;        // unix: bound name index, -1 none
    int port = 0;         // inet: bound port; 0 unbound; -1 unknown (bound or not)
    std::array<std::uint8_t, 4> ip{127, 0, 0, 1};  // inet: the local address getsockname
                                                   // reported (autobind: 0.0.0.0)
    int peer = -1;        // connected stream / connected datagram: the peer socket id
    int listener = -1;    // embryo: the listener whose queue holds it
    // unix: `name` is the listener's, which an accepted socket reports; the BSDs and
    // macOS let it bind a name of its own (they refuse only a socket with a file).
    bool name_inherited = false;
    bool peer_gone = false;    // the peer was closed (connection or datagram target)
    bool rd_shut = false, wr_shut = false;
    bool peer_wr_shut = false; // the peer shut down writing: EOF after the data
    bool may_refuse = false;   // UDP: an ICMP error may be pending (sent to a closed peer)
    // connect failed: POSIX leaves the socket's state unspecified ("close it and make a
    // new one"), so the model allows only close and getsockname (any address) on it.
    bool unspecified = false;
    // connect.self-inet: the connect found no listener and connected the socket to
    // itself (Expected::self_connect). Rare (the system must pick the target's port); the
    // model does not follow such a connection: it allows only close, getsockname and
    // getpeername (its own address) on it.
    bool self_connected = false;
    KnownBytes inbox;                             // stream: bytes queued for this socket
    FixedVector<Message, kMaxQueued> messages;    // datagram: messages queued for it
    FixedVector<int, kBacklog> pending;           // listening: embryo ids, oldest first
  };
  struct NameInfo {
    bool exists = false;  // the file is there (bind made it)
    int owner = -1;       // the socket id bound to it while open, else -1
    // Its socket closed: every system known keeps the file, but bind.unix-file-persists
    // is a may, so it may be gone until a bind or connect to it tells (Apply).
    bool may_be_gone = false;
  };

  // A TCP connection whose both directions are shut, or whose peer is gone, may have
  // reached CLOSED: then its port may be released (Linux). A subset of MayBeDisconnected.
  static bool TcpMayBeClosed(const Sock& s);
  // A connected stream socket the BSDs and macOS may already call disconnected: its peer
  // is gone (both families), or TCP has sent its FIN and can receive no more (4.4BSD
  // tcp_input: FIN acknowledged and the read side shut). Then shutdown and getpeername
  // may fail ENOTCONN, and listen is not determined.
  static bool MayBeDisconnected(const Sock& s);
  // A connected AF_UNIX datagram socket whose peer closed: the BSDs and macOS leave
  // ECONNRESET pending for its next send or receive.
  static bool UnixResetPending(const Sock& s) {
    return s.domain == Domain::kUnix && s.type == Type::kDgram && s.peer >= 0 && s.peer_gone;
  }
  // The read side counts as shut: by SHUT_RD, or by the peer's SHUT_WR or close (macOS
  // marks it so when the peer's FIN or close arrives).
  static bool ReadSideShut(const Sock& s) { return s.rd_shut || s.peer_wr_shut || s.peer_gone; }
  Sock* Slot(int slot);
  const Sock* Slot(int slot) const;
  int NewSock(Domain d, Type t);
  // The socket an inet address of slot `slot` leads to, for `type`: a listening (stream) or
  // bound (datagram) socket with that port, or -1.
  int InetReceiver(int port, Type type) const;
  // The socket an AF_UNIX name leads to, or -1 (then NameInfo says whether the file exists).
  int UnixOwner(int name) const { return names_[name].owner; }
  // The address socket `id` would report by getsockname, when the model knows it.
  std::optional<ModelAddress> LocalAddress(int id) const;
  // The address its peers see (getpeername, recvfrom): for inet, the loopback address
  // with its port even when it is bound to the wildcard address.
  std::optional<ModelAddress> PeerViewAddress(int id) const;
  // `as_fresh`: as if the connecting socket were not listening (the errors a system that
  // looks at the target first may report).
  Expected PredictConnect(const Command& c, bool as_fresh = false) const;
  Expected PredictSend(const Command& c) const;
  Expected PredictRecv(const Command& c) const;
  // What receiving message `m` with a buffer of `size` bytes looks like.
  Datagram ExpectMessage(const Sock& s, const Message& m, std::size_t size) const;
  // The queued datagram a successful receive returned: its index in `messages`
  // (UDP: any; AF_UNIX: the oldest), or -1.
  int ReceivedMessage(const Sock& s, const Command& c, const Outcome& o) const;
  // A connect or sendto to AF_UNIX name `name`, whose file exists but which no open socket
  // owns: ECONNREFUSED, or also ENOENT when the file may have gone with its socket.
  Expected NameWithoutOwner(int name) const;
  // After a failed bind, connect or sendto to AF_UNIX name c.target whose file may be gone:
  // what the error says about the file.
  void LearnName(const Command& c, const Outcome& o);
  void CloseSock(int id);
  void LearnPort(int id, const Outcome& o);
  std::string DescribeSock(int id) const;

  std::vector<Sock> socks_;  // every socket of the run, by id (ids are never reused)
  std::array<int, kSlots> slot_;  // socket id per slot, -1 empty
  std::array<NameInfo, kNames> names_;
  std::string unix_dir_;
  bool unix_dgram_reliable_;
};

// The real system side: one descriptor per slot and a private directory.
class World {
 public:
  World();
  ~World();  // closes everything
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Runs `c` (see Op) and reports what happened. `want` only supplies the
  // readiness wait; the World never decides what is right.
  Outcome Run(const Command& c, const Expected& want);
  // Closes every slot's descriptor, TCP ones by reset (no TIME_WAIT left behind). Names
  // stay in the directory until the World goes.
  void CloseAll();
  int OpenCount() const;
  const std::string& dir() const { return dir_.path(); }
  // The address of name `i` (unix) in this world, and its path (made once per World).
  const Address& UnixName(int i, Type t) const { return name_addr_[i][static_cast<int>(t)]; }
  const std::string& NamePath(int i) const { return name_path_[i]; }

 private:
  void RunOne(const Command& c, const Expected& want, Outcome& o);
  // The address `c` names (unix: a name of this world; inet: loopback with the port of
  // slot `target`, or port 0), or nullptr when the target's port cannot be read.
  const Address* TargetAddress(const Command& c, Type type);
  // Which of this world's names `a` is (decoded as FromSockaddr does), or -1.
  int NameIndex(const SockAddr& a) const;
  static std::uint16_t PortOf(const SockAddr& a);  // AF_INET: the port, else 0
  Domain DomainOf(int slot) const { return domain_[slot]; }

  TempDir dir_;
  std::array<Fd, kSlots> fd_;
  std::array<Domain, kSlots> domain_{};
  std::array<Type, kSlots> type_{};
  // AF_INET: the port getsockname last reported for each slot; 0 none (yet).
  std::array<std::uint16_t, kSlots> port_{};
  std::array<std::string, kNames> name_path_;
  std::array<std::array<Address, 2>, kNames> name_addr_;  // [name][Type]
  Address inet_target_;  // TargetAddress's answer for inet commands
};

}  // namespace sockspec::model
