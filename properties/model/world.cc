// The World: the real-system side of the lifecycle model (lifecycle.h). It
// runs one command through the harness wrapper and reports what happened; it
// never decides what is right. Kept apart from the model's decisions
// (lifecycle.cc) so that a coverage-guided fuzzer can be guided by the model
// alone: fuzz/CMakeLists.txt instruments lifecycle.cc, not this file.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <string_view>

#include "harness/features.h"
#include "harness/sys.h"
#include "properties/model/lifecycle.h"

namespace sockspec::model {
namespace {

// How long the World waits for asynchronous loopback delivery. Generous: it is
// only ever spent when the system is wrong (or very slow).
constexpr std::chrono::milliseconds kSettle{2000};

}  // namespace

World::World() {
  // Sends pass MSG_NOSIGNAL; where the platform has none, SIGPIPE must not end the run.
  if (kMsgNoSignalFlag == 0) ::signal(SIGPIPE, SIG_IGN);
  // The names' paths and addresses, made once: a run uses them on every unix call.
  for (int i = 0; i < kNames; ++i) {
    name_path_[i] = dir_.Path("n" + std::to_string(i));
    name_addr_[i][static_cast<int>(Type::kStream)] =
        Address::UnixPath(name_path_[i], SockType::kStream);
    name_addr_[i][static_cast<int>(Type::kDgram)] =
        Address::UnixPath(name_path_[i], SockType::kDgram);
  }
}

World::~World() { CloseAll(); }

void World::CloseAll() {
  // Teardown, not a checked call: TCP sockets are reset (SO_LINGER 0) rather than closed
  // with a FIN, so they leave no TIME_WAIT behind. Nothing observes them afterwards, and
  // TIME_WAIT sockets keep their ports for a minute: tens of thousands of them (two
  // fuzzer jobs, or runs in a row) made every bind to port 0 search the whole ephemeral
  // range, and halved call_sequence's speed. A Close command still closes gracefully.
  for (int i = 0; i < kSlots; ++i) {
    if (fd_[i].valid() && domain_[i] == Domain::kInet4 && type_[i] == Type::kStream) {
      const linger reset{1, 0};
      (void)::setsockopt(fd_[i].get(), SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    }
  }
  for (Fd& fd : fd_) fd.reset();
  port_.fill(0);
}

int World::OpenCount() const {
  return static_cast<int>(std::count_if(fd_.begin(), fd_.end(), [](const Fd& f) { return f.valid(); }));
}

std::uint16_t World::PortOf(const SockAddr& a) {
  if (a.storage.ss_family != AF_INET || a.len < static_cast<socklen_t>(sizeof(sockaddr_in))) {
    return 0;
  }
  sockaddr_in in;
  std::memcpy(&in, &a.storage, sizeof(in));
  return ntohs(in.sin_port);
}

int World::NameIndex(const SockAddr& a) const {
  // As FromSockaddr reads a pathname: the bytes after the family, within sun_path, up to
  // the first NUL (an abstract name starts with NUL: never one of ours).
  constexpr std::size_t kPathAt = offsetof(sockaddr_un, sun_path);
  const std::size_t len = a.len;
  if (a.storage.ss_family != AF_UNIX || len <= kPathAt) return -1;
  const char* path = reinterpret_cast<const char*>(&a.storage) + kPathAt;
  const std::size_t room = std::min(len - kPathAt, SunPathSize());
  const std::string_view name(path, strnlen(path, room));
  for (int i = 0; i < kNames; ++i) {
    if (name == name_path_[i]) return i;
  }
  return -1;
}

const Address* World::TargetAddress(const Command& c, Type type) {
  if (domain_[c.slot] == Domain::kUnix) return &UnixName(c.target, type);
  std::uint16_t port = 0;
  if (c.target >= 0) {
    // The port getsockname reported when the target was bound (the model's port for
    // it comes from the same answer); asked now only if it was never read.
    port = port_[c.target];
    if (port == 0) {
      Result<SockAddr> a = GetSockNameRaw(fd_[c.target]);
      if (!a || a->storage.ss_family != AF_INET) return nullptr;
      port = port_[c.target] = PortOf(*a);
    }
  }
  // A socket bound to the wildcard address is reached through loopback: never use
  // any other address.
  inet_target_ = Address::Loopback4(port);
  return &inet_target_;
}

Outcome World::Run(const Command& c, const Expected& want) {
  Outcome o;  // filled in place: an Outcome is a few hundred bytes
  RunOne(c, want, o);
  return o;
}

void World::RunOne(const Command& c, const Expected& want, Outcome& o) {
  auto fail = [&](int err, const CallText& call) {
    o.err = err;
    o.call = call;
  };
  // A failure that is no single wrapper call.
  auto fail_text = [&](int err, const char* what) { fail(err, CallText(what)); };
  if (want.wait_events && c.op != Op::kSocket && fd_[c.slot].valid()) {
    (void)Poll(fd_[c.slot], want.wait_events,
                  want.wait_limit.count() > 0 ? want.wait_limit : kSettle);
  }
  // AF_INET only (the model learns ports and the local address from o.local; AF_UNIX
  // names it knows from the commands): getsockname after a call that may have bound
  // the socket, or changed its local address.
  auto learn_local = [&](int slot) {
    Result<SockAddr> a = GetSockNameRaw(fd_[slot]);
    if (!a) return;
    o.local = *a;
    port_[slot] = PortOf(*a);
  };
  const bool inet = domain_[c.slot] == Domain::kInet4;
  // A bound socket keeps its port (for the commands the model calls Valid: bind and
  // listen are not, where a TCP connection may have given it back), so bind, listen
  // and send can only bind one that has none yet: ask only then.
  auto learn_if_unbound = [&] {
    if (inet && port_[c.slot] == 0) learn_local(c.slot);
  };
  Fd& fd = fd_[c.slot];
  switch (c.op) {
    case Op::kSocket: {
      int type = (c.type == Type::kStream ? SOCK_STREAM : SOCK_DGRAM) | kSockNonblockFlag;
      Result<Fd> r = Socket(c.domain == Domain::kUnix ? AF_UNIX : AF_INET, type);
      if (!r) return fail(r.error(), r.call_text());
      o.call = r.call_text();
      if (kSockNonblockFlag == 0) (void)SetNonBlocking(*r);
      fd = std::move(*r);
      domain_[c.slot] = c.domain;
      type_[c.slot] = c.type;
      port_[c.slot] = 0;
      return;
    }
    case Op::kBind: {
      const Address* to = TargetAddress(c, type_[c.slot]);
      if (!to) return fail_text(EBADF, "getsockname of the target failed");
      Result<> r = Bind(fd, *to);
      learn_if_unbound();  // even a failed call may have bound it
      if (!r) return fail(r.error(), r.call_text());
      o.call = r.call_text();
      return;
    }
    case Op::kListen: {
      Result<> r = Listen(fd, kBacklog);
      learn_if_unbound();  // listen autobinds (listen.unbound-inet)
      if (!r) return fail(r.error(), r.call_text());
      o.call = r.call_text();
      return;
    }
    case Op::kConnect: {
      const Address* to = TargetAddress(c, type_[c.slot]);
      if (!to) return fail_text(EBADF, "getsockname of the target failed");
      Result<> r = Connect(fd, *to);
      o.call = r.call_text();
      // Always asked after connect: it binds, and it may set the local address of a
      // socket bound to the wildcard address (a failed TCP connect may release the port).
      if (!r && r.error() != EINPROGRESS) {
        if (inet) learn_local(c.slot);
        return fail(r.error(), r.call_text());
      }
      if (!r) {
        o.in_progress = true;
        Result<short> p = Poll(fd, POLLOUT, kSettle);
        if (!p) return fail(p.error(), p.call_text());
        if (*p == 0) return fail(ETIMEDOUT, o.call.WithNote(" [still in progress after poll]"));
        Result<int> err = GetSockOptInt(fd, SOL_SOCKET, SO_ERROR);
        if (!err) return fail(err.error(), err.call_text());
        if (*err) {
          if (inet) learn_local(c.slot);
          return fail(*err, o.call);
        }
      }
      if (inet) learn_local(c.slot);
      return;
    }
    case Op::kAccept: {
      Result<Fd> r = Accept(fd);
      if (!r) return fail(r.error(), r.call_text());
      o.call = r.call_text();
      Result<int> flags = GetFlags(*r);
      o.nonblock_inherited = flags && (*flags & O_NONBLOCK);
      if (!o.nonblock_inherited) {
        (void)(flags ? SetNonBlocking(*r, true, *flags) : SetNonBlocking(*r));
      }
      for (int i = 0; i < kSlots; ++i) {
        if (!fd_[i].valid()) {
          o.new_slot = i;
          break;
        }
      }
      if (o.new_slot < 0) return fail(EMFILE, o.call.WithNote(" [no free slot]"));
      domain_[o.new_slot] = domain_[c.slot];
      type_[o.new_slot] = type_[c.slot];
      fd_[o.new_slot] = std::move(*r);
      port_[o.new_slot] = 0;  // read when a command first targets it
      return;
    }
    case Op::kSend: {
      if (c.size > kMaxIo) return fail_text(EINVAL, "send larger than the model's kMaxIo");
      char payload[kMaxIo];
      for (std::size_t i = 0; i < c.size; ++i) payload[i] = static_cast<char>(c.fill + i);
      const Bytes bytes = AsBytes(std::string_view(payload, c.size));
      Result<std::size_t> r = Result<std::size_t>::Err(EINVAL);
      if (c.target >= 0) {
        const Address* to = TargetAddress(c, type_[c.slot]);
        if (!to) return fail_text(EBADF, "getsockname of the target failed");
        r = SendTo(fd, bytes, *to, kMsgNoSignalFlag);
      } else {
        r = Send(fd, bytes, kMsgNoSignalFlag);
      }
      learn_if_unbound();  // UDP autobinds on send, even a failed one
      if (!r) return fail(r.error(), r.call_text());
      o.call = r.call_text();
      o.value = *r;
      return;
    }
    case Op::kRecv: {
      if (c.size > kMaxIo) return fail_text(EINVAL, "receive larger than the model's kMaxIo");
      MutableBytes span(reinterpret_cast<std::byte*>(o.data.data()), c.size);
      if (type_[c.slot] == Type::kDgram) {
        Result<ReceivedRaw> r = RecvFromRaw(fd, span);
        if (!r) return fail(r.error(), r.call_text());
        o.call = r.call_text();
        o.value = r->size;
        // No address reported (an unbound AF_UNIX sender): none in the outcome either.
        if (r->from.len > 0) {
          o.addr = r->from;
          o.addr_name = NameIndex(r->from);
        }
      } else {
        Result<std::size_t> r = Recv(fd, span);
        if (!r) return fail(r.error(), r.call_text());
        o.call = r.call_text();
        o.value = *r;
      }
      o.data.resize(std::min(o.value, c.size));
      return;
    }
    case Op::kShutdown: {
      Result<> r = Shutdown(fd, c.how);
      if (!r) return fail(r.error(), r.call_text());
      o.call = r.call_text();
      return;
    }
    case Op::kClose: {
      port_[c.slot] = 0;
      Result<> r = Close(fd);
      if (!r) return fail(r.error(), r.call_text());
      o.call = r.call_text();
      return;
    }
    case Op::kGetSockName:
    case Op::kGetPeerName: {
      Result<SockAddr> r = c.op == Op::kGetSockName ? GetSockNameRaw(fd) : GetPeerNameRaw(fd);
      if (!r) return fail(r.error(), r.call_text());
      o.call = r.call_text();
      o.addr = *r;
      o.addr_name = NameIndex(*r);
      return;
    }
  }
  return fail_text(EINVAL, "unknown command");
}

}  // namespace sockspec::model
