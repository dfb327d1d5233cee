// gVisor: error numbers and option handling that differ from the POSIX /
// Linux documentation. Each line prints what the call did and what the
// documentation asks for; exit status 1 when any line deviates.
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int bad;

static void report(const char *what, int r, int err, int ok, const char *want) {
  printf("%-52s -> %d %-16s %s (want %s)\n", what, r, r < 0 ? strerror(err) : "",
         ok ? "ok      " : "DEVIATES", want);
  bad |= !ok;
}

int main(void) {
  int r, e, v = 1;
  // socket(): a protocol of another type.
  r = socket(AF_INET, SOCK_STREAM, IPPROTO_UDP); e = errno;
  report("socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)", r, e,
         r < 0 && (e == EPROTONOSUPPORT || e == EPROTOTYPE), "EPROTONOSUPPORT or EPROTOTYPE");
  // socketpair(): no pairs for AF_INET.
  int sv[2];
  r = socketpair(AF_INET, SOCK_STREAM, 0, sv); e = errno;
  report("socketpair(AF_INET, SOCK_STREAM, 0)", r, e,
         r < 0 && (e == EOPNOTSUPP || e == EAFNOSUPPORT), "EOPNOTSUPP or EAFNOSUPPORT");
  // setsockopt(): unknown level, unknown SOL_SOCKET option.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  r = setsockopt(fd, 12345, 1, &v, sizeof v); e = errno;
  report("setsockopt(tcp, level 12345, 1)", r, e,
         r < 0 && (e == ENOPROTOOPT || e == EINVAL || e == EOPNOTSUPP), "ENOPROTOOPT or EINVAL");
  r = setsockopt(fd, SOL_SOCKET, 12345, &v, sizeof v); e = errno;
  report("setsockopt(tcp, SOL_SOCKET, 12345)", r, e, r < 0 && e == ENOPROTOOPT, "ENOPROTOOPT");
  close(fd);
  // bind(): a v4-mapped address on an IPV6_V6ONLY socket.
  fd = socket(AF_INET6, SOCK_STREAM, 0);
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v);
  struct sockaddr_in6 s6;
  memset(&s6, 0, sizeof s6);
  s6.sin6_family = AF_INET6;
  s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
  s6.sin6_addr.s6_addr[12] = 127;
  s6.sin6_addr.s6_addr[15] = 1;
  r = bind(fd, (struct sockaddr *)&s6, sizeof s6); e = errno;
  report("bind(v6only, [::ffff:127.0.0.1]:0)", r, e,
         r < 0 && (e == EINVAL || e == EADDRNOTAVAIL), "EINVAL or EADDRNOTAVAIL");
  close(fd);
  // A TCP pair on loopback for recv(MSG_OOB) and SO_ERROR.
  struct sockaddr_in sin;
  socklen_t len = sizeof sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int l = socket(AF_INET, SOCK_STREAM, 0);
  bind(l, (struct sockaddr *)&sin, sizeof sin);
  listen(l, 1);
  getsockname(l, (struct sockaddr *)&sin, &len);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&sin, sizeof sin);
  int a = accept(l, NULL, NULL);
  char ch;
  r = (int)recv(a, &ch, 1, MSG_OOB | MSG_DONTWAIT); e = errno;
  report("recv(tcp, MSG_OOB|MSG_DONTWAIT), no urgent data", r, e, r < 0 && e == EINVAL, "EINVAL");
  close(a); close(c);
  // SO_ERROR: a refused non-blocking connect leaves an error; reading it clears it.
  close(l);  // nobody listens on that port now
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  connect(c, (struct sockaddr *)&sin, sizeof sin);
  struct pollfd p = {c, POLLOUT, 0};
  poll(&p, 1, 5000);
  int err1 = -1, err2 = -1;
  len = sizeof err1;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &err1, &len);
  len = sizeof err2;
  r = getsockopt(c, SOL_SOCKET, SO_ERROR, &err2, &len);
  printf("  (refused connect: first SO_ERROR %d %s)\n", err1, strerror(err1));
  report("getsockopt(SO_ERROR) a second time", r, 0, r == 0 && err2 == 0, "0: reading clears it");
  printf("  (second SO_ERROR value %d)\n", err2);
  close(c);
  return bad;
}
