// The fork runner: a conformance scenario runs the socket API in separate
// processes (server, clients), the way real programs use it, and can neither
// hang, crash nor leak the test run.
//
//   Scenario s;
//   s.Spawn("server", [&](Process& p) {
//     Fd l = Socket(AF_INET, SOCK_STREAM).value();
//     ASSERT_THAT(Bind(l, Address::Loopback4()), SyscallSucceeds());
//     ASSERT_THAT(Listen(l, 1), SyscallSucceeds());
//     p.Publish("addr", GetSockName(l).value());
//     Fd c = Accept(l).value();
//     ...
//   });
//   s.Spawn("client", [&](Process& p) {
//     Address a = p.Await("addr");
//     ...
//   });
//   s.Run();
//
// Each body runs in a forked child of the test process. GoogleTest failures
// raised inside a child (EXPECT_*, ASSERT_*, ADD_FAILURE) are forwarded and
// reported in the parent with the child's file:line and message, prefixed by
// the process name. A child that dies by a signal, exits non-zero, throws, or
// is still running at the deadline is a failure that names the process, the
// signal or status, and the last calls of its trace (for a hung process, the
// call it is blocked in). At the deadline the whole process group is killed.
// (In sanitizer builds ASan catches SIGSEGV itself: the child prints its
// report and exits with status 1, which is what the failure then says.)
//
// Synchronisation is by message passing through the parent (Publish/Await,
// Signal/WaitFor); there are no sleeps, and every wait is bounded by the
// scenario deadline. When every process still running waits for a key that
// nobody can publish any more, the scenario fails at once rather than at the
// deadline.
//
// How it works: the parent is a broker. Each child gets one end of a private
// socketpair (a channel); Publish, Await, forwarded gtest results and "body
// done" are framed messages on it, and the parent poll()s every channel with
// the time left as timeout. The children of one run share a new process group
// (and, on Linux, die with the parent), so the watchdog kills them at once.
// Each child's call trace lives in memory shared with the parent.
//
// Hygiene, checked by every run:
//  - descriptors: a child must close, by the end of its body, every
//    descriptor its body opened (ScenarioOptions::check_child_fd_leaks); the
//    test process must hold the same descriptors after Run() as before it;
//  - processes: every child is reaped before Run() returns, whatever happened;
//  - files: a bound AF_UNIX socket's file stays after close() (that is the
//    documented behaviour, which cases check), so files left in TempDir() are
//    not failures; the destructor removes the directory and all it holds.
//
// Bodies run in a child that ends with _exit(): no atexit handlers, no gtest
// output of its own (stdout is flushed). A body must not close descriptors it
// did not open, and must reap any process it forks itself. Failures in a body
// are forwarded, not recorded in the child, so HasFailure()/HasFatalFailure()
// do not see them there; ASSERT_NO_FATAL_FAILURE(helper()) works as usual.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/address.h"

// The caller's file and line as default arguments, so failures point at the
// test rather than at the runner.
#if defined(__GNUC__) || defined(__clang__)
#define SOCKSPEC_CALLER_FILE __builtin_FILE()
#define SOCKSPEC_CALLER_LINE __builtin_LINE()
#else
#define SOCKSPEC_CALLER_FILE nullptr
#define SOCKSPEC_CALLER_LINE 0
#endif

namespace sockspec {

// The default deadline of a scenario, before scaling.
inline constexpr std::chrono::milliseconds kDefaultDeadline{5000};

// SOCKSPEC_DEADLINE_SCALE (a positive number, default 1) multiplies every
// deadline, for slow emulators (qemu-user, gVisor ptrace).
double DeadlineScale();
std::chrono::milliseconds Scaled(std::chrono::milliseconds d);

struct ScenarioOptions {
  std::chrono::milliseconds deadline = kDefaultDeadline;  // before scaling
  // Report descriptors a child opened and did not close by the end of its body.
  bool check_child_fd_leaks = true;
};

// The handle a process body gets: its name and the rendezvous operations.
class Process {
 public:
  virtual ~Process() = default;
  virtual const std::string& name() const = 0;

  // Rendezvous: make a value available under `key` to every process; Await
  // blocks until some process has published it (bounded by the deadline; on
  // expiry the scenario fails naming this wait). Publishing a key again
  // replaces its value for later Awaits. Addresses travel in their canonical
  // text form (FormatAddress / ParseAddress). Both appear in the call trace.
  virtual void Publish(std::string_view key, const Address& a) = 0;
  virtual Address Await(std::string_view key) = 0;
  virtual void PublishText(std::string_view key, std::string_view value) = 0;
  virtual std::string AwaitText(std::string_view key) = 0;

  // Barriers: Signal marks the named point as reached; WaitFor returns once
  // it has been signalled (immediately if it already was).
  void Signal(std::string_view point) { PublishText(point, ""); }
  void WaitFor(std::string_view point) { (void)AwaitText(point); }
};

// How one process ended, as the parent saw it.
struct ProcessOutcome {
  std::string name;
  int pid = -1;
  bool exited = false;      // exited normally (see exit_code)
  int exit_code = 0;
  int signal = 0;           // killing signal, if any
  bool timed_out = false;   // still running at the deadline (then killed)
  bool finished = false;    // the body returned (or threw) and the child said so
  bool deadlocked = false;  // killed because it awaited a key nobody could publish
  // "file:line: message" from gtest inside the child, and the runner's own
  // findings about the body (leaked fds, uncaught exception, deadlock).
  std::vector<std::string> failures;
  std::vector<std::string> skips;     // GTEST_SKIP inside the child ("file:line: message")
  std::vector<std::string> trace;     // the child's last wrapper calls (filled when !ok())
  bool ok() const {
    return exited && exit_code == 0 && finished && !timed_out && !deadlocked &&
           failures.empty();
  }
};

struct ScenarioReport {
  std::vector<ProcessOutcome> processes;
  std::vector<std::string> hygiene;  // fds the test process leaked during Run(), ...
  std::chrono::milliseconds deadline{0};  // the scaled deadline the run had
  double scale = 1;                       // DeadlineScale() at the time
  bool ok() const;
  // The process-level problems of one process (crash, exit status, timeout),
  // one message each, with its trace; empty when it ended well.
  std::vector<std::string> Problems(const ProcessOutcome& p) const;
  // A readable account of every failure, for messages and RC_ASSERT.
  std::string Summary() const;
};

class Scenario {
 public:
  explicit Scenario(ScenarioOptions options = {});
  ~Scenario();  // removes the temp dir (and anything left in it)
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  // A private directory (mode 0700, from mkdtemp) for AF_UNIX paths; created on
  // first use, removed by the destructor. Path(name) is TempDir() + "/" + name.
  // May be called inside a body too: the child asks the parent, so every
  // process of the scenario sees the same directory.
  const std::string& TempDir();
  std::string Path(std::string_view name);

  // Adds a process. Bodies start in the order they were added. The call site
  // (filled in by the compiler) is where a crash, exit, timeout or uncaught
  // exception of this process is reported.
  Scenario& Spawn(std::string name, std::function<void(Process&)> body,
                  const char* file = SOCKSPEC_CALLER_FILE, int line = SOCKSPEC_CALLER_LINE);

  // Runs every process to completion or the deadline and returns what happened.
  // Reports nothing to GoogleTest: for properties and self-tests.
  ScenarioReport RunAndCollect();

  // RunAndCollect, then each child failure becomes a failure of the current
  // test (at the child's file:line), and each crash, exit, timeout or hygiene
  // problem a failure naming the process (at its Spawn call; hygiene at the
  // Run call). A GTEST_SKIP in a child skips the current test. Safe without a
  // running test (failures then go to gtest's ad hoc result). Returns report.ok().
  bool Run(const char* file = SOCKSPEC_CALLER_FILE, int line = SOCKSPEC_CALLER_LINE);

  // The report of the last run (empty before the first).
  const ScenarioReport& LastReport() const;

  // After a run: the text published under `key` by any process (addresses in
  // their canonical text form), e.g. a measured value for RecordValue.
  std::optional<std::string> Published(std::string_view key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs `body` in one forked child (for cases that must survive a crash or a
// signal, or need a private fd limit): Spawn("main", body) + Run().
bool RunIsolated(std::function<void(Process&)> body, ScenarioOptions options = {},
                 const char* file = SOCKSPEC_CALLER_FILE, int line = SOCKSPEC_CALLER_LINE);

}  // namespace sockspec
