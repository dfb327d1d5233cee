#include "harness/rules.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>

namespace sockspec {
namespace {

TEST(Rules, CatalogueKnowsItsRules) {
  const RuleInfo* r = FindRule("bind.in-use");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->level, Level::Shall);
  EXPECT_FALSE(r->source.empty());
  EXPECT_EQ(FindRule("no.such-rule"), nullptr);
}

TEST(Rules, DeclaringAKnownRuleRecordsIt) { SOCKSPEC_RULE("bind.in-use", Shall); }

TEST(Rules, UnknownRuleFailsTheCase) {
  EXPECT_NONFATAL_FAILURE(SOCKSPEC_RULE("no.such-rule", Shall), "not in the catalogue");
}

TEST(Rules, WrongLevelFailsTheCase) {
  EXPECT_NONFATAL_FAILURE(SOCKSPEC_RULE("bind.in-use", May), "the catalogue says shall");
}

// The property names are ci/report's contract: "value:" is compared across
// runs, "volatile-value:" is not.
std::string RecordedProperty(const std::string& key) {
  const ::testing::TestResult* r =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < r->test_property_count(); ++i) {
    if (r->GetTestProperty(i).key() == key) return r->GetTestProperty(i).value();
  }
  return "(not recorded)";
}

TEST(Rules, ValuesAndVolatileValuesAreRecordedApart) {
  RecordValue("sockspec.test.fixed", 7);
  RecordVolatileValue("sockspec.test.port", 40000);
  EXPECT_EQ(RecordedProperty("value:sockspec.test.fixed"), "7");
  EXPECT_EQ(RecordedProperty("volatile-value:sockspec.test.port"), "40000");
  EXPECT_EQ(RecordedProperty("value:sockspec.test.port"), "(not recorded)");
}

TEST(Rules, SelfCheckIsRecordedApartFromRules) {
  SOCKSPEC_SELF_CHECK("the harness itself");
  EXPECT_EQ(RecordedProperty("self_check"), "the harness itself");
  EXPECT_EQ(RecordedProperty("rule"), "(not recorded)");
}

TEST(Rules, LevelNames) {
  EXPECT_STREQ(LevelName(Level::Shall), "shall");
  EXPECT_STREQ(LevelName(Level::May), "may");
  EXPECT_STREQ(LevelName(Level::Platform), "platform");
}

}  // namespace
}  // namespace sockspec
