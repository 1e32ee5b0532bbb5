#pragma once
// A contiguous byte buffer with a read and a write position, reused for the life of a connection
// so that steady-state requests allocate nothing. Contiguity matters: the HTTP parser takes one
// string_view of everything received so far.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "base/units.h"

namespace consentry::proxy {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  // A base-size block goes back to the per-thread cache: per-request owners (HTTP/2 streams,
  // upstream exchanges) would otherwise cost a malloc/free pair of 16 KiB per buffer.
  ~ByteBuffer() {
    clear();
    release();
  }
  ByteBuffer(ByteBuffer&&) noexcept = default;
  ByteBuffer& operator=(ByteBuffer&&) noexcept = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  const char* data() const { return data_.get() + begin_; }
  std::string_view view() const { return {data(), size()}; }

  void consume(size_t n) {
    begin_ += n;
    if (begin_ >= end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }

  // At least `n` writable bytes at the tail (compacting or growing); returns the write pointer.
  char* prepare(size_t n) {
    if (capacity_ - end_ < n) grow(n);
    return data_.get() + end_;
  }
  size_t tailroom() const { return capacity_ - end_; }
  void commit(size_t n) { end_ += n; }

  void append(std::string_view s) {
    if (s.empty()) return;
    std::memcpy(prepare(s.size()), s.data(), s.size());
    end_ += s.size();
  }

  // Gives up the storage of an empty buffer (idle keep-alive connections hold no buffers). Blocks
  // of the base size go to a small per-thread cache, so a keep-alive connection that releases
  // and re-takes its buffers around every request does not go through malloc each time.
  void release() {
    if (!empty() || !data_) return;
    auto& cache = blockCache();
    if (capacity_ == kBlock && cache.size() < kCachedBlocks) cache.push_back(std::move(data_));
    data_.reset();
    capacity_ = begin_ = end_ = 0;
  }

  // Frees the calling thread's cached blocks, once a burst is over: the blocks of 5,000
  // simultaneous requests would otherwise fill the cache to its 4 MiB and keep it resident for
  // good (~800 B per idle connection of a 5,000-connection burst). Returns how many were freed.
  static size_t dropCachedBlocks() {
    auto& cache = blockCache();
    const size_t dropped = cache.size();
    std::vector<std::unique_ptr<char[]>>().swap(cache);
    return dropped;
  }
  static size_t cachedBlocks() { return blockCache().size(); }

 private:
  static constexpr size_t kBlock = 16 * kKiB;
  static constexpr size_t kCachedBlocks = 256;  // 4 MiB per worker thread at most

  static std::vector<std::unique_ptr<char[]>>& blockCache() {
    static thread_local std::vector<std::unique_ptr<char[]>> cache;
    return cache;
  }

  void grow(size_t n) {
    size_t used = size();
    if (begin_ > 0 && capacity_ - used >= n) {
      std::memmove(data_.get(), data(), used);
    } else {
      size_t capacity = capacity_ == 0 ? kBlock : capacity_ * 2;
      while (capacity < used + n) capacity *= 2;
      std::unique_ptr<char[]> bigger;
      auto& cache = blockCache();
      if (capacity == kBlock && !cache.empty()) {
        bigger = std::move(cache.back());
        cache.pop_back();
      } else {
        bigger = std::make_unique_for_overwrite<char[]>(capacity);
      }
      if (used) std::memcpy(bigger.get(), data(), used);
      data_ = std::move(bigger);
      capacity_ = capacity;
    }
    begin_ = 0;
    end_ = used;
  }

  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace consentry::proxy
