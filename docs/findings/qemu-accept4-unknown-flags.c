/* qemu-user 7.2 (Debian 12): accept4() with a flag other than SOCK_NONBLOCK /
 * SOCK_CLOEXEC succeeds instead of failing with EINVAL.
 *
 *   aarch64-linux-gnu-gcc qemu-accept4-unknown-flags.c -o repro
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu ./repro   # accept4(...) = fd   (bug)
 *   gcc qemu-accept4-unknown-flags.c -o repro && ./repro   # = -1 EINVAL (Linux)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  /* A listener with an autobound (abstract, Linux) name, and one queued client. */
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr family_only = {.sa_family = AF_UNIX};
  if (listener < 0 || bind(listener, &family_only, sizeof(sa_family_t)) != 0 ||
      listen(listener, 1) != 0) {
    perror("listener");
    return 2;
  }
  struct sockaddr_storage name;
  socklen_t len = sizeof name;
  getsockname(listener, (struct sockaddr*)&name, &len);
  int client = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(client, (struct sockaddr*)&name, len) != 0) {
    perror("connect");
    return 2;
  }

  int unknown_flag = 0x1000000; /* neither SOCK_NONBLOCK nor SOCK_CLOEXEC */
  int fd = accept4(listener, NULL, NULL, unknown_flag);
  if (fd >= 0) {
    printf("accept4(flags=%#x) = %d: unknown flag ignored (expected -1 EINVAL)\n",
           unknown_flag, fd);
    close(fd);
  } else {
    printf("accept4(flags=%#x) = -1 %s\n", unknown_flag, strerror(errno));
  }
  close(client);
  close(listener);
  return fd >= 0 ? 1 : 0;
}
