#include "harness/kinds.h"

#include <sys/socket.h>

#include "harness/sys.h"

namespace sockspec {
namespace {

constexpr SocketKind kUnixStream{"UnixStream", AF_UNIX, SOCK_STREAM};
constexpr SocketKind kUnixDgram{"UnixDgram", AF_UNIX, SOCK_DGRAM};
constexpr SocketKind kUnixSeqpacket{"UnixSeqpacket", AF_UNIX, SOCK_SEQPACKET};
constexpr SocketKind kTcp4{"Tcp4", AF_INET, SOCK_STREAM};
constexpr SocketKind kTcp6{"Tcp6", AF_INET6, SOCK_STREAM};
constexpr SocketKind kUdp4{"Udp4", AF_INET, SOCK_DGRAM};
constexpr SocketKind kUdp6{"Udp6", AF_INET6, SOCK_DGRAM};

}  // namespace

SockType SocketKind::sock_type() const {
  switch (type) {
    case SOCK_STREAM: return SockType::kStream;
    case SOCK_DGRAM: return SockType::kDgram;
    case SOCK_SEQPACKET: return SockType::kSeqPacket;
  }
  return SockType::kUnspecified;
}

bool SocketKind::Available() const { return MissingFeature() == nullptr; }

const char* SocketKind::MissingFeature() const {
  if (domain == AF_INET6 && !Have(Feature::kInet6)) return FeatureName(Feature::kInet6);
  if (type == SOCK_SEQPACKET && !Have(Feature::kUnixSeqpacket)) {
    return FeatureName(Feature::kUnixSeqpacket);
  }
  return nullptr;
}

Result<Fd> SocketKind::Create(int extra_flags) const { return Socket(domain, type | extra_flags); }

Address SocketKind::BindableAddress(TempDir& dir) const {
  return AddressAt(is_unix() ? dir.UniquePath("sock") : std::string());
}

Address SocketKind::AddressAt(const std::string& unix_path) const {
  switch (domain) {
    case AF_UNIX: return Address::UnixPath(unix_path, sock_type());
    case AF_INET: return Address::Loopback4(0, sock_type());
    default: return Address::Loopback6(0, sock_type());
  }
}

void PrintTo(const SocketKind& k, std::ostream* os) { *os << k.name; }

std::string KindName(const ::testing::TestParamInfo<SocketKind>& info) { return info.param.name; }

std::vector<SocketKind> AllKinds() {
  return {kUnixStream, kUnixDgram, kUnixSeqpacket, kTcp4, kTcp6, kUdp4, kUdp6};
}
std::vector<SocketKind> ConnectionKinds() { return {kUnixStream, kUnixSeqpacket, kTcp4, kTcp6}; }
std::vector<SocketKind> ByteStreamKinds() { return {kUnixStream, kTcp4, kTcp6}; }
std::vector<SocketKind> DatagramKinds() { return {kUnixDgram, kUdp4, kUdp6}; }
std::vector<SocketKind> MessageKinds() { return {kUnixDgram, kUnixSeqpacket, kUdp4, kUdp6}; }
std::vector<SocketKind> UnixKinds() { return {kUnixStream, kUnixDgram, kUnixSeqpacket}; }
std::vector<SocketKind> InetKinds() { return {kTcp4, kTcp6, kUdp4, kUdp6}; }

}  // namespace sockspec
