// Fuzz target: bytes decoded into a short sequence of socket calls, checked
// against the lifecycle model (properties/model/lifecycle.h, the same model
// the stateful property test uses).
//
// Decoding (FuzzedDataProvider): up to kMaxCalls commands, each an Op and its
// arguments (slot, domain/type for socket, target name or slot, size, fill
// byte, shutdown how). The domain of a non-socket command is taken from the
// slot, so most decoded commands are meaningful; commands the model calls not
// Valid are skipped, as the property test does.
//
// Oracles (any violation aborts with the sequence so far and the model state):
// - every outcome is one the model allows (Expected::Mismatch);
// - no descriptor leaks: after each input every descriptor number that was
//   free before it is free again (new descriptors take the lowest free
//   numbers, and an input makes at most one per call, so checking the first
//   kMaxCalls free numbers covers every descriptor it can have made; one
//   poll() call on each side);
// - nothing blocks: every socket is non-blocking, the model bounds its polls
//   (2 s), so a call that takes longer than kCallLimit is a failure (and
//   libFuzzer's -timeout catches one that never returns).
//
// State kept across inputs, deliberately: one World (its private directory,
// mkdtemp'd once per process under $TMPDIR; created lazily, removed at exit
// and before an oracle abort; ci/fuzz-campaign and ci/fuzz-smoke point TMPDIR
// at a directory of their own, on tmpfs when there is one, and remove it, so a
// sanitizer crash or a timeout cannot leave it behind) and one Model, Reset()
// per input (it keeps its storage: no heap allocation per input). Each input
// starts with no socket open and no name in the directory.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz/fuzz_check.h"
#include "harness/features.h"
#include "harness/temp_dir.h"
#include "properties/model/lifecycle.h"

namespace sockspec {
namespace {

using model::Command;
using model::Domain;
using model::Op;
using model::Type;

constexpr int kMaxCalls = 24;
// A target is a name (unix) or a slot (inet), -1 for none / port 0.
constexpr int kMaxTarget = std::max(model::kNames, model::kSlots) - 1;
constexpr std::size_t kMaxIo = model::kMaxIo;  // send size / recv buffer
constexpr auto kCallLimit = std::chrono::seconds(3);
constexpr char kTarget[] = "call_sequence";

model::World& TheWorld() {
  static model::World* world = [] {
    auto* w = new model::World();
    // Removes the directory at a normal exit (libFuzzer's -runs/-max_total_time end).
    std::atexit([] { delete &TheWorld(); });
    return w;
  }();
  return *world;
}

// One Model for the whole process, Reset() before each input: it keeps its storage,
// so an input costs no heap allocation in the model.
model::Model& TheModel() {
  static model::Model* m =
      new model::Model(TheWorld().dir(), Have(Feature::kUnixDgramReliable));
  return *m;
}

// The leak check: every descriptor number free before an input is free after it.
// An input opens at most one descriptor per call, each the lowest number free, so
// the first kMaxCalls free numbers cover every one it can have left open. poll()
// with timeout 0 never waits and reports POLLNVAL for a number that is not open:
// one system call before the input (numbers 0..kScan-1, more only when too few are
// free there) and one after it, on exactly the numbers found free.
constexpr int kFdWindow = kMaxCalls;
constexpr int kScan = 32;
constexpr int kScanLimit = 1024;

using FreeFds = std::array<pollfd, kFdWindow>;

FreeFds FirstFree() {
  FreeFds out{};
  int n = 0;
  for (int base = 0; n < kFdWindow && base < kScanLimit; base += kScan) {
    std::array<pollfd, kScan> scan{};
    for (int i = 0; i < kScan; ++i) scan[i].fd = base + i;
    ::poll(scan.data(), scan.size(), 0);
    for (int i = 0; i < kScan && n < kFdWindow; ++i) {
      if (scan[i].revents & POLLNVAL) out[n++].fd = base + i;
    }
  }
  if (n < kFdWindow) {
    fuzz::Fail(kTarget, "too many descriptors open before the input for the leak check", {});
  }
  return out;
}

// Names bound by the current input (only those are unlinked afterwards).
std::array<bool, model::kNames> g_bound_names{};

void RemoveNames(const model::World& world) {
  for (int i = 0; i < model::kNames; ++i) {
    if (g_bound_names[i]) ::unlink(world.NamePath(i).c_str());
    g_bound_names[i] = false;
  }
}

Command Decode(FuzzedDataProvider& in, const model::Model& m) {
  Command c;
  c.op = static_cast<Op>(in.ConsumeIntegralInRange<int>(0, static_cast<int>(Op::kGetPeerName)));
  c.slot = in.ConsumeIntegralInRange<int>(0, model::kSlots - 1);
  if (c.op == Op::kSocket) {
    c.domain = in.ConsumeBool() ? Domain::kInet4 : Domain::kUnix;
    c.type = in.ConsumeBool() ? Type::kDgram : Type::kStream;
    return c;
  }
  // The slot's own domain (the model rejects a mismatch as not Valid).
  if (m.SlotOpen(c.slot)) c.domain = m.DomainOf(c.slot);
  switch (c.op) {
    case Op::kBind:
    case Op::kConnect:
      c.target = in.ConsumeIntegralInRange<int>(-1, kMaxTarget);
      break;
    case Op::kSend:
      c.target = in.ConsumeIntegralInRange<int>(-1, kMaxTarget);
      c.size = in.ConsumeIntegralInRange<std::size_t>(1, kMaxIo);
      c.fill = in.ConsumeIntegral<std::uint8_t>();
      break;
    case Op::kRecv:
      c.size = in.ConsumeIntegralInRange<std::size_t>(1, kMaxIo);
      break;
    case Op::kShutdown: {
      static constexpr int kHow[] = {SHUT_RD, SHUT_WR, SHUT_RDWR};
      c.how = in.PickValueInArray(kHow);
      break;
    }
    default:
      break;
  }
  return c;
}

struct Run {
  std::string_view input;
  // The calls so far, described only when something fails (formatting every
  // call would cost more than the calls). Static storage: no heap per input.
  static inline std::array<std::pair<Command, model::Outcome>, kMaxCalls> calls;
  int count = 0;

  [[noreturn]] void Fail(const std::string& what, const model::Model& m) {
    std::string log;
    for (int i = 0; i < count; ++i) {
      log += "  " + model::Describe(calls[i].first) + ": " + model::Describe(calls[i].second) +
             "\n";
    }
    // abort() skips the World's destructor: leave no directory behind.
    TheWorld().CloseAll();
    RemoveTree(TheWorld().dir());
    fuzz::Fail(kTarget, what + "\ncalls:\n" + log + "model:\n" + m.DescribeAll(), input);
  }
};

}  // namespace
}  // namespace sockspec

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sockspec;
  model::World& world = TheWorld();
  FreeFds free_before = FirstFree();

  Run run{std::string_view(reinterpret_cast<const char*>(data), size)};
  model::Model& m = TheModel();
  m.Reset();
  FuzzedDataProvider in(data, size);
  auto last = std::chrono::steady_clock::now();
  for (int calls = 0; calls < kMaxCalls && in.remaining_bytes() > 0; ++calls) {
    const Command c = Decode(in, m);
    if (!m.Valid(c)) continue;
    const model::Expected want = m.Predict(c);
    run.calls[run.count].first = c;
    run.calls[run.count].second = world.Run(c, want);
    const model::Outcome& got = run.calls[run.count++].second;
    // Timed from the end of the previous call (one clock read per call): the model's
    // work in between is microseconds against a limit of seconds.
    const auto now = std::chrono::steady_clock::now();
    if (now - last > kCallLimit) run.Fail("a call took longer than the bounded waits allow", m);
    last = now;
    if (auto why = want.Mismatch(got)) run.Fail("outcome not allowed by the model: " + *why, m);
    m.Apply(c, got);
    if (got.err == 0 && c.op == Op::kBind && c.domain == Domain::kUnix) {
      g_bound_names[c.target] = true;
    }
  }

  world.CloseAll();
  RemoveNames(world);
  if (world.OpenCount() != 0) run.Fail("the world kept descriptors after CloseAll", m);
  ::poll(free_before.data(), free_before.size(), 0);
  for (const pollfd& p : free_before) {
    if (!(p.revents & POLLNVAL)) {
      run.Fail("descriptor " + std::to_string(p.fd) + " leaked (free before the input)", m);
    }
  }
  return 0;
}
