// The fork runner must turn every way a process can go wrong into one clear
// failure of the test, within the deadline, leaving nothing behind; and it
// must carry rendezvous and barriers between processes without sleeps.
#include "harness/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "harness/features.h"
#include "harness/matchers.h"
#include "harness/sys.h"

namespace sockspec {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// After every scenario: no child of the test process is left, reaped or not.
void ExpectNoChildren() {
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD) << "a child of the test process is still around";
}

void ExpectGone(const ScenarioReport& r) {
  for (const ProcessOutcome& p : r.processes) {
    errno = 0;
    EXPECT_EQ(::kill(p.pid, 0), -1) << p.name << " (pid " << p.pid << ") still exists";
    EXPECT_EQ(errno, ESRCH);
  }
  ExpectNoChildren();
}

const ProcessOutcome& Only(const ScenarioReport& r) {
  EXPECT_EQ(r.processes.size(), 1u);
  return r.processes.at(0);
}

// Each failing body below runs twice: once collected (to check the outcome's
// fields) and once through Run() under EXPECT_NONFATAL_FAILURE, which also
// checks that the problem is reported as exactly one gtest failure.
using Body = std::function<void(Process&)>;

ScenarioReport CollectServer(Body body, std::chrono::milliseconds deadline = kDefaultDeadline) {
  Scenario s({.deadline = deadline});
  s.Spawn("server", std::move(body));
  ScenarioReport r = s.RunAndCollect();
  ExpectGone(r);
  return r;
}

void RunServer(Body body, std::chrono::milliseconds deadline = kDefaultDeadline) {
  Scenario s({.deadline = deadline});
  s.Spawn("server", std::move(body));
  EXPECT_FALSE(s.Run());
}

// --- Crashes, exits, timeouts ----------------------------------------------

void Segfault(Process&) {
  // Sanitizer runtimes catch SIGSEGV to print a report and exit 1; this test
  // is about a death by signal, so take the default action.
  ::signal(SIGSEGV, SIG_DFL);
  ::raise(SIGSEGV);
}

TEST(ScenarioFailure, SegfaultIsReportedBySignalName) {
  ScenarioReport r = CollectServer(Segfault);
  const ProcessOutcome& p = Only(r);
  EXPECT_FALSE(p.ok());
  EXPECT_FALSE(p.exited);
  EXPECT_EQ(p.signal, SIGSEGV);
  EXPECT_FALSE(p.timed_out);
  EXPECT_FALSE(p.finished);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.Summary(), HasSubstr("process \"server\" was killed by SIGSEGV"));
  EXPECT_NONFATAL_FAILURE(RunServer(Segfault), "process \"server\" was killed by SIGSEGV");
  ExpectNoChildren();
}

void Aborts(Process&) { std::abort(); }

TEST(ScenarioFailure, AbortIsReportedAsSigabrt) {
  ScenarioReport r = CollectServer(Aborts);
  const ProcessOutcome& p = Only(r);
  EXPECT_EQ(p.signal, SIGABRT);
  EXPECT_FALSE(p.exited);
  EXPECT_NONFATAL_FAILURE(RunServer(Aborts), "process \"server\" was killed by SIGABRT");
}

void ExitsWithThree(Process&) { ::_exit(3); }

TEST(ScenarioFailure, NonZeroExitIsReportedWithItsStatus) {
  ScenarioReport r = CollectServer(ExitsWithThree);
  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.exited);
  EXPECT_EQ(p.exit_code, 3);
  EXPECT_EQ(p.signal, 0);
  EXPECT_FALSE(p.finished);
  EXPECT_FALSE(p.ok());
  EXPECT_NONFATAL_FAILURE(RunServer(ExitsWithThree), "process \"server\" exited with status 3");
}

TEST(ScenarioFailure, ExitZeroBeforeTheBodyReturnedIsAFailure) {
  ScenarioReport r = CollectServer([](Process&) { ::_exit(0); });
  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.exited);
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_FALSE(p.finished);
  EXPECT_FALSE(p.ok());
  EXPECT_THAT(r.Summary(), HasSubstr("exited with status 0 before its body returned"));
}

constexpr std::chrono::milliseconds kShortDeadline{300};

// A real blocking accept on a listening AF_UNIX socket that nobody connects to.
void HangsInAccept(Scenario& s, Process&) {
  Fd l = Socket(AF_UNIX, SOCK_STREAM).value();
  ASSERT_THAT(Bind(l, Address::UnixPath(s.Path("hang.sock"))), SyscallSucceeds());
  ASSERT_THAT(Listen(l, 1), SyscallSucceeds());
  (void)Accept(l);
}

TEST(ScenarioFailure, HangIsKilledAtTheDeadlineNamingTheBlockedCall) {
  const auto deadline = Scaled(kShortDeadline);
  Scenario s({.deadline = kShortDeadline});
  s.Spawn("server", [&](Process& p) { HangsInAccept(s, p); });
  auto start = std::chrono::steady_clock::now();
  ScenarioReport r = s.RunAndCollect();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, deadline);
  EXPECT_LT(took, deadline + std::chrono::milliseconds(500));
  ExpectGone(r);

  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.timed_out);
  EXPECT_FALSE(p.exited);
  EXPECT_EQ(p.signal, SIGKILL);
  ASSERT_FALSE(p.trace.empty());
  EXPECT_THAT(p.trace.back(), StartsWith("accept("));
  EXPECT_THAT(p.trace.back(), HasSubstr("(in progress)"));
  const std::string expected = "process \"server\" still running at the " +
                               std::to_string(deadline.count()) + " ms deadline";
  EXPECT_THAT(r.Summary(), HasSubstr(expected));
  EXPECT_THAT(r.Summary(), HasSubstr("blocked in: accept("));
}

TEST(ScenarioFailure, HangReportedThroughRunNamesTheCall) {
  Scenario s({.deadline = kShortDeadline});
  s.Spawn("server", [&](Process& p) { HangsInAccept(s, p); });
  auto start = std::chrono::steady_clock::now();
  EXPECT_NONFATAL_FAILURE(s.Run(), "still running at the");
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            Scaled(kShortDeadline) + std::chrono::milliseconds(500));
  EXPECT_THAT(s.LastReport().Summary(), HasSubstr("blocked in: accept("));
  ExpectNoChildren();
}

TEST(ScenarioFailure, HangOutsideAnyCallSaysSo) {
  ScenarioReport r = CollectServer(
      [](Process&) {
        for (;;) (void)::getppid();  // busy, but in no wrapper call
      },
      kShortDeadline);
  EXPECT_TRUE(Only(r).timed_out);
  EXPECT_THAT(r.Summary(), HasSubstr("not in a wrapper call"));
}

// --- Failures inside the body -----------------------------------------------

void LeaksAnFd(Process&) { (void)Socket(AF_UNIX, SOCK_STREAM).value().release(); }

TEST(ScenarioFailure, LeakedFdInTheChildIsReported) {
  ScenarioReport r = CollectServer(LeaksAnFd);
  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.finished);
  EXPECT_TRUE(p.exited);
  ASSERT_EQ(p.failures.size(), 1u);
  EXPECT_THAT(p.failures[0], HasSubstr("process \"server\" leaked fd "));
  if (Have(Feature::kProcSelfFd)) {
    EXPECT_THAT(p.failures[0], HasSubstr("(socket:["));
  }
  EXPECT_NONFATAL_FAILURE(RunServer(LeaksAnFd), "process \"server\" leaked fd ");
}

TEST(ScenarioFailure, LeakCheckCanBeTurnedOff) {
  Scenario s({.check_child_fd_leaks = false});
  s.Spawn("server", LeaksAnFd);
  EXPECT_TRUE(s.RunAndCollect().ok());
}

void FailsAnExpect(Process&) {
  EXPECT_EQ(1 + 1, 3) << "marker-expect";
  SUCCEED();
}

TEST(ScenarioFailure, ExpectInTheChildIsForwarded) {
  ScenarioReport r = CollectServer(FailsAnExpect);
  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.finished);
  ASSERT_EQ(p.failures.size(), 1u);
  EXPECT_THAT(p.failures[0], HasSubstr("scenario_test.cc:"));
  EXPECT_THAT(p.failures[0], HasSubstr("marker-expect"));
  // One failure only: the exit status 1 that follows is not reported again.
  EXPECT_EQ(r.Problems(p).size(), 0u);
  EXPECT_NONFATAL_FAILURE(RunServer(FailsAnExpect), "[server]");
  EXPECT_NONFATAL_FAILURE(RunServer(FailsAnExpect), "marker-expect");
}

TEST(ScenarioFailure, ForwardedFailurePointsAtTheChildsLine) {
  Scenario s;
  const int line = __LINE__ + 1;
  s.Spawn("client", [](Process&) { ADD_FAILURE() << "marker-line"; });
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter capture(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    s.Run();
  }
  ASSERT_EQ(results.size(), 1);
  const ::testing::TestPartResult& f = results.GetTestPartResult(0);
  EXPECT_TRUE(f.nonfatally_failed());
  EXPECT_THAT(f.file_name(), HasSubstr("scenario_test.cc"));
  EXPECT_EQ(f.line_number(), line);
  EXPECT_THAT(f.message(), StartsWith("[client] "));
  EXPECT_THAT(f.message(), HasSubstr("marker-line"));
}

void FailsAnAssert(Process&) {
  ASSERT_TRUE(false) << "marker-assert";
  ADD_FAILURE() << "not reached";
}

TEST(ScenarioFailure, AssertInTheChildEndsTheBodyOnly) {
  ScenarioReport r = CollectServer(FailsAnAssert);
  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.finished);
  ASSERT_EQ(p.failures.size(), 1u);
  EXPECT_THAT(p.failures[0], HasSubstr("marker-assert"));
  EXPECT_NONFATAL_FAILURE(RunServer(FailsAnAssert), "marker-assert");
}

TEST(ScenarioFailure, AssertNoFatalFailureWorksInTheChild) {
  ScenarioReport r = CollectServer([](Process& p) {
    ASSERT_NO_FATAL_FAILURE(FailsAnAssert(p));
    ADD_FAILURE() << "not reached";
  });
  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.finished);
  ASSERT_EQ(p.failures.size(), 2u) << r.Summary();  // the helper's, and the check's own
  EXPECT_THAT(p.failures[0], HasSubstr("marker-assert"));
  EXPECT_THAT(r.Summary(), ::testing::Not(HasSubstr("not reached")));
}

TEST(Scenario, NestedScenarioInAChild) {
  Scenario outer;
  outer.Spawn("outer", [](Process& p) {
    Scenario inner;
    inner.Spawn("inner", [](Process& q) { q.PublishText("k", "v"); });
    EXPECT_TRUE(inner.Run());
    EXPECT_EQ(inner.Published("k"), "v");
    p.PublishText("after", "inner");
    // Still traced where the outer parent reads: this call shows in its report.
    (void)Listen(-1, 1);
    ::_exit(5);
  });
  ScenarioReport r = outer.RunAndCollect();
  EXPECT_EQ(outer.Published("after"), "inner");
  const ProcessOutcome& p = Only(r);
  EXPECT_EQ(p.exit_code, 5);
  EXPECT_TRUE(p.failures.empty()) << r.Summary();
  ASSERT_FALSE(p.trace.empty());
  EXPECT_THAT(p.trace.back(), StartsWith("listen(-1, 1)"));
  ExpectNoChildren();
}

void Throws(Process&) { throw std::runtime_error("marker-throw"); }

TEST(ScenarioFailure, UncaughtExceptionIsReported) {
  ScenarioReport r = CollectServer(Throws);
  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.finished);
  ASSERT_EQ(p.failures.size(), 1u);
  EXPECT_THAT(p.failures[0], HasSubstr("uncaught exception: marker-throw"));
  EXPECT_NONFATAL_FAILURE(RunServer(Throws), "uncaught exception: marker-throw");
}

TEST(ScenarioFailure, SkipInTheChildIsNotAFailure) {
  ScenarioReport r = CollectServer([](Process&) { GTEST_SKIP() << "marker-skip"; });
  const ProcessOutcome& p = Only(r);
  EXPECT_TRUE(p.ok());
  ASSERT_EQ(p.skips.size(), 1u);
  EXPECT_THAT(p.skips[0], HasSubstr("marker-skip"));
}

TEST(ScenarioFailure, AwaitThatCannotBeAnsweredFailsAtOnce) {
  Scenario s;  // the default 5 s deadline: the deadlock must be seen long before
  s.Spawn("server", [](Process&) {});
  s.Spawn("client", [](Process& p) { (void)p.AwaitText("addr"); });
  auto start = std::chrono::steady_clock::now();
  ScenarioReport r = s.RunAndCollect();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ExpectGone(r);
  ASSERT_EQ(r.processes.size(), 2u);
  EXPECT_TRUE(r.processes[0].ok());
  EXPECT_TRUE(r.processes[1].deadlocked);
  EXPECT_FALSE(r.processes[1].timed_out);
  EXPECT_THAT(r.Summary(), HasSubstr("process \"client\" waits for \"addr\", which no process"));
  EXPECT_EQ(r.Summary().find("SIGKILL"), std::string::npos) << r.Summary();
}

// --- Working scenarios ------------------------------------------------------

// One request and one reply over a stream connection to `listen_at`.
void Exchange(Scenario& s, Address listen_at) {
  s.Spawn("server", [listen_at](Process& p) {
    Fd l = SocketFor(listen_at).value();
    ASSERT_THAT(Bind(l, listen_at), SyscallSucceeds());
    ASSERT_THAT(Listen(l, 1), SyscallSucceeds());
    p.Publish("addr", GetSockName(l).value());
    Fd c = Accept(l).value();
    EXPECT_THAT(RecvAll(c, 4), SyscallSucceedsWithValue(std::string("ping")));
    EXPECT_THAT(SendAll(c, AsBytes("pong")), SyscallSucceedsWithValue(4u));
  });
  s.Spawn("client", [listen_at](Process& p) {
    Address a = p.Await("addr");
    Fd c = SocketFor(listen_at).value();
    ASSERT_THAT(Connect(c, a), SyscallSucceeds());
    EXPECT_THAT(SendAll(c, AsBytes("ping")), SyscallSucceedsWithValue(4u));
    EXPECT_THAT(RecvAll(c, 4), SyscallSucceedsWithValue(std::string("pong")));
  });
}

TEST(Scenario, UnixStreamExchange) {
  Scenario s;
  const std::string path = s.Path("server.sock");
  Exchange(s, Address::UnixPath(path, SockType::kStream));
  EXPECT_TRUE(s.Run()) << s.LastReport().Summary();
  ASSERT_TRUE(s.Published("addr").has_value());
  EXPECT_THAT(*s.Published("addr"), HasSubstr(path));
  ExpectNoChildren();
}

TEST(Scenario, TcpLoopbackExchange) {
  Scenario s;
  Exchange(s, Address::Loopback4(0, SockType::kStream));
  EXPECT_TRUE(s.Run()) << s.LastReport().Summary();
  ASSERT_TRUE(s.Published("addr").has_value());
  Parsed<Address> a = ParseAddress(*s.Published("addr"));
  ASSERT_TRUE(a.ok()) << *s.Published("addr");
  EXPECT_EQ(a.value->kind, AddrKind::kInet4);
  EXPECT_NE(a.value->port, 0);
  ExpectNoChildren();
}

TEST(Scenario, TempDirAskedForInsideBodiesIsShared) {
  Scenario s;
  s.Spawn("server", [&](Process& p) {
    Fd l = Socket(AF_UNIX, SOCK_STREAM).value();
    ASSERT_THAT(Bind(l, Address::UnixPath(s.Path("late.sock"))), SyscallSucceeds());
    ASSERT_THAT(Listen(l, 1), SyscallSucceeds());
    p.Signal("listening");
    Fd c = Accept(l).value();
  });
  s.Spawn("client", [&](Process& p) {
    p.WaitFor("listening");
    Fd c = Socket(AF_UNIX, SOCK_STREAM).value();
    EXPECT_THAT(Connect(c, Address::UnixPath(s.Path("late.sock"))), SyscallSucceeds());
  });
  EXPECT_TRUE(s.Run()) << s.LastReport().Summary();
  // The parent made the directory when the first child asked for it.
  std::string dir = s.TempDir();
  struct stat st;
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(Scenario, DestructorRemovesTheTempDirAndItsSockets) {
  std::string dir;
  {
    Scenario s;
    dir = s.TempDir();
    s.Spawn("server", [&](Process&) {
      Fd l = Socket(AF_UNIX, SOCK_STREAM).value();
      ASSERT_THAT(Bind(l, Address::UnixPath(s.Path("left.sock"))), SyscallSucceeds());
    });
    EXPECT_TRUE(s.Run());
    struct stat st;
    EXPECT_EQ(::stat(s.Path("left.sock").c_str(), &st), 0) << "a bound path outlives close()";
  }
  struct stat st;
  EXPECT_EQ(::stat(dir.c_str(), &st), -1);
}

TEST(Scenario, NoTempDirUnlessAsked) {
  // Nothing to observe directly but the cost; this at least runs the path.
  Scenario s;
  s.Spawn("main", [](Process&) {});
  EXPECT_TRUE(s.Run());
}

TEST(Scenario, SignalBeforeWaitFor) {
  Scenario s;
  s.Spawn("a", [](Process& p) {
    p.Signal("first");
    p.Signal("second");
  });
  s.Spawn("b", [](Process& p) {
    // "first" was signalled before "second", so it is already set here.
    p.WaitFor("second");
    p.WaitFor("first");
  });
  EXPECT_TRUE(s.Run()) << s.LastReport().Summary();
}

TEST(Scenario, WaitForBeforeSignal) {
  Scenario s;
  s.Spawn("waiter", [](Process& p) {
    p.WaitFor("go");
    p.Signal("went");
  });
  s.Spawn("signaller", [](Process& p) {
    // Work first, so the waiter is (almost always) blocked already; both
    // orders must work, which SignalBeforeWaitFor covers deterministically.
    for (int i = 0; i < 20; ++i) {
      Fd fd = Socket(AF_UNIX, SOCK_STREAM).value();
    }
    p.Signal("go");
    p.WaitFor("went");
  });
  EXPECT_TRUE(s.Run()) << s.LastReport().Summary();
}

TEST(Scenario, PublishedTextAndRepublish) {
  Scenario s;
  s.Spawn("main", [](Process& p) {
    p.PublishText("value", "one");
    EXPECT_EQ(p.AwaitText("value"), "one");
    p.PublishText("value", "two");
    EXPECT_EQ(p.AwaitText("value"), "two");
    p.PublishText("empty", "");
    EXPECT_EQ(p.AwaitText("empty"), "");
  });
  EXPECT_TRUE(s.Run());
  EXPECT_EQ(s.Published("value"), "two");
  EXPECT_EQ(s.Published("empty"), "");
  EXPECT_EQ(s.Published("absent"), std::nullopt);
}

TEST(Scenario, ManyProcessesShareOneGroup) {
  Scenario s;
  for (int i = 0; i < 4; ++i) {
    s.Spawn("p" + std::to_string(i), [i](Process& p) {
      p.PublishText("pgid" + std::to_string(i), std::to_string(::getpgrp()));
    });
  }
  EXPECT_TRUE(s.Run());
  ASSERT_TRUE(s.Published("pgid0").has_value());
  EXPECT_EQ(*s.Published("pgid0"), std::to_string(s.LastReport().processes[0].pid));
  for (int i = 1; i < 4; ++i) EXPECT_EQ(s.Published("pgid" + std::to_string(i)), s.Published("pgid0"));
}

TEST(Scenario, RunIsolatedReportsLikeRun) {
  EXPECT_TRUE(RunIsolated([](Process& p) { EXPECT_EQ(p.name(), "main"); }));
  EXPECT_NONFATAL_FAILURE(RunIsolated([](Process&) { ::_exit(7); }),
                          "process \"main\" exited with status 7");
}

TEST(Scenario, EmptyScenarioIsOk) {
  Scenario s;
  EXPECT_TRUE(s.Run());
  EXPECT_TRUE(s.LastReport().processes.empty());
}

TEST(ScenarioDeadline, ScaleComesFromTheEnvironment) {
  const char* old = std::getenv("SOCKSPEC_DEADLINE_SCALE");
  std::string saved = old ? old : "";
  ::setenv("SOCKSPEC_DEADLINE_SCALE", "2.5", 1);
  EXPECT_EQ(DeadlineScale(), 2.5);
  EXPECT_EQ(Scaled(std::chrono::milliseconds(100)).count(), 250);
  ::setenv("SOCKSPEC_DEADLINE_SCALE", "nonsense", 1);
  EXPECT_EQ(DeadlineScale(), 1);
  ::setenv("SOCKSPEC_DEADLINE_SCALE", "-3", 1);
  EXPECT_EQ(DeadlineScale(), 1);
  if (old) {
    ::setenv("SOCKSPEC_DEADLINE_SCALE", saved.c_str(), 1);
  } else {
    ::unsetenv("SOCKSPEC_DEADLINE_SCALE");
  }
}

}  // namespace
}  // namespace sockspec
