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
//
// Synchronisation is by message passing through the parent (Publish/Await,
// Signal/WaitFor); there are no sleeps, and every wait is bounded by the
// scenario deadline.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/address.h"

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
  // expiry the scenario fails naming this wait).
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
  std::vector<std::string> failures;  // "file:line: message" from gtest inside the child
  std::vector<std::string> trace;     // the child's last wrapper calls
  bool ok() const { return exited && exit_code == 0 && !timed_out && failures.empty(); }
};

struct ScenarioReport {
  std::vector<ProcessOutcome> processes;
  std::vector<std::string> hygiene;  // leaked parent fds, files left in the temp dir, ...
  bool ok() const;
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
  const std::string& TempDir();
  std::string Path(std::string_view name);

  // Adds a process. Bodies start in the order they were added.
  Scenario& Spawn(std::string name, std::function<void(Process&)> body);

  // Runs every process to completion or the deadline and returns what happened.
  // Reports nothing to GoogleTest: for properties and self-tests.
  ScenarioReport RunAndCollect();

  // RunAndCollect, then each child failure becomes a failure of the current
  // test (at the child's file:line), and each crash, exit, timeout or hygiene
  // problem a failure naming the process. Returns report.ok().
  bool Run();

  // After a run: the text published under `key` by any process (addresses in
  // their canonical text form), e.g. a measured value for RecordValue.
  std::optional<std::string> Published(std::string_view key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs `body` in one forked child (for cases that must survive a crash or a
// signal, or need a private fd limit): Spawn("main", body) + Run().
bool RunIsolated(std::function<void(Process&)> body, ScenarioOptions options = {});

}  // namespace sockspec
