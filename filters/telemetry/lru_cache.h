#pragma once
// A small string-keyed LRU cache for per-worker memoisation (UA parses). Not thread-safe: each
// worker owns its own.

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace consentry::filters::telemetry {

template <typename Value>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) { index_.reserve(capacity); }

  // The cached value, marked most recently used; nullptr when absent.
  const Value* find(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  // Inserts or replaces; evicts the least recently used entry beyond capacity. A zero capacity
  // caches nothing.
  void put(std::string_view key, Value value) {
    if (capacity_ == 0) return;
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(value);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    if (order_.size() >= capacity_) {
      index_.erase(std::string_view(order_.back().first));
      order_.pop_back();
    }
    order_.emplace_front(std::string(key), std::move(value));
    index_.emplace(std::string_view(order_.front().first), order_.begin());
  }

  size_t size() const { return order_.size(); }
  size_t capacity() const { return capacity_; }
  void clear() {
    index_.clear();
    order_.clear();
  }

 private:
  using Entry = std::pair<std::string, Value>;
  size_t capacity_;
  std::list<Entry> order_;  // front = most recent; owns the key strings the index points into
  std::unordered_map<std::string_view, typename std::list<Entry>::iterator> index_;
};

}  // namespace consentry::filters::telemetry
