// FixedVector<T, N>: a vector of at most N elements stored inline (no heap).
// The lifecycle model keeps its queues, error lists and alternatives in these:
// the model's preconditions bound every one of them, and the call-sequence
// fuzzer runs the model thousands of times a second, where a heap allocation
// per queue or per prediction costs more than the model's own logic.
//
// Going past N is a bug in the model (a precondition that should have kept
// the size down), so it aborts with a message instead of growing.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <type_traits>

namespace sockspec::model {

template <typename T, std::size_t N>
class FixedVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "elements are copied as bytes and never destroyed");

 public:
  FixedVector() = default;
  FixedVector(std::initializer_list<T> init) {
    for (const T& v : init) push_back(v);
  }
  // Copies only the elements in use: the storage is left uninitialized (a
  // prediction makes several of these per call; zeroing and copying the whole
  // capacity each time showed in profiles).
  FixedVector(const FixedVector& other) : size_(other.size_) {
    if (size_ != 0) std::memcpy(storage_, other.storage_, size_ * sizeof(T));
  }
  FixedVector& operator=(const FixedVector& other) {
    size_ = other.size_;
    if (size_ != 0 && this != &other) std::memcpy(storage_, other.storage_, size_ * sizeof(T));
    return *this;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == N; }
  static constexpr std::size_t capacity() { return N; }

  T* begin() { return std::launder(reinterpret_cast<T*>(storage_)); }
  T* end() { return begin() + size_; }
  const T* begin() const { return std::launder(reinterpret_cast<const T*>(storage_)); }
  const T* end() const { return begin() + size_; }
  T& operator[](std::size_t i) { return begin()[i]; }
  const T& operator[](std::size_t i) const { return begin()[i]; }
  T& front() { return begin()[0]; }
  const T& front() const { return begin()[0]; }
  T& back() { return begin()[size_ - 1]; }
  const T& back() const { return begin()[size_ - 1]; }

  void push_back(const T& v) {
    if (size_ == N) Overflow();
    ::new (static_cast<void*>(storage_ + size_ * sizeof(T))) T(v);
    ++size_;
  }
  void clear() { size_ = 0; }
  // Removes element i, keeping the order of the rest.
  void erase_at(std::size_t i) {
    T* items = begin();
    for (std::size_t k = i + 1; k < size_; ++k) items[k - 1] = items[k];
    --size_;
  }
  void pop_front() { erase_at(0); }

 private:
  [[noreturn]] static void Overflow() {
    std::fprintf(stderr, "sockspec model: FixedVector of capacity %zu overflowed\n", N);
    std::abort();
  }

  std::size_t size_ = 0;
  alignas(T) unsigned char storage_[N * sizeof(T)];
};

}  // namespace sockspec::model
