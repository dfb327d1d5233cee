// Fd: an owning, move-only file descriptor that closes exactly once.
#pragma once

#include <unistd.h>

#include <ostream>
#include <utility>

namespace sockspec {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }

  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }

  // Closes the owned descriptor (if any) and takes `fd`. close(2) errors are
  // ignored here on purpose: cases that care about close call it themselves.
  void reset(int fd = -1) {
    int old = std::exchange(fd_, fd);
    if (old >= 0) ::close(old);
  }

 private:
  int fd_ = -1;
};

inline std::ostream& operator<<(std::ostream& os, const Fd& fd) {
  return os << "fd " << fd.get();
}

}  // namespace sockspec
