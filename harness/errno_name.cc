#include "harness/errno_name.h"

#include <cerrno>
#include <csignal>
#include <cstring>

namespace sockspec {
namespace {

struct Named {
  int value;
  const char* name;
};

#define SOCKSPEC_E(x) {x, #x}
// EWOULDBLOCK and EOPNOTSUPP alias EAGAIN and ENOTSUP on Linux; the first
// entry for a value wins, so list the name a socket reader expects first.
constexpr Named kErrnos[] = {
    SOCKSPEC_E(EPERM),        SOCKSPEC_E(ENOENT),          SOCKSPEC_E(ESRCH),
    SOCKSPEC_E(EINTR),        SOCKSPEC_E(EIO),             SOCKSPEC_E(ENXIO),
    SOCKSPEC_E(E2BIG),        SOCKSPEC_E(ENOEXEC),         SOCKSPEC_E(EBADF),
    SOCKSPEC_E(ECHILD),       SOCKSPEC_E(EAGAIN),          SOCKSPEC_E(ENOMEM),
    SOCKSPEC_E(EACCES),       SOCKSPEC_E(EFAULT),          SOCKSPEC_E(EBUSY),
    SOCKSPEC_E(EEXIST),       SOCKSPEC_E(EXDEV),           SOCKSPEC_E(ENODEV),
    SOCKSPEC_E(ENOTDIR),      SOCKSPEC_E(EISDIR),          SOCKSPEC_E(EINVAL),
    SOCKSPEC_E(ENFILE),       SOCKSPEC_E(EMFILE),          SOCKSPEC_E(ENOTTY),
    SOCKSPEC_E(EFBIG),        SOCKSPEC_E(ENOSPC),          SOCKSPEC_E(ESPIPE),
    SOCKSPEC_E(EROFS),        SOCKSPEC_E(EMLINK),          SOCKSPEC_E(EPIPE),
    SOCKSPEC_E(EDOM),         SOCKSPEC_E(ERANGE),          SOCKSPEC_E(ENAMETOOLONG),
    SOCKSPEC_E(ENOSYS),       SOCKSPEC_E(ELOOP),           SOCKSPEC_E(ENOTSOCK),
    SOCKSPEC_E(EDESTADDRREQ), SOCKSPEC_E(EMSGSIZE),        SOCKSPEC_E(EPROTOTYPE),
    SOCKSPEC_E(ENOPROTOOPT),  SOCKSPEC_E(EPROTONOSUPPORT), SOCKSPEC_E(ESOCKTNOSUPPORT),
    SOCKSPEC_E(EOPNOTSUPP),   SOCKSPEC_E(ENOTSUP),         SOCKSPEC_E(EPFNOSUPPORT),
    SOCKSPEC_E(EAFNOSUPPORT), SOCKSPEC_E(EADDRINUSE),      SOCKSPEC_E(EADDRNOTAVAIL),
    SOCKSPEC_E(ENETDOWN),     SOCKSPEC_E(ENETUNREACH),     SOCKSPEC_E(ENETRESET),
    SOCKSPEC_E(ECONNABORTED), SOCKSPEC_E(ECONNRESET),      SOCKSPEC_E(ENOBUFS),
    SOCKSPEC_E(EISCONN),      SOCKSPEC_E(ENOTCONN),        SOCKSPEC_E(ESHUTDOWN),
    SOCKSPEC_E(ETIMEDOUT),    SOCKSPEC_E(ECONNREFUSED),    SOCKSPEC_E(EHOSTDOWN),
    SOCKSPEC_E(EHOSTUNREACH), SOCKSPEC_E(EALREADY),        SOCKSPEC_E(EINPROGRESS),
    SOCKSPEC_E(EOVERFLOW),    SOCKSPEC_E(EPROTO),          SOCKSPEC_E(ENOTEMPTY),
    SOCKSPEC_E(EILSEQ),  // a file system that refuses a name's bytes (APFS, ZFS utf8only)
};
#undef SOCKSPEC_E

#define SOCKSPEC_S(x) {x, #x}
constexpr Named kSignals[] = {
    SOCKSPEC_S(SIGHUP),  SOCKSPEC_S(SIGINT),  SOCKSPEC_S(SIGQUIT), SOCKSPEC_S(SIGILL),
    SOCKSPEC_S(SIGTRAP), SOCKSPEC_S(SIGABRT), SOCKSPEC_S(SIGBUS),  SOCKSPEC_S(SIGFPE),
    SOCKSPEC_S(SIGKILL), SOCKSPEC_S(SIGUSR1), SOCKSPEC_S(SIGSEGV), SOCKSPEC_S(SIGUSR2),
    SOCKSPEC_S(SIGPIPE), SOCKSPEC_S(SIGALRM), SOCKSPEC_S(SIGTERM), SOCKSPEC_S(SIGCHLD),
    SOCKSPEC_S(SIGCONT), SOCKSPEC_S(SIGSTOP), SOCKSPEC_S(SIGTSTP), SOCKSPEC_S(SIGSYS),
    SOCKSPEC_S(SIGXCPU), SOCKSPEC_S(SIGXFSZ),
};
#undef SOCKSPEC_S

}  // namespace

std::string ErrnoName(int err) {
  if (err == 0) return "0";
  for (const Named& e : kErrnos) {
    if (e.value == err) return e.name;
  }
  return "errno " + std::to_string(err);
}

std::string DescribeErrno(int err) {
  return ErrnoName(err) + " (" + std::strerror(err) + ")";
}

std::string SignalName(int sig) {
  for (const Named& s : kSignals) {
    if (s.value == sig) return s.name;
  }
  return "signal " + std::to_string(sig);
}

}  // namespace sockspec
