// What the data-transfer areas (cases/stream.cc, cases/dgram.cc) send: byte
// patterns that make reordering, loss and duplication visible, and how long
// they wait for them. The connections they send over come from support.h
// (ConnectedPair, ServeOne, ConnectToServer).
#pragma once

#include <signal.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

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

}  // namespace sockspec::transfer
