#include "harness/errno_name.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>

namespace sockspec {
namespace {

TEST(ErrnoName, NamesSocketErrnos) {
  EXPECT_EQ(ErrnoName(EADDRINUSE), "EADDRINUSE");
  EXPECT_EQ(ErrnoName(ECONNREFUSED), "ECONNREFUSED");
  EXPECT_EQ(ErrnoName(EAGAIN), "EAGAIN");
  EXPECT_EQ(ErrnoName(ENOTSOCK), "ENOTSOCK");
}

TEST(ErrnoName, UnknownValueSaysItsNumber) { EXPECT_EQ(ErrnoName(4242), "errno 4242"); }

TEST(ErrnoName, DescribeAddsTheMessage) {
  EXPECT_EQ(DescribeErrno(EBADF).rfind("EBADF (", 0), 0u);
}

TEST(SignalName, NamesCrashSignals) {
  EXPECT_EQ(SignalName(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(SignalName(SIGABRT), "SIGABRT");
  EXPECT_EQ(SignalName(SIGPIPE), "SIGPIPE");
  EXPECT_EQ(SignalName(99), "signal 99");
}

}  // namespace
}  // namespace sockspec
