// What the fork runner costs: a bare fork+waitpid is the floor; an empty
// one-process scenario should cost at most twice that. The exchanges show
// what a typical two-process conformance case costs end to end.
//
// These run outside any gtest test: they use RunAndCollect and check ok().
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "harness/scenario.h"
#include "harness/sys.h"

namespace sockspec {
namespace {

void BM_ForkWaitpid(benchmark::State& state) {
  for (auto _ : state) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    if (pid < 0) {
      state.SkipWithError("fork failed");
      return;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_ForkWaitpid)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_EmptyScenario(benchmark::State& state) {
  for (auto _ : state) {
    Scenario s;
    s.Spawn("main", [](Process&) {});
    if (!s.RunAndCollect().ok()) {
      state.SkipWithError("empty scenario failed");
      return;
    }
  }
}
BENCHMARK(BM_EmptyScenario)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Server and client: connect, accept, and one message from client to server.
void Exchange(benchmark::State& state, bool unix_socket) {
  for (auto _ : state) {
    Scenario s;
    Address listen_at = unix_socket ? Address::UnixPath(s.Path("bench.sock"), SockType::kStream)
                                    : Address::Loopback4(0, SockType::kStream);
    s.Spawn("server", [listen_at](Process& p) {
      Fd l = SocketFor(listen_at).value();
      if (!Bind(l, listen_at) || !Listen(l, 1)) ::_exit(2);
      p.Publish("addr", GetSockName(l).value());
      Fd c = Accept(l).value();
      if (!RecvAll(c, 4)) ::_exit(3);
    });
    s.Spawn("client", [listen_at](Process& p) {
      Address a = p.Await("addr");
      Fd c = SocketFor(listen_at).value();
      if (!Connect(c, a) || !SendAll(c, AsBytes("ping"))) ::_exit(4);
    });
    ScenarioReport r = s.RunAndCollect();
    if (!r.ok()) {
      state.SkipWithError(r.Summary().c_str());
      return;
    }
  }
}

void BM_UnixStreamExchange(benchmark::State& state) { Exchange(state, true); }
BENCHMARK(BM_UnixStreamExchange)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_TcpLoopbackExchange(benchmark::State& state) { Exchange(state, false); }
BENCHMARK(BM_TcpLoopbackExchange)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sockspec

BENCHMARK_MAIN();
