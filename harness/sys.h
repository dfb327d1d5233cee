// The thin wrapper over libc's socket functions: every call goes to libc
// (never syscall(2)), returns a Result carrying errno, and is recorded in the
// process's call trace. It adds ownership, errno capture and tracing, never
// behaviour: what a case checks is what libc and the system do.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "harness/address.h"
#include "harness/fd.h"
#include "harness/result.h"

namespace sockspec {

// Accepts either a raw descriptor (for EBADF/ENOTSOCK cases) or an Fd.
class FdArg {
 public:
  FdArg(int fd) : fd_(fd) {}                // NOLINT: implicit on purpose
  FdArg(const Fd& fd) : fd_(fd.get()) {}    // NOLINT
  int get() const { return fd_; }

 private:
  int fd_;
};

using Bytes = std::span<const std::byte>;
using MutableBytes = std::span<std::byte>;
inline Bytes AsBytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

Result<Fd> Socket(int domain, int type, int protocol = 0);
// Socket of the family and type that suit `a` (type kUnspecified: SOCK_STREAM).
Result<Fd> SocketFor(const Address& a, int extra_type_flags = 0);
Result<std::pair<Fd, Fd>> SocketPair(int domain, int type, int protocol = 0);

Result<> Bind(FdArg fd, const Address& a);
Result<> Listen(FdArg fd, int backlog);
Result<> Connect(FdArg fd, const Address& a);
// Accepts with NULL address and length.
Result<Fd> Accept(FdArg fd);
// Accepts and decodes the peer address.
Result<std::pair<Fd, Address>> AcceptWithAddress(FdArg fd);
// accept4; fails ENOSYS where the platform has none (see Feature::kAccept4).
Result<Fd> Accept4(FdArg fd, int flags);

Result<Address> GetSockName(FdArg fd);
Result<Address> GetPeerName(FdArg fd);
// The same calls without decoding: the sockaddr as the system wrote it, with the
// length it reported (no heap; for callers that compare addresses in bulk).
Result<SockAddr> GetSockNameRaw(FdArg fd);
Result<SockAddr> GetPeerNameRaw(FdArg fd);

Result<std::size_t> Send(FdArg fd, Bytes data, int flags = 0);
Result<std::size_t> SendTo(FdArg fd, Bytes data, const Address& to, int flags = 0);
Result<std::size_t> Recv(FdArg fd, MutableBytes buf, int flags = 0);
struct Received {
  std::size_t size = 0;
  Address from;  // unnamed when the system reported no address
};
Result<Received> RecvFrom(FdArg fd, MutableBytes buf, int flags = 0);
// recvfrom without decoding the sender (`from.len` 0: the system reported none).
struct ReceivedRaw {
  std::size_t size = 0;
  SockAddr from;
};
Result<ReceivedRaw> RecvFromRaw(FdArg fd, MutableBytes buf, int flags = 0);
Result<std::size_t> Write(FdArg fd, Bytes data);
Result<std::size_t> Read(FdArg fd, MutableBytes buf);

Result<> Shutdown(FdArg fd, int how);
// Closes and releases `fd` whatever the outcome (POSIX leaves the descriptor
// state unspecified after EINTR; Linux always frees it).
Result<> Close(Fd& fd);

Result<int> GetSockOptInt(FdArg fd, int level, int name);
Result<> SetSockOptInt(FdArg fd, int level, int name, int value);
// fcntl(F_GETFL) / (F_GETFD).
Result<int> GetFlags(FdArg fd);
Result<int> GetFdFlags(FdArg fd);
Result<> SetNonBlocking(FdArg fd, bool on = true);
// The same, given the flags the caller just read with GetFlags (one fcntl, not two).
Result<> SetNonBlocking(FdArg fd, bool on, int current_flags);

// poll on one descriptor; returns revents (0 on timeout). A signal does not cut
// the wait short: poll() is resumed after EINTR with the time left (a periodic
// signal, such as libFuzzer's -timeout alarm, would otherwise end every wait early).
Result<short> Poll(FdArg fd, short events, std::chrono::milliseconds timeout);

// Sends all of `data`, resuming after short writes; each wait for room is
// bounded by `timeout` (EAGAIN on a non-blocking socket waits with poll).
Result<std::size_t> SendAll(FdArg fd, Bytes data, int flags = 0,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));
// Receives until `n` bytes or end of stream; returns what arrived. Short reads
// are resumed; each wait is bounded by `timeout` (then ETIMEDOUT).
Result<std::string> RecvAll(FdArg fd, std::size_t n,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));
// Receives until end of stream (recv returns 0).
Result<std::string> RecvUntilEof(FdArg fd,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Descriptive text for arguments, used in traces and messages.
std::string DomainName(int domain);   // "AF_UNIX"
std::string TypeName(int type);       // "SOCK_STREAM|SOCK_NONBLOCK"
std::string ShutdownHowName(int how); // "SHUT_WR"

}  // namespace sockspec
