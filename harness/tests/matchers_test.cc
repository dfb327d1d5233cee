#include "harness/matchers.h"

#include <gtest/gtest-spi.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/sys.h"

namespace sockspec {
namespace {

using ::testing::Gt;

TEST(Matchers, RawSuccessAndFailure) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  EXPECT_THAT(fd, SyscallSucceeds());
  EXPECT_THAT(::close(fd), SyscallSucceedsWithValue(0));
  EXPECT_THAT(::close(fd), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(::close(-1), SyscallFailsWithErrnoIn({EINVAL, EBADF}));
  EXPECT_THAT(::close(-1), SyscallFails());
}

TEST(Matchers, ResultSuccessAndFailure) {
  Result<Fd> s = Socket(AF_UNIX, SOCK_STREAM);
  EXPECT_THAT(s, SyscallSucceeds());
  EXPECT_THAT(GetSockOptInt(s->get(), SOL_SOCKET, SO_TYPE), SyscallSucceedsWithValue(SOCK_STREAM));
  EXPECT_THAT(Listen(-1, 1), SyscallFailsWithErrno(EBADF));
}

TEST(Matchers, FailureMessageNamesTheErrno) {
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(::close(-1), SyscallSucceeds()),
                          "returned -1, errno EBADF (");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(::close(-1), SyscallFailsWithErrno(EINVAL)),
                          "fails with errno EINVAL");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(Listen(-1, 1), SyscallFailsWithErrno(EINVAL)),
                          "listen(-1, 1) = -1 EBADF");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(Listen(-1, 1), SyscallFailsWithErrnoIn({EINVAL, EPIPE})),
                          "one of EINVAL");
}

TEST(Matchers, SuccessWhereFailureExpectedIsReported) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(::close(fd), SyscallFailsWithErrno(EBADF)), "returned 0");
}

TEST(Matchers, ValueMismatchIsExplained) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_THAT(GetSockOptInt(Socket(AF_UNIX, SOCK_DGRAM).value(), SOL_SOCKET, SO_TYPE),
                  SyscallSucceedsWithValue(SOCK_STREAM)),
      "expected a value that is equal to");
  EXPECT_THAT(::getpid(), SyscallSucceedsWithValue(Gt(0)));
}

}  // namespace
}  // namespace sockspec
