// Result<T>: the outcome of one call, a value or the errno it failed with,
// plus the call ("bind(3, unix:/tmp/x)") for failure messages: a CallText, so
// the text is only built when call() or Describe() asks for it.
#pragma once

#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "harness/call_text.h"
#include "harness/errno_name.h"

namespace sockspec {

struct Empty {
  friend bool operator==(Empty, Empty) { return true; }
};
inline std::ostream& operator<<(std::ostream& os, Empty) { return os << "ok"; }

template <typename T = Empty>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  static Result Ok(T value, CallText call) {
    Result r;
    r.value_.emplace(std::move(value));
    r.call_ = std::move(call);
    return r;
  }
  static Result Ok(T value, std::string call = {}) {
    return Ok(std::move(value), CallText(std::move(call)));
  }
  static Result Err(int err, CallText call) {
    Result r;
    r.errno_ = err;
    r.call_ = std::move(call);
    return r;
  }
  static Result Err(int err, std::string call = {}) { return Err(err, CallText(std::move(call))); }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  // The errno of a failed call; 0 for a success.
  int error() const { return errno_; }
  // The call as text ("bind(3, unix:/tmp/x)"), built now.
  std::string call() const { return call_.str(); }
  const CallText& call_text() const { return call_; }

  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }

  // "bind(3, tcp:127.0.0.1:0) = ok" or "bind(...) = -1 EADDRINUSE (Address already in use)".
  std::string Describe() const;

 private:
  std::optional<T> value_;
  int errno_ = 0;
  CallText call_;
};

namespace internal {
template <typename T>
void PrintValue(std::ostream& os, const T& v) {
  if constexpr (requires { os << v; }) {
    os << v;
  } else {
    os << "ok";
  }
}
}  // namespace internal

template <typename T>
std::string Result<T>::Describe() const {
  std::string out = call_.empty() ? std::string("call") : call_.str();
  if (ok()) {
    std::ostringstream os;
    internal::PrintValue(os, *value_);
    return out + " = " + os.str();
  }
  return out + " = -1 " + DescribeErrno(errno_);
}

template <typename T>
std::ostream& operator<<(std::ostream& os, const Result<T>& r) {
  return os << r.Describe();
}

}  // namespace sockspec
