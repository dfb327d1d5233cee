// Unit tests of the lifecycle model alone: outcomes are made up here, no socket is
// opened. They pin down allowances that the system under test shows too rarely for the
// property test or the fuzzer's corpus replay to reach every time.
#include "properties/model/lifecycle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "harness/address.h"

namespace sockspec::model {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

// What the World reports for an AF_INET call whose getsockname said `text`.
Outcome SucceededWithLocal(const std::string& text) {
  Outcome o;
  o.local = ToSockaddr(*ParseAddress(text).value);
  return o;
}

Command Make(Op op, int slot, int target = -1) {
  Command c;
  c.op = op;
  c.slot = slot;
  c.domain = Domain::kInet4;
  c.type = Type::kStream;
  c.target = target;
  return c;
}

// s0: a TCP socket bound to 127.0.0.1:40000 that never listens; s1: a fresh TCP socket.
class SelfConnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Run(Make(Op::kSocket, 0), Outcome{});
    Run(Make(Op::kBind, 0), SucceededWithLocal("tcp:127.0.0.1:40000"));
    Run(Make(Op::kSocket, 1), Outcome{});
  }
  void Run(const Command& c, const Outcome& o) {
    ASSERT_TRUE(model_.Valid(c)) << Describe(c);
    ASSERT_EQ(model_.Predict(c).Mismatch(o), std::nullopt) << Describe(c);
    model_.Apply(c, o);
  }
  Model model_{"/nonexistent", true};
};

TEST_F(SelfConnectTest, ConnectToAPortWithoutListenerIsRefused) {
  // connect.refused-inet
  Outcome refused;
  refused.err = ECONNREFUSED;
  EXPECT_EQ(model_.Predict(Make(Op::kConnect, 1, 0)).Mismatch(refused), std::nullopt);
}

TEST_F(SelfConnectTest, ConnectMaySucceedOnlyAsAConnectionToItself) {
  // connect.self-inet: the system gave the connecting socket the target's port.
  const Expected want = model_.Predict(Make(Op::kConnect, 1, 0));
  EXPECT_EQ(want.Mismatch(SucceededWithLocal("tcp:127.0.0.1:40000")), std::nullopt);
  // Any other local address is a connection to nobody: still wrong.
  EXPECT_THAT(want.Mismatch(SucceededWithLocal("tcp:127.0.0.1:40001")),
              Optional(HasSubstr("expected ECONNREFUSED or success connected to itself")));
  EXPECT_THAT(want.Mismatch(Outcome{}), Optional(HasSubstr("succeeded")));
}

TEST_F(SelfConnectTest, ASelfConnectedSocketIsItsOwnPeerAndOtherwiseLeftAlone) {
  Run(Make(Op::kConnect, 1, 0), SucceededWithLocal("tcp:127.0.0.1:40000"));
  const Command peer_name = Make(Op::kGetPeerName, 1);
  ASSERT_TRUE(model_.Valid(peer_name));
  const Expected want = model_.Predict(peer_name);
  Outcome named = SucceededWithLocal("tcp:127.0.0.1:40000");
  named.addr = named.local;
  EXPECT_EQ(want.Mismatch(named), std::nullopt) << want.Describe();
  Command send = Make(Op::kSend, 1);
  send.size = 1;
  EXPECT_FALSE(model_.Valid(send));
  EXPECT_FALSE(model_.Valid(Make(Op::kRecv, 1)));
  EXPECT_FALSE(model_.Valid(Make(Op::kShutdown, 1)));
  EXPECT_TRUE(model_.Valid(Make(Op::kClose, 1)));
  EXPECT_THAT(model_.DescribeSlot(1), HasSubstr("connected to itself"));
}

// A unix connect has no such way out: the name's owner decides.
TEST(SelfConnect, NotAllowedForUnixNames) {
  Model model{"/nonexistent", true};
  Command socket;
  socket.op = Op::kSocket;
  socket.slot = 0;
  socket.domain = Domain::kUnix;
  ASSERT_TRUE(model.Valid(socket));
  model.Apply(socket, Outcome{});
  Command connect = socket;
  connect.op = Op::kConnect;
  connect.target = 0;  // name n0: no file
  EXPECT_FALSE(model.Predict(connect).self_connect.has_value());
}

}  // namespace
}  // namespace sockspec::model
