/* sockspec_mutant_selfcheck: proves that no mutant or variant is a no-op.
 *
 *   sockspec_mutant_selfcheck <entry>   runs the probe of one entry
 *   sockspec_mutant_selfcheck --list    prints every entry name
 *
 * Each probe is a tiny scenario that exercises exactly the behaviour its
 * entry changes and checks what Linux does. ci/mutation runs it under the
 * preload library twice: with no entry selected it must pass (exit 0), and
 * with its entry selected it must not (non-zero exit, or death by a signal).
 * For a mutant that shows the rule is broken; for a legal variant it only
 * shows the variant is in effect (the probe checks Linux's choice, not a
 * rule). Probes may wait briefly with poll timeouts: this is a tool, not a
 * conformance case. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "entries.h"

#define NAME_ENTRY(id, name) [id] = name,
static const char* const kNames[ENTRY_COUNT] = {
    SOCKSPEC_MUTANTS(NAME_ENTRY) SOCKSPEC_VARIANTS(NAME_ENTRY)};
#undef NAME_ENTRY

/* A probe returns 1 when it saw Linux's behaviour and 0 otherwise. */
#define CHECK(cond)                                                       \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "selfcheck: line %d: %s (errno %d: %s)\n", __LINE__, \
              #cond, errno, strerror(errno));                             \
      return 0;                                                           \
    }                                                                     \
  } while (0)

static char g_dir[64];
static int g_paths;

/* A fresh path in the private directory. */
static struct sockaddr_un UnixAddr(socklen_t* len) {
  struct sockaddr_un u;
  memset(&u, 0, sizeof(u));
  u.sun_family = AF_UNIX;
  snprintf(u.sun_path, sizeof(u.sun_path), "%s/s%d", g_dir, g_paths++);
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(u.sun_path) + 1);
  return u;
}

static void RemoveDir(void) {
  char p[128];
  for (int i = 0; i < g_paths; ++i) {
    snprintf(p, sizeof(p), "%s/s%d", g_dir, i);
    unlink(p);
  }
  rmdir(g_dir);
}

static struct sockaddr_in Loopback(in_port_t port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = port;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static struct sockaddr_in NameOf(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof(a);
  memset(&a, 0, sizeof(a));
  getsockname(fd, (struct sockaddr*)&a, &len);
  return a;
}

/* A socket of `type` bound to 127.0.0.1 port 0 (listening when backlog >= 0). */
static int BoundInet(int type, int backlog) {
  int fd = socket(AF_INET, type, 0);
  struct sockaddr_in a = Loopback(0);
  if (fd < 0 || bind(fd, (struct sockaddr*)&a, sizeof(a)) < 0) return -1;
  if (backlog >= 0 && listen(fd, backlog) < 0) return -1;
  return fd;
}

/* A connected TCP pair on loopback (client, accepted server). */
static int TcpPair(int* client, int* server) {
  int l = BoundInet(SOCK_STREAM, 4);
  struct sockaddr_in a = NameOf(l);
  *client = socket(AF_INET, SOCK_STREAM, 0);
  if (l < 0 || *client < 0 || connect(*client, (struct sockaddr*)&a, sizeof(a)) < 0) return 0;
  *server = accept(l, NULL, NULL);
  close(l);
  return *server >= 0;
}

/* Two UDP sockets on loopback, each connected to the other. */
static int UdpPair(int* a, int* b) {
  *a = BoundInet(SOCK_DGRAM, -1);
  *b = BoundInet(SOCK_DGRAM, -1);
  struct sockaddr_in na = NameOf(*a), nb = NameOf(*b);
  return *a >= 0 && *b >= 0 && connect(*a, (struct sockaddr*)&nb, sizeof(nb)) == 0 &&
         connect(*b, (struct sockaddr*)&na, sizeof(na)) == 0;
}

static int Readable(int fd, int ms) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1;
}

static int HasFlag(int fd, int cmd, int flag) { return (fcntl(fd, cmd) & flag) != 0; }

/* Runs `body` in a child; returns its wait status. */
static int InChild(int (*body)(void)) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) _exit(body() ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

static int SendAfterShutdown(int flags) {
  int c, s;
  if (!TcpPair(&c, &s) || shutdown(c, SHUT_WR) < 0) return 0;
  return send(c, "x", 1, flags) < 0 && errno == EPIPE;
}
static int SendAfterShutdownPlain(void) { return SendAfterShutdown(0); }
static int SendAfterShutdownNoSignal(void) { return SendAfterShutdown(MSG_NOSIGNAL); }

/* How many non-blocking AF_UNIX connects a listen(backlog) queue admits. */
static int UnixCapacity(int backlog) {
  socklen_t len;
  struct sockaddr_un a = UnixAddr(&len);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  if (bind(l, (struct sockaddr*)&a, len) < 0 || listen(l, backlog) < 0) return -1;
  int n = 0;
  for (; n < 64; ++n) {
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (connect(c, (struct sockaddr*)&a, len) < 0) break;
  }
  return n;
}

/* A non-blocking TCP connect refused by a bound, non-listening port. */
static int RefusedConnect(void) {
  int target = BoundInet(SOCK_STREAM, -1);
  struct sockaddr_in a = NameOf(target);
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int r = connect(c, (struct sockaddr*)&a, sizeof(a));
  if (r < 0 && errno == EINPROGRESS) {
    struct pollfd p = {c, POLLOUT, 0};
    poll(&p, 1, 2000);
  }
  return c;
}

static int StreamRoundTrip(void) {
  int c, s;
  char buf[16] = {0};
  CHECK(TcpPair(&c, &s));
  CHECK(send(c, "abcdef", 6, 0) == 6);
  size_t got = 0;
  while (got < 6 && Readable(s, 1000)) {
    ssize_t r = recv(s, buf + got, sizeof(buf) - got, 0);
    if (r <= 0) break;
    got += (size_t)r;
  }
  CHECK(got == 6 && memcmp(buf, "abcdef", 6) == 0);
  return 1;
}

static int DgramBoundaries(void) {
  int sv[2];
  char buf[16];
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
  CHECK(send(sv[0], "ab", 2, 0) == 2 && send(sv[0], "cdef", 4, 0) == 4);
  CHECK(recv(sv[1], buf, sizeof(buf), 0) == 2);
  return 1;
}

static int NameLenCanary(int use_accept) {
  unsigned char buf[64];
  memset(buf, 0xAA, sizeof(buf));
  socklen_t len = 4;
  int l = BoundInet(SOCK_STREAM, 4);
  if (use_accept) {
    struct sockaddr_in a = NameOf(l);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) == 0);
    CHECK(accept(l, (struct sockaddr*)buf, &len) >= 0);
  } else {
    CHECK(getsockname(l, (struct sockaddr*)buf, &len) == 0);
  }
  for (size_t i = 4; i < sizeof(buf); ++i) CHECK(buf[i] == 0xAA);
  return 1;
}

static int Probe(int entry) {
  int c, s, sv[2];
  char buf[256];
  socklen_t len;
  struct sockaddr_in a;
  switch (entry) {
    case SOCKET_NONBLOCK_IGNORED:
      CHECK(HasFlag(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), F_GETFL, O_NONBLOCK));
      return 1;
    case SOCKET_CLOEXEC_IGNORED:
      CHECK(HasFlag(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), F_GETFD, FD_CLOEXEC));
      return 1;
    case SOCKET_CLOEXEC_DEFAULT:
      CHECK(!HasFlag(socket(AF_INET, SOCK_STREAM, 0), F_GETFD, FD_CLOEXEC));
      return 1;
    case SOCKET_BAD_DOMAIN_ERRNO:
      CHECK(socket(12345, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT);
      return 1;
    case SOCKET_BAD_PROTOCOL_ACCEPTED:
      CHECK(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) < 0);
      return 1;
    case SOCKET_EMFILE_ERRNO: {
      struct rlimit rl = {32, 32};
      CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
      int fd = 0;
      for (int i = 0; i < 40 && fd >= 0; ++i) fd = socket(AF_INET, SOCK_DGRAM, 0);
      CHECK(fd < 0 && errno == EMFILE);
      return 1;
    }
    case SOCKET_NOT_LOWEST_FD: {
      int lowest = dup(0);
      close(lowest);
      CHECK(socket(AF_INET, SOCK_STREAM, 0) == lowest);
      return 1;
    }
    case SOCKETPAIR_NONBLOCK_ONE:
      CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
      CHECK(HasFlag(sv[0], F_GETFL, O_NONBLOCK) && HasFlag(sv[1], F_GETFL, O_NONBLOCK));
      return 1;
    case SOCKETPAIR_CLOEXEC_IGNORED:
      CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
      CHECK(HasFlag(sv[0], F_GETFD, FD_CLOEXEC) && HasFlag(sv[1], F_GETFD, FD_CLOEXEC));
      return 1;
    case SOCKETPAIR_INET_SUCCEEDS:
      CHECK(socketpair(AF_INET, SOCK_STREAM, 0, sv) < 0);
      return 1;
    case SOCKETPAIR_DGRAM_AS_STREAM:
    case DGRAM_BOUNDARIES_MERGED:
      return DgramBoundaries();
    case BIND_INUSE_ERRNO:
      s = BoundInet(SOCK_STREAM, -1);
      a = NameOf(s);
      CHECK(bind(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, sizeof(a)) < 0 &&
            errno == EADDRINUSE);
      return 1;
    case BIND_UNIX_EXISTS_ERRNO: {
      struct sockaddr_un u = UnixAddr(&len);
      CHECK(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr*)&u, len) == 0);
      CHECK(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr*)&u, len) < 0 &&
            errno == EADDRINUSE);
      return 1;
    }
    case BIND_TWICE_SUCCEEDS:
      s = BoundInet(SOCK_DGRAM, -1);
      a = Loopback(0);
      CHECK(bind(s, (struct sockaddr*)&a, sizeof(a)) < 0 && errno == EINVAL);
      return 1;
    case BIND_SHORT_LEN_ACCEPTED:
      a = Loopback(0);
      CHECK(bind(socket(AF_INET, SOCK_DGRAM, 0), (struct sockaddr*)&a, 6) < 0 && errno == EINVAL);
      return 1;
    case BIND_NOT_LOCAL_ERRNO:
      a = Loopback(0);
      a.sin_addr.s_addr = htonl(0xCB007107); /* 203.0.113.7, TEST-NET-3: never local here */
      CHECK(bind(socket(AF_INET, SOCK_DGRAM, 0), (struct sockaddr*)&a, sizeof(a)) < 0 &&
            errno == EADDRNOTAVAIL);
      return 1;
    case BIND_FAILED_LEAVES_BOUND:
      a = NameOf(BoundInet(SOCK_DGRAM, -1));
      s = socket(AF_INET, SOCK_DGRAM, 0);
      CHECK(bind(s, (struct sockaddr*)&a, sizeof(a)) < 0 && errno == EADDRINUSE);
      a = Loopback(0);
      CHECK(bind(s, (struct sockaddr*)&a, sizeof(a)) == 0);
      return 1;
    case BIND_FAMILY_MISMATCH_ERRNO: {
      struct sockaddr_in6 a6;
      memset(&a6, 0, sizeof(a6));
      a6.sin6_family = AF_INET6;
      CHECK(bind(socket(AF_INET, SOCK_DGRAM, 0), (struct sockaddr*)&a6, sizeof(a6)) < 0 &&
            errno == EAFNOSUPPORT);
      return 1;
    }
    case BIND_ENOENT_ERRNO: {
      struct sockaddr_un u = UnixAddr(&len);
      strcat(u.sun_path, "/missing");
      CHECK(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr*)&u, sizeof(u)) < 0 &&
            errno == ENOENT);
      return 1;
    }
    case LISTEN_DGRAM_SUCCEEDS:
      CHECK(listen(BoundInet(SOCK_DGRAM, -1), 1) < 0 && errno == EOPNOTSUPP);
      return 1;
    case LISTEN_CONNECTED_SUCCEEDS:
      CHECK(TcpPair(&c, &s));
      CHECK(listen(c, 1) < 0 && errno == EINVAL);
      return 1;
    case LISTEN_UNBOUND_UNIX_SUCCEEDS:
      CHECK(listen(socket(AF_UNIX, SOCK_STREAM, 0), 1) < 0);
      return 1;
    case LISTEN_BACKLOG_SHRUNK:
      CHECK(UnixCapacity(5) >= 5);
      return 1;
    case ACCEPT_NONBLOCK_EMPTY_ERRNO:
      s = BoundInet(SOCK_STREAM | SOCK_NONBLOCK, 1);
      CHECK(accept(s, NULL, NULL) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
      return 1;
    case ACCEPT_LEN_NOT_UPDATED: {
      struct sockaddr_storage ss;
      len = sizeof(ss);
      s = BoundInet(SOCK_STREAM, 1);
      a = NameOf(s);
      c = socket(AF_INET, SOCK_STREAM, 0);
      CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) == 0);
      CHECK(accept(s, (struct sockaddr*)&ss, &len) >= 0 && len == sizeof(struct sockaddr_in));
      return 1;
    }
    case ACCEPT_WRITES_PAST_LEN:
      return NameLenCanary(1);
    case ACCEPT_ADDRESS_LOCAL: {
      struct sockaddr_in peer;
      len = sizeof(peer);
      s = BoundInet(SOCK_STREAM, 1);
      a = NameOf(s);
      c = socket(AF_INET, SOCK_STREAM, 0);
      CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) == 0);
      CHECK(accept(s, (struct sockaddr*)&peer, &len) >= 0);
      CHECK(peer.sin_port == NameOf(c).sin_port);
      return 1;
    }
    case ACCEPT_FIFO_REVERSED: {
      s = BoundInet(SOCK_STREAM, 4);
      a = NameOf(s);
      int c1 = socket(AF_INET, SOCK_STREAM, 0), c2 = socket(AF_INET, SOCK_STREAM, 0);
      CHECK(connect(c1, (struct sockaddr*)&a, sizeof(a)) == 0);
      CHECK(connect(c2, (struct sockaddr*)&a, sizeof(a)) == 0);
      CHECK(Readable(s, 1000));
      int first = accept(s, NULL, NULL);
      struct sockaddr_in peer;
      len = sizeof(peer);
      CHECK(getpeername(first, (struct sockaddr*)&peer, &len) == 0);
      CHECK(peer.sin_port == NameOf(c1).sin_port);
      return 1;
    }
    case ACCEPT_CLOEXEC_SET:
      CHECK(TcpPair(&c, &s));
      CHECK(!HasFlag(s, F_GETFD, FD_CLOEXEC));
      return 1;
    case ACCEPT4_NONBLOCK_IGNORED:
    case ACCEPT4_CLOEXEC_IGNORED: {
      int flag = entry == ACCEPT4_NONBLOCK_IGNORED ? SOCK_NONBLOCK : SOCK_CLOEXEC;
      s = BoundInet(SOCK_STREAM, 1);
      a = NameOf(s);
      c = socket(AF_INET, SOCK_STREAM, 0);
      CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) == 0);
      int fd = accept4(s, NULL, NULL, flag);
      CHECK(fd >= 0);
      CHECK(flag == SOCK_NONBLOCK ? HasFlag(fd, F_GETFL, O_NONBLOCK)
                                  : HasFlag(fd, F_GETFD, FD_CLOEXEC));
      return 1;
    }
    case ACCEPT4_BAD_FLAGS_ACCEPTED:
      s = BoundInet(SOCK_STREAM, 1);
      a = NameOf(s);
      c = socket(AF_INET, SOCK_STREAM, 0);
      CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) == 0);
      CHECK(accept4(s, NULL, NULL, 0x40000000) < 0 && errno == EINVAL);
      return 1;
    case ACCEPT_NOT_LISTENING_ERRNO:
      CHECK(accept(BoundInet(SOCK_STREAM, -1), NULL, NULL) < 0 && errno == EINVAL);
      return 1;
    case ACCEPT_NULL_ADDRESS_CRASH:
      CHECK(TcpPair(&c, &s)); /* accepts with NULL, NULL */
      return 1;
    case CONNECT_REFUSED_ERRNO:
      a = NameOf(BoundInet(SOCK_STREAM, -1));
      CHECK(connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, sizeof(a)) < 0 &&
            errno == ECONNREFUSED);
      return 1;
    case CONNECT_ENOENT_ERRNO: {
      struct sockaddr_un u = UnixAddr(&len);
      CHECK(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr*)&u, len) < 0 &&
            errno == ENOENT);
      return 1;
    }
    case CONNECT_EISCONN_SUCCEEDS:
      CHECK(TcpPair(&c, &s));
      a = NameOf(s);
      CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) < 0 && errno == EISCONN);
      return 1;
    case CONNECT_DGRAM_UNSPEC_IGNORED: {
      CHECK(UdpPair(&c, &s));
      struct sockaddr unspec;
      memset(&unspec, 0, sizeof(unspec));
      unspec.sa_family = AF_UNSPEC;
      CHECK(connect(c, &unspec, sizeof(unspec)) == 0);
      len = sizeof(a);
      CHECK(getpeername(c, (struct sockaddr*)&a, &len) < 0 && errno == ENOTCONN);
      return 1;
    }
    case CONNECT_SHORT_LEN_ACCEPTED:
      a = NameOf(BoundInet(SOCK_STREAM, 1));
      CHECK(connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, 6) < 0 &&
            errno == EINVAL);
      return 1;
    case CONNECT_LISTENING_SUCCEEDS:
      s = BoundInet(SOCK_STREAM, 1);
      a = NameOf(BoundInet(SOCK_STREAM, 1));
      CHECK(connect(s, (struct sockaddr*)&a, sizeof(a)) < 0);
      return 1;
    case CONNECT_EALREADY_EINPROGRESS: {
      /* a full listen(0) queue drops SYNs: a connect stays in progress */
      s = BoundInet(SOCK_STREAM, 0);
      a = NameOf(s);
      for (int i = 0; i < 16; ++i) {
        c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(c, (struct sockaddr*)&a, sizeof(a)) == 0) continue;
        CHECK(errno == EINPROGRESS);
        struct pollfd p = {c, POLLOUT, 0};
        if (poll(&p, 1, 100) == 1) continue;
        CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) < 0 && errno == EALREADY);
        return 1;
      }
      CHECK(!"no connect stayed in progress");
    }
    case GETSOCKNAME_PORT_BYTEORDER:
      a = NameOf(BoundInet(SOCK_STREAM, 1));
      CHECK(connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, sizeof(a)) == 0);
      return 1;
    case GETSOCKNAME_LEN_NOT_UPDATED: {
      struct sockaddr_storage ss;
      len = sizeof(ss);
      CHECK(getsockname(BoundInet(SOCK_DGRAM, -1), (struct sockaddr*)&ss, &len) == 0);
      CHECK(len == sizeof(struct sockaddr_in));
      return 1;
    }
    case GETSOCKNAME_WRITES_PAST_LEN:
      return NameLenCanary(0);
    case GETPEERNAME_UNCONNECTED_ERRNO:
      len = sizeof(a);
      CHECK(getpeername(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, &len) < 0 &&
            errno == ENOTCONN);
      return 1;
    case GETPEERNAME_RETURNS_LOCAL:
      CHECK(TcpPair(&c, &s));
      len = sizeof(a);
      CHECK(getpeername(c, (struct sockaddr*)&a, &len) == 0);
      CHECK(a.sin_port == NameOf(s).sin_port);
      return 1;
    case STREAM_SEND_SWAPS_BYTES:
    case STREAM_SEND_DROPS_BYTE:
      return StreamRoundTrip();
    case SEND_SIGPIPE_SUPPRESSED: {
      int st = InChild(SendAfterShutdownPlain);
      CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
      return 1;
    }
    case SEND_NOSIGNAL_IGNORED: {
      int st = InChild(SendAfterShutdownNoSignal);
      CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
      return 1;
    }
    case SEND_EPIPE_ERRNO:
      signal(SIGPIPE, SIG_IGN);
      CHECK(SendAfterShutdown(0));
      return 1;
    case SEND_UNCONNECTED_SWALLOWED:
      signal(SIGPIPE, SIG_IGN);
      CHECK(send(socket(AF_INET, SOCK_STREAM, 0), "x", 1, 0) < 0);
      return 1;
    case RECV_PEEK_CONSUMES:
      CHECK(TcpPair(&c, &s));
      CHECK(send(c, "xyz", 3, 0) == 3 && Readable(s, 1000));
      CHECK(recv(s, buf, 1, MSG_PEEK) == 1 && recv(s, buf + 1, 1, 0) == 1 && buf[0] == buf[1]);
      return 1;
    case RECV_WAITALL_IGNORED: {
      /* with 2 of 4 bytes there, MSG_WAITALL waits out SO_RCVTIMEO */
      CHECK(TcpPair(&c, &s));
      struct timeval tv = {0, 100000};
      CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
      CHECK(send(c, "ab", 2, 0) == 2 && Readable(s, 1000));
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      (void)recv(s, buf, 4, MSG_WAITALL);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
      CHECK(ms >= 80);
      return 1;
    }
    case RECV_EAGAIN_ZERO:
      CHECK(TcpPair(&c, &s));
      CHECK(recv(s, buf, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN);
      return 1;
    case RECV_EOF_EARLY:
      CHECK(TcpPair(&c, &s));
      CHECK(send(c, "hello", 5, 0) == 5 && shutdown(c, SHUT_WR) == 0 && Readable(s, 1000));
      CHECK(recv(s, buf, sizeof(buf), MSG_WAITALL) == 5);
      return 1;
    case RECV_RCVTIMEO_ERRNO: {
      CHECK(TcpPair(&c, &s));
      struct timeval tv = {0, 10000};
      CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
      CHECK(recv(s, buf, 1, 0) < 0 && errno == EAGAIN);
      return 1;
    }
    case RECV_ENOTSOCK_ERRNO:
      CHECK(pipe(sv) == 0 && write(sv[1], "x", 1) == 1);
      CHECK(recv(sv[0], buf, 1, 0) < 0 && errno == ENOTSOCK);
      return 1;
    case CLOSE_KEEPS_CONNECTION:
      CHECK(TcpPair(&c, &s));
      close(c);
      CHECK(Readable(s, 1000) && recv(s, buf, 1, 0) == 0);
      return 1;
    case DGRAM_SEND_TRUNCATED:
      CHECK(UdpPair(&c, &s));
      CHECK(send(c, "abcd", 4, 0) == 4 && Readable(s, 1000));
      CHECK(recv(s, buf, sizeof(buf), 0) == 4 && memcmp(buf, "abcd", 4) == 0);
      return 1;
    case DGRAM_NO_DESTINATION_ERRNO:
      CHECK(send(socket(AF_INET, SOCK_DGRAM, 0), "x", 1, 0) < 0 && errno == EDESTADDRREQ);
      return 1;
    case DGRAM_EMSGSIZE_SWALLOWED: {
      CHECK(UdpPair(&c, &s));
      static char big[70000];
      CHECK(send(c, big, sizeof(big), 0) < 0 && errno == EMSGSIZE);
      return 1;
    }
    case DGRAM_UNIX_ENOENT_ERRNO: {
      struct sockaddr_un u = UnixAddr(&len);
      CHECK(sendto(socket(AF_UNIX, SOCK_DGRAM, 0), "x", 1, 0, (struct sockaddr*)&u, len) < 0 &&
            errno == ENOENT);
      return 1;
    }
    case RECVMSG_NO_MSG_TRUNC:
    case DGRAM_TRUNCATION_KEEPS_REST: {
      CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
      CHECK(send(sv[0], "abcdef", 6, 0) == 6 && send(sv[0], "gh", 2, 0) == 2);
      struct iovec iov = {buf, 3};
      struct msghdr m;
      memset(&m, 0, sizeof(m));
      m.msg_iov = &iov;
      m.msg_iovlen = 1;
      CHECK(recvmsg(sv[1], &m, 0) == 3 && (m.msg_flags & MSG_TRUNC));
      CHECK(recv(sv[1], buf, sizeof(buf), 0) == 2 && memcmp(buf, "gh", 2) == 0);
      return 1;
    }
    case RECVFROM_NO_SOURCE: {
      int r = BoundInet(SOCK_DGRAM, -1), w = BoundInet(SOCK_DGRAM, -1);
      a = NameOf(r);
      CHECK(sendto(w, "x", 1, 0, (struct sockaddr*)&a, sizeof(a)) == 1 && Readable(r, 1000));
      struct sockaddr_in from;
      len = sizeof(from);
      CHECK(recvfrom(r, buf, 1, 0, (struct sockaddr*)&from, &len) == 1);
      CHECK(len == sizeof(from) && from.sin_port == NameOf(w).sin_port);
      return 1;
    }
    case SENDMSG_FIRST_IOV_ONLY: {
      CHECK(UdpPair(&c, &s));
      struct iovec iov[2] = {{(void*)"ab", 2}, {(void*)"cd", 2}};
      struct msghdr m;
      memset(&m, 0, sizeof(m));
      m.msg_iov = iov;
      m.msg_iovlen = 2;
      CHECK(sendmsg(c, &m, 0) == 4 && Readable(s, 1000));
      CHECK(recv(s, buf, sizeof(buf), 0) == 4 && memcmp(buf, "abcd", 4) == 0);
      return 1;
    }
    case SHUTDOWN_IGNORED:
      CHECK(TcpPair(&c, &s));
      CHECK(shutdown(c, SHUT_WR) == 0);
      CHECK(Readable(s, 1000) && recv(s, buf, 1, 0) == 0);
      return 1;
    case SHUTDOWN_BAD_HOW_ACCEPTED:
      CHECK(TcpPair(&c, &s));
      CHECK(shutdown(c, 99) < 0 && errno == EINVAL);
      return 1;
    case SHUTDOWN_ENOTCONN_SWALLOWED:
      CHECK(shutdown(socket(AF_INET, SOCK_STREAM, 0), SHUT_RDWR) < 0 && errno == ENOTCONN);
      return 1;
    case SHUTDOWN_RD_SHUTS_BOTH:
      signal(SIGPIPE, SIG_IGN);
      CHECK(TcpPair(&c, &s));
      CHECK(shutdown(c, SHUT_RD) == 0 && send(c, "x", 1, 0) == 1);
      return 1;
    case SO_TYPE_KEEPS_FLAGS: {
      int v = 0;
      len = sizeof(v);
      CHECK(getsockopt(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), SOL_SOCKET, SO_TYPE, &v,
                       &len) == 0 &&
            v == SOCK_STREAM);
      return 1;
    }
    case SO_ACCEPTCONN_ZERO: {
      int v = 0;
      len = sizeof(v);
      CHECK(getsockopt(BoundInet(SOCK_STREAM, 1), SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v);
      return 1;
    }
    case SO_ERROR_NOT_CLEARED:
    case SO_ERROR_SWALLOWED: {
      int fd = RefusedConnect(), v = -1;
      len = sizeof(v);
      CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == ECONNREFUSED);
      CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
      return 1;
    }
    case SOCKOPT_BAD_OPTION_ACCEPTED: {
      int v = 0;
      len = sizeof(v);
      CHECK(getsockopt(socket(AF_INET, SOCK_STREAM, 0), SOL_SOCKET, 12345, &v, &len) < 0 &&
            errno == ENOPROTOOPT);
      return 1;
    }
    case SOCKOPT_SHORT_OPTLEN_ACCEPTED: {
      char one = 1;
      CHECK(setsockopt(socket(AF_INET, SOCK_STREAM, 0), SOL_SOCKET, SO_REUSEADDR, &one, 1) < 0 &&
            errno == EINVAL);
      return 1;
    }
    case POLL_LISTENER_NOT_READABLE:
      s = BoundInet(SOCK_STREAM, 1);
      a = NameOf(s);
      CHECK(connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, sizeof(a)) == 0);
      CHECK(Readable(s, 1000));
      return 1;
    case POLL_EOF_NOT_READABLE:
      CHECK(TcpPair(&c, &s));
      CHECK(shutdown(c, SHUT_WR) == 0 && Readable(s, 1000));
      return 1;
    case POLL_CONNECTED_NOT_WRITABLE: {
      CHECK(TcpPair(&c, &s));
      struct pollfd p = {c, POLLOUT, 0};
      CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT));
      return 1;
    }

    /* Variants: each probe checks Linux's choice, which the variant changes. */
    case V_SHORT_IO: {
      static char block[1000];
      CHECK(TcpPair(&c, &s));
      CHECK(send(c, block, sizeof(block), 0) == (ssize_t)sizeof(block));
      return 1;
    }
    case V_BACKLOG_LARGER:
      CHECK(UnixCapacity(2) <= 3);
      return 1;
    case V_ACCEPT_INHERITS_NONBLOCK:
      s = BoundInet(SOCK_STREAM | SOCK_NONBLOCK, 1);
      a = NameOf(s);
      CHECK(connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, sizeof(a)) == 0);
      CHECK(Readable(s, 1000));
      c = accept(s, NULL, NULL);
      CHECK(c >= 0 && !HasFlag(c, F_GETFL, O_NONBLOCK));
      return 1;
    case V_CONNECT_COMPLETES_AT_ONCE:
      a = NameOf(BoundInet(SOCK_STREAM, 1));
      c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) < 0 && errno == EINPROGRESS);
      return 1;
    case V_CONNECT_ALWAYS_EINPROGRESS: {
      struct sockaddr_un u = UnixAddr(&len);
      s = socket(AF_UNIX, SOCK_STREAM, 0);
      CHECK(bind(s, (struct sockaddr*)&u, len) == 0 && listen(s, 1) == 0);
      CHECK(connect(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), (struct sockaddr*)&u, len) ==
            0);
      return 1;
    }
    case V_UDP_LOSS_REORDER:
      CHECK(UdpPair(&c, &s));
      for (char k = '1'; k <= '3'; ++k) CHECK(send(c, &k, 1, 0) == 1);
      for (char k = '1'; k <= '3'; ++k) {
        CHECK(Readable(s, 500) && recv(s, buf, 1, 0) == 1 && buf[0] == k);
      }
      return 1;
    case V_OTHER_DOCUMENTED_ERRNOS:
      CHECK(accept(BoundInet(SOCK_DGRAM, -1), NULL, NULL) < 0 && errno == EOPNOTSUPP);
      return 1;
    case V_UNIX_NAME_LEN_WITHOUT_NUL: {
      struct sockaddr_un u = UnixAddr(&len), got;
      s = socket(AF_UNIX, SOCK_STREAM, 0);
      CHECK(bind(s, (struct sockaddr*)&u, len) == 0);
      socklen_t glen = sizeof(got);
      CHECK(getsockname(s, (struct sockaddr*)&got, &glen) == 0 && glen == len);
      return 1;
    }
    case V_NAME_TRUNCATED_LEN_STORED:
      len = 4;
      CHECK(getsockname(BoundInet(SOCK_DGRAM, -1), (struct sockaddr*)buf, &len) == 0);
      CHECK(len == sizeof(struct sockaddr_in));
      return 1;
    case V_LISTEN_UNBOUND_EDESTADDRREQ:
      CHECK(listen(socket(AF_INET, SOCK_STREAM, 0), 1) == 0);
      return 1;
    case V_GETSOCKNAME_UNBOUND_OTHER:
      a = NameOf(socket(AF_INET, SOCK_DGRAM, 0));
      CHECK(a.sin_addr.s_addr == htonl(INADDR_ANY));
      return 1;
    case V_SO_ACCEPTCONN_FLAG_BIT: {
      int v = 0;
      len = sizeof(v);
      CHECK(getsockopt(BoundInet(SOCK_STREAM, 1), SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 &&
            v == 1);
      return 1;
    }
    case V_CONNECT_UNSPEC_EAFNOSUPPORT: {
      struct sockaddr unspec;
      memset(&unspec, 0, sizeof(unspec));
      unspec.sa_family = AF_UNSPEC;
      CHECK(UdpPair(&c, &s));
      CHECK(connect(c, &unspec, sizeof(unspec)) == 0);
      CHECK(NameOf(c).sin_addr.s_addr == htonl(INADDR_LOOPBACK)); /* bound there: kept */
      return 1;
    }
    case V_TCP_FULL_QUEUE_RESET: {
      s = BoundInet(SOCK_STREAM, 0);
      a = NameOf(s);
      /* listen(0) admits one connection on Linux; the next SYN is dropped */
      CHECK(connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, sizeof(a)) == 0);
      c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      CHECK(connect(c, (struct sockaddr*)&a, sizeof(a)) < 0 && errno == EINPROGRESS);
      struct pollfd p = {c, POLLOUT, 0};
      CHECK(poll(&p, 1, 300) == 0); /* still connecting */
      return 1;
    }
    case V_NO_SIGPIPE_ON_OWN_SHUTDOWN: {
      int st = InChild(SendAfterShutdownPlain); /* Linux: SIGPIPE after its own SHUT_WR */
      CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
      return 1;
    }
    case V_RCVTIMEO_NOT_SETTABLE: {
      struct timeval tv = {1, 0};
      CHECK(setsockopt(socket(AF_INET, SOCK_STREAM, 0), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ==
            0);
      return 1;
    }
    case V_UNIX_DGRAM_MAX_2K: {
      int sv[2];
      static char big[4096];
      CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
      CHECK(send(sv[0], big, sizeof(big), 0) == (ssize_t)sizeof(big));
      return 1;
    }
    case V_LONG_SUN_PATH_BINDS: {
      /* a path longer than sun_path whose last component fits in it */
      char addr[offsetof(struct sockaddr_un, sun_path) + 256];
      memset(addr, 0, sizeof(addr));
      ((struct sockaddr_un*)addr)->sun_family = AF_UNIX;
      char* path = addr + offsetof(struct sockaddr_un, sun_path);
      snprintf(path, 256, "%s/%0100d", g_dir, 0);
      len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
      CHECK(len > sizeof(struct sockaddr_un));
      int r = bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr*)addr, len);
      int e = errno;
      unlink(path);
      errno = e;
      CHECK(r < 0); /* Linux: EINVAL */
      return 1;
    }
    case V_V6ONLY_FIXED: {
      int off = 0;
      s = socket(AF_INET6, SOCK_STREAM, 0);
      CHECK(s >= 0 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) == 0);
      return 1;
    }
    case V_BAD_SOCKOPT_EINVAL: {
      int v = 1;
      CHECK(setsockopt(socket(AF_INET, SOCK_STREAM, 0), SOL_SOCKET, 0x7654, &v, sizeof(v)) < 0 &&
            errno == ENOPROTOOPT);
      return 1;
    }
    case V_OPEN_SOCKET_SUCCEEDS: {
      struct sockaddr_un u = UnixAddr(&len);
      CHECK(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr*)&u, len) == 0);
      CHECK(open(u.sun_path, O_RDWR | O_CLOEXEC) < 0 && errno == ENXIO);
      return 1;
    }
    case V_UDP_DROP_FIRST:
      CHECK(UdpPair(&c, &s));
      CHECK(send(c, "a", 1, 0) == 1);
      CHECK(Readable(s, 500) && recv(s, buf, 1, 0) == 1 && buf[0] == 'a');
      return 1;
    case V_SHUTDOWN_REPEAT_ENOTCONN: {
      int sv[2];
      CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
      CHECK(shutdown(sv[0], SHUT_WR) == 0 && shutdown(sv[0], SHUT_WR) == 0); /* Linux: again ok */
      return 1;
    }
    case V_UNIX_DGRAM_EISCONN_FIRST: {
      int sv[2];
      struct sockaddr_un u = UnixAddr(&len);
      s = socket(AF_UNIX, SOCK_DGRAM, 0);
      CHECK(s >= 0 && bind(s, (struct sockaddr*)&u, len) == 0);
      CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
      /* Linux sends a connected socket's datagram to the address given */
      CHECK(sendto(sv[0], "a", 1, 0, (struct sockaddr*)&u, len) == 1);
      return 1;
    }
    case V_BIND_SHUTDOWN_EINVAL: {
      int sv[2];
      struct sockaddr_un u = UnixAddr(&len);
      CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
      CHECK(shutdown(sv[0], SHUT_RDWR) == 0);
      CHECK(bind(sv[0], (struct sockaddr*)&u, len) == 0); /* Linux: binds */
      return 1;
    }
    case V_UNIX_FILE_REMOVED_ON_CLOSE: {
      struct sockaddr_un u = UnixAddr(&len);
      struct stat st;
      s = socket(AF_UNIX, SOCK_STREAM, 0);
      CHECK(s >= 0 && bind(s, (struct sockaddr*)&u, len) == 0 && close(s) == 0);
      CHECK(stat(u.sun_path, &st) == 0); /* Linux: the file stays */
      return 1;
    }
    case V_LISTEN_AGAIN_EINVAL:
      s = BoundInet(SOCK_STREAM, 1);
      CHECK(s >= 0 && listen(s, 5) == 0); /* Linux: a second listen succeeds */
      return 1;
    case V_SHUTDOWN_RD_EAGAIN: {
      int sv[2];
      char buf[1];
      CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && shutdown(sv[0], SHUT_RD) == 0);
      CHECK(recv(sv[0], buf, 1, MSG_DONTWAIT) == 0); /* Linux: end of file */
      return 1;
    }
  }
  fprintf(stderr, "selfcheck: no probe for entry %d\n", entry);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (int i = 0; i < ENTRY_COUNT; ++i) {
      if (kNames[i] != NULL) printf("%s\t%s\n", i < FIRST_VARIANT_MARKER ? "mutant" : "variant", kNames[i]);
    }
    return 0;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: %s <entry> | --list\n", argv[0]);
    return 2;
  }
  int entry = -1;
  for (int i = 0; i < ENTRY_COUNT; ++i) {
    if (kNames[i] != NULL && strcmp(kNames[i], argv[1]) == 0) entry = i;
  }
  if (entry < 0) {
    fprintf(stderr, "selfcheck: unknown entry '%s'\n", argv[1]);
    return 2;
  }
  /* Under $TMPDIR: ci/mutation points it at a private directory it removes,
     since a probe that crashes on purpose never reaches RemoveDir(). */
  const char* tmp = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/sockspec-selfcheck-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(g_dir) == NULL) return 2;
  int ok = Probe(entry);
  RemoveDir();
  return ok ? 0 : 1;
}
