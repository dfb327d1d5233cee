// gVisor: getsockopt(SO_ACCEPTCONN) on a listening AF_UNIX socket reports 0.
// Exit status 1 when any listening socket reports 0.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int check(int type, const char *name, const char *dir) {
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s/%s", dir, name);
  int fd = socket(AF_UNIX, type, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0 || listen(fd, 4) != 0) {
    perror(name);
    exit(2);
  }
  int v = -1;
  socklen_t len = sizeof v;
  int r = getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
  printf("%s listening: getsockopt(SO_ACCEPTCONN) = %d, value %d\n", name, r, v);
  close(fd);
  unlink(sun.sun_path);
  return r == 0 && v != 0;
}

int main(void) {
  char dir[] = "/tmp/acceptconn.XXXXXX";
  if (!mkdtemp(dir)) return 2;
  int ok = check(SOCK_STREAM, "unix-stream", dir) & check(SOCK_SEQPACKET, "unix-seqpacket", dir);
  rmdir(dir);
  return ok ? 0 : 1;
}
