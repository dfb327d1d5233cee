#include "harness/sys.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "harness/features.h"
#include "harness/trace.h"

namespace sockspec {
namespace {

using std::chrono::milliseconds;

// Runs `call` (a libc call returning -1 + errno on failure) with the call
// recorded in the trace before it starts, and the outcome after.
template <typename F>
auto Traced(const CallText& text, F&& call) {
  if (text.record().fn != CallFn::kNone) {
    TraceBegin(text.record());
  } else {
    TraceBegin(text.str());
  }
  errno = 0;
  auto r = call();
  int err = errno;
  TraceEnd(static_cast<std::int64_t>(r), r < 0 ? err : 0);
  errno = err;
  return r;
}

template <typename T>
Result<T> Fail(const CallText& text) {
  return Result<T>::Err(errno, text);
}

// A call of `fn` with integer arguments only.
template <typename... A>
CallText Call(CallFn fn, A... args) {
  return CallText(CallRecord::Of(fn, args...));
}

// A call with address argument `a` (passed to the system as `sa`). The record keeps
// the sockaddr; an address that would not show the same from it keeps its text.
template <typename... A>
CallText CallWithAddress(const Address& a, const SockAddr& sa, CallFn fn, A... args) {
  CallRecord r = CallRecord::Of(fn, args...);
  if (!SockaddrShowsAddress(a)) return CallText(RenderCall(r, a));
  r.SetAddress(sa, a.type);
  return CallText(r);
}

Result<SockAddr> RawName(FdArg fd, bool peer) {
  SockAddr sa;
  sa.len = sizeof(sa.storage);
  const CallText text = Call(peer ? CallFn::kGetPeerName : CallFn::kGetSockName, fd.get());
  int r = Traced(text, [&] {
    return peer ? ::getpeername(fd.get(), sa.get(), &sa.len)
                : ::getsockname(fd.get(), sa.get(), &sa.len);
  });
  if (r < 0) return Fail<SockAddr>(text);
  return Result<SockAddr>::Ok(sa, text);
}

Result<Address> Name(FdArg fd, bool peer) {
  Result<SockAddr> raw = RawName(fd, peer);
  if (!raw) return Result<Address>::Err(raw.error(), raw.call_text());
  Parsed<Address> a = FromSockaddr(&raw->storage, raw->len);
  if (!a) {
    return Result<Address>::Err(
        EINVAL, raw.call_text().WithNote(" [undecodable address: " + a.error.Describe() + "]"));
  }
  return Result<Address>::Ok(*a.value, raw.call_text());
}

}  // namespace

std::string DomainName(int domain) {
  switch (domain) {
    case AF_UNIX: return "AF_UNIX";
    case AF_INET: return "AF_INET";
    case AF_INET6: return "AF_INET6";
    case AF_UNSPEC: return "AF_UNSPEC";
  }
  return std::to_string(domain);
}

std::string TypeName(int type) {
  int base = type & ~(kSockNonblockFlag | kSockCloexecFlag);
  std::string out;
  switch (base) {
    case SOCK_STREAM: out = "SOCK_STREAM"; break;
    case SOCK_DGRAM: out = "SOCK_DGRAM"; break;
    case SOCK_SEQPACKET: out = "SOCK_SEQPACKET"; break;
    case SOCK_RAW: out = "SOCK_RAW"; break;
    default: out = std::to_string(base);
  }
  if (kSockNonblockFlag != 0 && (type & kSockNonblockFlag)) out += "|SOCK_NONBLOCK";
  if (kSockCloexecFlag != 0 && (type & kSockCloexecFlag)) out += "|SOCK_CLOEXEC";
  return out;
}

std::string ShutdownHowName(int how) {
  switch (how) {
    case SHUT_RD: return "SHUT_RD";
    case SHUT_WR: return "SHUT_WR";
    case SHUT_RDWR: return "SHUT_RDWR";
  }
  return std::to_string(how);
}

Result<Fd> Socket(int domain, int type, int protocol) {
  const CallText text = Call(CallFn::kSocket, domain, type, protocol);
  int fd = Traced(text, [&] { return ::socket(domain, type, protocol); });
  if (fd < 0) return Fail<Fd>(text);
  return Result<Fd>::Ok(Fd(fd), text);
}

Result<Fd> SocketFor(const Address& a, int extra_type_flags) {
  int type = ToSocketType(a.type);
  if (type == 0) type = SOCK_STREAM;
  return Socket(a.family(), type | extra_type_flags, 0);
}

Result<std::pair<Fd, Fd>> SocketPair(int domain, int type, int protocol) {
  const CallText text = Call(CallFn::kSocketPair, domain, type, protocol);
  int sv[2] = {-1, -1};
  int r = Traced(text, [&] { return ::socketpair(domain, type, protocol, sv); });
  if (r < 0) return Fail<std::pair<Fd, Fd>>(text);
  return Result<std::pair<Fd, Fd>>::Ok(
      {Fd(sv[0]), Fd(sv[1])},
      text.WithNote(" -> [" + std::to_string(sv[0]) + ", " + std::to_string(sv[1]) + "]"));
}

Result<> Bind(FdArg fd, const Address& a) {
  SockAddr sa = ToSockaddr(a);
  const CallText text = CallWithAddress(a, sa, CallFn::kBind, fd.get());
  int r = Traced(text, [&] { return ::bind(fd.get(), sa.get(), sa.len); });
  if (r < 0) return Fail<Empty>(text);
  return Result<>::Ok({}, text);
}

Result<> Listen(FdArg fd, int backlog) {
  const CallText text = Call(CallFn::kListen, fd.get(), backlog);
  int r = Traced(text, [&] { return ::listen(fd.get(), backlog); });
  if (r < 0) return Fail<Empty>(text);
  return Result<>::Ok({}, text);
}

Result<> Connect(FdArg fd, const Address& a) {
  SockAddr sa = ToSockaddr(a);
  const CallText text = CallWithAddress(a, sa, CallFn::kConnect, fd.get());
  int r = Traced(text, [&] { return ::connect(fd.get(), sa.get(), sa.len); });
  if (r < 0) return Fail<Empty>(text);
  return Result<>::Ok({}, text);
}

Result<Fd> Accept(FdArg fd) {
  const CallText text = Call(CallFn::kAccept, fd.get());
  int r = Traced(text, [&] { return ::accept(fd.get(), nullptr, nullptr); });
  if (r < 0) return Fail<Fd>(text);
  return Result<Fd>::Ok(Fd(r), text);
}

Result<std::pair<Fd, Address>> AcceptWithAddress(FdArg fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  const CallText text = Call(CallFn::kAcceptWithAddress, fd.get());
  int r = Traced(text, [&] { return ::accept(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len); });
  if (r < 0) return Fail<std::pair<Fd, Address>>(text);
  Fd accepted(r);
  Parsed<Address> a = FromSockaddr(&ss, len);
  if (!a) {
    return Result<std::pair<Fd, Address>>::Err(
        EINVAL, text.WithNote(" [undecodable peer address: " + a.error.Describe() + "]"));
  }
  return Result<std::pair<Fd, Address>>::Ok({std::move(accepted), *a.value}, text);
}

Result<Fd> Accept4(FdArg fd, int flags) {
  const CallText text = Call(CallFn::kAccept4, fd.get(), flags);
#if defined(SOCKSPEC_ASSUME_POSIX_ONLY) || !defined(SOCK_NONBLOCK)
  TraceBegin(text.record());
  TraceEnd(-1, ENOSYS);
  return Result<Fd>::Err(ENOSYS, text);
#else
  int r = Traced(text, [&] { return ::accept4(fd.get(), nullptr, nullptr, flags); });
  if (r < 0) return Fail<Fd>(text);
  return Result<Fd>::Ok(Fd(r), text);
#endif
}

Result<Address> GetSockName(FdArg fd) { return Name(fd, false); }
Result<Address> GetPeerName(FdArg fd) { return Name(fd, true); }
Result<SockAddr> GetSockNameRaw(FdArg fd) { return RawName(fd, false); }
Result<SockAddr> GetPeerNameRaw(FdArg fd) { return RawName(fd, true); }

Result<std::size_t> Send(FdArg fd, Bytes data, int flags) {
  const CallText text = Call(CallFn::kSend, fd.get(), data.size(), flags);
  ssize_t r = Traced(text, [&] { return ::send(fd.get(), data.data(), data.size(), flags); });
  if (r < 0) return Fail<std::size_t>(text);
  return Result<std::size_t>::Ok(static_cast<std::size_t>(r), text);
}

Result<std::size_t> SendTo(FdArg fd, Bytes data, const Address& to, int flags) {
  SockAddr sa = ToSockaddr(to);
  const CallText text = CallWithAddress(to, sa, CallFn::kSendTo, fd.get(), data.size(), flags);
  ssize_t r = Traced(text, [&] {
    return ::sendto(fd.get(), data.data(), data.size(), flags, sa.get(), sa.len);
  });
  if (r < 0) return Fail<std::size_t>(text);
  return Result<std::size_t>::Ok(static_cast<std::size_t>(r), text);
}

Result<std::size_t> Recv(FdArg fd, MutableBytes buf, int flags) {
  const CallText text = Call(CallFn::kRecv, fd.get(), buf.size(), flags);
  ssize_t r = Traced(text, [&] { return ::recv(fd.get(), buf.data(), buf.size(), flags); });
  if (r < 0) return Fail<std::size_t>(text);
  return Result<std::size_t>::Ok(static_cast<std::size_t>(r), text);
}

Result<ReceivedRaw> RecvFromRaw(FdArg fd, MutableBytes buf, int flags) {
  ReceivedRaw out;
  out.from.len = sizeof(out.from.storage);
  const CallText text = Call(CallFn::kRecvFrom, fd.get(), buf.size(), flags);
  ssize_t r = Traced(text, [&] {
    return ::recvfrom(fd.get(), buf.data(), buf.size(), flags, out.from.get(), &out.from.len);
  });
  if (r < 0) return Fail<ReceivedRaw>(text);
  out.size = static_cast<std::size_t>(r);
  return Result<ReceivedRaw>::Ok(out, text);
}

Result<Received> RecvFrom(FdArg fd, MutableBytes buf, int flags) {
  Result<ReceivedRaw> raw = RecvFromRaw(fd, buf, flags);
  if (!raw) return Result<Received>::Err(raw.error(), raw.call_text());
  Received out;
  out.size = raw->size;
  if (raw->from.len > 0) {
    Parsed<Address> a = FromSockaddr(&raw->from.storage, raw->from.len);
    if (a) out.from = *a.value;
  }
  return Result<Received>::Ok(out, raw.call_text());
}

Result<std::size_t> Write(FdArg fd, Bytes data) {
  const CallText text = Call(CallFn::kWrite, fd.get(), data.size());
  ssize_t r = Traced(text, [&] { return ::write(fd.get(), data.data(), data.size()); });
  if (r < 0) return Fail<std::size_t>(text);
  return Result<std::size_t>::Ok(static_cast<std::size_t>(r), text);
}

Result<std::size_t> Read(FdArg fd, MutableBytes buf) {
  const CallText text = Call(CallFn::kRead, fd.get(), buf.size());
  ssize_t r = Traced(text, [&] { return ::read(fd.get(), buf.data(), buf.size()); });
  if (r < 0) return Fail<std::size_t>(text);
  return Result<std::size_t>::Ok(static_cast<std::size_t>(r), text);
}

Result<> Shutdown(FdArg fd, int how) {
  const CallText text = Call(CallFn::kShutdown, fd.get(), how);
  int r = Traced(text, [&] { return ::shutdown(fd.get(), how); });
  if (r < 0) return Fail<Empty>(text);
  return Result<>::Ok({}, text);
}

Result<> Close(Fd& fd) {
  int raw = fd.release();
  const CallText text = Call(CallFn::kClose, raw);
  int r = Traced(text, [&] { return ::close(raw); });
  if (r < 0) return Fail<Empty>(text);
  return Result<>::Ok({}, text);
}

Result<int> GetSockOptInt(FdArg fd, int level, int name) {
  int v = 0;
  socklen_t len = sizeof(v);
  const CallText text = Call(CallFn::kGetSockOpt, fd.get(), level, name);
  int r = Traced(text, [&] { return ::getsockopt(fd.get(), level, name, &v, &len); });
  if (r < 0) return Fail<int>(text);
  return Result<int>::Ok(v, text);
}

Result<> SetSockOptInt(FdArg fd, int level, int name, int value) {
  const CallText text = Call(CallFn::kSetSockOpt, fd.get(), level, name, value);
  int r = Traced(text, [&] {
    return ::setsockopt(fd.get(), level, name, &value, sizeof(value));
  });
  if (r < 0) return Fail<Empty>(text);
  return Result<>::Ok({}, text);
}

Result<int> GetFlags(FdArg fd) {
  const CallText text = Call(CallFn::kGetFl, fd.get());
  int r = Traced(text, [&] { return ::fcntl(fd.get(), F_GETFL); });
  if (r < 0) return Fail<int>(text);
  return Result<int>::Ok(r, text);
}

Result<int> GetFdFlags(FdArg fd) {
  const CallText text = Call(CallFn::kGetFd, fd.get());
  int r = Traced(text, [&] { return ::fcntl(fd.get(), F_GETFD); });
  if (r < 0) return Fail<int>(text);
  return Result<int>::Ok(r, text);
}

Result<> SetNonBlocking(FdArg fd, bool on) {
  Result<int> flags = GetFlags(fd);
  if (!flags) return Result<>::Err(flags.error(), flags.call_text());
  return SetNonBlocking(fd, on, *flags);
}

Result<> SetNonBlocking(FdArg fd, bool on, int current_flags) {
  int want = on ? (current_flags | O_NONBLOCK) : (current_flags & ~O_NONBLOCK);
  const CallText text = Call(CallFn::kSetNonBlocking, fd.get(), on ? 1 : 0);
  int r = Traced(text, [&] { return ::fcntl(fd.get(), F_SETFL, want); });
  if (r < 0) return Fail<Empty>(text);
  return Result<>::Ok({}, text);
}

Result<short> Poll(FdArg fd, short events, milliseconds timeout) {
  pollfd p{fd.get(), events, 0};
  const CallText text = Call(CallFn::kPoll, fd.get(), timeout.count());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int r = Traced(text, [&] {
    milliseconds left = timeout;
    for (;;) {
      const int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n >= 0 || errno != EINTR) return n;
      if (timeout.count() < 0) continue;  // no limit
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return 0;  // the time ran out while interrupted
      left = std::chrono::ceil<milliseconds>(deadline - now);
    }
  });
  if (r < 0) return Fail<short>(text);
  return Result<short>::Ok(r == 0 ? short{0} : p.revents, text);
}

Result<std::size_t> SendAll(FdArg fd, Bytes data, int flags, milliseconds timeout) {
  std::size_t done = 0;
  while (done < data.size()) {
    Result<std::size_t> r = Send(fd, data.subspan(done), flags);
    if (!r) {
      if (r.error() == EINTR) continue;
      if (r.error() != EAGAIN && r.error() != EWOULDBLOCK) {
        return Result<std::size_t>::Err(r.error(), r.call_text());
      }
      Result<short> p = Poll(fd, POLLOUT, timeout);
      if (!p) return Result<std::size_t>::Err(p.error(), p.call_text());
      if (*p == 0) return Result<std::size_t>::Err(ETIMEDOUT, "SendAll: no room within timeout");
      continue;
    }
    done += *r;
  }
  return Result<std::size_t>::Ok(done, Call(CallFn::kSendAll, fd.get()));
}

namespace {
// Receives until `n` bytes (or EOF when stop_at_eof and n is SIZE_MAX).
Result<std::string> RecvLoop(FdArg fd, std::size_t n, milliseconds timeout) {
  std::string out;
  std::byte buf[4096];
  while (out.size() < n) {
    Result<short> p = Poll(fd, POLLIN, timeout);
    if (!p) return Result<std::string>::Err(p.error(), p.call_text());
    if (*p == 0) {
      return Result<std::string>::Err(
          ETIMEDOUT, "recv loop: nothing readable within " + std::to_string(timeout.count()) +
                         " ms after " + std::to_string(out.size()) + " bytes");
    }
    std::size_t want = std::min(sizeof(buf), n - out.size());
    Result<std::size_t> r = Recv(fd, MutableBytes(buf, want));
    if (!r) {
      if (r.error() == EINTR || r.error() == EAGAIN || r.error() == EWOULDBLOCK) continue;
      return Result<std::string>::Err(r.error(), r.call_text());
    }
    if (*r == 0) break;  // end of stream
    out.append(reinterpret_cast<const char*>(buf), *r);
  }
  return Result<std::string>::Ok(std::move(out), Call(CallFn::kRecvLoop, fd.get()));
}
}  // namespace

Result<std::string> RecvAll(FdArg fd, std::size_t n, milliseconds timeout) {
  return RecvLoop(fd, n, timeout);
}

Result<std::string> RecvUntilEof(FdArg fd, milliseconds timeout) {
  return RecvLoop(fd, static_cast<std::size_t>(-1), timeout);
}

}  // namespace sockspec
