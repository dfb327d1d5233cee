#include "harness/scenario.h"

#include <dirent.h>
#if defined(__GLIBC__)
#include <stdio_ext.h>
#endif
#include <fcntl.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <sstream>
#include <utility>

#include "harness/errno_name.h"
#include "harness/features.h"
#include "harness/temp_dir.h"
#include "harness/trace.h"

#ifdef SOCKSPEC_COVERAGE
// Coverage builds (ci/coverage, preset `coverage`): clang's profile runtime
// writes its counters from an atexit handler, which a child's _exit skips.
// So a child writes its profile itself before reporting done, but only when
// LLVM_PROFILE_FILE asks for online merging (%m, %Nm): the runtime expands
// %p once, at startup, so with %p a child would write over its parent's
// file; merging writes are locked and add up. (The counts from before fork
// are then added again by each child: hit or not stays exact, the counts
// are inflated. Zeroing them in the child would zero the running function's
// entry count too and show its first lines as never run.)
extern "C" int __llvm_profile_write_file(void);

namespace {
bool ProfileMerges() {
  const char* pattern = std::getenv("LLVM_PROFILE_FILE");
  for (const char* p = pattern; p != nullptr && *p != '\0'; ++p) {
    if (*p != '%') continue;
    while (p[1] >= '0' && p[1] <= '9') ++p;
    if (p[1] == 'm') return true;
  }
  return false;
}
}  // namespace
#endif

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

namespace sockspec {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double DeadlineScale() {
  const char* env = std::getenv("SOCKSPEC_DEADLINE_SCALE");
  if (env == nullptr || *env == '\0') return 1;
  char* end = nullptr;
  double v = std::strtod(env, &end);
  if (end == env || *end != '\0' || !std::isfinite(v) || v <= 0) return 1;
  return v;
}

milliseconds Scaled(milliseconds d) {
  return milliseconds(static_cast<milliseconds::rep>(std::ceil(d.count() * DeadlineScale())));
}

namespace {

// ---------------------------------------------------------------------------
// The channel protocol. A frame is a 4-byte payload length (host order: both
// ends are the same machine), a 1-byte type, then the payload.

enum class Msg : char {
  kPublish = 'P',  // child: u32 key length, key, value
  kAwait = 'A',    // child: key; the parent answers kValue once it is published
  kFailure = 'F',  // child: u8 kind, i32 line, u32 file length, file, message
  kTempDir = 'T',  // child: (empty); the parent answers kValue: '1' path | '0' error
  kDone = 'D',     // child: the body returned; _exit follows at once
  kValue = 'V',    // parent: the answer to kAwait or kTempDir
};

enum class FailureKind : std::uint8_t {
  kNonFatal = 0,  // EXPECT_*, ADD_FAILURE
  kFatal = 1,     // ASSERT_*, FAIL
  kRunner = 2,    // found by the runner in the child: leaked fd, uncaught exception
  kSkip = 3,      // GTEST_SKIP
  kDeadlock = 4,  // found by the parent
};

constexpr std::size_t kHeaderSize = 5;
constexpr std::uint32_t kMaxPayload = 1u << 20;

#if defined(MSG_NOSIGNAL)
constexpr int kNoSigPipe = MSG_NOSIGNAL;
#else
constexpr int kNoSigPipe = 0;  // SO_NOSIGPIPE is set on the socket instead
#endif

void PutU32(std::string& out, std::uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

std::uint32_t GetU32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

std::string Frame(Msg type, std::string_view payload) {
  std::string f;
  f.reserve(kHeaderSize + payload.size());
  PutU32(f, static_cast<std::uint32_t>(payload.size()));
  f.push_back(static_cast<char>(type));
  f.append(payload);
  return f;
}

// Child side: blocking I/O on its channel. If the parent is gone there is
// nothing left to report to, so the child just ends.
constexpr int kLostParentStatus = 125;

void ChildSend(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, kNoSigPipe);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::_exit(kLostParentStatus);
    }
    off += static_cast<std::size_t>(n);
  }
}

void ChildReadExact(int fd, char* buf, std::size_t n) {
  std::size_t off = 0;
  while (off < n) {
    ssize_t r = ::read(fd, buf + off, n - off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) ::_exit(kLostParentStatus);
    off += static_cast<std::size_t>(r);
  }
}

// Waits for the parent's kValue answer.
std::string ChildReceiveValue(int fd) {
  char header[kHeaderSize];
  ChildReadExact(fd, header, kHeaderSize);
  std::uint32_t n = GetU32(header);
  if (static_cast<Msg>(header[4]) != Msg::kValue || n > kMaxPayload) ::_exit(kLostParentStatus);
  std::string value(n, '\0');
  ChildReadExact(fd, value.data(), n);
  return value;
}

std::string EncodeFailure(FailureKind kind, const char* file, int line, std::string_view message) {
  std::string p;
  p.push_back(static_cast<char>(kind));
  PutU32(p, static_cast<std::uint32_t>(line));
  std::string_view f = file ? file : "";
  PutU32(p, static_cast<std::uint32_t>(f.size()));
  p.append(f);
  p.append(message);
  return p;
}

// ---------------------------------------------------------------------------
// Open descriptors.

// Calls f(fd) for every open descriptor. Allocates nothing (children call
// it): on glibc it reads /proc/self/fd with getdents64 into a stack buffer.
template <typename F>
void ForEachOpenFd(bool proc_self_fd, F f) {
  if (proc_self_fd) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
    int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      alignas(dirent64) char buf[2048];
      for (;;) {
        ssize_t n = ::getdents64(dir, buf, sizeof(buf));
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
          const dirent64* e = reinterpret_cast<const dirent64*>(buf + off);
          off += e->d_reclen;
          int fd = 0;
          const char* c = e->d_name;
          if (*c < '0' || *c > '9') continue;  // "." and ".."
          for (; *c >= '0' && *c <= '9'; ++c) fd = fd * 10 + (*c - '0');
          if (fd != dir) f(fd);
        }
      }
      ::close(dir);
      return;
    }
#else
    if (DIR* d = ::opendir("/proc/self/fd")) {
      int own = ::dirfd(d);
      while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        int fd = std::atoi(e->d_name);
        if (fd != own) f(fd);
      }
      ::closedir(d);
      return;
    }
#endif
  }
  long max = ::sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 4096) max = 4096;
  for (int fd = 0; fd < max; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1) f(fd);
  }
}

std::vector<int> OpenFds(bool proc_self_fd) {
  std::vector<int> fds;
  ForEachOpenFd(proc_self_fd, [&](int fd) { fds.push_back(fd); });
  std::sort(fds.begin(), fds.end());
  return fds;
}

// "7 (socket:[1234])"
std::string DescribeFd(int fd, bool proc_self_fd) {
  std::string out = std::to_string(fd);
  if (proc_self_fd) {
    char target[PATH_MAX];
    std::string link = "/proc/self/fd/" + out;
    ssize_t n = ::readlink(link.c_str(), target, sizeof(target) - 1);
    if (n > 0) return out + " (" + std::string(target, static_cast<std::size_t>(n)) + ")";
  }
  struct stat st;
  if (::fstat(fd, &st) == 0) {
    const char* kind = S_ISSOCK(st.st_mode)  ? "socket"
                       : S_ISFIFO(st.st_mode) ? "pipe"
                       : S_ISDIR(st.st_mode)  ? "directory"
                       : S_ISREG(st.st_mode)  ? "file"
                                              : "other";
    return out + " (" + kind + ")";
  }
  return out;
}

// "fd 7 (socket:[1234])" or "fds 7 (...), 8 (...)"; the fds in `after` not in `before`.
std::string NewFds(const std::vector<int>& before, const std::vector<int>& after,
                   bool proc_self_fd) {
  std::vector<int> added;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  if (added.empty()) return {};
  std::string out = added.size() == 1 ? "fd " : "fds ";
  for (std::size_t i = 0; i < added.size(); ++i) {
    out += (i ? ", " : "") + DescribeFd(added[i], proc_self_fd);
  }
  return out;
}

std::string Quoted(std::string_view s) {
  // Built by appending: gcc 12's -Wrestrict misfires on "\"" + std::string(...) at -O3.
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

std::string Location(const std::string& file, int line) {
  if (file.empty()) return {};
  return file + ":" + std::to_string(line) + ": ";
}

// Required by the base class; never written to (ReportTestPartResult is
// overridden). Constructed at start-up, so the child allocates nothing for it.
::testing::TestPartResultArray g_unused_results;

// Forwards every gtest result raised in the child to the parent as it
// happens, so failures survive a later crash. Derives from gtest's fake
// reporter for its install/restore of the per-thread reporter; the child
// never destroys it (it ends with _exit).
class ForwardingReporter final : public ::testing::ScopedFakeTestPartResultReporter {
 public:
  ForwardingReporter()
      : ScopedFakeTestPartResultReporter(INTERCEPT_ONLY_CURRENT_THREAD, &g_unused_results) {}

  void set_channel(int channel) { channel_ = channel; }

  void ReportTestPartResult(const ::testing::TestPartResult& r) override {
    FailureKind kind;
    switch (r.type()) {
      case ::testing::TestPartResult::kSuccess:
        return;
      case ::testing::TestPartResult::kSkip:
        kind = FailureKind::kSkip;
        break;
      case ::testing::TestPartResult::kFatalFailure:
        kind = FailureKind::kFatal;
        break;
      default:
        kind = FailureKind::kNonFatal;
        break;
    }
    if (kind != FailureKind::kSkip) failed_ = true;
    Send(kind, r.file_name(), r.line_number(), r.message());
  }

  void Send(FailureKind kind, const char* file, int line, std::string_view message) {
    if (kind == FailureKind::kRunner) failed_ = true;
    ChildSend(channel_, Frame(Msg::kFailure, EncodeFailure(kind, file, line, message)));
  }

  bool failed() const { return failed_; }

 private:
  int channel_ = -1;
  bool failed_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------

struct Scenario::Impl {
  struct Spawned {
    std::string name;
    std::function<void(Process&)> body;
    const char* file;
    int line;
  };
  struct Failure {
    FailureKind kind;
    std::string file;  // empty when unknown
    int line;
    std::string message;
  };

  ScenarioOptions options;
  std::vector<Spawned> spawned;
  std::unique_ptr<sockspec::TempDir> temp_dir;
  std::string temp_path;  // in a child: the parent's directory, once asked
  std::map<std::string, std::string, std::less<>> published;
  std::vector<std::vector<Failure>> failures;  // last run, per process
  ScenarioReport last;
  int child_channel = -1;  // in a child: its end of the channel

  // Parent side: makes the directory on first use. mkdtemp failing aborts
  // (TempDir's policy: nothing can work without one).
  const std::string& ParentTempDir() {
    if (!temp_dir) {
      temp_dir = std::make_unique<sockspec::TempDir>();
      ::chmod(temp_dir->path().c_str(), 0700);  // whatever the umask
      temp_path = temp_dir->path();
    }
    return temp_path;
  }

  ScenarioReport Run();
  [[noreturn]] void ChildMain(std::size_t index, int channel, pid_t pgid, pid_t parent,
                              bool proc_self_fd, const std::vector<int>& fds_at_start,
                              ForwardingReporter& reporter);
};

namespace {

// The Process a body gets: rendezvous over its channel.
class ChildProcess final : public Process {
 public:
  ChildProcess(const std::string& name, int channel) : name_(name), channel_(channel) {}

  const std::string& name() const override { return name_; }

  void Publish(std::string_view key, const Address& a) override {
    PublishText(key, FormatAddress(a));
  }

  Address Await(std::string_view key) override {
    std::string text = AwaitText(key);
    Parsed<Address> a = ParseAddress(text);
    if (!a) {
      ADD_FAILURE() << "Await(" << Quoted(key) << "): " << Quoted(text)
                    << " is not an address: " << a.error.Describe();
      return Address{};
    }
    return *a.value;
  }

  void PublishText(std::string_view key, std::string_view value) override {
    TraceBegin("PublishText(" + Quoted(key) + ", " + Quoted(value) + ")");
    if (value.size() > kMaxPayload / 2 || key.size() > kMaxPayload / 2) {
      TraceEnd(-1, EMSGSIZE);
      ADD_FAILURE() << "PublishText(" << Quoted(key) << "): value too long (" << value.size()
                    << " bytes)";
      return;
    }
    std::string p;
    PutU32(p, static_cast<std::uint32_t>(key.size()));
    p.append(key);
    p.append(value);
    ChildSend(channel_, Frame(Msg::kPublish, p));
    TraceEnd(0, 0);
  }

  std::string AwaitText(std::string_view key) override {
    // Recorded before the wait, so a scenario that times out here names it.
    TraceBegin("AwaitText(" + Quoted(key) + ")");
    ChildSend(channel_, Frame(Msg::kAwait, key));
    std::string value = ChildReceiveValue(channel_);
    TraceEnd(0, 0);
    return value;
  }

 private:
  const std::string& name_;
  int channel_;
};

}  // namespace

// Runs in the child, right after fork. Everything the child needs that can
// be prepared before fork is prepared there (the gtest reporter, the trace
// storage, the list of inherited descriptors): a new process pays a page
// fault for every page it writes and every code page it runs, and that is
// most of what an empty scenario costs beyond fork itself.
//
// `fds_at_start`: the descriptors the body starts with. The parent listed
// its own at Run() entry; a child inherits exactly those plus its channel end
// (the parent is single-threaded and the child closed the rest).
void Scenario::Impl::ChildMain(std::size_t index, int channel, pid_t pgid, pid_t parent,
                               bool proc_self_fd, const std::vector<int>& fds_at_start,
                               ForwardingReporter& reporter) {
  // Join the scenario's group (pgid 0: start it). The parent does the same
  // from its side, so whichever runs first wins the race.
  ::setpgid(0, pgid);
#ifdef __linux__
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(kLostParentStatus);  // the parent died before prctl
#else
  (void)parent;
#endif
  // The parent set the trace storage to this child's (zeroed) ring before
  // forking, and installed `reporter`; what is left is this child's channel.
  reporter.set_channel(channel);

  const Spawned& me = spawned[index];
  ChildProcess process(me.name, channel);

  try {
    me.body(process);
  } catch (const std::exception& e) {
    reporter.Send(FailureKind::kRunner, me.file, me.line,
                  "process " + Quoted(me.name) + ": uncaught exception: " + e.what());
  } catch (...) {
    reporter.Send(FailureKind::kRunner, me.file, me.line,
                  "process " + Quoted(me.name) + ": uncaught exception of unknown type");
  }
  if (options.check_child_fd_leaks) {
    bool leaks = false;
    ForEachOpenFd(proc_self_fd, [&](int fd) {
      leaks = leaks || !std::binary_search(fds_at_start.begin(), fds_at_start.end(), fd);
    });
    if (leaks) {
      std::string leaked = NewFds(fds_at_start, OpenFds(proc_self_fd), proc_self_fd);
      reporter.Send(FailureKind::kRunner, me.file, me.line,
                    "process " + Quoted(me.name) + " leaked " + leaked);
    }
  }
  // What the body printed belongs to it; the parent flushed its own buffers
  // before forking, so nothing is printed twice. (stderr is unbuffered.)
#if defined(__GLIBC__)
  if (__fpending(stdout) > 0) std::fflush(stdout);
#else
  std::fflush(stdout);
#endif
#ifdef SOCKSPEC_COVERAGE
  if (ProfileMerges()) __llvm_profile_write_file();
#endif
  ChildSend(channel, Frame(Msg::kDone, {}));
  ::_exit(reporter.failed() ? 1 : 0);
}

namespace {

// The trace rings of a run's children, in memory shared with them. Mapped
// once per process and reused (every child of the previous run is reaped);
// a child that runs a scenario of its own gets its own mapping, so it never
// writes over the rings its parent is reading.
TraceRing* SharedRings(std::size_t n) {
  static pid_t owner = 0;
  static TraceRing* rings = nullptr;
  static std::size_t capacity = 0;
  if (owner != ::getpid()) {
    rings = nullptr;  // inherited from the parent: leave it to the parent
    capacity = 0;
    owner = ::getpid();
  }
  if (n > capacity) {
    if (rings != nullptr) ::munmap(rings, capacity * sizeof(TraceRing));
    std::size_t want = std::max<std::size_t>(n, 8);
    void* mem = ::mmap(nullptr, want * sizeof(TraceRing), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
      rings = nullptr;
      capacity = 0;
      return nullptr;
    }
    rings = static_cast<TraceRing*>(mem);
    capacity = want;
  }
  return rings;
}

// Parent-side state of one child.
struct Child {
  pid_t pid = -1;
  int fd = -1;        // the parent's end of the channel (non-blocking)
  std::string in;     // received bytes not yet parsed
  std::string out;    // answers not yet sent
  bool eof = false;   // the channel is closed (or broken)
  bool done = false;  // the body returned
  bool reaped = false;
  bool status_known = false;
  int status = 0;
  bool timed_out = false;
  bool deadlocked = false;
  std::optional<std::string> waiting;  // the key of an unanswered Await
};

// waitpid on one child; `block` only where the child is known to be ending.
void Reap(Child& c, bool block) {
  while (!c.reaped) {
    int status = 0;
    pid_t r = ::waitpid(c.pid, &status, block ? 0 : WNOHANG);
    if (r == c.pid) {
      c.reaped = true;
      c.status_known = true;
      c.status = status;
    } else if (r == 0) {
      return;
    } else if (errno != EINTR) {
      c.reaped = true;  // ECHILD: someone else reaped it (SIGCHLD ignored?)
    }
  }
}

void FlushOut(Child& c) {
  while (!c.out.empty() && !c.eof) {
    // c.fd is O_NONBLOCK (set at spawn), so no MSG_DONTWAIT (not POSIX) is needed.
    ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), kNoSigPipe);
    if (n > 0) {
      c.out.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;  // sent when poll says there is room
    } else {
      c.out.clear();  // the child is gone
    }
  }
}

void Answer(Child& c, std::string_view value) {
  c.out += Frame(Msg::kValue, value);
  FlushOut(c);
}

}  // namespace

ScenarioReport Scenario::Impl::Run() {
  ScenarioReport report;
  report.scale = DeadlineScale();
  report.deadline = Scaled(options.deadline);
  published.clear();
  const std::size_t n = spawned.size();
  failures.assign(n, {});
  if (n == 0) return report;

  const Clock::time_point deadline = Clock::now() + report.deadline;
  // Make the child's work cheap: gtest's singleton and the feature probe are
  // set up once here rather than in every child.
  static const bool warmed_up = [] {
    (void)::testing::UnitTest::GetInstance();
    // Touches gtest's per-thread reporter slot, created on first use.
    ::testing::ScopedFakeTestPartResultReporter warm_up(&g_unused_results);
    // Harmless calls of what only children call otherwise, so that lazy
    // symbol binding happens once here, not in every child.
    (void)::getppid();
#ifdef __linux__
    int sig = 0;
    (void)::prctl(PR_GET_PDEATHSIG, &sig);
#endif
    (void)::send(-1, nullptr, 0, kNoSigPipe);  // EBADF
#if defined(__GLIBC__)
    (void)__fpending(stdout);
#endif
    return true;
  }();
  (void)warmed_up;
  const bool proc_self_fd = Have(Feature::kProcSelfFd);
  const std::vector<int> fds_at_entry = OpenFds(proc_self_fd);

  // One trace ring per child in shared memory: the parent reads it after the
  // child died or was killed.
  TraceRing* rings = SharedRings(n);
  if (rings == nullptr) {
    report.hygiene.push_back("cannot map the trace rings: " + DescribeErrno(errno));
    return report;
  }
  std::memset(static_cast<void*>(rings), 0, n * sizeof(TraceRing));  // no stale calls

  std::fflush(stdout);
  std::fflush(stderr);
  std::vector<Child> children(n);
  // Whatever happens in here (even an exception), no child outlives Run().
  struct Cleanup {
    std::vector<Child>& children;
    ~Cleanup() {
      for (Child& c : children) {
        if (c.pid > 0 && !c.reaped) {
          ::kill(c.pid, SIGKILL);
          Reap(c, true);
        }
        if (c.fd >= 0) ::close(c.fd);
        c.fd = -1;
      }
    }
  } cleanup{children};
  const pid_t parent = ::getpid();
  pid_t pgid = 0;
  bool spawn_failed = false;
  for (std::size_t i = 0; i < n && !spawn_failed; ++i) {
    int sv[2];
#ifdef SOCK_CLOEXEC
    int r = ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
#else
    int r = ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (r == 0) {
      ::fcntl(sv[0], F_SETFD, FD_CLOEXEC);
      ::fcntl(sv[1], F_SETFD, FD_CLOEXEC);
    }
#endif
    if (r != 0) {
      report.hygiene.push_back("cannot create the channel for process " +
                               Quoted(spawned[i].name) + ": socketpair: " + DescribeErrno(errno));
      spawn_failed = true;
      break;
    }
    // Set up the parent's end before forking, so that after fork the parent
    // goes straight to poll and the new child tends to run on this CPU.
    ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
#if !defined(MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
    int one = 1;
    ::setsockopt(sv[0], SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
    std::vector<int> fds_at_start = fds_at_entry;
    fds_at_start.insert(std::upper_bound(fds_at_start.begin(), fds_at_start.end(), sv[1]), sv[1]);
    pid_t pid;
    {
      // The child's state, set here so that the child inherits it instead
      // of building it (see ChildMain); the parent undoes it after fork.
      ForwardingReporter reporter;
      TraceRing* own_trace = &CurrentTrace();  // not the private ring in a nested run
      SetTraceStorage(&rings[i]);
      child_channel = sv[1];
      pid = ::fork();
      if (pid == 0) {
        // The child keeps only its own end of its own channel.
        for (std::size_t j = 0; j < i; ++j) ::close(children[j].fd);
        ::close(sv[0]);
        ChildMain(i, sv[1], pgid, parent, proc_self_fd, fds_at_start, reporter);
      }
      child_channel = -1;
      SetTraceStorage(own_trace);
    }
    ::close(sv[1]);
    if (pid < 0) {
      report.hygiene.push_back("cannot fork process " + Quoted(spawned[i].name) + ": " +
                               DescribeErrno(errno));
      ::close(sv[0]);
      spawn_failed = true;
      break;
    }
    if (pgid == 0) pgid = pid;
    ::setpgid(pid, pgid);  // may fail if the child got there first: fine
    Child& c = children[i];
    c.pid = pid;
    c.fd = sv[0];
  }
  std::size_t started = 0;
  while (started < n && children[started].pid > 0) ++started;

  auto kill_all = [&] {
    if (pgid > 0) ::kill(-pgid, SIGKILL);
    for (std::size_t i = 0; i < started; ++i) {
      if (!children[i].reaped) ::kill(children[i].pid, SIGKILL);  // in case setpgid lost
    }
  };

  auto handle = [&](std::size_t i, Msg type, std::string_view p) {
    Child& c = children[i];
    switch (type) {
      case Msg::kPublish: {
        if (p.size() < 4 || GetU32(p.data()) > p.size() - 4) break;
        std::uint32_t klen = GetU32(p.data());
        std::string key(p.substr(4, klen));
        std::string_view value = p.substr(4 + klen);
        published[key] = std::string(value);
        for (std::size_t j = 0; j < started; ++j) {
          if (children[j].waiting == key) {
            children[j].waiting.reset();
            Answer(children[j], value);
          }
        }
        return;
      }
      case Msg::kAwait: {
        auto it = published.find(p);
        if (it != published.end()) {
          Answer(c, it->second);
        } else {
          c.waiting = std::string(p);
        }
        return;
      }
      case Msg::kFailure: {
        if (p.size() < 9) break;
        std::uint32_t flen = GetU32(p.data() + 5);
        if (flen > p.size() - 9) break;
        Failure f;
        f.kind = static_cast<FailureKind>(p[0]);
        f.line = static_cast<int>(GetU32(p.data() + 1));
        f.file = std::string(p.substr(9, flen));
        f.message = std::string(p.substr(9 + flen));
        failures[i].push_back(std::move(f));
        return;
      }
      case Msg::kTempDir:
        Answer(c, "1" + ParentTempDir());
        return;
      case Msg::kDone:
        c.done = true;
        return;
      case Msg::kValue:
        break;
    }
    failures[i].push_back({FailureKind::kRunner, spawned[i].file ? spawned[i].file : "",
                           spawned[i].line,
                           "process " + Quoted(spawned[i].name) + " sent a malformed message"});
    c.eof = true;
  };

  auto receive = [&](std::size_t i) {
    Child& c = children[i];
    char buf[4096];
    ssize_t r = ::read(c.fd, buf, sizeof(buf));
    if (r > 0) {
      c.in.append(buf, static_cast<std::size_t>(r));
    } else if (r == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
      c.eof = true;
    }
    std::size_t off = 0;
    while (c.in.size() - off >= kHeaderSize) {
      std::uint32_t len = GetU32(c.in.data() + off);
      if (len > kMaxPayload) {
        handle(i, Msg::kValue, {});  // reported as malformed
        break;
      }
      if (c.in.size() - off - kHeaderSize < len) break;
      handle(i, static_cast<Msg>(c.in[off + 4]),
             std::string_view(c.in).substr(off + kHeaderSize, len));
      off += kHeaderSize + len;
    }
    c.in.erase(0, off);
  };

  std::vector<pollfd> pfds;
  std::vector<std::size_t> owner;
  bool timed_out = false;
  // A scenario missing a process cannot do what it means to: end it now.
  while (!spawn_failed) {
    // Reap what ended: after kDone the child is in _exit, so waiting is
    // bounded; after a bare end of channel it died (or closed the channel
    // and runs on), so only look.
    bool any_running = false, need_tick = false;
    for (std::size_t i = 0; i < started; ++i) {
      Child& c = children[i];
      if (c.reaped) continue;
      if (c.done) {
        Reap(c, true);
      } else if (c.eof) {
        Reap(c, false);
        if (!c.reaped) need_tick = true;
      }
      if (!c.reaped) any_running = true;
    }
    if (!any_running) break;

    // Deadlock: every child still running waits for a key, so none can come.
    bool all_waiting = true, some_waiting = false;
    for (std::size_t i = 0; i < started; ++i) {
      const Child& c = children[i];
      if (c.reaped || c.eof || c.done) continue;
      if (c.waiting) {
        some_waiting = true;
      } else {
        all_waiting = false;
      }
    }
    if (some_waiting && all_waiting) {
      for (std::size_t i = 0; i < started; ++i) {
        Child& c = children[i];
        if (c.reaped || !c.waiting) continue;
        c.deadlocked = true;
        failures[i].push_back({FailureKind::kDeadlock, spawned[i].file ? spawned[i].file : "",
                               spawned[i].line,
                               "process " + Quoted(spawned[i].name) + " waits for " +
                                   Quoted(*c.waiting) +
                                   ", which no process can publish any more"});
      }
      kill_all();
      for (std::size_t i = 0; i < started; ++i) Reap(children[i], true);
      break;
    }

    Clock::time_point now = Clock::now();
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    auto left = std::chrono::ceil<milliseconds>(deadline - now).count();
    int timeout = static_cast<int>(std::min<decltype(left)>(left, INT_MAX));
    if (need_tick) timeout = std::min(timeout, 1);

    pfds.clear();
    owner.clear();
    for (std::size_t i = 0; i < started; ++i) {
      Child& c = children[i];
      if (c.eof || c.reaped) continue;
      short events = POLLIN;
      if (!c.out.empty()) events |= POLLOUT;
      pfds.push_back({c.fd, events, 0});
      owner.push_back(i);
    }
    int r = ::poll(pfds.data(), pfds.size(), timeout);
    if (r < 0 && errno != EINTR) {
      report.hygiene.push_back("poll failed: " + DescribeErrno(errno));
      timed_out = true;
      break;
    }
    for (std::size_t k = 0; r > 0 && k < pfds.size(); ++k) {
      if (pfds[k].revents == 0) continue;
      Child& c = children[owner[k]];
      if (pfds[k].revents & POLLOUT) FlushOut(c);
      if (pfds[k].revents & (POLLIN | POLLHUP | POLLERR)) receive(owner[k]);
      if (pfds[k].revents & POLLNVAL) c.eof = true;
    }
  }

  if (timed_out || spawn_failed) {
    // Whoever ended by itself keeps its real status; the rest timed out.
    for (std::size_t i = 0; i < started; ++i) {
      Reap(children[i], false);
      if (!children[i].reaped) children[i].timed_out = timed_out;
    }
    kill_all();
    for (std::size_t i = 0; i < started; ++i) Reap(children[i], true);
  }
  for (std::size_t i = 0; i < started; ++i) {
    ::close(children[i].fd);
    children[i].fd = -1;
  }

  for (std::size_t i = 0; i < started; ++i) {
    const Child& c = children[i];
    ProcessOutcome o;
    o.name = spawned[i].name;
    o.pid = c.pid;
    if (c.status_known && WIFEXITED(c.status)) {
      o.exited = true;
      o.exit_code = WEXITSTATUS(c.status);
    } else if (c.status_known && WIFSIGNALED(c.status)) {
      o.signal = WTERMSIG(c.status);
    }
    o.timed_out = c.timed_out;
    o.deadlocked = c.deadlocked;
    o.finished = c.done;
    for (const Failure& f : failures[i]) {
      (f.kind == FailureKind::kSkip ? o.skips : o.failures)
          .push_back(Location(f.file, f.line) + f.message);
    }
    if (!o.ok()) o.trace = rings[i].Lines();
    report.processes.push_back(std::move(o));
  }

  std::string leaked = NewFds(fds_at_entry, OpenFds(proc_self_fd), proc_self_fd);
  if (!leaked.empty()) report.hygiene.push_back("the test process leaked " + leaked + " in Run()");
  return report;
}

// ---------------------------------------------------------------------------

bool ScenarioReport::ok() const {
  if (!hygiene.empty()) return false;
  for (const ProcessOutcome& p : processes) {
    if (!p.ok()) return false;
  }
  return true;
}

std::vector<std::string> ScenarioReport::Problems(const ProcessOutcome& p) const {
  std::string who = "process " + Quoted(p.name);
  std::string trace;
  for (const std::string& line : p.trace) trace += "\n    " + line;
  std::string calls = trace.empty() ? "\n  (no wrapper calls)" : "\n  last calls:" + trace;

  std::vector<std::string> out;
  if (p.timed_out) {
    std::ostringstream os;
    os << who << " still running at the " << deadline.count() << " ms deadline (scale " << scale
       << ")";
    if (!p.trace.empty() && p.trace.back().ends_with("(in progress)")) {
      os << ", blocked in: " << p.trace.back();
    } else {
      os << ", not in a wrapper call";
    }
    out.push_back(os.str() + calls);
  } else if (p.deadlocked) {
    // Its failure entry says what it waited for.
  } else if (p.signal != 0) {
    out.push_back(who + " was killed by " + SignalName(p.signal) + calls);
  } else if (p.exited && p.exit_code != 0) {
    // A body that failed gtest checks exits 1; those failures say it all.
    bool explained = p.finished && p.exit_code == 1 && !p.failures.empty();
    if (!explained) out.push_back(who + " exited with status " + std::to_string(p.exit_code) + calls);
  } else if (p.exited && !p.finished) {
    out.push_back(who + " exited with status 0 before its body returned" + calls);
  } else if (!p.exited) {
    out.push_back(who + " ended in an unknown way (its status was lost)");
  }
  return out;
}

std::string ScenarioReport::Summary() const {
  std::string out;
  for (const ProcessOutcome& p : processes) {
    for (const std::string& f : p.failures) out += "[" + p.name + "] " + f + "\n";
    for (const std::string& s : Problems(p)) out += s + "\n";
  }
  for (const std::string& h : hygiene) out += h + "\n";
  return out.empty() ? "ok\n" : out;
}

// ---------------------------------------------------------------------------

Scenario::Scenario(ScenarioOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}

// The temp dir (a unique_ptr<TempDir>) removes itself. Only the parent ever
// destroys a Scenario: children end with _exit.
Scenario::~Scenario() = default;

const std::string& Scenario::TempDir() {
  Impl& m = *impl_;
  if (m.child_channel < 0) return m.ParentTempDir();
  if (m.temp_path.empty()) {
    // In a child: the parent makes (or already has) the one directory.
    ChildSend(m.child_channel, Frame(Msg::kTempDir, {}));
    std::string answer = ChildReceiveValue(m.child_channel);
    m.temp_path = answer.substr(1);
  }
  return m.temp_path;
}

std::string Scenario::Path(std::string_view name) { return TempDir() + "/" + std::string(name); }

Scenario& Scenario::Spawn(std::string name, std::function<void(Process&)> body, const char* file,
                          int line) {
  impl_->spawned.push_back({std::move(name), std::move(body), file, line});
  return *this;
}

ScenarioReport Scenario::RunAndCollect() {
  impl_->last = impl_->Run();
  return impl_->last;
}

const ScenarioReport& Scenario::LastReport() const { return impl_->last; }

bool Scenario::Run(const char* file, int line) {
  const ScenarioReport report = RunAndCollect();
  Impl& m = *impl_;
  for (std::size_t i = 0; i < report.processes.size(); ++i) {
    const ProcessOutcome& p = report.processes[i];
    const Impl::Spawned& s = m.spawned[i];
    for (const Impl::Failure& f : m.failures[i]) {
      const char* at = f.file.empty() ? nullptr : f.file.c_str();
      bool from_gtest = f.kind == FailureKind::kNonFatal || f.kind == FailureKind::kFatal ||
                        f.kind == FailureKind::kSkip;
      std::string text = from_gtest ? "[" + p.name + "] " + f.message : f.message;
      if (f.kind == FailureKind::kSkip) {
        GTEST_MESSAGE_AT_(at, f.line, text.c_str(), ::testing::TestPartResult::kSkip);
      } else {
        GTEST_MESSAGE_AT_(at, f.line, text.c_str(), ::testing::TestPartResult::kNonFatalFailure);
      }
    }
    for (const std::string& problem : report.Problems(p)) {
      GTEST_MESSAGE_AT_(s.file, s.line, problem.c_str(),
                        ::testing::TestPartResult::kNonFatalFailure);
    }
  }
  for (const std::string& h : report.hygiene) {
    GTEST_MESSAGE_AT_(file, line, h.c_str(), ::testing::TestPartResult::kNonFatalFailure);
  }
  return report.ok();
}

std::optional<std::string> Scenario::Published(std::string_view key) const {
  auto it = impl_->published.find(key);
  if (it == impl_->published.end()) return std::nullopt;
  return it->second;
}

bool RunIsolated(std::function<void(Process&)> body, ScenarioOptions options, const char* file,
                 int line) {
  Scenario s(options);
  s.Spawn("main", std::move(body), file, line);
  return s.Run(file, line);
}

}  // namespace sockspec
