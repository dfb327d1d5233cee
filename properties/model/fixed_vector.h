// FixedVector<T, N>: a vector of at most N elements stored inline (no heap).
// The lifecycle model keeps its queues, error lists and alternatives in these:
// the model's preconditions bound every one of them, and the call-sequence
// fuzzer runs the model thousands of times a second, where a heap allocation
// per queue or per prediction costs more than the model's own logic.
//
// Going past N is a bug in the model (a precondition that should have kept
// the size down), so it aborts with a message instead of growing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>

namespace sockspec::model {

template <typename T, std::size_t N>
class FixedVector {
 public:
  FixedVector() = default;
  FixedVector(std::initializer_list<T> init) {
    for (const T& v : init) push_back(v);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == N; }
  static constexpr std::size_t capacity() { return N; }

  T* begin() { return items_.data(); }
  T* end() { return items_.data() + size_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }
  T& operator[](std::size_t i) { return items_[i]; }
  const T& operator[](std::size_t i) const { return items_[i]; }
  T& front() { return items_[0]; }
  const T& front() const { return items_[0]; }
  T& back() { return items_[size_ - 1]; }
  const T& back() const { return items_[size_ - 1]; }

  void push_back(const T& v) {
    if (size_ == N) Overflow();
    items_[size_++] = v;
  }
  void clear() { size_ = 0; }
  // Removes element i, keeping the order of the rest.
  void erase_at(std::size_t i) {
    for (std::size_t k = i + 1; k < size_; ++k) items_[k - 1] = items_[k];
    --size_;
  }
  void pop_front() { erase_at(0); }

 private:
  [[noreturn]] static void Overflow() {
    std::fprintf(stderr, "sockspec model: FixedVector of capacity %zu overflowed\n", N);
    std::abort();
  }

  std::array<T, N> items_{};
  std::size_t size_ = 0;
};

}  // namespace sockspec::model
