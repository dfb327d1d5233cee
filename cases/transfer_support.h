// What the data-transfer areas (cases/stream.cc, cases/dgram.cc) send: byte
// patterns that make reordering, loss and duplication visible, and how long
// they wait for them. The connections they send over come from support.h
// (ConnectedPair, ServeOne, ConnectToServer).
#pragma once

#include <poll.h>
#include <signal.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "harness/kinds.h"
#include "harness/matchers.h"
#include "harness/sys.h"

namespace sockspec::transfer {

// The bound of a wait for data already sent: long enough for a loaded
// machine, short enough that a lost datagram cannot stall a case for long.
inline constexpr std::chrono::milliseconds kDataWait{2000};

// `n` bytes from a non-periodic generator seeded by `seed`, so that a chunk
// delivered twice, dropped or out of place cannot look right by accident.
inline std::string Pattern(std::size_t n, std::uint32_t seed) {
  std::string out(n, '\0');
  std::uint32_t x = seed * 2654435761u + 0x9e3779b9u;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

inline MutableBytes AsMutable(std::string& s) {
  return std::as_writable_bytes(std::span(s.data(), s.size()));
}

// For a forked body that must see EPIPE rather than die of SIGPIPE.
inline void IgnoreSigpipe() { ::signal(SIGPIPE, SIG_IGN); }

// UDP may drop a datagram even on loopback (dgram.udp-unreliable): a case that
// needs one to arrive sends it again, and skips when every attempt is lost.
inline constexpr char kDatagramLost[] = "datagram lost (UDP may drop)";
inline bool MayDrop(const SocketKind& k) { return k.is_inet() && k.is_dgram(); }

enum class Delivery { kReadable, kLost, kFailed };

// Calls `send_once` (which checks its own result and returns false when the
// send failed) until `to` is readable: once for kinds that deliver reliably,
// up to 8 times for UDP. kLost only when UDP lost every attempt; a failed
// send, or a reliable kind left unreadable, is a failure (kFailed).
template <typename SendOnce>
Delivery SendUntilReadable(const SocketKind& k, const Fd& to, SendOnce send_once) {
  const bool may_drop = MayDrop(k);
  for (int attempt = 0; attempt < (may_drop ? 8 : 1); ++attempt) {
    if (!send_once()) return Delivery::kFailed;
    Result<short> ready = Poll(to, POLLIN, may_drop ? std::chrono::milliseconds(500) : kDataWait);
    EXPECT_THAT(ready, SyscallSucceeds());
    if (!ready.ok()) return Delivery::kFailed;
    if (*ready & POLLIN) return Delivery::kReadable;
  }
  if (may_drop) return Delivery::kLost;
  ADD_FAILURE() << "sent, but the receiver never became readable";
  return Delivery::kFailed;
}

// The same for one Send of `token` on `from`.
inline Delivery SendUntilReadable(const SocketKind& k, const Fd& from, const Fd& to,
                                  std::string_view token) {
  SCOPED_TRACE(::testing::Message() << "sending \"" << token << "\"");
  return SendUntilReadable(k, to, [&] {
    Result<std::size_t> sent = Send(from, AsBytes(token));
    EXPECT_THAT(sent, SyscallSucceedsWithValue(token.size()));
    return sent.ok();
  });
}

}  // namespace sockspec::transfer
