#include "harness/features.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "harness/fd.h"

namespace sockspec {
namespace {

bool CanCreate(int domain, int type) {
  Fd fd(::socket(domain, type, 0));
  return fd.valid();
}

bool ProbeAccept4() {
#if defined(SOCKSPEC_ASSUME_POSIX_ONLY) || !defined(SOCK_NONBLOCK)
  return false;
#else
  // On a bad fd a system with accept4 says EBADF; one without says ENOSYS.
  errno = 0;
  int r = ::accept4(-1, nullptr, nullptr, 0);
  return r < 0 && errno != ENOSYS;
#endif
}

bool ProbeAbstract() {
#if defined(SOCKSPEC_ASSUME_POSIX_ONLY) || !defined(__linux__)
  return false;
#else
  Fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
  if (!fd) return false;
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  // A name unique to this process; nothing else is created.
  const char name[] = "sockspec-probe";
  std::memcpy(sun.sun_path + 1, name, sizeof(name) - 1);
  std::string suffix = std::to_string(::getpid());
  std::memcpy(sun.sun_path + sizeof(name), suffix.data(), suffix.size());
  socklen_t len = offsetof(sockaddr_un, sun_path) + sizeof(name) + suffix.size();
  return ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sun), len) == 0;
#endif
}

bool ProbeAutobind() {
#if defined(SOCKSPEC_ASSUME_POSIX_ONLY) || !defined(__linux__)
  return false;
#else
  Fd fd(::socket(AF_UNIX, SOCK_DGRAM, 0));
  if (!fd) return false;
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof(sa_family_t)) != 0) return false;
  sockaddr_un got{};
  socklen_t len = sizeof(got);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&got), &len) != 0) return false;
  return len > sizeof(sa_family_t) && got.sun_path[0] == '\0';
#endif
}

// Rule dgram.unix-reliable. POSIX promises no delivery for SOCK_DGRAM (XSH
// send(): success does not guarantee delivery); only Linux unix(7) documents
// AF_UNIX datagrams as reliable and in order. No run can show that nothing is
// ever lost, so the probe is the platform's word: built for Linux and running
// on a kernel that calls itself Linux (uname sysname).
bool ProbeUnixDgramReliable() {
#if defined(SOCKSPEC_ASSUME_POSIX_ONLY) || !defined(__linux__)
  return false;
#else
  utsname u{};
  return ::uname(&u) == 0 && std::strcmp(u.sysname, "Linux") == 0;
#endif
}

bool ProbeInet6() {
  Fd fd(::socket(AF_INET6, SOCK_STREAM, 0));
  if (!fd) return false;
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_addr = in6addr_loopback;
  return ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sin6), sizeof(sin6)) == 0;
}

template <int kLevel, int kName>
bool ProbeIntOption(int domain, int type) {
  Fd fd(::socket(domain, type, 0));
  if (!fd) return false;
  int v = 0;
  socklen_t len = sizeof(v);
  return ::getsockopt(fd.get(), kLevel, kName, &v, &len) == 0;
}

// IPv4-mapped addresses ([::ffff:a.b.c.d]) work only on a socket that is not
// IPV6_V6ONLY. POSIX defines the option but not that it can be cleared;
// OpenBSD refuses (EINVAL) because it has no mapped addresses at all.
bool ProbeIpv4Mapped() {
#if defined(IPV6_V6ONLY)
  if (!ProbeInet6()) return false;
  Fd fd(::socket(AF_INET6, SOCK_STREAM, 0));
  if (!fd) return false;
  int off = 0;
  return ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) == 0;
#else
  return false;
#endif
}

bool Probe(Feature f) {
  switch (f) {
    case Feature::kAccept4:
      return ProbeAccept4();
    case Feature::kSockNonblock:
      return kSockNonblockFlag != 0 && CanCreate(AF_UNIX, SOCK_STREAM | kSockNonblockFlag);
    case Feature::kSockCloexec:
      return kSockCloexecFlag != 0 && CanCreate(AF_UNIX, SOCK_STREAM | kSockCloexecFlag);
    case Feature::kUnixSeqpacket:
      return CanCreate(AF_UNIX, SOCK_SEQPACKET);
    case Feature::kUnixAbstract:
      return ProbeAbstract();
    case Feature::kUnixAutobind:
      return ProbeAutobind();
    case Feature::kUnixDgramReliable:
      return ProbeUnixDgramReliable();
    case Feature::kInet6:
      return ProbeInet6();
    case Feature::kSoDomain:
#if defined(SO_DOMAIN) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
      return ProbeIntOption<SOL_SOCKET, SO_DOMAIN>(AF_UNIX, SOCK_STREAM);
#else
      return false;
#endif
    case Feature::kSoProtocol:
#if defined(SO_PROTOCOL) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
      return ProbeIntOption<SOL_SOCKET, SO_PROTOCOL>(AF_UNIX, SOCK_STREAM);
#else
      return false;
#endif
    case Feature::kMsgNoSignal:
      return kMsgNoSignalFlag != 0;
    case Feature::kSoPeerCred:
#if defined(SO_PEERCRED) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
      return true;
#else
      return false;
#endif
    case Feature::kIpv6V6Only:
#if defined(IPV6_V6ONLY)
      return ProbeInet6() && ProbeIntOption<IPPROTO_IPV6, IPV6_V6ONLY>(AF_INET6, SOCK_STREAM);
#else
      return false;
#endif
    case Feature::kIpv4MappedIpv6:
      return ProbeIpv4Mapped();
    case Feature::kProcSelfFd:
#if defined(SOCKSPEC_ASSUME_POSIX_ONLY)
      return false;
#else
      return ::access("/proc/self/fd", R_OK) == 0;
#endif
    case Feature::kMsgDontwait:
      return kMsgDontwaitFlag != 0;
    case Feature::kProcSysNet:
#if defined(SOCKSPEC_ASSUME_POSIX_ONLY)
      return false;
#else
      return ::access("/proc/sys/net", R_OK) == 0;
#endif
  }
  return false;
}

constexpr int kFeatureCount = static_cast<int>(Feature::kProcSysNet) + 1;

}  // namespace

bool Have(Feature f) {
  // Probed once per process; -1 = not yet probed.
  static signed char cache[kFeatureCount] = {};
  static bool init = false;
  if (!init) {
    for (signed char& c : cache) c = -1;
    init = true;
  }
  signed char& c = cache[static_cast<int>(f)];
  if (c < 0) c = Probe(f) ? 1 : 0;
  return c == 1;
}

const char* FeatureName(Feature f) {
  switch (f) {
    case Feature::kAccept4: return "accept4";
    case Feature::kSockNonblock: return "SOCK_NONBLOCK type flag";
    case Feature::kSockCloexec: return "SOCK_CLOEXEC type flag";
    case Feature::kUnixSeqpacket: return "AF_UNIX SOCK_SEQPACKET";
    case Feature::kUnixAbstract: return "abstract AF_UNIX names";
    case Feature::kUnixAutobind: return "AF_UNIX autobind";
    case Feature::kUnixDgramReliable: return "reliable, ordered AF_UNIX datagrams (Linux)";
    case Feature::kInet6: return "IPv6 loopback (::1)";
    case Feature::kSoDomain: return "SO_DOMAIN";
    case Feature::kSoProtocol: return "SO_PROTOCOL";
    case Feature::kMsgNoSignal: return "MSG_NOSIGNAL";
    case Feature::kSoPeerCred: return "SO_PEERCRED";
    case Feature::kIpv6V6Only: return "IPV6_V6ONLY";
    case Feature::kIpv4MappedIpv6: return "IPv4-mapped IPv6 addresses (IPV6_V6ONLY=0)";
    case Feature::kProcSelfFd: return "/proc/self/fd";
    case Feature::kMsgDontwait: return "MSG_DONTWAIT";
    case Feature::kProcSysNet: return "/proc/sys/net (Linux tunables)";
  }
  return "unknown feature";
}

DontWait::DontWait(int fd, int msg_flag) : fd_(fd), flags_(msg_flag) {
  if (msg_flag != 0) return;
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || (fl & O_NONBLOCK)) return;  // a bad fd fails in the call itself
  if (::fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0) saved_fl_ = fl;
}

DontWait::~DontWait() {
  if (saved_fl_ < 0) return;
  int saved_errno = errno;
  (void)::fcntl(fd_, F_SETFL, saved_fl_);
  errno = saved_errno;
}

std::string ProcSysNet(const char* name) {
  if (!Have(Feature::kProcSysNet)) return "";
  std::ifstream in(std::string("/proc/sys/net/") + name);
  std::string line;
  if (in) std::getline(in, line);
  return line;
}

}  // namespace sockspec
