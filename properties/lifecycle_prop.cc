// Property 6: the socket lifecycle model (properties/model) agrees with the
// system. RapidCheck generates command lists over a world of a few slots
// (AF_UNIX names in a private directory and AF_INET loopback; stream and
// datagram), runs every command on the real system, and checks the result
// against the set of outcomes the model allows. A failure shrinks to a short
// command list, printed one command per line.
//
// In-process: every socket is non-blocking, so no command can hang; the World
// closes all its descriptors at the end of each case, and the case checks the
// process holds exactly the descriptors it had before.
//
// RapidCheck advances its model with apply() while generating, before anything
// runs, but the lifecycle model's next state depends on what the system chose
// (autobind or EDESTADDRREQ, port numbers). So the generation-time state is
// advanced with a likely outcome, and the real check keeps its own model in
// the system-under-test object, advanced with what actually happened. A
// command that is not valid in the real model (the two differ only where the
// system made another legal choice) is skipped, and counted.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include <rapidcheck/state.h>

#include "harness/features.h"
#include "harness/rules.h"
#include "properties/model/lifecycle.h"
#include "properties/prop.h"

namespace sockspec {
namespace {

using model::Command;
using model::Domain;
using model::Expected;
using model::Model;
using model::Op;
using model::Outcome;
using model::Type;
using model::World;

struct Sut {
  World world;
  Model model;
  std::string history;  // what ran, for failure messages
  int ran = 0, skipped = 0, failed_calls = 0;
  int accepted = 0, stream_bytes = 0, datagrams = 0, eofs = 0;
  int udp_missing = 0, udp_reordered = 0;  // dgram.udp-unreliable seen
  Sut() : model(world.dir(), Have(Feature::kUnixDgramReliable)) {}
};

// The outcome the generation-time model assumes: success where allowed (the
// common answer), with invented but distinct port numbers.
Outcome Likely(const Model& m, const Command& c, const Expected& want) {
  Outcome o;
  if (!want.success) {
    o.err = want.errors.empty() ? EINVAL : want.errors.front();
    return o;
  }
  // Of several allowed successes (UDP: any pending datagram), the first: in order.
  const Expected e = want.one_of.empty() ? want : want.one_of.front().Expect();
  o.value = e.max_value;
  if (e.check_data) {
    o.data.resize(std::min(o.value, e.data.size()));
    e.data.CopyTo(o.data.data(), o.data.size());
  }
  if (e.addr_rule == model::AddrRule::kEqual) {
    o.addr = e.addr.domain == Domain::kUnix
                 ? SockAddr{}
                 : ToSockaddr(Address::Inet4(e.addr.ip, e.addr.port));
    o.addr_name = e.addr.name;
  }
  static int next_port = 20000;
  if (++next_port > 60000) next_port = 20001;
  o.local = ToSockaddr(Address::Loopback4(static_cast<std::uint16_t>(next_port)));
  if (c.op == Op::kAccept) o.new_slot = m.LowestEmptySlot();
  return o;
}

// Arguments drawn at random for `op` on `slot` (target, sizes, how).
Command RandomArgs(Op op, int slot, const Model& m) {
  Command c;
  c.op = op;
  c.slot = slot;
  if (m.SlotOpen(slot)) {
    c.domain = m.DomainOf(slot);
    c.type = m.TypeOf(slot);
  }
  const bool unix_family = c.domain == Domain::kUnix;
  switch (op) {
    case Op::kBind:
      c.target = unix_family ? *rc::gen::inRange(0, model::kNames)
                             : *rc::gen::element(-1, -1, -1, 0, 1, 2, 3);
      break;
    case Op::kConnect:
      c.target = *rc::gen::inRange(0, unix_family ? model::kNames : model::kSlots);
      break;
    case Op::kSend:
      c.size = *rc::gen::inRange<std::size_t>(1, 17);
      c.fill = *rc::gen::arbitrary<std::uint8_t>();
      c.target = c.type == Type::kDgram
                     ? *rc::gen::inRange(-1, unix_family ? model::kNames : model::kSlots)
                     : -1;
      break;
    case Op::kRecv:
      c.size = *rc::gen::inRange<std::size_t>(1, 33);
      break;
    case Op::kShutdown:
      c.how = *rc::gen::element<int>(SHUT_RD, SHUT_WR, SHUT_RDWR);
      break;
    default:
      break;
  }
  return c;
}

// A command for `op`. Uniformly random commands mostly fail early (connect to
// nothing, recv on empty queues), so seven times in eight the draw is among the
// valid commands the model expects to succeed, when there are any.
Command Generate(Op op, const Model& m) {
  if (op == Op::kSocket) {
    Command c;
    c.op = op;
    c.slot = *rc::gen::inRange(0, model::kSlots);
    c.domain = *rc::gen::element(Domain::kUnix, Domain::kInet4);
    c.type = *rc::gen::element(Type::kStream, Type::kDgram);
    // Often the family and type of a socket already there, so they can meet.
    for (int i = 0; i < model::kSlots; ++i) {
      if (m.SlotOpen(i) && *rc::gen::inRange(0, 2) == 0) {
        c.domain = m.DomainOf(i);
        c.type = m.TypeOf(i);
        break;
      }
    }
    return c;
  }
  std::vector<Command> succeeding, valid;
  for (int slot = 0; slot < model::kSlots; ++slot) {
    if (!m.SlotOpen(slot)) continue;
    for (int k = 0; k < 3; ++k) {
      Command c = RandomArgs(op, slot, m);
      if (!m.Valid(c)) continue;
      valid.push_back(c);
      if (m.Predict(c).success) succeeding.push_back(c);
    }
  }
  if (!succeeding.empty() && *rc::gen::inRange(0, 8) != 0) {
    return succeeding[*rc::gen::inRange<std::size_t>(0, succeeding.size())];
  }
  if (!valid.empty()) return valid[*rc::gen::inRange<std::size_t>(0, valid.size())];
  return RandomArgs(op, *rc::gen::inRange(0, model::kSlots), m);
}

// One RapidCheck command per operation, so each is drawn equally often.
template <Op kOp>
struct Step : rc::state::Command<Model, Sut> {
  model::Command cmd;
  explicit Step(const Model& m) : cmd(Generate(kOp, m)) {}

  void checkPreconditions(const Model& m) const override { RC_PRE(m.Valid(cmd)); }

  void apply(Model& m) const override { m.Apply(cmd, Likely(m, cmd, m.Predict(cmd))); }

  void run(const Model&, Sut& sut) const override {
    if (!sut.model.Valid(cmd)) {
      ++sut.skipped;  // the system took another legal path earlier
      return;
    }
    const Expected want = sut.model.Predict(cmd);
    const Outcome got = sut.world.Run(cmd, want);
    ++sut.ran;
    if (got.err) ++sut.failed_calls;
    sut.history += "  " + model::Describe(cmd) + ": " + model::Describe(got) + "\n";
    if (auto why = want.Mismatch(got)) {
      RC_FAIL(model::Describe(cmd) + ": " + *why + "\n  system: " + model::Describe(got) +
              "\nmodel state before the command:\n" + sut.model.DescribeAll() +
              "commands run:\n" + sut.history);
    }
    Tally(cmd, got);
    if (!want.one_of.empty()) {  // a UDP receive with datagrams pending
      if (got.err == EAGAIN || got.err == EWOULDBLOCK) ++sut.udp_missing;
      if (!got.err && want.one_of.front().Expect().Mismatch(got)) ++sut.udp_reordered;
    }
    if (!got.err && cmd.op == Op::kAccept) ++sut.accepted;
    if (!got.err && cmd.op == Op::kRecv) {
      if (cmd.type == Type::kDgram) ++sut.datagrams;
      else if (got.value == 0) ++sut.eofs;
      else sut.stream_bytes += static_cast<int>(got.value);
    }
    sut.model.Apply(cmd, got);
  }

  void show(std::ostream& os) const override { os << model::Describe(cmd); }

  // Implementation-defined choices seen, recorded once per test (see AtEnd below).
  static void Tally(const model::Command& c, const Outcome& o);
};

struct Choices {
  std::map<std::string, int> seen;  // "accept.nonblock-inherit=no" -> count
};
Choices& SeenChoices() {
  static Choices c;
  return c;
}

template <Op kOp>
void Step<kOp>::Tally(const model::Command& c, const Outcome& o) {
  if (o.err) return;
  if (c.op == Op::kAccept) {
    ++SeenChoices().seen[std::string("accept.nonblock-inherit=") +
                         (o.nonblock_inherited ? "yes" : "no")];
  }
  if (c.op == Op::kConnect && c.domain == Domain::kInet4 && c.type == Type::kStream) {
    ++SeenChoices().seen[std::string("connect.nonblock.tcp-loopback=") +
                         (o.in_progress ? "EINPROGRESS" : "0")];
  }
}

// Descriptors open in this process: lowest 4096 probed with fcntl.
int OpenDescriptors() {
  int n = 0;
  for (int fd = 0; fd < 4096; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0) ++n;
  }
  return n;
}

SOCKSPEC_PROP(LifecycleProperty, SystemFollowsLifecycleModel, 60, ()) {
  for (const char* id : {"socket.create", "bind.in-use", "bind.twice", "bind.unix-exists",
                         "listen.stream", "listen.dgram", "listen.connected",
                         "listen.unbound-unix", "connect.stream", "connect.refused-unix",
                         "connect.refused-inet", "connect.unix-enoent", "connect.unix-prototype",
                         "connect.nonblock", "connect.dgram-peer", "accept.nonblock-empty",
                         "accept.not-listening", "accept.dgram", "accept.fifo", "stream.order",
                         "stream.eof-shutdown", "stream.eof-close", "stream.epipe",
                         "stream.unconnected", "stream.nonblock-empty", "dgram.no-destination",
                         "dgram.boundaries", "dgram.truncation", "getsockname.bound",
                         "getpeername.unconnected", "getpeername.connected"}) {
    prop::DeclareRuleOnce(id, Level::Shall);
  }
  for (const char* id : {"listen.unbound-inet", "listen.again", "accept.nonblock-inherit",
                         "getsockname.unbound", "dgram.udp-unreliable"}) {
    prop::DeclareRuleOnce(id, Level::May);
  }
  prop::AtEnd([] {
    for (const auto& [choice, count] : SeenChoices().seen) {
      std::string name = choice.substr(0, choice.find('='));
      std::string value = choice.substr(choice.find('=') + 1);
      // How often (and so whether) a choice came up depends on the random
      // sequences: it varies by run.
      RecordVolatileValue(name + "." + value, count);
    }
    SeenChoices().seen.clear();
  });

  const int fds_before = OpenDescriptors();
  {
    Sut sut;
    const Model initial(sut.world.dir(), Have(Feature::kUnixDgramReliable));
    rc::state::check(
        initial, sut,
        // The operations that build connections and move data, and close (which makes
        // room), are listed twice: drawn twice as often.
        rc::state::gen::execOneOfWithArgs<
            Step<Op::kSocket>, Step<Op::kSocket>, Step<Op::kBind>, Step<Op::kBind>,
            Step<Op::kListen>, Step<Op::kConnect>, Step<Op::kConnect>, Step<Op::kAccept>,
            Step<Op::kAccept>, Step<Op::kSend>, Step<Op::kSend>, Step<Op::kRecv>,
            Step<Op::kRecv>, Step<Op::kShutdown>, Step<Op::kClose>, Step<Op::kClose>,
            Step<Op::kGetSockName>, Step<Op::kGetPeerName>>());
    RC_CLASSIFY(sut.skipped > 0, "commands skipped (system chose another legal path)");
    RC_CLASSIFY(sut.ran >= 20, "20+ commands ran");
    RC_CLASSIFY(sut.accepted > 0, "accepted");
    RC_CLASSIFY(sut.stream_bytes > 0, "stream data received");
    RC_CLASSIFY(sut.eofs > 0, "end of file seen");
    RC_CLASSIFY(sut.datagrams > 0, "datagram received");
    RC_CLASSIFY(sut.udp_missing > 0, "UDP: nothing received while datagrams pending");
    RC_CLASSIFY(sut.udp_reordered > 0, "UDP: a later datagram overtook an earlier one");
    if (std::getenv("SOCKSPEC_LIFECYCLE_DEBUG")) std::fprintf(stderr, "%s---\n", sut.history.c_str());
    sut.world.CloseAll();
    RC_ASSERT(sut.world.OpenCount() == 0);
  }
  RC_ASSERT(OpenDescriptors() == fds_before);
}

}  // namespace
}  // namespace sockspec
