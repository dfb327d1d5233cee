#include "harness/rules.h"

#include "harness/expectations.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>

namespace sockspec {
namespace internal {
extern const char kCatalogueTsv[];
}  // namespace internal

namespace {

std::optional<Level> ParseLevel(std::string_view s) {
  if (s == "shall") return Level::Shall;
  if (s == "may") return Level::May;
  if (s == "platform") return Level::Platform;
  return std::nullopt;
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) out.push_back(field);
  return out;
}

const std::map<std::string, RuleInfo, std::less<>>& Catalogue() {
  static const auto* catalogue = [] {
    auto* m = new std::map<std::string, RuleInfo, std::less<>>();
    std::istringstream in(internal::kCatalogueTsv);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> f = SplitTabs(line);
      if (f.size() < 2) continue;
      std::optional<Level> level = ParseLevel(f[1]);
      if (!level) continue;  // rules_test checks every row parses
      RuleInfo info{f[0], *level, f.size() > 2 ? f[2] : "", f.size() > 3 ? f[3] : "",
                    f.size() > 4 ? f[4] : ""};
      m->emplace(info.id, std::move(info));
    }
    return m;
  }();
  return *catalogue;
}

// Rules declared so far by the running test, so several can be recorded.
struct Declared {
  std::string test;
  std::string ids, levels, sources, features;
};
Declared& CurrentDeclared() {
  static Declared d;
  return d;
}

std::string CurrentTestName() {
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  return t ? std::string(t->test_suite_name()) + "." + t->name() : std::string();
}

void Append(std::string& list, std::string_view item, char sep) {
  if (!list.empty()) list += sep;
  list += item;
}

}  // namespace

const char* LevelName(Level l) {
  switch (l) {
    case Level::Shall: return "shall";
    case Level::May: return "may";
    case Level::Platform: return "platform";
  }
  return "?";
}

const RuleInfo* FindRule(std::string_view id) {
  const auto& c = Catalogue();
  auto it = c.find(id);
  return it == c.end() ? nullptr : &it->second;
}

void DeclareRule(std::string_view id, Level level) {
  const RuleInfo* info = FindRule(id);
  if (info == nullptr) {
    ADD_FAILURE() << "rule \"" << id << "\" is not in the catalogue (cases/rules/*.tsv)";
    return;
  }
  if (info->level != level) {
    ADD_FAILURE() << "rule \"" << id << "\" is declared " << LevelName(level)
                  << " but the catalogue says " << LevelName(info->level);
  }
  // ci/report sets this: a case that crashes the program never reaches gtest's
  // XML, so its rules are also announced on stdout, before anything can go wrong.
  if (std::getenv("SOCKSPEC_ANNOUNCE_RULES") != nullptr) {
    std::printf("[ RULE     ] %s\n", info->id.c_str());
    std::fflush(stdout);
  }
  Declared& d = CurrentDeclared();
  std::string test = CurrentTestName();
  if (const Expectation* e = FindExpectation(info->id, test)) ExpectFailureOfCurrentTest(*e);
  if (d.test != test) d = Declared{test, {}, {}, {}, {}};
  Append(d.ids, info->id, ' ');
  Append(d.levels, LevelName(info->level), ' ');
  Append(d.sources, info->source, ';');
  if (!info->features.empty()) Append(d.features, info->features, ' ');
  ::testing::Test::RecordProperty("rule", d.ids);
  ::testing::Test::RecordProperty("level", d.levels);
  ::testing::Test::RecordProperty("source", d.sources);
  if (!d.features.empty()) ::testing::Test::RecordProperty("features", d.features);
}

void DeclareSelfCheck(std::string_view what) {
  ::testing::Test::RecordProperty("self_check", std::string(what));
}

void RecordValue(std::string_view name, std::string_view value) {
  ::testing::Test::RecordProperty("value:" + std::string(name), std::string(value));
}

void RecordValue(std::string_view name, long long value) {
  RecordValue(name, std::to_string(value));
}

void RecordVolatileValue(std::string_view name, std::string_view value) {
  ::testing::Test::RecordProperty("volatile-value:" + std::string(name), std::string(value));
}

void RecordVolatileValue(std::string_view name, long long value) {
  RecordVolatileValue(name, std::to_string(value));
}

}  // namespace sockspec
