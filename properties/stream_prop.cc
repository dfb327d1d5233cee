// Property 3: byte streams deliver exactly the bytes sent, in order, then end
// of file after the peer's shutdown(SHUT_WR) — whatever the split into writes
// and reads, over AF_UNIX stream, TCP/IPv4 and TCP/IPv6, with both directions
// flowing at once between a forked server and client.
//
// Each end is non-blocking and poll()s for room and data together, so two
// full buffers cannot deadlock; short writes and short reads are expected and
// resumed.
#include <poll.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/features.h"
#include "harness/kinds.h"
#include "harness/scenario.h"
#include "harness/sys.h"
#include "properties/prop.h"

namespace sockspec {
namespace {

// Bytes from a seed, so a large payload costs one generated number (and shrinks by length).
std::string Payload(std::uint64_t seed, std::size_t n) {
  std::string s(n, '\0');
  std::uint64_t x = seed;
  for (std::size_t i = 0; i < n; ++i) {
    x += 0x9e3779b97f4a7c15ULL;  // splitmix64
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    s[i] = static_cast<char>(z ^ (z >> 31));
  }
  return s;
}

struct Plan {
  std::string out;                   // what this end sends
  std::vector<std::size_t> writes;   // write sizes, used in turn (cycling)
  std::vector<std::size_t> reads;    // read buffer sizes, used in turn (cycling)
};

struct Traffic {
  std::string received;
  bool eof = false;
  std::size_t short_writes = 0;
};

// Sends plan.out (then SHUT_WR) while receiving until EOF. Gtest assertions
// report from the forked child through the Scenario.
Traffic Exchange(const Fd& fd, const Plan& plan) {
  Traffic t;
  EXPECT_TRUE(SetNonBlocking(fd).ok());
  std::size_t sent = 0, wi = 0, ri = 0;
  bool shut = false;
  std::string buf;
  while (!(shut && t.eof)) {
    if (!shut && sent == plan.out.size()) {
      Result<> r = Shutdown(fd, SHUT_WR);
      EXPECT_TRUE(r.ok()) << r;
      shut = true;
      continue;
    }
    pollfd p{fd.get(), static_cast<short>((t.eof ? 0 : POLLIN) | (shut ? 0 : POLLOUT)), 0};
    int n = ::poll(&p, 1, 5000);
    if (n <= 0) {
      ADD_FAILURE() << "no progress within 5 s: sent " << sent << "/" << plan.out.size()
                    << ", received " << t.received.size();
      return t;
    }
    if (!shut && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
      std::size_t want = std::min(plan.writes[wi++ % plan.writes.size()], plan.out.size() - sent);
      Result<std::size_t> w = Send(fd, AsBytes(std::string_view(plan.out).substr(sent, want)),
                                   kMsgNoSignalFlag);
      if (w.ok()) {
        if (*w < want) ++t.short_writes;
        sent += *w;
      } else if (w.error() != EAGAIN && w.error() != EWOULDBLOCK) {
        ADD_FAILURE() << w;
        return t;
      }
    }
    if (!t.eof && (p.revents & (POLLIN | POLLERR | POLLHUP))) {
      buf.resize(plan.reads[ri++ % plan.reads.size()]);
      Result<std::size_t> r =
          Recv(fd, MutableBytes(reinterpret_cast<std::byte*>(buf.data()), buf.size()));
      if (r.ok()) {
        if (*r == 0) t.eof = true;
        t.received.append(buf, 0, *r);
      } else if (r.error() != EAGAIN && r.error() != EWOULDBLOCK) {
        ADD_FAILURE() << r;
        return t;
      }
    }
  }
  return t;
}

// The first differing offset, for a readable message about megabyte payloads.
std::string Difference(const std::string& got, const std::string& want) {
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return "received " + std::to_string(got.size()) + " bytes, sent " +
         std::to_string(want.size()) + "; first difference at offset " + std::to_string(i);
}

rc::Gen<std::size_t> PayloadSize() {
  // Mostly small; sometimes more than a socket buffer holds, so both ends fill up.
  return rc::gen::weightedOneOf<std::size_t>({{6, rc::gen::inRange<std::size_t>(0, 4096)},
                                              {3, rc::gen::inRange<std::size_t>(0, 65536)},
                                              {1, rc::gen::inRange<std::size_t>(0, 1 << 20)}});
}

rc::Gen<std::vector<std::size_t>> Sizes() {
  return rc::gen::nonEmpty(rc::gen::container<std::vector<std::size_t>>(
      rc::gen::weightedOneOf<std::size_t>({{4, rc::gen::inRange<std::size_t>(1, 64)},
                                           {2, rc::gen::inRange<std::size_t>(1, 4096)},
                                           {1, rc::gen::inRange<std::size_t>(1, 256 * 1024)}})));
}

Plan GenPlan() {
  Plan p;
  const std::size_t n = *PayloadSize();
  p.out = Payload(*rc::gen::arbitrary<std::uint64_t>(), n);
  p.writes = *Sizes();
  p.reads = *Sizes();
  return p;
}

SOCKSPEC_PROP(StreamProperty, BytesArriveOnceInOrderThenEof, 60, ()) {
  SOCKSPEC_PROP_RULE("stream.order", Shall);
  SOCKSPEC_PROP_RULE("stream.eof-shutdown", Shall);
  SOCKSPEC_PROP_RULE("stream.coalesce", May);
  const SocketKind kind = *rc::gen::elementOf(ByteStreamKinds());
  if (!kind.Available()) RC_DISCARD(kind.MissingFeature());
  RC_TAG(kind.name);
  const Plan server_plan = GenPlan();
  const Plan client_plan = GenPlan();
  const std::size_t total = server_plan.out.size() + client_plan.out.size();
  RC_CLASSIFY(total > 256 * 1024, "over 256 KiB in flight");

  Scenario s;
  s.Spawn("server", [&](Process& p) {
    Result<Fd> l = kind.Create();
    ASSERT_TRUE(l.ok()) << l;
    Address addr = kind.is_unix() ? Address::UnixPath(s.Path("srv"), SockType::kStream)
                                  : (kind.domain == AF_INET ? Address::Loopback4(0)
                                                            : Address::Loopback6(0));
    ASSERT_TRUE(Bind(*l, addr).ok());
    ASSERT_TRUE(Listen(*l, 1).ok());
    Result<Address> bound = GetSockName(*l);
    ASSERT_TRUE(bound.ok()) << bound;
    p.Publish("addr", *bound);
    Result<Fd> c = Accept(*l);
    ASSERT_TRUE(c.ok()) << c;
    Traffic t = Exchange(*c, server_plan);
    EXPECT_TRUE(t.eof) << "no end of file after the client's SHUT_WR";
    EXPECT_TRUE(t.received == client_plan.out) << Difference(t.received, client_plan.out);
  });
  s.Spawn("client", [&](Process& p) {
    Address addr = p.Await("addr");
    Result<Fd> c = kind.Create();
    ASSERT_TRUE(c.ok()) << c;
    Result<> r = Connect(*c, addr);
    ASSERT_TRUE(r.ok()) << r;
    Traffic t = Exchange(*c, client_plan);
    EXPECT_TRUE(t.eof) << "no end of file after the server's SHUT_WR";
    EXPECT_TRUE(t.received == server_plan.out) << Difference(t.received, server_plan.out);
  });
  ScenarioReport report = s.RunAndCollect();
  if (!report.ok()) RC_FAIL(report.Summary());
}

}  // namespace
}  // namespace sockspec
