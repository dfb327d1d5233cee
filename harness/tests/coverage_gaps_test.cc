// Harness code that no conformance case reaches on Linux, found by
// ci/coverage: the read/write wrappers, feature names (a skip reason only
// when a feature is missing) and the trace text of failure messages.
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <set>
#include <string>

#include "harness/features.h"
#include "harness/matchers.h"
#include "harness/sys.h"
#include "harness/trace.h"

namespace sockspec {
namespace {

TEST(CoverageGaps, WriteAndReadMoveBytesAndAreTraced) {
  Result<std::pair<Fd, Fd>> pair = SocketPair(AF_UNIX, SOCK_STREAM);
  ASSERT_THAT(pair, SyscallSucceeds());
  auto& [a, b] = *pair;

  Result<std::size_t> wrote = Write(a, AsBytes("ping"));
  ASSERT_THAT(wrote, SyscallSucceedsWithValue(4u));
  EXPECT_NE(wrote.call().find("write("), std::string::npos) << wrote.call();

  std::array<std::byte, 8> buf{};
  Result<std::size_t> read = Read(b, buf);
  ASSERT_THAT(read, SyscallSucceedsWithValue(4u));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), 4), "ping");
  EXPECT_NE(read.call().find("read("), std::string::npos) << read.call();
}

TEST(CoverageGaps, WriteAndReadReportErrno) {
  std::array<std::byte, 1> buf{};
  EXPECT_THAT(Write(-1, AsBytes("x")), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(Read(-1, buf), SyscallFailsWithErrno(EBADF));
}

TEST(CoverageGaps, EveryFeatureHasItsOwnName) {
  const Feature all[] = {
      Feature::kAccept4,     Feature::kSockNonblock, Feature::kSockCloexec,
      Feature::kUnixSeqpacket, Feature::kUnixAbstract, Feature::kUnixAutobind,
      Feature::kInet6,       Feature::kSoDomain,     Feature::kSoProtocol,
      Feature::kMsgNoSignal, Feature::kSoPeerCred,   Feature::kIpv6V6Only,
      Feature::kProcSelfFd,  Feature::kMsgDontwait,  Feature::kProcSysNet,
      Feature::kIpv4MappedIpv6, Feature::kUnixDgramReliable,
  };
  std::set<std::string> names;
  for (Feature f : all) {
    const std::string name = FeatureName(f);
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name, "unknown feature");
    EXPECT_TRUE(names.insert(name).second) << "two features named " << name;
    (void)Have(f);  // probing any feature must not fail or crash
  }
}

TEST(CoverageGaps, FormatTraceListsCallsOrSaysThereAreNone) {
  TraceRing ring{};
  EXPECT_EQ(FormatTrace(ring), "    (no wrapper calls)\n");

  SetTraceStorage(&ring);
  TraceBegin("close(-1)");
  TraceEnd(-1, EBADF);
  SetTraceStorage(nullptr);
  const std::string text = FormatTrace(ring);
  EXPECT_EQ(text.rfind("    close(-1)", 0), 0u) << text;
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace sockspec
