// Known deviations of the platform under test (expectations/<platform>), as
// the running test sees them.
//
// A case whose rule is listed for this platform still runs in full; its
// failures are held back instead of failing the test, and at the end of the
// test it is marked as an expected failure (test property `expected_fail`
// with the entry's reason and evidence, and the held-back messages in
// `expected_fail_detail`). A listed case that passes is marked
// `unexpected_pass`, so an expectation file cannot rot unnoticed. Crashes
// and timeouts of a whole program are classified by ci/report from the same
// files.
//
// The platform is $SOCKSPEC_PLATFORM, else the lower-cased uname sysname
// ("linux"); the files are read from $SOCKSPEC_EXPECTATIONS_DIR, else the
// source tree's expectations/ directory. SOCKSPEC_PLATFORM=none disables them.
#pragma once

#include <string>
#include <string_view>

namespace sockspec {

struct Expectation {
  std::string rule;
  std::string case_glob;  // "*" = every case of the rule
  std::string reason;
  std::string evidence;
  std::string where;  // "expectations/linux:12"
};

// The entry for `rule` that matches the running test, or nullptr.
const Expectation* FindExpectation(std::string_view rule, std::string_view test_name);

// Called by DeclareRule: hold back this test's failures as expected.
void ExpectFailureOfCurrentTest(const Expectation& e);

// The platform name used to pick the expectation file.
std::string PlatformName();

}  // namespace sockspec
