#include "harness/rules.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

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

TEST(Rules, LevelNames) {
  EXPECT_STREQ(LevelName(Level::Shall), "shall");
  EXPECT_STREQ(LevelName(Level::May), "may");
  EXPECT_STREQ(LevelName(Level::Platform), "platform");
}

}  // namespace
}  // namespace sockspec
