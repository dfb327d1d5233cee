/* qemu-user 7.2 (Debian 12): socket() and socketpair() with a type flag bit other
 * than SOCK_NONBLOCK / SOCK_CLOEXEC succeed instead of failing with EINVAL.
 *
 *   aarch64-linux-gnu-gcc qemu-socket-type-flags.c -o repro
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu ./repro   # both calls succeed (bug)
 *   gcc qemu-socket-type-flags.c -o repro && ./repro   # both fail EINVAL (Linux)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  /* 0x100: above every SOCK_* type number, and not SOCK_NONBLOCK (04000) or
   * SOCK_CLOEXEC (02000000) on aarch64 or x86-64. */
  int unknown_flag = 0x100;
  int bugs = 0;

  int fd = socket(AF_INET, SOCK_STREAM | unknown_flag, 0);
  printf("socket(AF_INET, SOCK_STREAM|%#x, 0) = %d (%s)\n", unknown_flag, fd,
         fd < 0 ? strerror(errno) : "accepted; expected EINVAL");
  if (fd >= 0) {
    bugs++;
    close(fd);
  }

  int sv[2];
  int r = socketpair(AF_UNIX, SOCK_STREAM | unknown_flag, 0, sv);
  printf("socketpair(AF_UNIX, SOCK_STREAM|%#x, 0) = %d (%s)\n", unknown_flag, r,
         r < 0 ? strerror(errno) : "accepted; expected EINVAL");
  if (r == 0) {
    bugs++;
    close(sv[0]);
    close(sv[1]);
  }
  return bugs ? 1 : 0;
}
