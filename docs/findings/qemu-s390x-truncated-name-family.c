// qemu-user, big-endian guest: getsockname()/getpeername() into a buffer of
// one byte stores the first byte of the HOST's sa_family (little-endian),
// not the guest's. Exit status 1 when the stored byte differs from the first
// byte of the full name.
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
    perror("setup");
    return 2;
  }
  unsigned char full[sizeof(struct sockaddr_in)], part[4];
  socklen_t len = sizeof full;
  if (getsockname(fd, (struct sockaddr *)full, &len) != 0) {
    perror("getsockname");
    return 2;
  }
  printf("full name: first bytes %02x %02x\n", full[0], full[1]);
  memset(part, 0xA5, sizeof part);
  len = 1;
  if (getsockname(fd, (struct sockaddr *)part, &len) != 0) {
    perror("getsockname");
    return 2;
  }
  printf("1-byte buffer: stored %02x (expected %02x)\n", part[0], full[0]);
  close(fd);
  return part[0] != full[0];
}
