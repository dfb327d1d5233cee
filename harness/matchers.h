// GoogleTest matchers for system-call outcomes, in the spirit of gVisor's:
//
//   EXPECT_THAT(bind(fd, sa, len), SyscallFailsWithErrno(EADDRINUSE));   // raw libc call
//   EXPECT_THAT(Bind(fd, addr), SyscallFailsWithErrno(EADDRINUSE));      // wrapper Result
//   EXPECT_THAT(Recv(fd, buf), SyscallSucceedsWithValue(5));
//   EXPECT_THAT(Listen(fd, 1), SyscallFailsWithErrnoIn({EINVAL, EDESTADDRREQ}));
//
// On a raw integer result the matcher reads errno when it runs, which is
// right after the call in EXPECT_THAT; a Result carries its own errno. Failure
// messages name the errno (EADDRINUSE, not 98), its text, and the call.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <initializer_list>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "harness/errno_name.h"
#include "harness/result.h"

namespace sockspec {
namespace internal {

template <typename T>
struct IsResult : std::false_type {};
template <typename T>
struct IsResult<Result<T>> : std::true_type {};

// A uniform view of "what the call did": success flag, errno, and text.
struct Outcome {
  bool ok;
  int err;
  std::string text;
};

template <typename T>
Outcome OutcomeOf(const T& v, int saved_errno) {
  if constexpr (IsResult<T>::value) {
    return {v.ok(), v.error(), v.Describe()};
  } else {
    static_assert(std::is_integral_v<T> || std::is_pointer_v<T>,
                  "syscall matchers take an integer result or a sockspec::Result");
    bool failed;
    std::string shown;
    if constexpr (std::is_pointer_v<T>) {
      failed = v == nullptr;
      shown = failed ? "NULL" : "non-NULL";
    } else {
      failed = v == static_cast<T>(-1);
      shown = std::to_string(v);
    }
    return {!failed, failed ? saved_errno : 0,
            failed ? "returned -1, errno " + DescribeErrno(saved_errno) : "returned " + shown};
  }
}

class SucceedsMatcher {
 public:
  template <typename T>
  bool MatchAndExplain(const T& v, ::testing::MatchResultListener* l) const {
    int saved = errno;
    Outcome o = OutcomeOf(v, saved);
    *l << o.text;
    return o.ok;
  }
  void DescribeTo(std::ostream* os) const { *os << "succeeds"; }
  void DescribeNegationTo(std::ostream* os) const { *os << "fails"; }
};

template <typename M>
class SucceedsWithValueMatcher {
 public:
  explicit SucceedsWithValueMatcher(M m) : m_(std::move(m)) {}
  template <typename T>
  bool MatchAndExplain(const T& v, ::testing::MatchResultListener* l) const {
    int saved = errno;
    Outcome o = OutcomeOf(v, saved);
    *l << o.text;
    if (!o.ok) return false;
    if constexpr (IsResult<T>::value) {
      using V = typename T::value_type;
      return Check<V>(v.value(), l);
    } else {
      return Check<T>(v, l);
    }
  }
  void DescribeTo(std::ostream* os) const { *os << "succeeds with the expected value"; }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "fails, or succeeds with another value";
  }

 private:
  template <typename V>
  bool Check(const V& v, ::testing::MatchResultListener* l) const {
    auto m = ::testing::SafeMatcherCast<const V&>(m_);
    if (m.MatchAndExplain(v, l)) return true;
    *l << ", expected a value that " << ::testing::DescribeMatcher<const V&>(m);
    return false;
  }

  M m_;
};

class FailsWithErrnoMatcher {
 public:
  explicit FailsWithErrnoMatcher(std::vector<int> errs) : errs_(std::move(errs)) {}
  template <typename T>
  bool MatchAndExplain(const T& v, ::testing::MatchResultListener* l) const {
    int saved = errno;
    Outcome o = OutcomeOf(v, saved);
    *l << o.text;
    if (o.ok) return false;
    if (errs_.empty()) return true;
    for (int e : errs_) {
      if (e == o.err) return true;
    }
    return false;
  }
  void DescribeTo(std::ostream* os) const {
    if (errs_.empty()) {
      *os << "fails";
      return;
    }
    *os << "fails with errno ";
    if (errs_.size() > 1) *os << "one of ";
    for (std::size_t i = 0; i < errs_.size(); ++i) {
      *os << (i ? ", " : "") << DescribeErrno(errs_[i]);
    }
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "does not ";
    DescribeTo(os);
  }

 private:
  std::vector<int> errs_;
};

}  // namespace internal

inline auto SyscallSucceeds() {
  return ::testing::MakePolymorphicMatcher(internal::SucceedsMatcher());
}

template <typename M>
auto SyscallSucceedsWithValue(M m) {
  return ::testing::MakePolymorphicMatcher(internal::SucceedsWithValueMatcher<M>(std::move(m)));
}

inline auto SyscallFails() {
  return ::testing::MakePolymorphicMatcher(internal::FailsWithErrnoMatcher({}));
}

inline auto SyscallFailsWithErrno(int err) {
  return ::testing::MakePolymorphicMatcher(internal::FailsWithErrnoMatcher({err}));
}

// For rules whose failure is mandated but whose errno differs between systems.
inline auto SyscallFailsWithErrnoIn(std::initializer_list<int> errs) {
  return ::testing::MakePolymorphicMatcher(internal::FailsWithErrnoMatcher(errs));
}

}  // namespace sockspec
