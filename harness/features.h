// The one place that knows which optional socket features this platform has.
//
// Each feature is probed twice: at build time (does the header define it?)
// and at run time (does the running system accept it?). Cases ask Have() and
// skip with FeatureName() as the reason; they never #ifdef a verdict. With
// -DSOCKSPEC_ASSUME_POSIX_ONLY=ON every Linux extension reports absent, so the
// suite can be checked to build and run on a system without them.
#pragma once

#include <sys/socket.h>

#include <string>

namespace sockspec {

enum class Feature {
  kAccept4,          // accept4(2) (POSIX.1-2024; missing on older BSD/macOS)
  kSockNonblock,     // SOCK_NONBLOCK type flag (POSIX.1-2024)
  kSockCloexec,      // SOCK_CLOEXEC type flag (POSIX.1-2024)
  kUnixSeqpacket,    // AF_UNIX SOCK_SEQPACKET
  kUnixAbstract,     // Linux abstract AF_UNIX names (sun_path[0] == 0)
  kUnixAutobind,     // Linux autobind on a bind with length sizeof(sa_family_t)
  kUnixDgramReliable,  // AF_UNIX datagrams never lost nor reordered (Linux unix(7) only)
  kInet6,            // AF_INET6 with ::1 configured
  kSoDomain,         // SO_DOMAIN
  kSoProtocol,       // SO_PROTOCOL
  kMsgNoSignal,      // MSG_NOSIGNAL
  kSoPeerCred,       // SO_PEERCRED
  kIpv6V6Only,       // IPV6_V6ONLY socket option
  kIpv4MappedIpv6,   // IPv4-mapped IPv6 addresses: IPV6_V6ONLY can be cleared (not OpenBSD)
  kProcSelfFd,       // /proc/self/fd (used for leak reports only)
  kMsgDontwait,      // MSG_DONTWAIT (not in POSIX.1-2024; Linux, the BSDs, macOS)
  kProcSysNet,       // /proc/sys/net: Linux network tunables (somaxconn, port range...)
};

// True when the feature exists both in the headers and in the running system.
bool Have(Feature f);
// "accept4", "abstract AF_UNIX names", ...: the skip reason names this.
const char* FeatureName(Feature f);

// The flag values, or 0 when the headers lack them (Have() is then false).
#if defined(SOCK_NONBLOCK) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
inline constexpr int kSockNonblockFlag = SOCK_NONBLOCK;
#else
inline constexpr int kSockNonblockFlag = 0;
#endif
#if defined(SOCK_CLOEXEC) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
inline constexpr int kSockCloexecFlag = SOCK_CLOEXEC;
#else
inline constexpr int kSockCloexecFlag = 0;
#endif
#if defined(MSG_NOSIGNAL) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
inline constexpr int kMsgNoSignalFlag = MSG_NOSIGNAL;
#else
inline constexpr int kMsgNoSignalFlag = 0;
#endif
// The option names, or -1 when the headers lack them (Have() is then false).
#if defined(SO_DOMAIN) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
inline constexpr int kSoDomainOption = SO_DOMAIN;
#else
inline constexpr int kSoDomainOption = -1;
#endif
#if defined(SO_PROTOCOL) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
inline constexpr int kSoProtocolOption = SO_PROTOCOL;
#else
inline constexpr int kSoProtocolOption = -1;
#endif
#if defined(MSG_DONTWAIT) && !defined(SOCKSPEC_ASSUME_POSIX_ONLY)
inline constexpr int kMsgDontwaitFlag = MSG_DONTWAIT;
#else
inline constexpr int kMsgDontwaitFlag = 0;
#endif

// One send or receive that must not block, written portably:
//   ::recv(fd, buf, n, DontWait(fd).flags())
// gives MSG_DONTWAIT where the platform has it; elsewhere the descriptor is
// O_NONBLOCK from here until the temporary dies at the end of the full
// expression (after the call, and after a gtest matcher has read errno: the
// restore keeps errno). A descriptor that was already O_NONBLOCK stays so. Not
// for a descriptor another process uses meanwhile.
class DontWait {
 public:
  explicit DontWait(int fd) : DontWait(fd, kMsgDontwaitFlag) {}
  ~DontWait();
  DontWait(const DontWait&) = delete;
  DontWait& operator=(const DontWait&) = delete;
  // The fallback whatever the platform has (flags() is 0, the descriptor is
  // O_NONBLOCK meanwhile): what DontWait(fd) does without MSG_DONTWAIT, named
  // so the unit tests of every build exercise it, not only the posix-only one.
  static DontWait ByFileStatusFlag(int fd) { return DontWait(fd, 0); }
  int flags() const { return flags_; }

 private:
  DontWait(int fd, int msg_flag);
  int fd_ = -1;
  int flags_ = 0;      // MSG_DONTWAIT, or 0 on the fallback
  int saved_fl_ = -1;  // the file status flags to restore, -1 when untouched
};

// The first line of /proc/sys/net/<name> (e.g. "core/somaxconn"), "" when
// the feature kProcSysNet is absent or the file cannot be read.
std::string ProcSysNet(const char* name);

}  // namespace sockspec

// Skips the current test with the feature's name when it is absent.
#define SOCKSPEC_REQUIRE_FEATURE(f)                                                  \
  do {                                                                               \
    if (!::sockspec::Have(::sockspec::Feature::f))                                   \
      GTEST_SKIP() << "feature absent on this system: " << ::sockspec::FeatureName( \
                          ::sockspec::Feature::f);                                   \
  } while (0)
