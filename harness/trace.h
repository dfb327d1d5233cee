// A per-process ring buffer of the last wrapper calls (call text, result,
// errno), so a failing or hung scenario can say what each process did last.
//
// Entries are fixed-size plain data so the ring can live in memory shared
// with the scenario runner: after killing a hung child, the parent still reads
// which call it was blocked in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/call_text.h"

namespace sockspec {

struct TraceEntry {
  static constexpr std::size_t kTextSize = 120;
  // The wrapper's calls are records (rendered when the trace is read, cut to
  // kTextSize - 1 bytes like the text); other steps (scenario.cc's
  // PublishText...) are text: "accept(3, NULL, NULL)", NUL-terminated, truncated if long.
  CallRecord call;        // call.fn == CallFn::kNone: the entry is `text`
  char text[kTextSize];
  std::int64_t result;    // return value; -1 on failure
  std::int32_t err;       // errno on failure, else 0
  std::uint8_t finished;  // 0 while the call is in progress
};

struct TraceRing {
  static constexpr std::size_t kEntries = 32;
  std::uint64_t count;  // calls begun so far; entry i lives at [i % kEntries]
  TraceEntry entries[kEntries];

  // Oldest first; an unfinished last call reads "accept(3, NULL, NULL) ... (in progress)".
  std::vector<std::string> Lines() const;
};

// The ring this process writes to. By default a private static one; the
// scenario runner points each child at a slot of a shared mapping.
TraceRing& CurrentTrace();
void SetTraceStorage(TraceRing* ring);  // nullptr restores the private ring
void ClearTrace();

// Used by the wrapper: TraceBegin records the call before the call (so a
// blocked call is visible), TraceEnd its outcome.
void TraceBegin(const CallRecord& call);
void TraceBegin(std::string_view text);
void TraceEnd(std::int64_t result, int err);

// The last lines of the current trace, one per line, for failure messages.
std::string FormatTrace(const TraceRing& ring);

}  // namespace sockspec
