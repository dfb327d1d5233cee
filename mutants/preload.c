/* libsockspec_mutant.so: an LD_PRELOAD interposer over libc's socket
 * functions. With SOCKSPEC_MUTANT=<name> it breaks exactly one documented
 * rule; with SOCKSPEC_VARIANT=<name> it makes one choice a conforming system
 * may make but Linux does not; with neither it passes every call through
 * unchanged (ci/mutation's clean run proves the wrapper itself is invisible).
 * The names are in entries.h; what each breaks or exercises is in
 * catalogue.tsv.
 *
 * The scenario runner talks to its children over AF_UNIX stream socketpairs.
 * A mutant must break the system under test, not the test's own plumbing, so
 * stream-data mutants apply only to stream sockets made by socket(), accept()
 * or accept4(), never to socketpair() ends; mutants about socketpair itself
 * touch only what the runner does not use (it asks for SOCK_CLOEXEC only, and
 * never for SOCK_NONBLOCK or datagrams). Legal variants apply everywhere they
 * make sense: the runner has to tolerate a conforming system too. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "entries.h"

/* ---- selection ---- */

#define NAME_ENTRY(id, name) [id] = name,
static const char* const kNames[ENTRY_COUNT] = {
    SOCKSPEC_MUTANTS(NAME_ENTRY) SOCKSPEC_VARIANTS(NAME_ENTRY)};
#undef NAME_ENTRY

static int g_entry = -1; /* -1: not read yet */

static int Lookup(const char* name, int first, int last) {
  for (int i = first; i < last; ++i) {
    if (kNames[i] != NULL && strcmp(kNames[i], name) == 0) return i;
  }
  fprintf(stderr, "libsockspec_mutant: unknown entry '%s'\n", name);
  _exit(97); /* a typo must not pass for a mutant nobody noticed */
}

static int Entry(void) {
  if (g_entry < 0) {
    const char* m = getenv("SOCKSPEC_MUTANT");
    const char* v = getenv("SOCKSPEC_VARIANT");
    g_entry = NONE;
    if (m != NULL && *m != '\0') g_entry = Lookup(m, NONE + 1, FIRST_VARIANT_MARKER);
    else if (v != NULL && *v != '\0') g_entry = Lookup(v, FIRST_VARIANT_MARKER + 1, ENTRY_COUNT);
  }
  return g_entry;
}

static void ForgetHeldInChild(void);

__attribute__((constructor)) static void Init(void) {
  (void)Entry();
  /* a forked child must not send its parent's held-back datagram again */
  pthread_atfork(NULL, NULL, ForgetHeldInChild);
}

#define IS(e) (Entry() == (e))

/* ---- the real functions ---- */

static void* Resolve(void** slot, const char* name) {
  if (*slot == NULL) *slot = dlsym(RTLD_NEXT, name);
  return *slot;
}
#define REAL(name) ((__typeof__(real_##name))Resolve((void**)&real_##name, #name))

static int (*real_socket)(int, int, int);
static int (*real_socketpair)(int, int, int, int[2]);
static int (*real_bind)(int, const struct sockaddr*, socklen_t);
static int (*real_listen)(int, int);
static int (*real_accept)(int, struct sockaddr*, socklen_t*);
static int (*real_accept4)(int, struct sockaddr*, socklen_t*, int);
static int (*real_connect)(int, const struct sockaddr*, socklen_t);
static int (*real_getsockname)(int, struct sockaddr*, socklen_t*);
static int (*real_getpeername)(int, struct sockaddr*, socklen_t*);
static ssize_t (*real_send)(int, const void*, size_t, int);
static ssize_t (*real_sendto)(int, const void*, size_t, int, const struct sockaddr*, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr*, int);
static ssize_t (*real_recv)(int, void*, size_t, int);
static ssize_t (*real_recvfrom)(int, void*, size_t, int, struct sockaddr*, socklen_t*);
static ssize_t (*real_recvmsg)(int, struct msghdr*, int);
static ssize_t (*real_read)(int, void*, size_t);
static ssize_t (*real_write)(int, const void*, size_t);
static int (*real_shutdown)(int, int);
static int (*real_close)(int);
static int (*real_getsockopt)(int, int, int, void*, socklen_t*);
static int (*real_setsockopt)(int, int, int, const void*, socklen_t);
static int (*real_poll)(struct pollfd*, nfds_t, int);

/* ---- what we know about descriptors ---- */

enum { kMaxFd = 4096 };

struct FdInfo {
  unsigned char known;     /* made by socket/socketpair/accept/accept4 here */
  unsigned char pair;      /* made by socketpair (the runner's channels are) */
  unsigned char listening; /* listen() succeeded */
  unsigned char connected; /* connect() succeeded or is in progress; accepted */
  unsigned char wildcard_name; /* connect-unspec-eafnosupport: getsockname says 0.0.0.0/:: */
  unsigned char reset;     /* tcp-full-queue-reset: the attempt was dropped */
  unsigned char shut_wr;   /* no-sigpipe-on-own-shutdown: its own SHUT_WR/SHUT_RDWR succeeded */
  unsigned char shut_rd;   /* shutdown-repeat-enotconn, bind-shutdown-einval: own SHUT_RD/RDWR */
  int reset_error;         /* tcp-full-queue-reset: ECONNRESET until read */
  int domain, type;        /* type without flags */
  int flags;               /* SOCK_NONBLOCK/SOCK_CLOEXEC as created */
  unsigned long datagrams; /* sent, for udp-loss-reorder */
  int sticky_error;        /* so-error-not-cleared */
  char* rest;              /* dgram-truncation-keeps-rest: the kept excess */
  size_t rest_len;
  int* queue;              /* accept-fifo-reversed: drained connections */
  size_t queued;
  char* bound_path;        /* unix-file-removed-on-close: the file its bind made, */
  dev_t bound_dev;         /* which (device, inode) and in which process */
  ino_t bound_ino;
  pid_t bound_pid;
};

static struct FdInfo g_fd[kMaxFd];

static struct FdInfo* Info(int fd) {
  return fd >= 0 && fd < kMaxFd && g_fd[fd].known ? &g_fd[fd] : NULL;
}

static void Forget(int fd) {
  if (fd < 0 || fd >= kMaxFd) return;
  struct FdInfo* i = &g_fd[fd];
  free(i->rest);
  for (size_t k = 0; k < i->queued; ++k) REAL(close)(i->queue[k]);
  free(i->queue);
  free(i->bound_path);
  memset(i, 0, sizeof(*i));
}

static void Remember(int fd, int domain, int type, int pair) {
  if (fd < 0 || fd >= kMaxFd) return;
  Forget(fd);
  struct FdInfo* i = &g_fd[fd];
  i->known = 1;
  i->pair = (unsigned char)pair;
  i->domain = domain;
  i->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  i->flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/* A byte-stream socket of the system under test (not a runner channel). */
static int StreamTarget(int fd) {
  struct FdInfo* i = Info(fd);
  return i != NULL && !i->pair && i->type == SOCK_STREAM;
}
/* Any stream socket, channels included (for legal variants). */
static int AnyStream(int fd) {
  struct FdInfo* i = Info(fd);
  return i != NULL && i->type == SOCK_STREAM;
}
/* A datagram or seqpacket socket (the runner has none). */
static int MessageTarget(int fd) {
  struct FdInfo* i = Info(fd);
  return i != NULL && i->type != SOCK_STREAM;
}
static int IsInet(const struct FdInfo* i) {
  return i != NULL && (i->domain == AF_INET || i->domain == AF_INET6);
}
static int NonBlocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && (fl & O_NONBLOCK) != 0;
}
static int Bound(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (REAL(getsockname)(fd, (struct sockaddr*)&ss, &len) < 0) return 0;
  if (ss.ss_family == AF_INET) return ((struct sockaddr_in*)&ss)->sin_port != 0;
  if (ss.ss_family == AF_INET6) return ((struct sockaddr_in6*)&ss)->sin6_port != 0;
  return len > sizeof(sa_family_t);
}
static int HasPeer(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  return REAL(getpeername)(fd, (struct sockaddr*)&ss, &len) == 0;
}
static int Fail(int e) {
  errno = e;
  return -1;
}

/* ---- udp-loss-reorder: one held-back datagram per process ---- */

static struct {
  int fd;
  char* data;
  size_t len;
  struct sockaddr_storage to;
  socklen_t tolen;
} g_held = {-1, NULL, 0, {0}, 0};

static void ReleaseHeld(void) {
  if (g_held.fd < 0) return;
  int fd = g_held.fd;
  g_held.fd = -1;
  int saved = errno;
  (void)REAL(sendto)(fd, g_held.data, g_held.len, MSG_DONTWAIT,
                     g_held.tolen ? (struct sockaddr*)&g_held.to : NULL, g_held.tolen);
  errno = saved;
  free(g_held.data);
  g_held.data = NULL;
}

static void ForgetHeldInChild(void) {
  free(g_held.data);
  g_held.data = NULL;
  g_held.fd = -1;
}

/* Entry to a send on fd: a datagram held back on another socket goes now; one
 * held on fd itself goes after this send (so this one overtakes it). */
static void ReleaseHeldUnless(int fd) {
  if (g_held.fd != fd) ReleaseHeld();
}

/* A datagram whose send cannot fail for a reason the caller must see. */
static int Holdable(const struct FdInfo* i, int fd, size_t n, int flags, const struct sockaddr* to,
                    socklen_t tolen) {
  if ((flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL)) != 0 || n > 65507) return 0;
  if (to == NULL) return HasPeer(fd);
  socklen_t want = i->domain == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
  return to->sa_family == i->domain && tolen == want && Bound(fd);
}

/* udp-drop-first: whether the first datagram of fd may be lost instead of
 * sent: one the system would accept (plain flags, a size UDP can carry, an
 * address of the socket's family and size) to a loopback port, so the send
 * could only succeed. An unbound socket is first bound as the system's own
 * send would bind it (wildcard address, an ephemeral port), since callers
 * may then read that name. */
static int LoseableFirst(const struct FdInfo* i, int fd, size_t n, int flags,
                         const struct sockaddr* to, socklen_t tolen) {
  if ((flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL)) != 0 || n > 65507) return 0;
  const socklen_t want =
      i->domain == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
  struct sockaddr_storage dst;
  socklen_t dlen = sizeof(dst);
  if (to == NULL) {
    if (REAL(getpeername)(fd, (struct sockaddr*)&dst, &dlen) < 0) return 0;
  } else {
    if (to->sa_family != i->domain || tolen != want) return 0;
    memcpy(&dst, to, tolen);
  }
  int loopback = 0;
  if (dst.ss_family == AF_INET) {
    const struct sockaddr_in* a = (const struct sockaddr_in*)&dst;
    loopback = a->sin_port != 0 && (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  } else if (dst.ss_family == AF_INET6) {
    const struct sockaddr_in6* a = (const struct sockaddr_in6*)&dst;
    loopback = a->sin6_port != 0 && IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
  }
  if (!loopback) return 0;
  if (!Bound(fd)) {
    struct sockaddr_storage any;
    memset(&any, 0, sizeof(any));
    any.ss_family = (sa_family_t)i->domain;
    if (REAL(bind)(fd, (struct sockaddr*)&any, want) < 0) return 0;
  }
  return 1;
}

/* ---- address results ---- */

static size_t Min(size_t a, size_t b) { return a < b ? a : b; }

/* unix-name-len-without-nul: the length of a full AF_UNIX pathname address
 * without its terminating NUL (BSD sun_len style); other addresses as given. */
static socklen_t LenWithoutNul(const struct sockaddr* sa, socklen_t len) {
  const socklen_t base = offsetof(struct sockaddr_un, sun_path);
  if (!IS(V_UNIX_NAME_LEN_WITHOUT_NUL) || sa->sa_family != AF_UNIX || len <= base + 1) return len;
  const struct sockaddr_un* u = (const struct sockaddr_un*)sa;
  size_t n = len - base;
  if (u->sun_path[0] != '\0' && u->sun_path[n - 1] == '\0' && strlen(u->sun_path) == n - 1) {
    return len - 1;
  }
  return len;
}

/* Legal variants of a returned address length (supplied: the caller's *len
 * before the call; *len: the system's answer, for an address stored whole or
 * truncated). */
static void AdjustNameLen(const struct sockaddr* sa, socklen_t supplied, socklen_t* len) {
  if (sa == NULL || len == NULL) return;
  if (*len <= supplied) *len = LenWithoutNul(sa, *len);
  if (IS(V_NAME_TRUNCATED_LEN_STORED) && *len > supplied) *len = supplied;
}

/* The name mutants common to accept, getsockname and getpeername: `full` and
 * `full_len` are the untruncated address the system gave. */
static void StoreName(const struct sockaddr_storage* full, socklen_t full_len,
                      struct sockaddr* addr, socklen_t* len, int len_not_updated,
                      int writes_past_len) {
  if (addr == NULL || len == NULL) return;
  socklen_t supplied = *len;
  if (writes_past_len) {
    memcpy(addr, full, full_len); /* ignores the caller's length */
    *len = full_len;
    return;
  }
  memcpy(addr, full, Min(supplied, full_len));
  if (!len_not_updated) *len = full_len;
}

/* ---- socket, socketpair ---- */

int socket(int domain, int type, int protocol) {
  if (IS(SOCKET_NONBLOCK_IGNORED)) type &= ~SOCK_NONBLOCK;
  if (IS(SOCKET_CLOEXEC_IGNORED)) type &= ~SOCK_CLOEXEC;
  if (IS(SOCKET_CLOEXEC_DEFAULT)) type |= SOCK_CLOEXEC;
  if (IS(SOCKET_BAD_PROTOCOL_ACCEPTED) && (domain == AF_INET || domain == AF_INET6)) protocol = 0;
  int fd = REAL(socket)(domain, type, protocol);
  if (fd < 0) {
    if (IS(SOCKET_BAD_DOMAIN_ERRNO) && errno == EAFNOSUPPORT) errno = EINVAL;
    if (IS(SOCKET_EMFILE_ERRNO) && errno == EMFILE) errno = ENFILE;
    if (IS(V_OTHER_DOCUMENTED_ERRNOS) && errno == EINVAL) errno = EPROTOTYPE; /* BSD */
    return fd;
  }
  if (IS(SOCKET_NOT_LOWEST_FD)) {
    int higher = fcntl(fd, (type & SOCK_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, fd + 1);
    if (higher >= 0) {
      REAL(close)(fd);
      fd = higher;
    }
  }
  Remember(fd, domain, type, 0);
  if (IS(V_V6ONLY_FIXED) && domain == AF_INET6) {
    /* OpenBSD: IPv6 sockets never carry IPv4 (no v4-mapped addresses) */
    int one = 1;
    (void)REAL(setsockopt)(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  return fd;
}

int socketpair(int domain, int type, int protocol, int sv[2]) {
  int nonblock_first_only = 0;
  if (IS(SOCKETPAIR_NONBLOCK_ONE) && (type & SOCK_NONBLOCK)) {
    type &= ~SOCK_NONBLOCK;
    nonblock_first_only = 1;
  }
  if (IS(SOCKETPAIR_CLOEXEC_IGNORED)) type &= ~SOCK_CLOEXEC;
  if (IS(SOCKETPAIR_INET_SUCCEEDS) && (domain == AF_INET || domain == AF_INET6)) domain = AF_UNIX;
  if (IS(SOCKETPAIR_DGRAM_AS_STREAM) && (type & 0xf) == SOCK_DGRAM) {
    type = (type & ~0xf) | SOCK_STREAM;
  }
  int r = REAL(socketpair)(domain, type, protocol, sv);
  if (r < 0) {
    if (IS(V_OTHER_DOCUMENTED_ERRNOS) && errno == EOPNOTSUPP) errno = EAFNOSUPPORT;
    return r;
  }
  if (nonblock_first_only) (void)fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
  Remember(sv[0], domain, type, 1);
  Remember(sv[1], domain, type, 1);
  return r;
}

/* ---- bind ---- */

/* An inet address given with a length that cuts into it, padded to full. */
static int PadShortInet(const struct sockaddr* addr, socklen_t len, struct sockaddr_storage* out,
                        socklen_t* out_len) {
  if (addr == NULL || len < sizeof(sa_family_t)) return 0;
  socklen_t want = addr->sa_family == AF_INET    ? sizeof(struct sockaddr_in)
                   : addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                 : 0;
  if (want == 0 || len >= want) return 0;
  memset(out, 0, sizeof(*out));
  memcpy(out, addr, len);
  *out_len = want;
  return 1;
}

/* long-sun-path-binds: an AF_UNIX pathname given with an address_len past
 * sockaddr_un, NUL-terminated within it, bound whole (macOS takes up to the
 * 255 bytes sa_len can say). Linux cannot take it in one address, so the
 * socket is bound to the last component from inside its directory (the
 * process's working directory moves there for the call and back: the cases
 * bind from one thread). Returns -2 when the address is not such a path. */
static int BindLongUnixPath(int fd, const struct sockaddr* addr, socklen_t len) {
  const size_t base = offsetof(struct sockaddr_un, sun_path);
  if (addr == NULL || addr->sa_family != AF_UNIX || len <= sizeof(struct sockaddr_un)) return -2;
  const char* path = (const char*)addr + base;
  size_t n = strnlen(path, len - base);
  if (n == 0 || n == len - base || n < sizeof(((struct sockaddr_un*)0)->sun_path)) return -2;
  if (len > 255) return Fail(EINVAL); /* more than sa_len can say */
  char* copy = strdup(path);
  if (copy == NULL) return Fail(ENOMEM);
  char* slash = strrchr(copy, '/');
  const char* leaf = slash != NULL ? slash + 1 : copy;
  struct sockaddr_un u;
  memset(&u, 0, sizeof(u));
  u.sun_family = AF_UNIX;
  if (*leaf == '\0' || strlen(leaf) >= sizeof(u.sun_path)) {
    free(copy);
    return Fail(ENAMETOOLONG);
  }
  memcpy(u.sun_path, leaf, strlen(leaf));
  int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (here < 0) {
    free(copy);
    return -1;
  }
  int r = -1, e = 0;
  if (slash != NULL) *slash = '\0';
  if (slash == NULL || chdir(slash == copy ? "/" : copy) == 0) {
    r = REAL(bind)(fd, (struct sockaddr*)&u, sizeof(u));
    e = errno;
    if (fchdir(here) != 0) abort(); /* the process must not stay elsewhere */
  } else {
    e = errno;
  }
  REAL(close)(here);
  free(copy);
  errno = e;
  return r;
}

/* unix-file-removed-on-close: the file a successful bind of a pathname made. */
static void RememberBoundFile(struct FdInfo* i, const struct sockaddr* addr, socklen_t len) {
  const socklen_t base = offsetof(struct sockaddr_un, sun_path);
  if (i == NULL || addr->sa_family != AF_UNIX || len <= base + 1) return;
  const struct sockaddr_un* u = (const struct sockaddr_un*)addr;
  if (u->sun_path[0] == '\0') return; /* abstract: no file */
  struct stat st;
  char* path = strndup(u->sun_path, (size_t)(len - base));
  if (path == NULL || stat(path, &st) != 0) {
    free(path);
    return;
  }
  free(i->bound_path);
  i->bound_path = path;
  i->bound_dev = st.st_dev;
  i->bound_ino = st.st_ino;
  i->bound_pid = getpid();
}

/* ...and its removal when the process that bound it closes the descriptor (the
   suite's stand-in for the socket's last close), if the file is still that one. */
static void RemoveBoundFile(const struct FdInfo* i) {
  struct stat st;
  if (i == NULL || i->bound_path == NULL || i->bound_pid != getpid()) return;
  if (stat(i->bound_path, &st) == 0 && st.st_dev == i->bound_dev && st.st_ino == i->bound_ino) {
    (void)unlink(i->bound_path);
  }
}

int bind(int fd, const struct sockaddr* addr, socklen_t len) {
  if (IS(V_LONG_SUN_PATH_BINDS)) {
    int r = BindLongUnixPath(fd, addr, len);
    if (r != -2) return r;
  }
  struct sockaddr_storage padded;
  if (IS(BIND_SHORT_LEN_ACCEPTED) && PadShortInet(addr, len, &padded, &len)) {
    addr = (const struct sockaddr*)&padded;
  }
  struct FdInfo* i = Info(fd);
  /* macOS: "the socket has been shut down" (both ways; POSIX bind() [EINVAL]) */
  if (IS(V_BIND_SHUTDOWN_EINVAL) && i != NULL && i->shut_rd && i->shut_wr) return Fail(EINVAL);
  int r = REAL(bind)(fd, addr, len);
  if (r == 0 && IS(V_UNIX_FILE_REMOVED_ON_CLOSE)) RememberBoundFile(i, addr, len);
  if (r == 0 || i == NULL) return r;
  int e = errno;
  if (IS(BIND_INUSE_ERRNO) && e == EADDRINUSE && IsInet(i)) return Fail(EINVAL);
  if (IS(BIND_UNIX_EXISTS_ERRNO) && e == EADDRINUSE && i->domain == AF_UNIX) return Fail(EEXIST);
  if (IS(BIND_TWICE_SUCCEEDS) && e == EINVAL && Bound(fd)) return 0;
  if (IS(BIND_NOT_LOCAL_ERRNO) && e == EADDRNOTAVAIL) return Fail(EINVAL);
  if (IS(BIND_FAMILY_MISMATCH_ERRNO) && e == EAFNOSUPPORT) return Fail(EADDRNOTAVAIL);
  if (IS(BIND_ENOENT_ERRNO) && e == ENOENT) return Fail(EACCES);
  if (IS(BIND_FAILED_LEAVES_BOUND) && e == EADDRINUSE && IsInet(i)) {
    /* the failed attempt leaves the socket holding some other port */
    struct sockaddr_storage any;
    memset(&any, 0, sizeof(any));
    any.ss_family = (sa_family_t)i->domain;
    (void)REAL(bind)(fd, (struct sockaddr*)&any,
                     i->domain == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
  }
  errno = e;
  return r;
}

/* ---- listen ---- */

int listen(int fd, int backlog) {
  struct FdInfo* i = Info(fd);
  if (IS(LISTEN_BACKLOG_SHRUNK) && backlog >= 2) backlog = backlog / 2 - 1;
  if (IS(V_BACKLOG_LARGER)) {
    if (backlog < 0) backlog = 0; /* POSIX: negative acts as 0 */
    backlog = backlog < SOMAXCONN / 2 - 4 ? 2 * backlog + 4 : SOMAXCONN;
  }
  if (IS(V_LISTEN_UNBOUND_EDESTADDRREQ) && IsInet(i) && i->type == SOCK_STREAM && !Bound(fd) &&
      !HasPeer(fd)) {
    return Fail(EDESTADDRREQ); /* POSIX's error for an unbound socket */
  }
  if (IS(V_LISTEN_AGAIN_EINVAL) && i != NULL && i->listening) return Fail(EINVAL);
  int r = REAL(listen)(fd, backlog);
  if (r == 0) {
    if (i != NULL) i->listening = 1;
    return r;
  }
  int e = errno;
  if (i != NULL) {
    if (IS(LISTEN_DGRAM_SUCCEEDS) && e == EOPNOTSUPP) return 0;
    if (IS(LISTEN_CONNECTED_SUCCEEDS) && e == EINVAL && HasPeer(fd)) return 0;
    int unbound_unix = e == EINVAL && i->domain == AF_UNIX && !Bound(fd) && !HasPeer(fd);
    if (IS(LISTEN_UNBOUND_UNIX_SUCCEEDS) && unbound_unix) return 0;
    if (IS(V_OTHER_DOCUMENTED_ERRNOS) && unbound_unix) {
      return Fail(EDESTADDRREQ);
    }
  }
  errno = e;
  return r;
}

/* ---- accept, accept4 ---- */

static int AcceptCommon(int fd, struct sockaddr* addr, socklen_t* len, int flags, int is4) {
  if (addr == NULL && IS(ACCEPT_NULL_ADDRESS_CRASH)) {
    volatile char* p = NULL;
    *p = 1; /* dereferences the NULL it was given */
  }
  struct FdInfo* li = Info(fd);
  if (is4 && IS(ACCEPT4_NONBLOCK_IGNORED)) flags &= ~SOCK_NONBLOCK;
  if (is4 && IS(ACCEPT4_CLOEXEC_IGNORED)) flags &= ~SOCK_CLOEXEC;
  if (is4 && IS(ACCEPT4_BAD_FLAGS_ACCEPTED)) flags &= SOCK_NONBLOCK | SOCK_CLOEXEC;

  struct sockaddr_storage full;
  socklen_t full_len = sizeof(full);
  int nfd = -1;
  if (IS(ACCEPT_FIFO_REVERSED) && li != NULL) {
    /* Drain every pending connection, hand them out newest first. */
    if (li->queued == 0) {
      int fl = fcntl(fd, F_GETFL);
      if (fl >= 0 && !(fl & O_NONBLOCK)) (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
      for (;;) {
        int c = REAL(accept4)(fd, NULL, NULL, flags);
        if (c < 0) break;
        Remember(c, li->domain, li->type | flags, 0);
        if (c < kMaxFd) g_fd[c].connected = 1;
        int* q = realloc(li->queue, (li->queued + 1) * sizeof(int));
        if (q == NULL) {
          REAL(close)(c);
          break;
        }
        li->queue = q;
        li->queue[li->queued++] = c;
      }
      if (fl >= 0 && !(fl & O_NONBLOCK)) (void)fcntl(fd, F_SETFL, fl);
    }
    if (li->queued > 0) {
      nfd = li->queue[--li->queued];
      if (REAL(getpeername)(nfd, (struct sockaddr*)&full, &full_len) < 0) full_len = 0;
    }
  }
  if (nfd < 0) nfd = REAL(accept4)(fd, (struct sockaddr*)&full, &full_len, flags);
  if (nfd < 0) {
    int e = errno;
    if (IS(ACCEPT_NONBLOCK_EMPTY_ERRNO) && (e == EAGAIN || e == EWOULDBLOCK)) e = ECONNABORTED;
    if (IS(ACCEPT_NOT_LISTENING_ERRNO) && e == EINVAL && li != NULL && !li->listening) e = ENOTCONN;
    if (IS(V_OTHER_DOCUMENTED_ERRNOS) && e == EOPNOTSUPP && li != NULL && li->type == SOCK_DGRAM) {
      e = EINVAL; /* FreeBSD */
    }
    return Fail(e);
  }
  if (li != NULL) {
    Remember(nfd, li->domain, li->type | flags, 0);
    if (nfd < kMaxFd) g_fd[nfd].connected = 1;
  }
  if (!is4 && IS(ACCEPT_CLOEXEC_SET)) (void)fcntl(nfd, F_SETFD, FD_CLOEXEC);
  if (!is4 && IS(V_ACCEPT_INHERITS_NONBLOCK) && NonBlocking(fd)) {
    (void)fcntl(nfd, F_SETFL, fcntl(nfd, F_GETFL) | O_NONBLOCK);
  }
  if (IS(ACCEPT_ADDRESS_LOCAL)) {
    full_len = sizeof(full);
    (void)REAL(getsockname)(nfd, (struct sockaddr*)&full, &full_len);
  }
  if (addr != NULL && len != NULL) {
    socklen_t supplied = *len;
    full_len = LenWithoutNul((struct sockaddr*)&full, full_len);
    StoreName(&full, full_len, addr, len, IS(ACCEPT_LEN_NOT_UPDATED),
              IS(ACCEPT_WRITES_PAST_LEN) && full_len > supplied);
    AdjustNameLen(addr, supplied, len);
  }
  return nfd;
}

int accept(int fd, struct sockaddr* addr, socklen_t* len) {
  if (Entry() == NONE) return REAL(accept)(fd, addr, len);
  /* the system judges a missing or negative length (EFAULT, EINVAL) */
  if (addr != NULL && (len == NULL || (int)*len < 0)) return REAL(accept)(fd, addr, len);
  return AcceptCommon(fd, addr, len, 0, 0);
}

int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  if (Entry() == NONE) return REAL(accept4)(fd, addr, len, flags);
  if (addr != NULL && (len == NULL || (int)*len < 0)) return REAL(accept4)(fd, addr, len, flags);
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC) && !IS(ACCEPT4_BAD_FLAGS_ACCEPTED)) {
    return REAL(accept4)(fd, addr, len, flags); /* the system's EINVAL */
  }
  return AcceptCommon(fd, addr, len, flags, 1);
}

/* ---- connect ---- */

int connect(int fd, const struct sockaddr* addr, socklen_t len) {
  struct FdInfo* i = Info(fd);
  if (Entry() == NONE || i == NULL) return REAL(connect)(fd, addr, len);
  ReleaseHeld();
  struct sockaddr_storage padded;
  if (IS(CONNECT_SHORT_LEN_ACCEPTED) && PadShortInet(addr, len, &padded, &len)) {
    addr = (const struct sockaddr*)&padded;
  }
  if (IS(CONNECT_LISTENING_SUCCEEDS) && i->listening) return 0;
  if (IS(CONNECT_DGRAM_UNSPEC_IGNORED) && i->type == SOCK_DGRAM && addr != NULL &&
      len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC) {
    return 0;
  }
  if (IS(V_CONNECT_UNSPEC_EAFNOSUPPORT) && i->type == SOCK_DGRAM && addr != NULL &&
      len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC) {
    /* BSD and macOS dissolve the association, then reject the AF_UNSPEC
       address itself (Darwin connect(2): "the error EAFNOSUPPORT will be
       harmlessly returned"); their udp_disconnect also resets the local
       address to the wildcard, keeping the port. */
    if (REAL(connect)(fd, addr, len) < 0) return -1;
    i->connected = 0;
    i->wildcard_name = (unsigned char)IsInet(i);
    return Fail(EAFNOSUPPORT);
  }
  if (IS(V_OTHER_DOCUMENTED_ERRNOS) && i->listening) return Fail(EOPNOTSUPP); /* POSIX */
  if (IS(V_TCP_FULL_QUEUE_RESET) && i->reset) { /* the pending error, once */
    int pending = i->reset_error ? i->reset_error : ECONNRESET;
    i->reset_error = 0;
    return Fail(pending);
  }
  int first = !i->connected;
  int r = REAL(connect)(fd, addr, len);
  int e = errno;
  if (r == 0 || e == EINPROGRESS) i->connected = 1;
  if (r == 0) {
    i->wildcard_name = 0; /* a new association picks a local address again */
    if (IS(V_CONNECT_ALWAYS_EINPROGRESS) && first && i->type != SOCK_DGRAM && NonBlocking(fd)) {
      return Fail(EINPROGRESS); /* asynchronous, though it is already done */
    }
    return 0;
  }
  if (IS(V_TCP_FULL_QUEUE_RESET) && e == EINPROGRESS && IsInet(i) && i->type == SOCK_STREAM) {
    /* FreeBSD's syncache completes the handshake and resets a connection its
       full queue has no room for (syncache(4) rst_on_sock_fail). Linux drops
       the SYN instead, so an attempt still connecting after 200 ms met a full
       queue: it is dropped here (AF_UNSPEC disconnect) and reported reset. */
    struct pollfd p = {fd, POLLOUT, 0};
    if (REAL(poll)(&p, 1, 200) == 0) {
      struct sockaddr unspec;
      memset(&unspec, 0, sizeof(unspec));
      unspec.sa_family = AF_UNSPEC;
      (void)REAL(connect)(fd, &unspec, sizeof(unspec));
      int ignored = 0;
      socklen_t ilen = sizeof(ignored);
      (void)REAL(getsockopt)(fd, SOL_SOCKET, SO_ERROR, &ignored, &ilen); /* Linux's own */
      i->connected = 0;
      i->reset = 1;
      i->reset_error = ECONNRESET;
    }
    return Fail(EINPROGRESS);
  }
  if (IS(V_CONNECT_COMPLETES_AT_ONCE) && e == EINPROGRESS) {
    struct pollfd p = {fd, POLLOUT, 0};
    if (REAL(poll)(&p, 1, 200) == 1) {
      int err = 0;
      socklen_t elen = sizeof(err);
      if (REAL(getsockopt)(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0) {
        if (err == 0) return 0;
        i->connected = 0;
        return Fail(err);
      }
    }
    return Fail(EINPROGRESS);
  }
  if (IS(CONNECT_REFUSED_ERRNO) && e == ECONNREFUSED && IsInet(i)) return Fail(ETIMEDOUT);
  if (IS(CONNECT_ENOENT_ERRNO) && e == ENOENT && i->domain == AF_UNIX) return Fail(ECONNREFUSED);
  if (IS(CONNECT_EISCONN_SUCCEEDS) && e == EISCONN && i->type != SOCK_DGRAM) return 0;
  if (IS(CONNECT_EALREADY_EINPROGRESS) && e == EALREADY) return Fail(EINPROGRESS);
  if (IS(V_OTHER_DOCUMENTED_ERRNOS) && i->domain == AF_UNIX) {
    struct stat st;
    const struct sockaddr_un* u = (const struct sockaddr_un*)addr;
    if (e == ECONNREFUSED && addr != NULL && addr->sa_family == AF_UNIX && len > sizeof(sa_family_t) &&
        u->sun_path[0] != '\0' && stat(u->sun_path, &st) == 0 && S_ISREG(st.st_mode)) {
      return Fail(ENOTSOCK); /* BSDs, XNU, illumos */
    }
    if (e == EAGAIN) return Fail(ECONNREFUSED); /* BSD: a full listener refuses */
  }
  return Fail(e);
}

/* ---- getsockname, getpeername ---- */

static int Name(int fd, struct sockaddr* addr, socklen_t* len, int peer) {
  if (Entry() == NONE || addr == NULL || len == NULL || (int)*len < 0 || Info(fd) == NULL) {
    int r = peer ? REAL(getpeername)(fd, addr, len) : REAL(getsockname)(fd, addr, len);
    if (r < 0 && peer && IS(GETPEERNAME_UNCONNECTED_ERRNO) && errno == ENOTCONN) errno = EINVAL;
    return r;
  }
  struct sockaddr_storage full;
  socklen_t full_len = sizeof(full);
  int r = peer ? REAL(getpeername)(fd, (struct sockaddr*)&full, &full_len)
               : REAL(getsockname)(fd, (struct sockaddr*)&full, &full_len);
  if (r < 0) {
    if (peer && IS(GETPEERNAME_UNCONNECTED_ERRNO) && errno == ENOTCONN) errno = EINVAL;
    return r;
  }
  if (peer && IS(GETPEERNAME_RETURNS_LOCAL)) {
    full_len = sizeof(full);
    (void)REAL(getsockname)(fd, (struct sockaddr*)&full, &full_len);
  }
  if (!peer && IS(GETSOCKNAME_PORT_BYTEORDER)) {
    in_port_t* port = full.ss_family == AF_INET    ? &((struct sockaddr_in*)&full)->sin_port
                      : full.ss_family == AF_INET6 ? &((struct sockaddr_in6*)&full)->sin6_port
                                                   : NULL;
    if (port != NULL) *port = (in_port_t)((*port >> 8) | (*port << 8));
  }
  if (!peer && Info(fd)->wildcard_name) { /* BSD udp_disconnect: the port stays */
    if (full.ss_family == AF_INET) {
      ((struct sockaddr_in*)&full)->sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (full.ss_family == AF_INET6) {
      ((struct sockaddr_in6*)&full)->sin6_addr = in6addr_any;
    }
  }
  if (!peer && IS(V_GETSOCKNAME_UNBOUND_OTHER) && full.ss_family == AF_INET &&
      ((struct sockaddr_in*)&full)->sin_port == 0) {
    /* unbound: the value is unspecified; store the loopback address */
    ((struct sockaddr_in*)&full)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  socklen_t supplied = *len;
  full_len = LenWithoutNul((struct sockaddr*)&full, full_len);
  StoreName(&full, full_len, addr, len, !peer && IS(GETSOCKNAME_LEN_NOT_UPDATED),
            !peer && IS(GETSOCKNAME_WRITES_PAST_LEN) && full_len > supplied);
  AdjustNameLen(addr, supplied, len);
  return 0;
}

int getsockname(int fd, struct sockaddr* addr, socklen_t* len) { return Name(fd, addr, len, 0); }
int getpeername(int fd, struct sockaddr* addr, socklen_t* len) { return Name(fd, addr, len, 1); }

/* ---- sending ---- */

static unsigned long g_short_counter;
/* short-io: sends of more than this many bytes write a prefix. A small send
 * into an empty buffer is written whole by every system we know, and POSIX
 * says a blocking send "shall block until space is available"; reads of any
 * size may be short. */
enum { kShortWriteAbove = 256 };

/* unix-dgram-max-2k: macOS and FreeBSD 14.0 (net.local.dgram.maxdgram)
 * refuse AF_UNIX datagrams over 2048 bytes. */
static int TooBigForUnixDgram(const struct FdInfo* i, size_t n) {
  return IS(V_UNIX_DGRAM_MAX_2K) && i != NULL && i->domain == AF_UNIX && i->type == SOCK_DGRAM &&
         n > 2048;
}

/* no-sigpipe-on-own-shutdown: POSIX send()/write() [EPIPE] tie SIGPIPE to a
 * socket "no longer connected", not to one its owner shut down for writing;
 * such a send fails EPIPE without the signal (MSG_NOSIGNAL). A send on a
 * socket whose peer closed, without its own shutdown, keeps the signal. */
static int OwnShutdownFlags(const struct FdInfo* i, int flags) {
  if (IS(V_NO_SIGPIPE_ON_OWN_SHUTDOWN) && i != NULL && i->shut_wr &&
      (i->type == SOCK_STREAM || i->type == SOCK_SEQPACKET)) {
    flags |= MSG_NOSIGNAL;
  }
  return flags;
}

/* One send on fd (a known socket) of buf[0..n) to `to` (NULL: connected). */
static ssize_t SendCore(int fd, const void* buf, size_t n, int flags, const struct sockaddr* to,
                        socklen_t tolen) {
  struct FdInfo* i = Info(fd);
  char* copy = NULL;
  ssize_t r;
  if (TooBigForUnixDgram(i, n)) return Fail(EMSGSIZE);
  /* The BSDs and macOS: a connected AF_UNIX datagram socket refuses any destination
     before looking it up (POSIX sendto() [EISCONN]). */
  if (IS(V_UNIX_DGRAM_EISCONN_FIRST) && i != NULL && i->domain == AF_UNIX &&
      i->type == SOCK_DGRAM && (i->connected || i->pair) && to != NULL && tolen > 0) {
    return Fail(EISCONN);
  }
  flags = OwnShutdownFlags(i, flags);
  if (StreamTarget(fd)) {
    if (IS(SEND_SIGPIPE_SUPPRESSED)) flags |= MSG_NOSIGNAL;
    if (IS(SEND_NOSIGNAL_IGNORED)) flags &= ~MSG_NOSIGNAL;
    if (IS(STREAM_SEND_SWAPS_BYTES) && n >= 2 && (copy = malloc(n)) != NULL) {
      memcpy(copy, buf, n);
      char t = copy[0];
      copy[0] = copy[1];
      copy[1] = t;
      buf = copy;
    }
    if (IS(STREAM_SEND_DROPS_BYTE) && n >= 2) {
      r = REAL(sendto)(fd, buf, n - 1, flags, to, tolen);
      return r == (ssize_t)(n - 1) ? (ssize_t)n : r;
    }
  }
  if (IS(V_SHORT_IO) && AnyStream(fd) && n > kShortWriteAbove) {
    /* a prefix: as a system with less buffer room than the caller hoped */
    size_t c = ++g_short_counter;
    n = c % 2 ? kShortWriteAbove / 2 + c % 7 : n / 2;
  }
  if (MessageTarget(fd) && IS(DGRAM_SEND_TRUNCATED) && n >= 2) {
    r = REAL(sendto)(fd, buf, n - 1, flags, to, tolen);
    return r == (ssize_t)(n - 1) ? (ssize_t)n : r;
  }
  if (IS(V_UDP_DROP_FIRST) && IsInet(i) && i->type == SOCK_DGRAM && i->datagrams++ == 0 &&
      LoseableFirst(i, fd, n, flags, to, tolen)) {
    return (ssize_t)n; /* each UDP socket's first datagram is lost */
  }
  if (IS(V_UDP_LOSS_REORDER) && IsInet(i) && i->type == SOCK_DGRAM &&
      Holdable(i, fd, n, flags, to, tolen)) {
    unsigned long k = ++i->datagrams % 3;
    if (k == 0) return (ssize_t)n; /* lost */
    if (k == 1 && g_held.fd < 0 && (g_held.data = malloc(n ? n : 1)) != NULL) {
      /* held back until this process's next socket call: overtaken */
      memcpy(g_held.data, buf, n);
      g_held.fd = fd;
      g_held.len = n;
      g_held.tolen = to != NULL ? tolen : 0;
      if (g_held.tolen) memcpy(&g_held.to, to, tolen);
      return (ssize_t)n;
    }
  }
  r = REAL(sendto)(fd, buf, n, flags, to, tolen);
  int e = errno;
  free(copy);
  ReleaseHeld();
  if (r >= 0) return r;
  if (StreamTarget(fd)) {
    if (IS(SEND_EPIPE_ERRNO) && e == EPIPE) return Fail(ENOTCONN);
    if (IS(SEND_UNCONNECTED_SWALLOWED) && (e == ENOTCONN || e == EPIPE) && !i->connected) {
      return (ssize_t)n;
    }
  }
  if (MessageTarget(fd)) {
    if (IS(DGRAM_NO_DESTINATION_ERRNO) && e == EDESTADDRREQ) return Fail(EINVAL);
    if (IS(DGRAM_EMSGSIZE_SWALLOWED) && e == EMSGSIZE) return (ssize_t)n;
    if (IS(DGRAM_UNIX_ENOENT_ERRNO) && e == ENOENT && i->domain == AF_UNIX) {
      return Fail(ECONNREFUSED);
    }
  }
  return Fail(e);
}

ssize_t send(int fd, const void* buf, size_t n, int flags) {
  if (Entry() == NONE || Info(fd) == NULL) return REAL(send)(fd, buf, n, flags);
  ReleaseHeldUnless(fd);
  return SendCore(fd, buf, n, flags, NULL, 0);
}

ssize_t sendto(int fd, const void* buf, size_t n, int flags, const struct sockaddr* to,
               socklen_t tolen) {
  if (Entry() == NONE || Info(fd) == NULL) return REAL(sendto)(fd, buf, n, flags, to, tolen);
  ReleaseHeldUnless(fd);
  return SendCore(fd, buf, n, flags, to, tolen);
}

ssize_t sendmsg(int fd, const struct msghdr* msg, int flags) {
  if (Entry() == NONE || Info(fd) == NULL || msg == NULL) return REAL(sendmsg)(fd, msg, flags);
  ReleaseHeldUnless(fd);
  size_t total = 0;
  for (size_t k = 0; k < msg->msg_iovlen; ++k) total += msg->msg_iov[k].iov_len;
  if (TooBigForUnixDgram(Info(fd), total)) return Fail(EMSGSIZE);
  flags = OwnShutdownFlags(Info(fd), flags);
  if (IS(SENDMSG_FIRST_IOV_ONLY) && msg->msg_iovlen > 1) {
    struct msghdr first = *msg;
    first.msg_iovlen = 1;
    ssize_t r = REAL(sendmsg)(fd, &first, flags);
    return r >= 0 && (size_t)r == msg->msg_iov[0].iov_len ? (ssize_t)total : r;
  }
  if (msg->msg_control != NULL || msg->msg_controllen != 0) return REAL(sendmsg)(fd, msg, flags);
  char* buf = malloc(total ? total : 1);
  if (buf == NULL) return REAL(sendmsg)(fd, msg, flags);
  size_t off = 0;
  for (size_t k = 0; k < msg->msg_iovlen; ++k) {
    memcpy(buf + off, msg->msg_iov[k].iov_base, msg->msg_iov[k].iov_len);
    off += msg->msg_iov[k].iov_len;
  }
  ssize_t r = SendCore(fd, buf, total, flags, msg->msg_name, msg->msg_namelen);
  int e = errno;
  free(buf);
  errno = e;
  return r;
}

ssize_t write(int fd, const void* buf, size_t n) {
  if (Entry() == NONE || Info(fd) == NULL) return REAL(write)(fd, buf, n);
  ReleaseHeldUnless(fd);
  return SendCore(fd, buf, n, 0, NULL, 0);
}

/* ---- receiving ---- */

static char* g_scratch;
enum { kScratch = 1 << 18 };

/* One receive on fd (a known socket) into buf[0..n); m carries the name and
 * control buffers of recvfrom/recvmsg and gets msg_flags. */
static ssize_t RecvCore(int fd, void* buf, size_t n, int flags, struct msghdr* m) {
  struct FdInfo* i = Info(fd);
  struct iovec iov = {buf, n};
  m->msg_iov = &iov;
  m->msg_iovlen = 1;
  int stream = StreamTarget(fd), message = MessageTarget(fd);
  if (IS(RECV_PEEK_CONSUMES) && (stream || message)) flags &= ~MSG_PEEK;
  if (IS(RECV_WAITALL_IGNORED) && stream) flags &= ~MSG_WAITALL;
  if (IS(RECV_EOF_EARLY) && stream && !(flags & MSG_PEEK)) {
    struct pollfd p = {fd, POLLRDHUP, 0};
    if (REAL(poll)(&p, 1, 0) == 1 && (p.revents & POLLRDHUP)) {
      m->msg_namelen = 0;
      return 0; /* what is still buffered is never delivered */
    }
  }
  if (IS(V_SHORT_IO) && AnyStream(fd) && !(flags & MSG_WAITALL) && n > 1) {
    size_t c = ++g_short_counter;
    iov.iov_len = c % 2 ? Min(n, 1 + c % 7) : n / 2;
  }
  if (IS(DGRAM_TRUNCATION_KEEPS_REST) && message && !(flags & MSG_PEEK)) {
    if (i->rest_len > 0) { /* the excess of the last one, as if it were a datagram */
      size_t k = Min(n, i->rest_len);
      memcpy(buf, i->rest, k);
      memmove(i->rest, i->rest + k, i->rest_len - k);
      i->rest_len -= k;
      m->msg_namelen = 0;
      m->msg_flags = 0;
      return (ssize_t)k;
    }
    if (g_scratch == NULL && (g_scratch = malloc(kScratch)) == NULL) return Fail(ENOMEM);
    iov.iov_base = g_scratch;
    iov.iov_len = kScratch;
    ssize_t r = REAL(recvmsg)(fd, m, flags);
    if (r < 0) return r;
    size_t k = Min(n, (size_t)r);
    memcpy(buf, g_scratch, k);
    if ((size_t)r > n && (i->rest = realloc(i->rest, (size_t)r - n)) != NULL) {
      memcpy(i->rest, g_scratch + n, (size_t)r - n);
      i->rest_len = (size_t)r - n;
    }
    m->msg_flags &= ~MSG_TRUNC;
    return (ssize_t)k;
  }
  if (IS(V_SHUTDOWN_RD_EAGAIN) && i->shut_rd && i->type == SOCK_STREAM &&
      ((flags & MSG_DONTWAIT) || NonBlocking(fd))) {
    return Fail(EAGAIN); /* receiving is disabled: nothing comes, queued or not */
  }
  ssize_t r = REAL(recvmsg)(fd, m, flags);
  if (r < 0) {
    int e = errno;
    if (IS(RECV_EAGAIN_ZERO) && stream && (e == EAGAIN || e == EWOULDBLOCK)) return 0;
    if (IS(RECV_RCVTIMEO_ERRNO) && (e == EAGAIN || e == EWOULDBLOCK) && !(flags & MSG_DONTWAIT) &&
        !NonBlocking(fd)) {
      e = ETIMEDOUT;
    }
    return Fail(e);
  }
  if (IS(DGRAM_BOUNDARIES_MERGED) && message && !(flags & MSG_PEEK) && r > 0 && (size_t)r < n) {
    ssize_t more = REAL(recv)(fd, (char*)buf + r, n - (size_t)r, flags | MSG_DONTWAIT);
    if (more > 0) r += more;
  }
  if (IS(RECVFROM_NO_SOURCE) && message) m->msg_namelen = 0;
  return r;
}

static int RecvMutated(int fd) { return Entry() != NONE && Info(fd) != NULL; }

ssize_t recv(int fd, void* buf, size_t n, int flags) {
  if (!RecvMutated(fd)) {
    ssize_t r = REAL(recv)(fd, buf, n, flags);
    if (r < 0 && IS(RECV_ENOTSOCK_ERRNO) && errno == ENOTSOCK) errno = EBADF;
    return r;
  }
  ReleaseHeld();
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  return RecvCore(fd, buf, n, flags, &m);
}

ssize_t recvfrom(int fd, void* buf, size_t n, int flags, struct sockaddr* from, socklen_t* fromlen) {
  if (!RecvMutated(fd) || (from != NULL && fromlen == NULL)) {
    ssize_t r = REAL(recvfrom)(fd, buf, n, flags, from, fromlen);
    if (r < 0 && IS(RECV_ENOTSOCK_ERRNO) && errno == ENOTSOCK) errno = EBADF;
    return r;
  }
  ReleaseHeld();
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  socklen_t supplied = fromlen != NULL ? *fromlen : 0;
  if (from != NULL) {
    m.msg_name = from;
    m.msg_namelen = supplied;
  }
  ssize_t r = RecvCore(fd, buf, n, flags, &m);
  if (r >= 0 && from != NULL) {
    *fromlen = m.msg_namelen;
    AdjustNameLen(from, supplied, fromlen);
  }
  return r;
}

ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
  if (!RecvMutated(fd) || msg == NULL) {
    ssize_t r = REAL(recvmsg)(fd, msg, flags);
    if (r < 0 && IS(RECV_ENOTSOCK_ERRNO) && errno == ENOTSOCK) errno = EBADF;
    return r;
  }
  ReleaseHeld();
  size_t total = 0;
  for (size_t k = 0; k < msg->msg_iovlen; ++k) total += msg->msg_iov[k].iov_len;
  struct msghdr m = *msg;
  socklen_t supplied = msg->msg_namelen;
  char* buf = msg->msg_iovlen == 1 ? msg->msg_iov[0].iov_base : malloc(total ? total : 1);
  if (buf == NULL) return Fail(ENOMEM);
  ssize_t r = RecvCore(fd, buf, total, flags, &m);
  int e = errno;
  if (r >= 0 && msg->msg_iovlen != 1) { /* scatter */
    size_t off = 0;
    for (size_t k = 0; k < msg->msg_iovlen && off < (size_t)r; ++k) {
      size_t c = Min(msg->msg_iov[k].iov_len, (size_t)r - off);
      memcpy(msg->msg_iov[k].iov_base, buf + off, c);
      off += c;
    }
  }
  if (msg->msg_iovlen != 1) free(buf);
  if (r < 0) return Fail(e);
  msg->msg_namelen = m.msg_namelen;
  msg->msg_controllen = m.msg_controllen;
  msg->msg_flags = m.msg_flags;
  if (IS(RECVMSG_NO_MSG_TRUNC)) msg->msg_flags &= ~MSG_TRUNC;
  if (msg->msg_name != NULL) AdjustNameLen(msg->msg_name, supplied, &msg->msg_namelen);
  return r;
}

ssize_t read(int fd, void* buf, size_t n) {
  if (!RecvMutated(fd)) return REAL(read)(fd, buf, n);
  ReleaseHeld();
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  return RecvCore(fd, buf, n, 0, &m);
}

/* ---- shutdown, close ---- */

int shutdown(int fd, int how) {
  struct FdInfo* i = Info(fd);
  if (Entry() == NONE || i == NULL) return REAL(shutdown)(fd, how);
  ReleaseHeld();
  if (IS(SHUTDOWN_BAD_HOW_ACCEPTED) && how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
    return 0;
  }
  if (IS(SHUTDOWN_IGNORED) && StreamTarget(fd)) return 0;
  if (IS(SHUTDOWN_RD_SHUTS_BOTH) && how == SHUT_RD) how = SHUT_RDWR;
  const int rd = how == SHUT_RD || how == SHUT_RDWR, wr = how == SHUT_WR || how == SHUT_RDWR;
  if (IS(V_SHUTDOWN_REPEAT_ENOTCONN) && ((rd && i->shut_rd) || (wr && i->shut_wr))) {
    /* macOS soshutdown: a direction already shut fails ENOTCONN; the read side is
       looked at (and shut) first. Only this descriptor's own shutdowns are tracked. */
    if (rd && !i->shut_rd && REAL(shutdown)(fd, SHUT_RD) == 0) i->shut_rd = 1;
    return Fail(ENOTCONN);
  }
  int r = REAL(shutdown)(fd, how);
  if (r < 0 && IS(SHUTDOWN_ENOTCONN_SWALLOWED) && errno == ENOTCONN) return 0;
  if (r == 0 && wr) i->shut_wr = 1;
  if (r == 0 && rd) i->shut_rd = 1;
  return r;
}

int close(int fd) {
  if (Entry() == NONE) {
    Forget(fd);
    return REAL(close)(fd);
  }
  if (g_held.fd == fd) ReleaseHeld();
  struct FdInfo* i = Info(fd);
  if (IS(CLOSE_KEEPS_CONNECTION) && StreamTarget(fd) && i->connected) {
    /* the descriptor goes, the connection stays open behind it */
    (void)fcntl(fd, F_DUPFD_CLOEXEC, 900);
  }
  if (IS(V_UNIX_FILE_REMOVED_ON_CLOSE)) {
    const int e = errno;
    RemoveBoundFile(i);
    errno = e;
  }
  Forget(fd);
  return REAL(close)(fd);
}

/* ---- options ---- */

int getsockopt(int fd, int level, int name, void* val, socklen_t* len) {
  struct FdInfo* i = Info(fd);
  int r = REAL(getsockopt)(fd, level, name, val, len);
  if (Entry() == NONE) return r;
  if (r < 0 && IS(V_BAD_SOCKOPT_EINVAL) && level == SOL_SOCKET && errno == ENOPROTOOPT) {
    return Fail(EINVAL); /* "invalid at the specified socket level" */
  }
  if (r < 0) {
    if (IS(SOCKOPT_BAD_OPTION_ACCEPTED) && errno == ENOPROTOOPT && val != NULL && len != NULL) {
      memset(val, 0, *len);
      return 0;
    }
    return r;
  }
  if (level != SOL_SOCKET || val == NULL || len == NULL || *len < sizeof(int)) return r;
  int* v = (int*)val;
  if (name == SO_TYPE && IS(SO_TYPE_KEEPS_FLAGS) && i != NULL) *v |= i->flags;
  if (name == SO_ACCEPTCONN && IS(SO_ACCEPTCONN_ZERO)) *v = 0;
  /* FreeBSD/OpenBSD sogetopt: so_options & SO_ACCEPTCONN, the flag bit 0x2 */
  if (name == SO_ACCEPTCONN && IS(V_SO_ACCEPTCONN_FLAG_BIT) && *v != 0) *v = 2;
  if (name == SO_ERROR && IS(SO_ERROR_SWALLOWED)) *v = 0;
  if (name == SO_ERROR && IS(V_TCP_FULL_QUEUE_RESET) && i != NULL && i->reset_error != 0) {
    *v = i->reset_error; /* read once, as any pending error */
    i->reset_error = 0;
  }
  if (name == SO_ERROR && IS(SO_ERROR_NOT_CLEARED) && i != NULL) {
    if (*v != 0) i->sticky_error = *v;
    else *v = i->sticky_error;
  }
  return r;
}

int setsockopt(int fd, int level, int name, const void* val, socklen_t len) {
  if (IS(SOCKOPT_SHORT_OPTLEN_ACCEPTED) && level == SOL_SOCKET && len < sizeof(int) &&
      Info(fd) != NULL) {
    return 0;
  }
  /* POSIX setsockopt(): "not all implementations allow this option to be set" */
  if (IS(V_RCVTIMEO_NOT_SETTABLE) && level == SOL_SOCKET && name == SO_RCVTIMEO) {
    return Fail(ENOPROTOOPT);
  }
  /* OpenBSD: IPV6_V6ONLY is always on; clearing it fails EINVAL */
  if (IS(V_V6ONLY_FIXED) && level == IPPROTO_IPV6 && name == IPV6_V6ONLY && val != NULL &&
      len >= sizeof(int) && *(const int*)val == 0) {
    return Fail(EINVAL);
  }
  int r = REAL(setsockopt)(fd, level, name, val, len);
  if (r < 0 && IS(SOCKOPT_BAD_OPTION_ACCEPTED) && errno == ENOPROTOOPT) return 0;
  if (r < 0 && IS(V_BAD_SOCKOPT_EINVAL) && level == SOL_SOCKET && errno == ENOPROTOOPT) {
    return Fail(EINVAL);
  }
  return r;
}

/* ---- open (open-socket-succeeds) ---- */

static int (*real_open)(const char*, int, ...);
static int (*real_open64)(const char*, int, ...);

/* POSIX open() lists [EOPNOTSUPP] for a socket path only under "may fail":
 * where Linux fails ENXIO on a socket, this variant opens it (a descriptor
 * that only names the file, O_PATH, which close() releases). */
static int OpenSocketPath(const char* path, int flags, int fd) {
  struct stat st;
  if (fd >= 0 || !IS(V_OPEN_SOCKET_SUCCEEDS) || errno != ENXIO) return fd;
  if (stat(path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    errno = ENXIO;
    return fd;
  }
  return REAL(open)(path, O_PATH | (flags & O_CLOEXEC));
}

/* open()'s optional third argument: the mode, read only when the flags say
 * one was passed. */
#define OPEN_MODE(flags, mode)                                             \
  do {                                                                     \
    if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) {       \
      va_list ap;                                                          \
      va_start(ap, flags);                                                 \
      (mode) = va_arg(ap, int);                                            \
      va_end(ap);                                                          \
    }                                                                      \
  } while (0)

int open(const char* path, int flags, ...) {
  int mode = 0;
  OPEN_MODE(flags, mode);
  return OpenSocketPath(path, flags, REAL(open)(path, flags, mode));
}

int open64(const char* path, int flags, ...) {
  int mode = 0;
  OPEN_MODE(flags, mode);
  return OpenSocketPath(path, flags, REAL(open64)(path, flags, mode));
}

/* ---- poll ---- */

int poll(struct pollfd* fds, nfds_t n, int timeout) {
  if (Entry() == NONE) return REAL(poll)(fds, n, timeout);
  ReleaseHeld();
  int r = REAL(poll)(fds, n, timeout);
  if (r <= 0) return r;
  int ready = 0;
  for (nfds_t k = 0; k < n; ++k) {
    struct FdInfo* i = Info(fds[k].fd);
    if (i != NULL && !i->pair) {
      if (IS(POLL_LISTENER_NOT_READABLE) && i->listening) fds[k].revents &= ~POLLIN;
      if (IS(POLL_CONNECTED_NOT_WRITABLE) && i->connected && i->type == SOCK_STREAM) {
        fds[k].revents &= ~POLLOUT;
      }
      if (IS(POLL_EOF_NOT_READABLE) && i->type == SOCK_STREAM &&
          (fds[k].revents & (POLLIN | POLLHUP | POLLRDHUP))) {
        char c;
        if (REAL(recv)(fds[k].fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
          fds[k].revents &= ~(POLLIN | POLLHUP | POLLRDHUP);
        }
      }
    }
    if (fds[k].revents != 0) ++ready;
  }
  return ready;
}
