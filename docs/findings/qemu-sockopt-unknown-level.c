/* qemu-user 7.2 (Debian 12): getsockopt()/setsockopt() at a level qemu does not
 * translate fail with qemu's own errno (getsockopt EOPNOTSUPP, setsockopt
 * ENOPROTOOPT) instead of passing the call to the kernel, whose answer depends
 * on the socket's protocol (Linux: getsockopt on an AF_INET6 socket ENOPROTOOPT;
 * setsockopt on AF_UNIX EOPNOTSUPP).
 *
 * Both answers are within what POSIX allows for sockspec's rule sockopt.bad-level,
 * so this is a value difference, not a failure.
 *
 *   aarch64-linux-gnu-gcc qemu-sockopt-unknown-level.c -o repro
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu ./repro
 *   gcc qemu-sockopt-unknown-level.c -o repro && ./repro
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void probe(const char* what, int domain, int type) {
  int fd = socket(domain, type, 0);
  if (fd < 0) {
    printf("%-12s socket: %s\n", what, strerror(errno));
    return;
  }
  const int no_such_level = 0x7654;
  int v = 1;
  socklen_t len = sizeof v;
  int g = getsockopt(fd, no_such_level, 1, &v, &len);
  int gerr = errno;
  int s = setsockopt(fd, no_such_level, 1, &v, sizeof v);
  int serr = errno;
  printf("%-12s getsockopt = %d %-24s setsockopt = %d %s\n", what, g, g ? strerror(gerr) : "",
         s, s ? strerror(serr) : "");
  close(fd);
}

int main(void) {
  probe("tcp/ipv4", AF_INET, SOCK_STREAM);
  probe("tcp/ipv6", AF_INET6, SOCK_STREAM);
  probe("unix/stream", AF_UNIX, SOCK_STREAM);
  return 0;
}
