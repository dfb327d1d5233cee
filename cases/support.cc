#include "cases/support.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include <gtest/gtest.h>

#include "harness/features.h"
#include "harness/matchers.h"
#include "harness/sys.h"

namespace sockspec {
namespace {

// A failed step, passed on as the caller's result type.
template <typename T, typename U>
Result<T> Forward(const Result<U>& r) {
  return Result<T>::Err(r.error(), r.call());
}

template <typename Pred>
std::vector<SocketKind> Only(std::vector<SocketKind> kinds, Pred pred) {
  std::erase_if(kinds, [&](const SocketKind& k) { return !std::invoke(pred, k); });
  return kinds;
}

}  // namespace

// --- Kinds -------------------------------------------------------------------

std::vector<SocketKind> TcpKinds() { return Only(InetKinds(), &SocketKind::is_stream); }
std::vector<SocketKind> UdpKinds() { return Only(InetKinds(), &SocketKind::is_dgram); }
std::vector<SocketKind> Inet6Kinds() {
  return Only(InetKinds(), [](const SocketKind& k) { return k.domain == AF_INET6; });
}
std::vector<SocketKind> UnixConnectionKinds() {
  return Only(ConnectionKinds(), &SocketKind::is_unix);
}
std::vector<SocketKind> AvailableKinds(std::vector<SocketKind> kinds) {
  return Only(std::move(kinds), &SocketKind::Available);
}

SocketKind KindNamed(std::string_view name) {
  for (const SocketKind& k : AllKinds()) {
    if (name == k.name) return k;
  }
  ADD_FAILURE() << "no socket kind is called " << name;
  return AllKinds().front();
}

std::string ValueName(std::string_view rule, const SocketKind& k, std::string_view suffix) {
  std::string out = std::string(rule) + "." + k.name;
  if (!suffix.empty()) out += "." + std::string(suffix);
  return out;
}

// --- Descriptors -------------------------------------------------------------

int NextFreeFd() {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd >= 0) ::close(fd);
  return fd;
}

Result<Pipe> MakePipe(std::string_view contents) {
  int p[2] = {-1, -1};
  if (::pipe(p) != 0) return Result<Pipe>::Err(errno, "pipe()");
  Pipe out{Fd(p[0]), Fd(p[1])};
  if (!contents.empty()) {
    Result<std::size_t> w = Write(out.w, AsBytes(contents));
    if (!w) return Forward<Pipe>(w);
  }
  return Result<Pipe>::Ok(std::move(out), "pipe()");
}

bool IsNonBlocking(const Fd& fd) {
  Result<int> fl = GetFlags(fd);
  return fl && (*fl & O_NONBLOCK) != 0;
}

bool IsCloexec(const Fd& fd) {
  Result<int> fl = GetFdFlags(fd);
  return fl && (*fl & FD_CLOEXEC) != 0;
}

int UnknownTypeFlag() {
  int known = kSockNonblockFlag | kSockCloexecFlag;
#ifdef SOCK_CLOFORK
  known |= SOCK_CLOFORK;
#endif
  int bogus = 0x100;
  while ((bogus & known) != 0) bogus <<= 1;
  return bogus;
}

Result<rlimit> LowerFdLimit(rlim_t soft) {
  rlimit saved{};
  if (::getrlimit(RLIMIT_NOFILE, &saved) != 0) {
    return Result<rlimit>::Err(errno, "getrlimit(RLIMIT_NOFILE)");
  }
  rlimit low = saved;
  low.rlim_cur = soft;
  const std::string call = "setrlimit(RLIMIT_NOFILE, " + std::to_string(soft) + ")";
  if (::setrlimit(RLIMIT_NOFILE, &low) != 0) return Result<rlimit>::Err(errno, call);
  return Result<rlimit>::Ok(saved, call);
}

Result<> RestoreFdLimit(const rlimit& saved) {
  if (::setrlimit(RLIMIT_NOFILE, &saved) != 0) {
    return Result<>::Err(errno, "setrlimit(RLIMIT_NOFILE) back");
  }
  return Result<>::Ok({}, "setrlimit(RLIMIT_NOFILE) back");
}

// --- Bound and listening sockets ---------------------------------------------

Result<BoundSocket> MakeBound(const SocketKind& kind, const Address& at) {
  Result<Fd> s = kind.Create();
  if (!s) return Forward<BoundSocket>(s);
  if (Result<> r = Bind(*s, at); !r) return Forward<BoundSocket>(r);
  Result<Address> name = GetSockName(*s);
  if (!name) return Forward<BoundSocket>(name);
  return Result<BoundSocket>::Ok({std::move(*s), *name}, name.call());
}

Result<BoundSocket> MakeListener(const SocketKind& kind, const Address& at, int backlog) {
  Result<BoundSocket> b = MakeBound(kind, at);
  if (!b) return b;
  if (Result<> r = Listen(b->fd, backlog); !r) return Forward<BoundSocket>(r);
  return b;
}

Result<BoundSocket> MakeServer(const SocketKind& kind, const Address& at) {
  return kind.connection_oriented() ? MakeListener(kind, at, 4) : MakeBound(kind, at);
}

// --- Connecting in this process, never blocking ------------------------------

Result<> StartConnect(const Fd& fd, const Address& to) {
  if (Result<> nb = SetNonBlocking(fd); !nb) return nb;
  Result<> r = Connect(fd, to);
  if (!r && r.error() == EINPROGRESS) return Result<>::Ok({}, r.call() + " (in progress)");
  return r;
}

Result<> FinishConnect(const Fd& fd) {
  const std::chrono::milliseconds wait = Scaled(kWait);
  Result<short> ev = Poll(fd, POLLOUT, wait);
  if (!ev) return Forward<Empty>(ev);
  Result<int> so = GetSockOptInt(fd, SOL_SOCKET, SO_ERROR);
  if (!so) return Forward<Empty>(so);
  if (*so != 0) return Result<>::Err(*so, "connect completion (SO_ERROR)");
  if ((*ev & POLLOUT) == 0) {
    return Result<>::Err(ETIMEDOUT, "connect did not complete within " +
                                        std::to_string(wait.count()) + " ms (revents " +
                                        std::to_string(*ev) + ")");
  }
  return Result<>::Ok({}, "connect completion");
}

Result<> ConnectBounded(const Fd& fd, const Address& to) {
  if (Result<> r = StartConnect(fd, to); !r) return r;
  if (Result<> r = FinishConnect(fd); !r) return r;
  return SetNonBlocking(fd, false);
}

Result<> WaitPending(const Fd& listener) {
  const std::chrono::milliseconds wait = Scaled(kWait);
  Result<short> ev = Poll(listener, POLLIN, wait);
  if (!ev) return Forward<Empty>(ev);
  if ((*ev & POLLIN) == 0) {
    return Result<>::Err(ETIMEDOUT, "no connection became pending within " +
                                        std::to_string(wait.count()) + " ms (revents " +
                                        std::to_string(*ev) + ")");
  }
  return Result<>::Ok({}, "connection pending");
}

Result<Fd> AcceptBounded(const Fd& listener) {
  if (Result<> r = WaitPending(listener); !r) return Forward<Fd>(r);
  return Accept(listener);
}

Result<Connection> ConnectInProcess(const SocketKind& kind, TempDir& dir) {
  Result<BoundSocket> bound = MakeServer(kind, kind.BindableAddress(dir));
  if (!bound) return Forward<Connection>(bound);
  Connection c;
  c.server_addr = bound->addr;
  Result<Fd> client = kind.Create();
  if (!client) return Forward<Connection>(client);
  c.client = std::move(*client);
  if (!kind.connection_oriented()) {
    // On a datagram socket connect only sets the peer: it cannot block.
    if (Result<> r = Connect(c.client, c.server_addr); !r) return Forward<Connection>(r);
    c.server = std::move(bound->fd);
    return Result<Connection>::Ok(std::move(c), "connected in process");
  }
  if (Result<> r = ConnectBounded(c.client, c.server_addr); !r) return Forward<Connection>(r);
  Result<Fd> accepted = AcceptBounded(bound->fd);
  if (!accepted) return Forward<Connection>(accepted);
  c.server = std::move(*accepted);
  c.listener = std::move(bound->fd);
  return Result<Connection>::Ok(std::move(c), "connected in process");
}

Result<std::pair<Fd, Fd>> ConnectedPair(const SocketKind& kind, TempDir& dir) {
  using Pair = std::pair<Fd, Fd>;
  if (kind.connection_oriented()) {
    Result<Connection> c = ConnectInProcess(kind, dir);
    if (!c) return Forward<Pair>(c);
    return Result<Pair>::Ok({std::move(c->client), std::move(c->server)}, "connected pair");
  }
  Result<BoundSocket> a = MakeBound(kind, kind.BindableAddress(dir));
  if (!a) return Forward<Pair>(a);
  Result<BoundSocket> b = MakeBound(kind, kind.BindableAddress(dir));
  if (!b) return Forward<Pair>(b);
  if (Result<> r = Connect(a->fd, b->addr); !r) return Forward<Pair>(r);
  if (Result<> r = Connect(b->fd, a->addr); !r) return Forward<Pair>(r);
  return Result<Pair>::Ok({std::move(a->fd), std::move(b->fd)}, "connected pair");
}

void ExpectCarries(const Fd& from, const Fd& to, std::string_view token) {
  ASSERT_THAT(SendAll(from, AsBytes(token)), SyscallSucceedsWithValue(token.size()));
  Result<std::string> got = RecvAll(to, token.size());
  ASSERT_THAT(got, SyscallSucceeds());
  EXPECT_EQ(*got, token);
}

// --- Scenario bodies ---------------------------------------------------------

Result<Fd> PublishedListener(Process& p, std::string_view key, const SocketKind& kind,
                             const Address& at, int backlog) {
  Result<BoundSocket> l = MakeListener(kind, at, backlog);
  if (!l) return Forward<Fd>(l);
  p.Publish(key, l->addr);
  return Result<Fd>::Ok(std::move(l->fd), l.call());
}

Result<Fd> ServeOne(Process& p, const SocketKind& kind, const std::string& unix_path) {
  Result<Fd> l = PublishedListener(p, "server", kind, kind.AddressAt(unix_path), 4);
  if (!l) return l;
  return Accept(*l);
}

Result<Fd> ConnectToServer(Process& p, const SocketKind& kind) {
  Address server = p.Await("server");
  Result<Fd> c = kind.Create();
  if (!c) return c;
  if (Result<> r = Connect(*c, server); !r) return Forward<Fd>(r);
  return c;
}

}  // namespace sockspec
