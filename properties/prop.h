// SOCKSPEC_PROP: RC_GTEST_PROP with a per-property default iteration count.
//
//   SOCKSPEC_PROP(StreamProperty, BytesArriveInOrder, 25, (const std::string& data)) { ... }
//
// RapidCheck's own default is 100 cases for every property, which is too much
// for properties that fork or move megabytes and too little for pure ones. A
// property here states its default count; SOCKSPEC_PROPERTY_SCALE (a positive
// number, default 1) multiplies every count for long runs. An explicit
// max_success in RC_PARAMS wins over both, and every other RC_PARAMS key
// (seed, max_size, noshrink, verbose_progress, reproduce) works as usual: the
// test id is "Suite/Name", as with RC_GTEST_PROP, so the reproduce= string a
// failure prints replays it. See properties/README.md.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>

#include "harness/rules.h"

namespace sockspec::prop {

// SOCKSPEC_PROPERTY_SCALE, default 1 (invalid or non-positive values count as 1).
double Scale();

// The parameters for a property whose default count is `base_success`: RapidCheck's
// configuration (RC_PARAMS) with max_success = base_success * Scale() unless RC_PARAMS
// sets max_success itself.
rc::detail::TestParams ParamsFor(int base_success);

// Declares a rule for the running test once, however many cases the property runs
// (SOCKSPEC_RULE appends on every call).
void DeclareRuleOnce(const char* id, Level level);

// Runs `fn` once after the running property's last case (shrinking included),
// e.g. to record a summary with RecordValue. A later call replaces an earlier one.
void AtEnd(std::function<void()> fn);
std::function<void()> TakeAtEnd();

template <typename Testable>
void CheckWithCount(Testable&& testable, int base_success) {
  (void)TakeAtEnd();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  const auto result = rc::detail::checkProperty(
      rc::detail::toProperty(std::forward<Testable>(testable)), metadata,
      ParamsFor(base_success));
  if (auto at_end = TakeAtEnd()) at_end();
  std::ostringstream message;
  rc::detail::printResultMessage(result, message);
  if (result.template is<rc::detail::SuccessResult>()) {
    // The number of cases and the distribution (RC_TAG / RC_CLASSIFY), for the log.
    std::cout << message.str() << std::endl;
  } else {
    FAIL() << message.str();
  }
}

}  // namespace sockspec::prop

#define SOCKSPEC_PROP_RULE(id, level) \
  ::sockspec::prop::DeclareRuleOnce((id), ::sockspec::Level::level)

#define SOCKSPEC_PROP(Suite, Name, BaseSuccess, ArgList)                   \
  void SockspecProp_##Suite##_##Name ArgList;                              \
  TEST(Suite, Name) {                                                      \
    ::sockspec::prop::CheckWithCount(&SockspecProp_##Suite##_##Name,       \
                                     (BaseSuccess));                       \
  }                                                                        \
  void SockspecProp_##Suite##_##Name ArgList
