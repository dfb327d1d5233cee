// What a wrapper call was, kept as plain data and turned into text only when
// someone asks (a failure message, a trace dump): "bind(3, unix:/tmp/x)".
//
// Building the text of every call as it ran (a std::string per call, the
// address formatted each time) cost more than many of the calls themselves,
// in the fuzzer that runs thousands of calls a second. A CallRecord holds the
// function, its integer arguments and the sockaddr passed, as plain bytes, so
// it can live in the trace ring that scenario children share with their
// parent; RenderCall gives exactly the text the wrapper always wrote.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "harness/address.h"

namespace sockspec {

enum class CallFn : std::uint8_t {
  kNone,  // no call recorded
  kSocket,             // arg: domain, type, protocol
  kSocketPair,         // arg: domain, type, protocol
  kBind,               // arg: fd; addr
  kListen,             // arg: fd, backlog
  kConnect,            // arg: fd; addr
  kAccept,             // arg: fd
  kAcceptWithAddress,  // arg: fd
  kAccept4,            // arg: fd, flags
  kGetSockName,        // arg: fd
  kGetPeerName,        // arg: fd
  kSend,               // arg: fd, size, flags
  kSendTo,             // arg: fd, size, flags; addr
  kRecv,               // arg: fd, size, flags
  kRecvFrom,           // arg: fd, size, flags
  kWrite,              // arg: fd, size
  kRead,               // arg: fd, size
  kShutdown,           // arg: fd, how
  kClose,              // arg: fd
  kGetSockOpt,         // arg: fd, level, name
  kSetSockOpt,         // arg: fd, level, name, value
  kGetFl,              // arg: fd
  kGetFd,              // arg: fd
  kSetNonBlocking,     // arg: fd, on
  kPoll,               // arg: fd, timeout in ms
  kSendAll,            // arg: fd
  kRecvLoop,           // arg: fd
};

struct CallRecord {
  CallFn fn = CallFn::kNone;
  SockType addr_type = SockType::kUnspecified;  // the address argument's type (its scheme)
  socklen_t addr_len = 0;  // 0: no address argument
  std::int64_t arg[4] = {};
  // The address argument as passed to the system (bind, connect, sendto): its first
  // addr_len bytes. The rest is never read, so it is left uninitialized, and Copy moves
  // only what is used (records are made and copied on every wrapper call).
  alignas(sockaddr_storage) unsigned char addr[sizeof(sockaddr_storage)];

  CallRecord() = default;
  CallRecord(const CallRecord& other) { Copy(*this, other); }
  CallRecord& operator=(const CallRecord& other) {
    Copy(*this, other);
    return *this;
  }
  // dst = src, the used address bytes only.
  static void Copy(CallRecord& dst, const CallRecord& src) {
    if (&dst == &src) return;
    std::memcpy(static_cast<void*>(&dst), &src, offsetof(CallRecord, addr) + src.addr_len);
  }
  void SetAddress(const SockAddr& a, SockType type) {
    addr_type = type;
    addr_len = std::min<socklen_t>(a.len, sizeof(addr));
    std::memcpy(addr, &a.storage, addr_len);
  }

  // A record of `fn` with its integer arguments.
  template <typename... A>
  static CallRecord Of(CallFn fn, A... args) {
    static_assert(sizeof...(A) <= 4, "a call record holds four integer arguments");
    CallRecord r;
    r.fn = fn;
    std::int64_t values[] = {static_cast<std::int64_t>(args)..., 0};
    for (std::size_t i = 0; i < sizeof...(A); ++i) r.arg[i] = values[i];
    return r;
  }
};
// It lives in the trace ring that scenario children share with their parent:
// plain bytes, no pointers.
static_assert(std::is_trivially_destructible_v<CallRecord> && std::is_standard_layout_v<CallRecord>,
              "the trace ring is shared memory");

// The call's text, as the wrapper always showed it.
std::string RenderCall(const CallRecord& r);
// The same with FormatAddress(addr) for the address argument instead of r.addr.
std::string RenderCall(const CallRecord& r, const Address& addr);

// Whether the sockaddr of `a` (with a.type) shows as FormatAddress(a) shows `a`:
// true for every address the wrapper normally sees; false for ones that do not
// survive the sockaddr (an empty or over-long path, a path with a NUL, a zone
// given by name), whose text must be kept as text.
bool SockaddrShowsAddress(const Address& a);

// The call text a Result carries: a record, rendered on demand, and optional
// text after it (" [undecodable address: ...]"); or free text alone, for
// results that are not one wrapper call ("recvmsg", "connect completion
// (poll)"). Copying one costs a heap allocation only when it holds such text,
// which the wrapper's calls never do when they succeed.
class CallText {
 public:
  CallText() = default;
  explicit CallText(const CallRecord& r) : rec_(r) {}
  explicit CallText(std::string text) {
    if (!text.empty()) note_ = std::make_unique<std::string>(std::move(text));
  }
  CallText(const CallText& other) : rec_(other.rec_) {
    if (other.note_) note_ = std::make_unique<std::string>(*other.note_);
  }
  CallText(CallText&&) noexcept = default;
  CallText& operator=(const CallText& other) {
    if (this != &other) {
      rec_ = other.rec_;
      note_ = other.note_ ? std::make_unique<std::string>(*other.note_) : nullptr;
    }
    return *this;
  }
  CallText& operator=(CallText&&) noexcept = default;

  // The same call with `suffix` after its text.
  CallText WithNote(std::string_view suffix) const {
    CallText t = *this;
    if (!t.note_) t.note_ = std::make_unique<std::string>();
    t.note_->append(suffix);
    return t;
  }
  bool empty() const { return rec_.fn == CallFn::kNone && !note_; }
  std::string str() const {
    std::string out = rec_.fn == CallFn::kNone ? std::string() : RenderCall(rec_);
    if (note_) out += *note_;
    return out;
  }
  const CallRecord& record() const { return rec_; }

 private:
  CallRecord rec_;
  std::unique_ptr<std::string> note_;  // null: no text besides the record
};

}  // namespace sockspec
