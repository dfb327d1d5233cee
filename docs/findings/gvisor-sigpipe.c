// gVisor: send() and write() on a stream socket shut down for writing fail
// EPIPE but raise no SIGPIPE, so the default action does not end the process.
// Linux raises it; POSIX mandates it only for a socket "no longer connected",
// so both are legal. Exit status 1 when the child survives (the gVisor way).
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 2;
  pid_t pid = fork();
  if (pid == 0) {
    shutdown(sv[0], SHUT_WR);
    ssize_t r = send(sv[0], "x", 1, 0);
    printf("child: send after SHUT_WR = %zd %s (still alive)\n", r, r < 0 ? strerror(errno) : "");
    fflush(stdout);
    r = write(sv[0], "x", 1);
    printf("child: write after SHUT_WR = %zd %s (still alive)\n", r, r < 0 ? strerror(errno) : "");
    fflush(stdout);
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  if (WIFSIGNALED(st)) printf("child died of signal %d (%s)\n", WTERMSIG(st), strsignal(WTERMSIG(st)));
  else printf("child exited %d\n", WEXITSTATUS(st));
  return !(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
}
