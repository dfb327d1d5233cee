// Socket kinds: the family x type combinations a rule is parametrised over,
// with readable names for test instantiation ("UnixStream", "Tcp6", ...).
//
//   INSTANTIATE_TEST_SUITE_P(All, BindTest, ::testing::ValuesIn(AllKinds()), KindName);
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/address.h"
#include "harness/fd.h"
#include "harness/features.h"
#include "harness/result.h"
#include "harness/temp_dir.h"

namespace sockspec {

struct SocketKind {
  const char* name;  // "UnixStream", "UnixDgram", "UnixSeqpacket", "Tcp4", "Tcp6", "Udp4", "Udp6"
  int domain;        // AF_UNIX, AF_INET, AF_INET6
  int type;          // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET

  bool is_unix() const { return domain == AF_UNIX; }
  bool is_inet() const { return domain != AF_UNIX; }
  bool is_stream() const { return type == SOCK_STREAM; }
  bool is_dgram() const { return type == SOCK_DGRAM; }
  bool is_seqpacket() const { return type == SOCK_SEQPACKET; }
  // Stream and seqpacket sockets: listen/accept/connect establish connections.
  bool connection_oriented() const { return type != SOCK_DGRAM; }
  SockType sock_type() const;

  // The feature this kind needs (kInet6, kUnixSeqpacket), or none.
  bool Available() const;
  const char* MissingFeature() const;  // the reason when !Available()

  // A new socket of this kind (extra_flags: SOCK_NONBLOCK etc.).
  Result<Fd> Create(int extra_flags = 0) const;
  // An address to bind a fresh socket of this kind to: a unique path in `dir`
  // for AF_UNIX, the loopback address with port 0 for inet.
  Address BindableAddress(TempDir& dir) const;
  // The same, with the AF_UNIX path given: `unix_path` for AF_UNIX, the
  // loopback address with port 0 for inet.
  Address AddressAt(const std::string& unix_path) const;
};

void PrintTo(const SocketKind& k, std::ostream* os);

// The test-name suffix for a kind parameter.
std::string KindName(const ::testing::TestParamInfo<SocketKind>& info);

std::vector<SocketKind> AllKinds();               // all seven
std::vector<SocketKind> ConnectionKinds();        // UnixStream, UnixSeqpacket, Tcp4, Tcp6
std::vector<SocketKind> ByteStreamKinds();        // UnixStream, Tcp4, Tcp6
std::vector<SocketKind> DatagramKinds();          // UnixDgram, Udp4, Udp6
std::vector<SocketKind> MessageKinds();           // UnixDgram, UnixSeqpacket, Udp4, Udp6
std::vector<SocketKind> UnixKinds();              // UnixStream, UnixDgram, UnixSeqpacket
std::vector<SocketKind> InetKinds();              // Tcp4, Tcp6, Udp4, Udp6

}  // namespace sockspec

// Skips the test when the kind's family or type is absent here.
#define SOCKSPEC_REQUIRE_KIND(kind)                                                  \
  do {                                                                               \
    if (!(kind).Available())                                                         \
      GTEST_SKIP() << "feature absent on this system: " << (kind).MissingFeature(); \
  } while (0)
