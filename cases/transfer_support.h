// Helpers shared by the data-transfer areas (cases/stream.cc, cases/dgram.cc):
// connected pairs of any socket kind, in-process or across a Scenario, and
// byte patterns that make reordering, loss and duplication visible.
#pragma once

#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "harness/address.h"
#include "harness/fd.h"
#include "harness/kinds.h"
#include "harness/result.h"
#include "harness/scenario.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"

namespace sockspec::transfer {

// A bound and running wait bound, long enough for a loaded machine, short
// enough that a lost datagram cannot stall a case for long.
inline constexpr std::chrono::milliseconds kWait{2000};

// `n` bytes from a non-periodic generator seeded by `seed`, so that a chunk
// delivered twice, dropped or out of place cannot look right by accident.
inline std::string Pattern(std::size_t n, std::uint32_t seed) {
  std::string out(n, '\0');
  std::uint32_t x = seed * 2654435761u + 0x9e3779b9u;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

inline MutableBytes AsMutable(std::string& s) {
  return std::as_writable_bytes(std::span(s.data(), s.size()));
}

// The address a fresh socket of `kind` listens or receives on: `unix_path`
// for AF_UNIX, the loopback address with port 0 otherwise.
inline Address LocalAddress(const SocketKind& kind, const std::string& unix_path) {
  switch (kind.domain) {
    case AF_UNIX: return Address::UnixPath(unix_path, kind.sock_type());
    case AF_INET: return Address::Loopback4(0, kind.sock_type());
    default: return Address::Loopback6(0, kind.sock_type());
  }
}

template <typename T, typename U>
Result<T> Forward(const Result<U>& r) {
  return Result<T>::Err(r.error(), r.call());
}

// A socket of `kind` bound to LocalAddress (and listening, for connection
// kinds); `bound` receives the address the system reports for it.
inline Result<Fd> BoundSocket(const SocketKind& kind, const std::string& unix_path,
                              Address* bound, int extra_flags = 0) {
  Result<Fd> s = kind.Create(extra_flags);
  if (!s) return s;
  if (auto r = Bind(*s, LocalAddress(kind, unix_path)); !r) return Forward<Fd>(r);
  if (kind.connection_oriented()) {
    if (auto r = Listen(*s, 4); !r) return Forward<Fd>(r);
  }
  Result<Address> name = GetSockName(*s);
  if (!name) return Forward<Fd>(name);
  *bound = *name;
  bound->type = kind.sock_type();
  return s;
}

// Two connected sockets of `kind` in this process: for connection kinds the
// client (first) and the accepted server (second); for datagram kinds two
// bound sockets, each connected to the other. The listener is closed.
inline Result<std::pair<Fd, Fd>> ConnectedPair(const SocketKind& kind, TempDir& dir) {
  using R = Result<std::pair<Fd, Fd>>;
  Address a_addr;
  Result<Fd> a = BoundSocket(kind, dir.UniquePath("a"), &a_addr);
  if (!a) return Forward<std::pair<Fd, Fd>>(a);
  if (kind.connection_oriented()) {
    Result<Fd> c = kind.Create();
    if (!c) return Forward<std::pair<Fd, Fd>>(c);
    // The backlog has room, so a blocking connect completes without accept.
    if (auto r = Connect(*c, a_addr); !r) return Forward<std::pair<Fd, Fd>>(r);
    Result<Fd> s = Accept(*a);
    if (!s) return Forward<std::pair<Fd, Fd>>(s);
    return R::Ok({std::move(*c), std::move(*s)}, "connected pair");
  }
  Address b_addr;
  Result<Fd> b = BoundSocket(kind, dir.UniquePath("b"), &b_addr);
  if (!b) return Forward<std::pair<Fd, Fd>>(b);
  if (auto r = Connect(*a, b_addr); !r) return Forward<std::pair<Fd, Fd>>(r);
  if (auto r = Connect(*b, a_addr); !r) return Forward<std::pair<Fd, Fd>>(r);
  return R::Ok({std::move(*a), std::move(*b)}, "connected pair");
}

// Scenario bodies: a server that listens on a fresh address, publishes it
// under "server" and accepts one connection; a client that connects to it.
inline Result<Fd> ServeOne(Process& p, const SocketKind& kind, const std::string& unix_path) {
  Address bound;
  Result<Fd> l = BoundSocket(kind, unix_path, &bound);
  if (!l) return l;
  p.Publish("server", bound);
  return Accept(*l);
}

inline Result<Fd> ConnectToServer(Process& p, const SocketKind& kind) {
  Address server = p.Await("server");
  Result<Fd> c = kind.Create();
  if (!c) return c;
  if (auto r = Connect(*c, server); !r) return Forward<Fd>(r);
  return c;
}

// For a forked body that must see EPIPE rather than die of SIGPIPE.
inline void IgnoreSigpipe() { ::signal(SIGPIPE, SIG_IGN); }

}  // namespace sockspec::transfer
