// qemu-user, big-endian guest: bind() of an AF_INET6 socket with a length
// shorter than sockaddr_in6 crashes qemu itself (stack smashing) instead of
// failing EINVAL. Exit status 0 when every call failed EINVAL; under
// qemu-s390x 7.2 the process dies on the first call.
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  int bad = 0;
  for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_family = (sa_family_t)family;
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
      perror("socket");
      return 2;
    }
    for (socklen_t len = 0; len <= 3; ++len) {
      errno = 0;
      int r = bind(fd, (struct sockaddr *)&ss, len);
      printf("%s bind(len=%u) = %d (%s)\n", family == AF_INET ? "AF_INET" : "AF_INET6",
             (unsigned)len, r, r < 0 ? strerror(errno) : "bound");
      fflush(stdout);  // the crash loses buffered output
      bad |= !(r < 0 && errno == EINVAL);
    }
    close(fd);
  }
  return bad;
}
