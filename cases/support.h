// Setup helpers shared by the case files: which kinds a suite runs over,
// bound and listening sockets, connections made in this process with bounded
// waits (so a broken system fails a case instead of hanging it), descriptors
// that are not open or not sockets, and the names values are recorded under.
//
// They prepare what a case needs and report a failed step as a Result naming
// the call, for ASSERT_THAT(..., SyscallSucceeds()). The call a case checks
// stays in the case body. Data patterns for the transfer areas are in
// transfer_support.h.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/address.h"
#include "harness/fd.h"
#include "harness/kinds.h"
#include "harness/matchers.h"
#include "harness/result.h"
#include "harness/scenario.h"
#include "harness/temp_dir.h"

namespace sockspec {

// --- Kinds -------------------------------------------------------------------

std::vector<SocketKind> TcpKinds();             // Tcp4, Tcp6
std::vector<SocketKind> UdpKinds();             // Udp4, Udp6
std::vector<SocketKind> Inet6Kinds();           // Tcp6, Udp6
std::vector<SocketKind> UnixConnectionKinds();  // UnixStream, UnixSeqpacket
// `kinds` without those this system lacks, for a case that loops over kinds
// (the parametrised cases report the others as skipped).
std::vector<SocketKind> AvailableKinds(std::vector<SocketKind> kinds = AllKinds());
// The kind called `name` ("Tcp4", "UnixDgram", ...).
SocketKind KindNamed(std::string_view name);

// "rule.Kind", or "rule.Kind.suffix": the name of a value recorded for one kind.
std::string ValueName(std::string_view rule, const SocketKind& k, std::string_view suffix = "");

// --- Option values -----------------------------------------------------------

// A boolean socket option that is on: getsockopt succeeds with any non-zero
// value. POSIX 2.10.16 defines SO_ACCEPTCONN only as "Reports whether socket
// listening is enabled": Linux stores 1, FreeBSD and OpenBSD the flag bit (2).
inline auto SyscallSucceedsWithNonZero() {
  return SyscallSucceedsWithValue(::testing::Ne(0));
}

// --- Descriptors -------------------------------------------------------------

// The lowest free descriptor number: the one the next socket() gets (POSIX
// 2.14), so also a number that is certainly not open (for EBADF cases).
int NextFreeFd();
inline int ClosedFd() { return NextFreeFd(); }

// A pipe: descriptors that are not sockets. `contents` is written into it, so
// a call that wrongly read from it would succeed.
struct Pipe {
  Fd r, w;
};
Result<Pipe> MakePipe(std::string_view contents = "");

// O_NONBLOCK / FD_CLOEXEC of `fd` (false when fcntl fails).
bool IsNonBlocking(const Fd& fd);
bool IsCloexec(const Fd& fd);

// A type flag bit that is not SOCK_NONBLOCK, SOCK_CLOEXEC nor SOCK_CLOFORK,
// above the type numbers: socket() and socketpair() must reject it.
int UnknownTypeFlag();

// Lowers the soft RLIMIT_NOFILE to `soft` and returns the limits it replaced,
// for RestoreFdLimit. Only in a forked body (RunIsolated, Scenario): the
// limit belongs to the process. Check the result with ASSERT_TRUE(r.ok()),
// not a matcher: with no descriptor to spare, a sanitizer cannot check the
// dynamic type of a matcher it has not seen yet (it needs a pipe for that).
Result<rlimit> LowerFdLimit(rlim_t soft);
Result<> RestoreFdLimit(const rlimit& saved);

// --- Bound and listening sockets ---------------------------------------------

// A bound socket and the address getsockname reports for it (which carries
// no socket type).
struct BoundSocket {
  Fd fd;
  Address addr;
};

// A socket of `kind` bound to `at`.
Result<BoundSocket> MakeBound(const SocketKind& kind, const Address& at);
// A socket of `kind` bound to `at` and listening with `backlog`.
Result<BoundSocket> MakeListener(const SocketKind& kind, const Address& at, int backlog);
// A socket other sockets of `kind` can reach at its address: listening
// (backlog 4) for connection kinds, bound for datagram kinds.
Result<BoundSocket> MakeServer(const SocketKind& kind, const Address& at);

// --- Connecting in this process, never blocking ------------------------------

// The bound of a wait that should end at once: a loopback handshake, a
// connection becoming pending, data already sent. The helpers below wait
// Scaled(kWait) (SOCKSPEC_DEADLINE_SCALE, for slow emulators).
inline constexpr std::chrono::milliseconds kWait{5000};

// Makes `fd` non-blocking and connects it to `to`. Succeeds when the connect
// completed at once or is in progress (EINPROGRESS): both are legal.
Result<> StartConnect(const Fd& fd, const Address& to);
// Waits (bounded) for the connect started on `fd` to end. Fails with its
// SO_ERROR, or ETIMEDOUT. Leaves `fd` non-blocking.
Result<> FinishConnect(const Fd& fd);
// StartConnect, FinishConnect, then blocking again: a connect that cannot
// hang the test process.
Result<> ConnectBounded(const Fd& fd, const Address& to);
// Waits (bounded) until a connection is pending on `listener` (POLLIN);
// fails with ETIMEDOUT otherwise.
Result<> WaitPending(const Fd& listener);
// WaitPending, then accept.
Result<Fd> AcceptBounded(const Fd& listener);

// Two sockets of `kind` connected on loopback (or in `dir`), made in this
// process with ConnectBounded and AcceptBounded. Connection kinds: `client`
// connected to the listener at `server_addr`, `server` the accepted end, and
// the listener kept open. Datagram kinds: `server` bound at `server_addr`,
// `client` unbound and connected to it (`listener` is not valid).
struct Connection {
  Fd listener, server, client;
  Address server_addr;
};
Result<Connection> ConnectInProcess(const SocketKind& kind, TempDir& dir);

// Two sockets of `kind` that each reach the other, with no listener left:
// the client and the accepted end of ConnectInProcess for connection kinds;
// two bound datagram sockets, each connected to the other, for datagram kinds.
Result<std::pair<Fd, Fd>> ConnectedPair(const SocketKind& kind, TempDir& dir);

// Sends `token` on `from` and checks `to` receives exactly it.
void ExpectCarries(const Fd& from, const Fd& to, std::string_view token);

// --- Scenario bodies ---------------------------------------------------------

// A listener of `kind` at `at` (MakeListener) whose address is published
// under `key` for the other processes.
Result<Fd> PublishedListener(Process& p, std::string_view key, const SocketKind& kind,
                             const Address& at, int backlog);
// A listener of `kind` at `unix_path` (AF_UNIX; loopback for inet) published
// under "server"; returns the one connection it accepts.
Result<Fd> ServeOne(Process& p, const SocketKind& kind, const std::string& unix_path);
// A new socket of `kind` connected (blocking) to the address published under
// "server".
Result<Fd> ConnectToServer(Process& p, const SocketKind& kind);

}  // namespace sockspec
