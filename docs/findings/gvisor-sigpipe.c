// gVisor: send() on a stream socket fails EPIPE but raises no SIGPIPE, so the
// default action does not end the process. Two cases:
//  - own shutdown(SHUT_WR): Linux raises SIGPIPE; POSIX mandates only EPIPE
//    there, so gVisor's answer is legal (printed, not judged);
//  - peer closed ("no longer connected"): POSIX send() and write() [EPIPE]
//    mandate SIGPIPE for SOCK_STREAM, so gVisor deviates.
// Exit status 1 when the peer-closed sender survives.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

// Forks a child that sends on a stream it shut down for writing itself
// (peer_closed 0) or whose peer closed (1), with SIGPIPE at its default
// action. Returns 1 if SIGPIPE killed it.
static int killed_by_sigpipe(const char* what, int peer_closed) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return -1;
  fflush(stdout);  // or the child repeats what the parent has buffered
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);
    if (peer_closed) close(sv[1]);
    else shutdown(sv[0], SHUT_WR);
    ssize_t r = send(sv[0], "x", 1, 0);
    printf("%s: send = %zd %s (still alive)\n", what, r, r < 0 ? strerror(errno) : "");
    fflush(stdout);
    _exit(0);
  }
  close(sv[0]);
  close(sv[1]);
  int st;
  waitpid(pid, &st, 0);
  int killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE;
  if (WIFSIGNALED(st)) printf("%s: child died of signal %d (%s)\n", what, WTERMSIG(st), strsignal(WTERMSIG(st)));
  else printf("%s: child exited %d\n", what, WEXITSTATUS(st));
  return killed;
}

int main(void) {
  killed_by_sigpipe("own SHUT_WR (SIGPIPE not mandated)", 0);
  return killed_by_sigpipe("peer closed (SIGPIPE mandated)", 1) == 1 ? 0 : 1;
}
