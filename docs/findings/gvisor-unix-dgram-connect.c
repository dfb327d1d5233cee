// gVisor: a connected AF_UNIX datagram socket (1) still receives datagrams
// from other senders, and (2) cannot dissolve its association with
// connect(AF_UNSPEC). Exit status 1 when either happens.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char dir[] = "/tmp/unixdgram.XXXXXX";

static int bound(const char *name, struct sockaddr_un *sun) {
  memset(sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  snprintf(sun->sun_path, sizeof sun->sun_path, "%s/%s", dir, name);
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)sun, sizeof *sun) != 0) {
    perror(name);
    exit(2);
  }
  return fd;
}

int main(void) {
  if (!mkdtemp(dir)) return 2;
  struct sockaddr_un rx_a, peer_a, stranger_a;
  int rx = bound("rx", &rx_a), peer = bound("peer", &peer_a);
  int stranger = bound("stranger", &stranger_a);
  int bad = 0;
  if (connect(rx, (struct sockaddr *)&peer_a, sizeof peer_a) != 0) return 2;
  ssize_t s = sendto(stranger, "stranger", 8, MSG_DONTWAIT, (struct sockaddr *)&rx_a, sizeof rx_a);
  printf("stranger -> connected rx: sendto = %zd %s\n", s, s < 0 ? strerror(errno) : "");
  char buf[16] = {0};
  ssize_t n = recv(rx, buf, sizeof buf - 1, MSG_DONTWAIT);
  printf("rx receives: %s\n", n > 0 ? buf : n == 0 ? "(empty)" : strerror(errno));
  bad |= n > 0;
  struct sockaddr unspec;
  memset(&unspec, 0, sizeof unspec);
  unspec.sa_family = AF_UNSPEC;
  int r = connect(rx, &unspec, sizeof unspec);
  printf("connect(rx, AF_UNSPEC) = %d %s\n", r, r < 0 ? strerror(errno) : "");
  bad |= r != 0;
  close(rx); close(peer); close(stranger);
  unlink(rx_a.sun_path); unlink(peer_a.sun_path); unlink(stranger_a.sun_path); rmdir(dir);
  return bad;
}
