#pragma once
// BoundedLru: a map that forgets its least recently used entry beyond a fixed capacity, so
// tables fed by the kernel cannot grow without bound.

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace castellan::sensor {

template <typename K, typename V>
class BoundedLru {
 public:
  explicit BoundedLru(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Inserts or replaces; evicts the least recently used entry when full.
  void put(const K& key, V value) {
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(value);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
      ++evictions_;
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
  }

  // The value, marked as recently used; nullptr when absent.
  V* get(const K& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  void erase(const K& key) {
    if (auto it = index_.find(key); it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
  }

  size_t size() const { return index_.size(); }
  size_t capacity() const { return capacity_; }
  size_t evictions() const { return evictions_; }

 private:
  size_t capacity_;
  size_t evictions_ = 0;
  std::list<std::pair<K, V>> order_;
  std::unordered_map<K, typename std::list<std::pair<K, V>>::iterator> index_;
};

}  // namespace castellan::sensor
