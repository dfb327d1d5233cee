// Rule metadata: every case names the documented rule it checks and its
// level, so the conformance matrix is generated from a run, never written.
//
//   TEST_P(BindTest, SecondBindFailsInUse) {
//     SOCKSPEC_RULE("bind.in-use", Shall);
//     ...
//   }
//
// Rule ids, their source (POSIX.1-2024 section or man page), level and
// feature tags live in the catalogue cases/rules/*.tsv. SOCKSPEC_RULE fails the
// case if the id is not in the catalogue or its level differs, and records
// `rule`, `level`, `source` (and `features`) as test properties, which
// appear in gtest's XML/JSON output for the report generator.
#pragma once

#include <string>
#include <string_view>

namespace sockspec {

enum class Level { Shall, May, Platform };

const char* LevelName(Level l);  // "shall", "may", "platform"

struct RuleInfo {
  std::string id;
  Level level;
  std::string source;    // "POSIX.1-2024 bind()", "unix(7)"
  std::string features;  // space-separated tags, may be empty
  std::string summary;
};

// The catalogue entry for `id`, or nullptr.
const RuleInfo* FindRule(std::string_view id);

// Declares that the running test checks rule `id` at `level` (see above).
// A test may declare more than one rule.
void DeclareRule(std::string_view id, Level level);

// Declares that the running test checks sockspec itself (its address model,
// its parser), not the system, so no rule of the catalogue applies; `what`
// names what it checks. Recorded as property "self_check": ci/report lists such
// cases apart from the matrix, as harness self-checks, and a failing one fails
// the run (the matrix rests on the harness). Calling it again replaces `what`.
void DeclareSelfCheck(std::string_view what);

// Records an implementation-defined value or a legal choice the system made,
// as property "value:<name>" (e.g. "backlog.unix.capacity[5]" -> "6"). The report
// collects these into its implementation_defined table.
void RecordValue(std::string_view name, std::string_view value);
void RecordValue(std::string_view name, long long value);

// Records a value that differs from run to run on the same system, as property
// "volatile-value:<name>": a port the kernel picked, a count or a result over
// randomly generated inputs. The report lists it with the others, marked as
// varying by run, and ci/report-diff does not compare it (its value, nor whether
// it was recorded at all), so two runs on one system diff clean.
void RecordVolatileValue(std::string_view name, std::string_view value);
void RecordVolatileValue(std::string_view name, long long value);

}  // namespace sockspec

#define SOCKSPEC_RULE(id, level) ::sockspec::DeclareRule((id), ::sockspec::Level::level)
#define SOCKSPEC_SELF_CHECK(what) ::sockspec::DeclareSelfCheck(what)
