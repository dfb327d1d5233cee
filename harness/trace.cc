#include "harness/trace.h"

#include <algorithm>
#include <cstring>

#include "harness/errno_name.h"

namespace sockspec {
namespace {
TraceRing g_private_ring{};
TraceRing* g_ring = &g_private_ring;
}  // namespace

TraceRing& CurrentTrace() { return *g_ring; }
void SetTraceStorage(TraceRing* ring) { g_ring = ring ? ring : &g_private_ring; }
void ClearTrace() { std::memset(static_cast<void*>(g_ring), 0, sizeof(*g_ring)); }

namespace {
TraceEntry& NextEntry() {
  TraceRing& r = *g_ring;
  return r.entries[r.count % TraceRing::kEntries];
}
void Started(TraceEntry& e) {
  e.result = 0;
  e.err = 0;
  e.finished = 0;
  ++g_ring->count;
}
}  // namespace

void TraceBegin(const CallRecord& call) {
  TraceEntry& e = NextEntry();
  e.call = call;
  e.text[0] = '\0';
  Started(e);
}

void TraceBegin(std::string_view text) {
  TraceEntry& e = NextEntry();
  e.call.fn = CallFn::kNone;
  std::size_t n = std::min(text.size(), TraceEntry::kTextSize - 1);
  std::memcpy(e.text, text.data(), n);
  e.text[n] = '\0';
  Started(e);
}

void TraceEnd(std::int64_t result, int err) {
  TraceRing& r = *g_ring;
  if (r.count == 0) return;
  TraceEntry& e = r.entries[(r.count - 1) % TraceRing::kEntries];
  e.result = result;
  e.err = err;
  e.finished = 1;
}

std::vector<std::string> TraceRing::Lines() const {
  std::vector<std::string> out;
  std::uint64_t first = count > kEntries ? count - kEntries : 0;
  for (std::uint64_t i = first; i < count; ++i) {
    const TraceEntry& e = entries[i % kEntries];
    std::string line = e.call.fn == CallFn::kNone
                           ? std::string(e.text, strnlen(e.text, TraceEntry::kTextSize))
                           : RenderCall(e.call).substr(0, TraceEntry::kTextSize - 1);
    if (!e.finished) {
      line += " ... (in progress)";
    } else if (e.result < 0) {
      line += " = -1 " + ErrnoName(e.err);
    } else {
      line += " = " + std::to_string(e.result);
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::string FormatTrace(const TraceRing& ring) {
  std::string out;
  for (const std::string& line : ring.Lines()) out += "    " + line + "\n";
  return out.empty() ? "    (no wrapper calls)\n" : out;
}

}  // namespace sockspec
