#include "harness/call_text.h"

#include <sstream>

#include "harness/features.h"
#include "harness/sys.h"

namespace sockspec {
namespace {

std::string FlagsText(std::int64_t value) {
  int flags = static_cast<int>(value);
  if (flags == 0) return "0";
  std::string out;
  auto add = [&](int bit, const char* name) {
    if (bit != 0 && (flags & bit) == bit) {
      out += (out.empty() ? "" : "|");
      out += name;
      flags &= ~bit;
    }
  };
  add(MSG_PEEK, "MSG_PEEK");
  add(MSG_WAITALL, "MSG_WAITALL");
  add(MSG_OOB, "MSG_OOB");
  add(MSG_TRUNC, "MSG_TRUNC");
  add(MSG_DONTWAIT, "MSG_DONTWAIT");
  add(kMsgNoSignalFlag, "MSG_NOSIGNAL");
  add(kSockNonblockFlag, "SOCK_NONBLOCK");
  add(kSockCloexecFlag, "SOCK_CLOEXEC");
  if (flags != 0) {
    std::ostringstream os;
    os << (out.empty() ? "" : "|") << "0x" << std::hex << flags;
    out += os.str();
  }
  return out;
}

std::string AddressText(const CallRecord& r) {
  Parsed<Address> a = FromSockaddr(r.addr, r.addr_len, r.addr_type);
  return a ? FormatAddress(*a.value) : "<undecodable address>";
}

std::string Render(const CallRecord& r, const Address* addr);

}  // namespace

std::string RenderCall(const CallRecord& r) { return Render(r, nullptr); }
std::string RenderCall(const CallRecord& r, const Address& addr) { return Render(r, &addr); }

bool SockaddrShowsAddress(const Address& a) {
  switch (a.kind) {
    case AddrKind::kUnixPath:
      return !a.unix_name.empty() && a.unix_name.size() <= SunPathSize() &&
             a.unix_name.find('\0') == std::string::npos;
    case AddrKind::kUnixAbstract:
      return a.unix_name.size() < SunPathSize();
    case AddrKind::kInet6:
      return a.scope_name.empty();
    case AddrKind::kUnixUnnamed:
    case AddrKind::kInet4:
      return true;
  }
  return false;
}

namespace {

std::string Render(const CallRecord& r, const Address* addr) {
  const std::string fd = std::to_string(r.arg[0]);
  auto address = [&] { return addr != nullptr ? FormatAddress(*addr) : AddressText(r); };
  auto n = [&](int i) { return std::to_string(r.arg[i]); };
  switch (r.fn) {
    case CallFn::kNone: return {};
    case CallFn::kSocket:
    case CallFn::kSocketPair:
      return std::string(r.fn == CallFn::kSocket ? "socket(" : "socketpair(") +
             DomainName(static_cast<int>(r.arg[0])) + ", " +
             TypeName(static_cast<int>(r.arg[1])) + ", " + n(2) + ")";
    case CallFn::kBind: return "bind(" + fd + ", " + address() + ")";
    case CallFn::kListen: return "listen(" + fd + ", " + n(1) + ")";
    case CallFn::kConnect: return "connect(" + fd + ", " + address() + ")";
    case CallFn::kAccept: return "accept(" + fd + ", NULL, NULL)";
    case CallFn::kAcceptWithAddress: return "accept(" + fd + ", &addr, &len)";
    case CallFn::kAccept4: return "accept4(" + fd + ", NULL, NULL, " + FlagsText(r.arg[1]) + ")";
    case CallFn::kGetSockName: return "getsockname(" + fd + ")";
    case CallFn::kGetPeerName: return "getpeername(" + fd + ")";
    case CallFn::kSend:
      return "send(" + fd + ", <" + n(1) + " bytes>, " + FlagsText(r.arg[2]) + ")";
    case CallFn::kSendTo:
      return "sendto(" + fd + ", <" + n(1) + " bytes>, " + FlagsText(r.arg[2]) + ", " +
             address() + ")";
    case CallFn::kRecv:
      return "recv(" + fd + ", <" + n(1) + " byte buffer>, " + FlagsText(r.arg[2]) + ")";
    case CallFn::kRecvFrom:
      return "recvfrom(" + fd + ", <" + n(1) + " byte buffer>, " + FlagsText(r.arg[2]) +
             ", &addr, &len)";
    case CallFn::kWrite: return "write(" + fd + ", <" + n(1) + " bytes>)";
    case CallFn::kRead: return "read(" + fd + ", <" + n(1) + " byte buffer>)";
    case CallFn::kShutdown:
      return "shutdown(" + fd + ", " + ShutdownHowName(static_cast<int>(r.arg[1])) + ")";
    case CallFn::kClose: return "close(" + fd + ")";
    case CallFn::kGetSockOpt: return "getsockopt(" + fd + ", " + n(1) + ", " + n(2) + ")";
    case CallFn::kSetSockOpt:
      return "setsockopt(" + fd + ", " + n(1) + ", " + n(2) + ", " + n(3) + ")";
    case CallFn::kGetFl: return "fcntl(" + fd + ", F_GETFL)";
    case CallFn::kGetFd: return "fcntl(" + fd + ", F_GETFD)";
    case CallFn::kSetNonBlocking:
      return "fcntl(" + fd + ", F_SETFL, " + (r.arg[1] ? "|O_NONBLOCK" : "&~O_NONBLOCK") + ")";
    case CallFn::kPoll: return "poll([" + fd + "], " + n(1) + " ms)";
    case CallFn::kSendAll: return "SendAll(" + fd + ")";
    case CallFn::kRecvLoop: return "recv loop(" + fd + ")";
  }
  return "call";
}

}  // namespace
}  // namespace sockspec
