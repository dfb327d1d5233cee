// gVisor, AF_UNIX: (1) connect() to a path bound by a socket of another type
// fails ECONNREFUSED instead of EPROTOTYPE; (2) listen() on the accepted
// end of a stream connection succeeds instead of failing EINVAL. Exit status 1 when either
// deviates.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(void) {
  char dir[] = "/tmp/unixstate.XXXXXX";
  if (!mkdtemp(dir)) return 2;
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s/dgram", dir);
  int bad = 0;
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (d < 0 || bind(d, (struct sockaddr *)&sun, sizeof sun) != 0) return 2;
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  int r = connect(s, (struct sockaddr *)&sun, sizeof sun);
  int e = errno;
  printf("stream connect() to a datagram socket's path = %d %s (want EPROTOTYPE)\n", r,
         r < 0 ? strerror(e) : "");
  bad |= !(r < 0 && e == EPROTOTYPE);
  close(s);
  close(d);
  unlink(sun.sun_path);
  // A listener, a client, and the accepted socket: listen() on either end fails.
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s/listener", dir);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr *)&sun, sizeof sun) != 0 || listen(l, 5) != 0) return 2;
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  if (c < 0 || connect(c, (struct sockaddr *)&sun, sizeof sun) != 0) return 2;
  int a = accept(l, NULL, NULL);
  if (a < 0) return 2;
  const int ends[2] = {c, a};
  const char *names[2] = {"connecting", "accepted"};
  for (int i = 0; i < 2; ++i) {
    r = listen(ends[i], 5);
    e = errno;
    printf("listen() on the %s end of a connection = %d %s (want EINVAL)\n", names[i], r,
           r < 0 ? strerror(e) : "");
    bad |= !(r < 0 && e == EINVAL);
  }
  close(a);
  close(c);
  close(l);
  unlink(sun.sun_path);
  rmdir(dir);
  return bad;
}
