// Conformance cases for bind(): assigning a local address to a socket.
//
// POSIX.1-2024 XSH bind() defines the errors for every family; unix(7), ip(7)
// and ipv6(7) add what Linux documents (abstract names, autobind, dual-stack
// binding). Every case binds only loopback, wildcard (never sent to) or paths
// in its own temp dir; the one non-local address is checked against
// getifaddrs() first and never contacted.
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cases/support.h"
#include "harness/address.h"
#include "harness/errno_name.h"
#include "harness/features.h"
#include "harness/kinds.h"
#include "harness/matchers.h"
#include "harness/rules.h"
#include "harness/sys.h"
#include "harness/temp_dir.h"

namespace sockspec {
namespace {

// The loopback address of an inet kind, with `port`.
Address Loopback(const SocketKind& k, std::uint16_t port = 0) {
  return k.domain == AF_INET ? Address::Loopback4(port, k.sock_type())
                             : Address::Loopback6(port, k.sock_type());
}

bool IsSocketFile(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// An abstract name unique to this process and call, so parallel runs never meet.
std::string UniqueAbstractName(std::string_view tag) {
  static int counter = 0;
  return "sockspec-bind-" + std::string(tag) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

class BindAnyKind : public ::testing::TestWithParam<SocketKind> {};
class BindInet : public ::testing::TestWithParam<SocketKind> {};
class BindInet6 : public ::testing::TestWithParam<SocketKind> {};
class BindTcp : public ::testing::TestWithParam<SocketKind> {};
class BindUnix : public ::testing::TestWithParam<SocketKind> {};

// --- inet addresses and ports ---------------------------------------------

TEST_P(BindInet, PortZeroGetsADistinctEphemeralPort) {
  SOCKSPEC_RULE("bind.inet-ephemeral", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  Fd a = k.Create().value();
  Fd b = k.Create().value();
  ASSERT_THAT(Bind(a, Loopback(k)), SyscallSucceeds());
  ASSERT_THAT(Bind(b, Loopback(k)), SyscallSucceeds());
  Address na = GetSockName(a).value();
  Address nb = GetSockName(b).value();
  EXPECT_EQ(na.family(), k.domain);
  EXPECT_EQ(na.ip, Loopback(k).ip) << na;
  EXPECT_NE(na.port, 0) << na;
  EXPECT_NE(nb.port, 0) << nb;
  // Both hold their port on the same address, so the ports must differ.
  EXPECT_NE(na.port, nb.port);
}

TEST_P(BindAnyKind, SecondBindToABoundOrListeningAddressFailsWithEaddrinuse) {
  SOCKSPEC_RULE("bind.in-use", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fd a = k.Create().value();
  ASSERT_THAT(Bind(a, k.BindableAddress(dir)), SyscallSucceeds());
  Address bound = GetSockName(a).value();
  Fd b = k.Create().value();
  EXPECT_THAT(Bind(b, bound), SyscallFailsWithErrno(EADDRINUSE));
  if (k.connection_oriented()) {
    // A listening socket holds its address the same way.
    ASSERT_THAT(Listen(a, 4), SyscallSucceeds());
    Fd c = k.Create().value();
    EXPECT_THAT(Bind(c, bound), SyscallFailsWithErrno(EADDRINUSE));
  }
}


TEST_P(BindAnyKind, FailedBindLeavesTheSocketUnbound) {
  SOCKSPEC_RULE("bind.failed-unbound", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fd a = k.Create().value();
  ASSERT_THAT(Bind(a, k.BindableAddress(dir)), SyscallSucceeds());
  Address taken = GetSockName(a).value();

  Fd b = k.Create().value();
  ASSERT_THAT(Bind(b, taken), SyscallFailsWithErrno(EADDRINUSE));
  // A length too short for any address of the family: a second failure.
  SockAddr sa = ToSockaddr(k.BindableAddress(dir));
  EXPECT_THAT(::bind(b.get(), sa.get(), 1), SyscallFails());

  // Had either failure bound `b`, this bind would fail with EINVAL.
  Address fresh = k.BindableAddress(dir);
  ASSERT_THAT(Bind(b, fresh), SyscallSucceeds());
  Address got = GetSockName(b).value();
  if (k.is_unix()) {
    EXPECT_EQ(got.kind, AddrKind::kUnixPath) << got;
    EXPECT_EQ(got.unix_name, fresh.unix_name);
  } else {
    EXPECT_EQ(got.ip, fresh.ip) << got;
    EXPECT_NE(got.port, 0) << got;
    EXPECT_NE(got.port, taken.port) << got;
  }
}

TEST_P(BindAnyKind, BindOnABoundSocketFailsWithEinval) {
  SOCKSPEC_RULE("bind.twice", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fd s = k.Create().value();
  ASSERT_THAT(Bind(s, k.BindableAddress(dir)), SyscallSucceeds());
  Address first = GetSockName(s).value();
  Address second = k.BindableAddress(dir);
  EXPECT_THAT(Bind(s, second), SyscallFailsWithErrno(EINVAL));
  // The socket keeps its first name; no second file appears.
  EXPECT_EQ(GetSockName(s).value(), first);
  if (k.is_unix()) { EXPECT_FALSE(Exists(second.unix_name)) << second.unix_name; }
}

// --- non-local addresses ---------------------------------------------------

// True when some local interface holds `a` (family and address compared).
bool IsLocalAddress(const Address& a) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return true;  // unknown: treat as local (never bind it)
  bool local = false;
  for (ifaddrs* i = list; i != nullptr && !local; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != a.family()) continue;
    std::size_t len = a.family() == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    Parsed<Address> p = FromSockaddr(i->ifa_addr, len);
    local = p && p.value->ip == a.ip;
  }
  ::freeifaddrs(list);
  return local;
}

bool NonLocalBindEnabled(int domain) {
  // Linux lets an administrator allow non-local binds; the rule is moot then.
  std::string v =
      ProcSysNet(domain == AF_INET ? "ipv4/ip_nonlocal_bind" : "ipv6/ip_nonlocal_bind");
  return !v.empty() && v != "0";
}

// Documentation addresses (RFC 5737, RFC 3849 / 9637): the first not held
// locally. They are bound, never sent to.
std::optional<Address> NonLocalCandidate(const SocketKind& k) {
  std::vector<Address> candidates;
  if (k.domain == AF_INET) {
    for (auto ip : {std::array<std::uint8_t, 4>{203, 0, 113, 7},
                    std::array<std::uint8_t, 4>{198, 51, 100, 7},
                    std::array<std::uint8_t, 4>{192, 0, 2, 77}}) {
      candidates.push_back(Address::Inet4(ip, 0, k.sock_type()));
    }
  } else {
    for (std::uint8_t last : {0x07, 0x77}) {
      std::array<std::uint8_t, 16> ip{0x20, 0x01, 0x0d, 0xb8};
      ip[15] = last;
      candidates.push_back(Address::Inet6(ip, 0, k.sock_type()));
    }
    std::array<std::uint8_t, 16> ip{0x3f, 0xff};
    ip[15] = 0x07;
    candidates.push_back(Address::Inet6(ip, 0, k.sock_type()));
  }
  for (const Address& a : candidates) {
    if (!IsLocalAddress(a)) return a;
  }
  return std::nullopt;
}

TEST_P(BindInet, NonLocalAddressFailsWithEaddrnotavail) {
  SOCKSPEC_RULE("bind.not-local", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  if (NonLocalBindEnabled(k.domain)) GTEST_SKIP() << "ip_nonlocal_bind is enabled on this host";
  std::optional<Address> remote = NonLocalCandidate(k);
  if (!remote) GTEST_SKIP() << "every documentation address is configured locally";
  Fd s = k.Create().value();
  EXPECT_THAT(Bind(s, *remote), SyscallFailsWithErrno(EADDRNOTAVAIL));
  EXPECT_THAT(Bind(s, Loopback(k)), SyscallSucceeds());
}

// --- malformed addresses ----------------------------------------------------

// A well-formed address of another family than the socket's, at its own length.
SockAddr ForeignAddress(const SocketKind& k) {
  if (k.domain == AF_INET) return ToSockaddr(Address::Loopback6());
  return ToSockaddr(Address::Loopback4());
}

TEST_P(BindAnyKind, AddressOfAnotherFamilyFails) {
  SOCKSPEC_RULE("bind.family-mismatch", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  Fd s = k.Create().value();
  SockAddr foreign = ForeignAddress(k);
  errno = 0;
  int r = ::bind(s.get(), foreign.get(), foreign.len);
  int err = errno;
  // POSIX names EAFNOSUPPORT; Linux documents EINVAL for AF_UNIX and for a
  // length too short for the socket's own family.
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({EAFNOSUPPORT, EINVAL}));
  if (r == -1) RecordValue(ValueName("errno.bind.family-mismatch", k), ErrnoName(err));
}

TEST_P(BindAnyKind, AddressLengthShorterThanTheFamilysFailsWithEinval) {
  SOCKSPEC_RULE("bind.short-len", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fd s = k.Create().value();
  SockAddr sa = ToSockaddr(k.BindableAddress(dir));
  // Shorter than sa_family_t: no family can be read.
  EXPECT_THAT(::bind(s.get(), sa.get(), 1), SyscallFailsWithErrno(EINVAL));
  if (k.is_inet()) {
    // Cut inside the address field.
    socklen_t cut = k.domain == AF_INET ? offsetof(sockaddr_in, sin_addr) + 2
                                        : offsetof(sockaddr_in6, sin6_addr) + 8;
    EXPECT_THAT(::bind(s.get(), sa.get(), cut), SyscallFailsWithErrno(EINVAL));
  }
}

TEST(BindDescriptor, ClosedDescriptorFailsWithEbadf) {
  SOCKSPEC_RULE("bind.ebadf", Shall);
  SockAddr sa = ToSockaddr(Address::Loopback4());
  EXPECT_THAT(::bind(ClosedFd(), sa.get(), sa.len), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(::bind(-1, sa.get(), sa.len), SyscallFailsWithErrno(EBADF));
}

TEST(BindDescriptor, NonSocketDescriptorFailsWithEnotsock) {
  SOCKSPEC_RULE("bind.enotsock", Shall);
  Result<Pipe> p = MakePipe();
  ASSERT_THAT(p, SyscallSucceeds());
  SockAddr sa = ToSockaddr(Address::Loopback4());
  EXPECT_THAT(::bind(p->r.get(), sa.get(), sa.len), SyscallFailsWithErrno(ENOTSOCK));
  TempDir dir;
  Fd file(::open(dir.Path("plain").c_str(), O_CREAT | O_RDWR, 0600));
  ASSERT_TRUE(file.valid());
  SockAddr un = ToSockaddr(Address::UnixPath(dir.Path("s")));
  EXPECT_THAT(::bind(file.get(), un.get(), un.len), SyscallFailsWithErrno(ENOTSOCK));
  EXPECT_FALSE(Exists(dir.Path("s")));
}

// --- implicit binding --------------------------------------------------------

TEST_P(BindInet, BindAfterConnectOrSendtoAssignedAnAddressFailsWithEinval) {
  SOCKSPEC_RULE("bind.after-autobind", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  Fd peer = k.Create().value();
  ASSERT_THAT(Bind(peer, Loopback(k)), SyscallSucceeds());
  if (k.is_stream()) { ASSERT_THAT(Listen(peer, 1), SyscallSucceeds()); }
  Address peer_addr = GetSockName(peer).value();

  Fd s = k.Create().value();
  ASSERT_THAT(ConnectBounded(s, peer_addr), SyscallSucceeds());
  Address auto_bound = GetSockName(s).value();
  ASSERT_NE(auto_bound.port, 0) << "connect did not assign a local port: " << auto_bound;
  EXPECT_THAT(Bind(s, Loopback(k)), SyscallFailsWithErrno(EINVAL));
  EXPECT_EQ(GetSockName(s).value(), auto_bound);

  if (k.is_dgram()) {
    // sendto on an unbound datagram socket assigns an address too.
    Fd t = k.Create().value();
    ASSERT_THAT(SendTo(t, AsBytes("x"), peer_addr), SyscallSucceedsWithValue(1u));
    Address sent_from = GetSockName(t).value();
    ASSERT_NE(sent_from.port, 0) << "sendto did not assign a local port: " << sent_from;
    EXPECT_THAT(Bind(t, Loopback(k)), SyscallFailsWithErrno(EINVAL));
  }
}


// --- SO_REUSEADDR and TIME_WAIT ----------------------------------------------

// Leaves the listener's port with a connection in TIME_WAIT: the accepted
// side closes first (active close) and we wait until it has seen the
// client's FIN, which is when it enters TIME_WAIT. Returns the port.
std::uint16_t MakeTimeWait(const SocketKind& k) {
  Fd l = k.Create().value();
  // Servers set SO_REUSEADDR on the listener; accepted sockets inherit it.
  EXPECT_THAT(SetSockOptInt(l, SOL_SOCKET, SO_REUSEADDR, 1), SyscallSucceeds());
  EXPECT_THAT(Bind(l, Loopback(k)), SyscallSucceeds());
  EXPECT_THAT(Listen(l, 1), SyscallSucceeds());
  Address at = GetSockName(l).value();
  Fd c = k.Create().value();
  EXPECT_THAT(ConnectBounded(c, at), SyscallSucceeds());
  EXPECT_THAT(Poll(l, POLLIN, kWait), SyscallSucceedsWithValue(POLLIN));
  Fd s = Accept(l).value();
  EXPECT_THAT(Shutdown(s, SHUT_WR), SyscallSucceeds());
  // The client sees EOF, then closes: its FIN reaches the server side.
  EXPECT_THAT(RecvUntilEof(c, kWait), SyscallSucceeds());
  c.reset();
  EXPECT_THAT(RecvUntilEof(s, kWait), SyscallSucceeds());
  return at.port;
}

TEST_P(BindTcp, PortInTimeWaitRebindsOnlyWithReuseaddr) {
  SOCKSPEC_RULE("bind.reuseaddr", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  std::uint16_t port = MakeTimeWait(k);
  ASSERT_FALSE(HasFailure());

  Fd plain = k.Create().value();
  Result<> without = Bind(plain, Loopback(k, port));
  RecordValue(ValueName("bind.reuseaddr", k, "without"),
              without ? "binds" : ErrnoName(without.error()));
  if (!without) { EXPECT_EQ(without.error(), EADDRINUSE) << without; }

  Fd reuse = k.Create().value();
  ASSERT_THAT(SetSockOptInt(reuse, SOL_SOCKET, SO_REUSEADDR, 1), SyscallSucceeds());
  Result<> with = Bind(reuse, Loopback(k, port));
  RecordValue(ValueName("bind.reuseaddr", k, "with"), with ? "binds" : ErrnoName(with.error()));
  if (!with) { EXPECT_EQ(with.error(), EADDRINUSE) << with; }
}

// --- AF_UNIX pathnames -------------------------------------------------------

TEST_P(BindUnix, PathBindCreatesASocketFile) {
  SOCKSPEC_RULE("bind.unix-creates-file", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  std::string path = dir.Path("sock");
  ASSERT_FALSE(Exists(path));
  Fd s = k.Create().value();
  ASSERT_THAT(Bind(s, Address::UnixPath(path)), SyscallSucceeds());
  EXPECT_TRUE(IsSocketFile(path)) << path << " is not a socket file";
  Address got = GetSockName(s).value();
  EXPECT_EQ(got.kind, AddrKind::kUnixPath) << got;
  EXPECT_EQ(got.unix_name, path);
}

TEST_P(BindUnix, ExistingRegularFileFailsWithEaddrinuse) {
  SOCKSPEC_RULE("bind.unix-exists", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  std::string path = dir.Path("file");
  WriteFile(path, "keep me");
  Fd s = k.Create().value();
  EXPECT_THAT(Bind(s, Address::UnixPath(path)), SyscallFailsWithErrno(EADDRINUSE));
  // The file is left as it was.
  struct stat st;
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(ReadFile(path), "keep me");
}

TEST_P(BindUnix, MissingDirectoryFailsWithEnoent) {
  SOCKSPEC_RULE("bind.unix-enoent", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  Fd s = k.Create().value();
  EXPECT_THAT(Bind(s, Address::UnixPath(dir.Path("missing/sock"))),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_FALSE(Exists(dir.Path("missing")));
}

TEST_P(BindUnix, FileUsedAsDirectoryFailsWithEnotdir) {
  SOCKSPEC_RULE("bind.unix-enotdir", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  WriteFile(dir.Path("file"), "");
  Fd s = k.Create().value();
  EXPECT_THAT(Bind(s, Address::UnixPath(dir.Path("file/sock"))), SyscallFailsWithErrno(ENOTDIR));
}

TEST_P(BindUnix, DirectoryWithoutWritePermissionFailsWithEacces) {
  SOCKSPEC_RULE("bind.unix-eacces", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: permission checks do not apply";
  TempDir dir;
  std::string sub = dir.Path("ro");
  ASSERT_THAT(::mkdir(sub.c_str(), 0500), SyscallSucceeds());
  Fd s = k.Create().value();
  EXPECT_THAT(Bind(s, Address::UnixPath(sub + "/sock")), SyscallFailsWithErrno(EACCES));
  ::chmod(sub.c_str(), 0700);  // so the temp dir can be removed
}

// A path of exactly `size` bytes inside `dir` (padding the last component).
std::string PathOfSize(const TempDir& dir, std::size_t size) {
  std::string p = dir.path() + "/";
  if (p.size() < size) p.append(size - p.size(), 'p');
  return p;
}

TEST_P(BindUnix, LongestPathThatFitsBinds) {
  SOCKSPEC_RULE("bind.unix-path-max", Shall);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  RecordValue("bind.unix-path-max.sun_path_size", static_cast<long long>(SunPathSize()));
  TempDir dir;
  std::string path = PathOfSize(dir, SunPathSize() - 1);  // plus its NUL fills sun_path
  ASSERT_EQ(path.size(), SunPathSize() - 1) << "temp dir path too long: " << dir.path();
  Fd s = k.Create().value();
  ASSERT_THAT(Bind(s, Address::UnixPath(path)), SyscallSucceeds());
  EXPECT_TRUE(IsSocketFile(path));
  Address got = GetSockName(s).value();
  EXPECT_EQ(got.unix_name, path);
}

// An address longer than sockaddr_un, its path running 9 bytes past sun_path.
// POSIX bind() lists [EINVAL] for a bad address_len only as "may fail", and
// <sys/un.h> leaves sun_path's size open: Linux and FreeBSD refuse it, macOS
// binds the whole path. Either is recorded; a truncated name is never right.
TEST_P(BindUnix, AddressLongerThanSockaddrUnFailsOrBindsTheWholePath) {
  SOCKSPEC_RULE("bind.unix-path-over", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  std::string long_path = PathOfSize(dir, SunPathSize() + 8);
  // A buffer big enough for the whole path and its NUL, with the length to match.
  std::vector<char> buf(offsetof(sockaddr_un, sun_path) + long_path.size() + 1, '\0');
  sockaddr_un head{};
  head.sun_family = AF_UNIX;
  std::memcpy(buf.data(), &head, offsetof(sockaddr_un, sun_path));
  std::memcpy(buf.data() + offsetof(sockaddr_un, sun_path), long_path.data(), long_path.size());
  Fd over = k.Create().value();
  errno = 0;
  int r = ::bind(over.get(), reinterpret_cast<const sockaddr*>(buf.data()),
                 static_cast<socklen_t>(buf.size()));
  int err = errno;
  RecordValue(ValueName("bind.unix-path-over", k), r == 0 ? "binds" : ErrnoName(err));
  if (r == 0) {
    // Bound: then to the whole path.
    EXPECT_TRUE(IsSocketFile(long_path)) << long_path;
  } else {
    // POSIX: EINVAL (bad address_len); ENAMETOOLONG elsewhere.
    EXPECT_THAT(r, SyscallFailsWithErrnoIn({EINVAL, ENAMETOOLONG}));
    EXPECT_FALSE(Exists(long_path));
  }
  // Nor was a name cut at sun_path's size bound.
  EXPECT_FALSE(Exists(long_path.substr(0, SunPathSize())));
  EXPECT_FALSE(Exists(long_path.substr(0, SunPathSize() - 1)));
}

TEST_P(BindUnix, PathFillingSunPathWithoutNul) {
  SOCKSPEC_RULE("bind.unix-path-full", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  std::string path = PathOfSize(dir, SunPathSize());
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, path.data(), SunPathSize());  // no terminating NUL
  Fd s = k.Create().value();
  errno = 0;
  int r = ::bind(s.get(), reinterpret_cast<const sockaddr*>(&sun), sizeof(sun));
  int err = errno;
  RecordValue(ValueName("bind.unix-path-full", k), r == 0 ? "binds" : ErrnoName(err));
  if (r == 0) {
    // Bound: then to exactly those bytes.
    EXPECT_TRUE(IsSocketFile(path)) << path;
    EXPECT_EQ(GetSockName(s).value().unix_name, path);
  } else {
    EXPECT_THAT(r, SyscallFailsWithErrnoIn({EINVAL, ENAMETOOLONG}));
  }
}

TEST_P(BindUnix, SocketFileOutlivesTheSocketUntilUnlinked) {
  SOCKSPEC_RULE("bind.unix-file-persists", May);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  TempDir dir;
  std::string path = dir.Path("sock");
  {
    Fd a = k.Create().value();
    ASSERT_THAT(Bind(a, Address::UnixPath(path)), SyscallSucceeds());
  }
  bool persists = Exists(path);
  RecordValue(ValueName("bind.unix-file-persists", k), persists ? "persists" : "removed");
  Fd b = k.Create().value();
  if (persists) {
    EXPECT_TRUE(IsSocketFile(path));
    EXPECT_THAT(Bind(b, Address::UnixPath(path)), SyscallFailsWithErrno(EADDRINUSE));
    ASSERT_THAT(::unlink(path.c_str()), SyscallSucceeds());
  }
  EXPECT_THAT(Bind(b, Address::UnixPath(path)), SyscallSucceeds());
}

// --- AF_UNIX abstract names and autobind (Linux) ------------------------------

TEST_P(BindUnix, AbstractNamesLiveOutsideTheFilesystemAndKeepEmbeddedNuls) {
  SOCKSPEC_RULE("bind.unix-abstract", Platform);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  SOCKSPEC_REQUIRE_FEATURE(kUnixAbstract);
  TempDir dir;
  // Named like a path in our directory, to show that no file appears there.
  std::string shadow = dir.Path(UniqueAbstractName("fs"));
  Address name = Address::UnixAbstract(shadow);
  {
    Fd a = k.Create().value();
    ASSERT_THAT(Bind(a, name), SyscallSucceeds());
    EXPECT_EQ(GetSockName(a).value(), name);
    EXPECT_FALSE(Exists(shadow));
    Fd b = k.Create().value();
    EXPECT_THAT(Bind(b, name), SyscallFailsWithErrno(EADDRINUSE));
  }
  // Closing the only socket frees the name: no unlink needed.
  Fd c = k.Create().value();
  EXPECT_THAT(Bind(c, name), SyscallSucceeds());

  // Every byte of the name counts, NULs included: "...ab" and "...ab\0cd" differ.
  std::string base = UniqueAbstractName("nul");
  Address short_name = Address::UnixAbstract(base + "ab");
  Address long_name = Address::UnixAbstract(base + "ab" + std::string(1, '\0') + "cd");
  Fd d = k.Create().value();
  Fd e = k.Create().value();
  ASSERT_THAT(Bind(d, short_name), SyscallSucceeds());
  EXPECT_THAT(Bind(e, long_name), SyscallSucceeds());
  EXPECT_EQ(GetSockName(d).value(), short_name);
  EXPECT_EQ(GetSockName(e).value(), long_name);
  Fd f = k.Create().value();
  EXPECT_THAT(Bind(f, long_name), SyscallFailsWithErrno(EADDRINUSE));
}


TEST_P(BindUnix, FamilyOnlyAddressAutobindsAnAbstractName) {
  SOCKSPEC_RULE("bind.unix-autobind", Platform);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  SOCKSPEC_REQUIRE_FEATURE(kUnixAutobind);
  Fd a = k.Create().value();
  Fd b = k.Create().value();
  ASSERT_THAT(Bind(a, Address::UnixUnnamed()), SyscallSucceeds());
  ASSERT_THAT(Bind(b, Address::UnixUnnamed()), SyscallSucceeds());
  Address na = GetSockName(a).value();
  Address nb = GetSockName(b).value();
  EXPECT_EQ(na.kind, AddrKind::kUnixAbstract) << na;
  EXPECT_FALSE(na.unix_name.empty()) << na;
  EXPECT_NE(na, nb);
  RecordValue("bind.unix-autobind.name_length", static_cast<long long>(na.unix_name.size()));
  // The socket is bound now: a path bind fails as on any bound socket.
  TempDir dir;
  EXPECT_THAT(Bind(a, Address::UnixPath(dir.Path("sock"))), SyscallFailsWithErrno(EINVAL));
  // A second autobind request (Linux: a silent success) keeps the name.
  Result<> again = Bind(a, Address::UnixUnnamed());
  RecordValue("bind.unix-autobind.again", again ? "ok" : ErrnoName(again.error()));
  EXPECT_EQ(GetSockName(a).value(), na);
}

// --- IPv6 dual stack (ipv6(7), RFC 3493) ---------------------------------------

Address Any4(std::uint16_t port, SockType t) { return Address::Inet4({0, 0, 0, 0}, port, t); }
Address Any6(std::uint16_t port, SockType t) { return Address::Inet6({}, port, t); }
Address Mapped4Loopback(std::uint16_t port, SockType t) {
  std::array<std::uint8_t, 16> ip{};
  ip[10] = ip[11] = 0xff;
  ip[12] = 127;
  ip[15] = 1;
  return Address::Inet6(ip, port, t);
}

// The same type as `k`, in AF_INET.
Fd Inet4Twin(const SocketKind& k) { return Socket(AF_INET, k.type).value(); }

TEST_P(BindInet6, V6OnlyDecidesWhetherTheWildcardHoldsTheInet4Port) {
  SOCKSPEC_RULE("bind.inet6-v6only", Platform);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  SOCKSPEC_REQUIRE_FEATURE(kIpv6V6Only);
  SOCKSPEC_REQUIRE_FEATURE(kIpv4MappedIpv6);  // clearing IPV6_V6ONLY may be refused
  {
    // IPV6_V6ONLY=0: [::]:p covers 0.0.0.0:p as well.
    Fd six = k.Create().value();
    RecordValue("bind.inet6-v6only.default",
                static_cast<long long>(GetSockOptInt(six, IPPROTO_IPV6, IPV6_V6ONLY).value()));
    ASSERT_THAT(SetSockOptInt(six, IPPROTO_IPV6, IPV6_V6ONLY, 0), SyscallSucceeds());
    ASSERT_THAT(Bind(six, Any6(0, k.sock_type())), SyscallSucceeds());
    std::uint16_t port = GetSockName(six).value().port;
    Fd four = Inet4Twin(k);
    EXPECT_THAT(Bind(four, Any4(port, k.sock_type())), SyscallFailsWithErrno(EADDRINUSE));
  }
  // IPV6_V6ONLY=1: the IPv6 wildcard leaves 0.0.0.0:p alone, so both bind. The
  // port comes from the IPv4 side: one the system gave an IPv6-only socket may be
  // held on IPv4 by another process (Linux hands out ports whose only users are
  // IPv4 TIME_WAIT connections, which 0.0.0.0:p then meets). Another process may
  // also hold p on IPv6; a few fresh ports make that coincidence negligible.
  Result<> six_bind = Result<>::Err(EADDRINUSE);
  for (int attempt = 0; attempt < 8 && !six_bind && six_bind.error() == EADDRINUSE;
       ++attempt) {
    Fd four = Inet4Twin(k);
    ASSERT_THAT(Bind(four, Any4(0, k.sock_type())), SyscallSucceeds());
    std::uint16_t port = GetSockName(four).value().port;
    Fd six = k.Create().value();
    ASSERT_THAT(SetSockOptInt(six, IPPROTO_IPV6, IPV6_V6ONLY, 1), SyscallSucceeds());
    six_bind = Bind(six, Any6(port, k.sock_type()));
  }
  EXPECT_THAT(six_bind, SyscallSucceeds());
}

TEST_P(BindInet6, MappedInet4LoopbackBindsUnlessV6Only) {
  SOCKSPEC_RULE("bind.inet6-mapped", Platform);
  const SocketKind& k = GetParam();
  SOCKSPEC_REQUIRE_KIND(k);
  SOCKSPEC_REQUIRE_FEATURE(kIpv6V6Only);
  SOCKSPEC_REQUIRE_FEATURE(kIpv4MappedIpv6);  // clearing IPV6_V6ONLY may be refused
  {
    // IPV6_V6ONLY=0: binds, and holds 127.0.0.1:p against AF_INET sockets.
    Fd six = k.Create().value();
    ASSERT_THAT(SetSockOptInt(six, IPPROTO_IPV6, IPV6_V6ONLY, 0), SyscallSucceeds());
    ASSERT_THAT(Bind(six, Mapped4Loopback(0, k.sock_type())), SyscallSucceeds());
    Address got = GetSockName(six).value();
    EXPECT_EQ(got.ip, Mapped4Loopback(0, k.sock_type()).ip) << got;
    ASSERT_NE(got.port, 0);
    Fd four = Inet4Twin(k);
    EXPECT_THAT(Bind(four, Address::Loopback4(got.port, k.sock_type())),
                SyscallFailsWithErrno(EADDRINUSE));
  }
  // IPV6_V6ONLY=1: a v4-mapped address is refused.
  Fd only6 = k.Create().value();
  ASSERT_THAT(SetSockOptInt(only6, IPPROTO_IPV6, IPV6_V6ONLY, 1), SyscallSucceeds());
  Result<> r = Bind(only6, Mapped4Loopback(0, k.sock_type()));
  EXPECT_THAT(r, SyscallFailsWithErrnoIn({EINVAL, EADDRNOTAVAIL}));
  if (!r) RecordValue("errno.bind.inet6-mapped.v6only", ErrnoName(r.error()));
}

INSTANTIATE_TEST_SUITE_P(Kinds, BindAnyKind, ::testing::ValuesIn(AllKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, BindInet, ::testing::ValuesIn(InetKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, BindInet6, ::testing::ValuesIn(Inet6Kinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, BindTcp, ::testing::ValuesIn(TcpKinds()), KindName);
INSTANTIATE_TEST_SUITE_P(Kinds, BindUnix, ::testing::ValuesIn(UnixKinds()), KindName);

}  // namespace
}  // namespace sockspec
