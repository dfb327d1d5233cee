// Force-included (-include) first into every cases/, properties/ and fuzz/
// source of the SOCKSPEC_ASSUME_POSIX_ONLY build, so that build fails to
// compile wherever a test names a Linux extension itself instead of going
// through harness/features.h (Have(), kSockNonblockFlag, DontWait...). That is
// how "the suite builds where these are absent" is checked on Linux.
//
// features.h takes its build-time decisions first; then the names are
// removed: macros are undefined, and every later mention — even #ifdef — is
// an error. String-shaped extensions (abstract names, /proc paths) cannot be
// poisoned; they go through Have(kUnixAbstract) and ProcSysNet().
#pragma once
#ifndef SOCKSPEC_ASSUME_POSIX_ONLY
#error "harness/posix_only.h is for the SOCKSPEC_ASSUME_POSIX_ONLY build only"
#endif

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "harness/features.h"

#undef SOCK_NONBLOCK
#undef SOCK_CLOEXEC
#undef MSG_NOSIGNAL
#undef MSG_DONTWAIT
#undef SO_DOMAIN
#undef SO_PROTOCOL
#undef SO_PEERCRED
#pragma GCC poison SOCK_NONBLOCK SOCK_CLOEXEC accept4 MSG_NOSIGNAL MSG_DONTWAIT
#pragma GCC poison SO_DOMAIN SO_PROTOCOL SO_PEERCRED ucred
