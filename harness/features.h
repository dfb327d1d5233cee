// The one place that knows which optional socket features this platform has.
//
// Each feature is probed twice: at build time (does the header define it?)
// and at run time (does the running system accept it?). Cases ask Have() and
// skip with FeatureName() as the reason; they never #ifdef a verdict. With
// -DSOCKSPEC_ASSUME_POSIX_ONLY=ON every Linux extension reports absent, so the
// suite can be checked to build and run on a system without them.
#pragma once

#include <sys/socket.h>

namespace sockspec {

enum class Feature {
  kAccept4,          // accept4(2) (POSIX.1-2024; missing on older BSD/macOS)
  kSockNonblock,     // SOCK_NONBLOCK type flag (POSIX.1-2024)
  kSockCloexec,      // SOCK_CLOEXEC type flag (POSIX.1-2024)
  kUnixSeqpacket,    // AF_UNIX SOCK_SEQPACKET
  kUnixAbstract,     // Linux abstract AF_UNIX names (sun_path[0] == 0)
  kUnixAutobind,     // Linux autobind on a bind with length sizeof(sa_family_t)
  kInet6,            // AF_INET6 with ::1 configured
  kSoDomain,         // SO_DOMAIN
  kSoProtocol,       // SO_PROTOCOL
  kMsgNoSignal,      // MSG_NOSIGNAL
  kSoPeerCred,       // SO_PEERCRED
  kIpv6V6Only,       // IPV6_V6ONLY socket option
  kProcSelfFd,       // /proc/self/fd (used for leak reports only)
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

}  // namespace sockspec

// Skips the current test with the feature's name when it is absent.
#define SOCKSPEC_REQUIRE_FEATURE(f)                                                  \
  do {                                                                               \
    if (!::sockspec::Have(::sockspec::Feature::f))                                   \
      GTEST_SKIP() << "feature absent on this system: " << ::sockspec::FeatureName( \
                          ::sockspec::Feature::f);                                   \
  } while (0)
