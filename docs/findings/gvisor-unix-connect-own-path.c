// gVisor: an AF_UNIX stream or seqpacket socket that is bound but not listening,
// connecting to its own pathname, fails EINVAL instead of ECONNREFUSED (the same
// connect from another socket is refused). Exit status 1 when that happens.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int check(int type, const char *name) {
  char dir[] = "/tmp/ownpath.XXXXXX";
  if (!mkdtemp(dir)) exit(2);
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s/s", dir);
  int fd = socket(AF_UNIX, type | SOCK_NONBLOCK, 0);
  int other = socket(AF_UNIX, type | SOCK_NONBLOCK, 0);
  if (fd < 0 || other < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) exit(2);
  int r = connect(other, (struct sockaddr *)&sun, sizeof sun);
  printf("%s: another socket connects to the bound, not listening path = %d %s\n", name, r,
         r ? strerror(errno) : "");
  r = connect(fd, (struct sockaddr *)&sun, sizeof sun);
  int e = errno;
  printf("%s: the bound socket connects to its own path = %d %s (want ECONNREFUSED)\n", name, r,
         r ? strerror(e) : "");
  close(fd);
  close(other);
  unlink(sun.sun_path);
  rmdir(dir);
  return !(r == -1 && e == ECONNREFUSED);
}

int main(void) {
  int bad = check(SOCK_STREAM, "stream");
  bad |= check(SOCK_SEQPACKET, "seqpacket");
  return bad;
}
