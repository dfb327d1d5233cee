// gVisor: connect() of a connected UDP socket to the same peer again fails
// EADDRINUSE; Linux succeeds (a datagram socket may be connected any number of
// times). Found by the lifecycle property. Prints each step; exit status 1 when
// the second connect fails.
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static int bad;

static void show(const char *what, int r) {
  printf("%-34s = %d %s\n", what, r, r < 0 ? strerror(errno) : "");
}
int main(void) {
  struct sockaddr_in a0 = {0}, a2 = {0};
  a0.sin_family = AF_INET; a0.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t l = sizeof a0;
  int s0 = socket(AF_INET, SOCK_DGRAM, 0), s2 = socket(AF_INET, SOCK_DGRAM, 0);
  show("bind(s0, 127.0.0.1:0)", bind(s0, (struct sockaddr *)&a0, sizeof a0));
  getsockname(s0, (struct sockaddr *)&a0, &l);
  show("connect(s2, s0)", connect(s2, (struct sockaddr *)&a0, sizeof a0));
  int again = connect(s2, (struct sockaddr *)&a0, sizeof a0);
  show("connect(s2, s0) again", again);
  bad |= again != 0;
  l = sizeof a2; getsockname(s2, (struct sockaddr *)&a2, &l);
  show("bind(s2, own name)", bind(s2, (struct sockaddr *)&a2, sizeof a2));
  show("connect(s2, s0) after failed bind", connect(s2, (struct sockaddr *)&a0, sizeof a0));
  close(s0);
  close(s2);
  return bad;
}
