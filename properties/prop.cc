#include "properties/prop.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace sockspec::prop {

double Scale() {
  const char* text = std::getenv("SOCKSPEC_PROPERTY_SCALE");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v > 0) || !std::isfinite(v)) return 1;
  return v;
}

rc::detail::TestParams ParamsFor(int base_success) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  const char* rc_params = std::getenv("RC_PARAMS");
  if (rc_params != nullptr && std::string_view(rc_params).find("max_success") !=
                                  std::string_view::npos) {
    return params;  // the user's explicit count wins
  }
  double n = std::ceil(base_success * Scale());
  params.maxSuccess = n < 1 ? 1 : (n > 1e8 ? 100000000 : static_cast<int>(n));
  return params;
}

namespace {
std::function<void()>& PendingAtEnd() {
  static std::function<void()> fn;
  return fn;
}
}  // namespace

void DeclareRuleOnce(const char* id, Level level) {
  static std::set<std::string> declared;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string key = std::string(info ? info->test_suite_name() : "") + "." +
                    (info ? info->name() : "") + " " + id;
  if (declared.insert(key).second) DeclareRule(id, level);
}

void AtEnd(std::function<void()> fn) { PendingAtEnd() = std::move(fn); }

std::function<void()> TakeAtEnd() { return std::exchange(PendingAtEnd(), nullptr); }

}  // namespace sockspec::prop
