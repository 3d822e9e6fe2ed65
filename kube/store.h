#pragma once
// Store<T>: the informer's thread-safe cache, keyed by "namespace/name", with named indexes
// (client-go's ThreadSafeStore + Indexer). T is what the informer's transform keeps of each
// object: the whole JSON by default, or a small struct when a cache needs a few fields.
// Objects are immutable once stored and handed out as shared pointers, so readers never copy.

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kube/store_key.h"

namespace castellan::kube {

template <typename T>
class Store {
 public:
  using Ptr = std::shared_ptr<const T>;
  // The index values of one object; the key is given so an index can use the namespace.
  using IndexFunc = std::function<std::vector<std::string>(const std::string& key, const T&)>;

  struct Item {
    std::string resource_version;
    Ptr object;
  };

  // Adds an index; existing objects are indexed at once.
  void add_index(const std::string& name, IndexFunc func) {
    std::unique_lock lock(mu_);
    Index& index = indexes_[name];
    index.func = std::move(func);
    index.values.clear();
    for (const auto& [key, item] : items_) index_add(index, key, *item.object);
  }

  Ptr get(const std::string& key) const {
    std::shared_lock lock(mu_);
    auto it = items_.find(key);
    return it == items_.end() ? nullptr : it->second.object;
  }
  Ptr get(const std::string& namespace_, const std::string& name) const {
    return get(namespace_.empty() ? name : namespace_ + "/" + name);
  }
  std::string resource_version(const std::string& key) const {
    std::shared_lock lock(mu_);
    auto it = items_.find(key);
    return it == items_.end() ? std::string{} : it->second.resource_version;
  }
  std::vector<Ptr> list() const {
    std::shared_lock lock(mu_);
    std::vector<Ptr> out;
    out.reserve(items_.size());
    for (const auto& [key, item] : items_) out.push_back(item.object);
    return out;
  }
  std::vector<std::string> keys() const {
    std::shared_lock lock(mu_);
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (const auto& [key, item] : items_) out.push_back(key);
    return out;
  }
  // Objects whose index `index_name` holds `value`; empty for an unknown index.
  std::vector<Ptr> by_index(const std::string& index_name, const std::string& value) const {
    std::shared_lock lock(mu_);
    std::vector<Ptr> out;
    auto index = indexes_.find(index_name);
    if (index == indexes_.end()) return out;
    auto keys = index->second.values.find(value);
    if (keys == index->second.values.end()) return out;
    for (const auto& key : keys->second) out.push_back(items_.at(key).object);
    return out;
  }
  std::vector<std::string> index_keys(const std::string& index_name, const std::string& value) const {
    std::shared_lock lock(mu_);
    auto index = indexes_.find(index_name);
    if (index == indexes_.end()) return {};
    auto keys = index->second.values.find(value);
    if (keys == index->second.values.end()) return {};
    return {keys->second.begin(), keys->second.end()};
  }
  std::size_t size() const {
    std::shared_lock lock(mu_);
    return items_.size();
  }

  // Writers (the informer). Each returns the object it replaced or removed, or null.
  Ptr upsert(const std::string& key, std::string resource_version, Ptr object) {
    std::unique_lock lock(mu_);
    auto it = items_.find(key);
    Ptr old;
    if (it != items_.end()) {
      old = std::move(it->second.object);
      for (auto& [name, index] : indexes_) index_remove(index, key, *old);
      it->second = Item{std::move(resource_version), std::move(object)};
    } else {
      it = items_.emplace(key, Item{std::move(resource_version), std::move(object)}).first;
    }
    for (auto& [name, index] : indexes_) index_add(index, it->first, *it->second.object);
    return old;
  }
  Ptr erase(const std::string& key) {
    std::unique_lock lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    Ptr old = std::move(it->second.object);
    for (auto& [name, index] : indexes_) index_remove(index, key, *old);
    items_.erase(it);
    return old;
  }
  // key -> resourceVersion of every object, for diffing a relist against the cache.
  std::unordered_map<std::string, std::string> versions() const {
    std::shared_lock lock(mu_);
    std::unordered_map<std::string, std::string> out;
    out.reserve(items_.size());
    for (const auto& [key, item] : items_) out.emplace(key, item.resource_version);
    return out;
  }

 private:
  struct Index {
    IndexFunc func;
    std::unordered_map<std::string, std::unordered_set<std::string>> values;
  };

  static void index_add(Index& index, const std::string& key, const T& object) {
    for (auto& value : index.func(key, object)) index.values[std::move(value)].insert(key);
  }
  static void index_remove(Index& index, const std::string& key, const T& object) {
    for (const auto& value : index.func(key, object)) {
      auto it = index.values.find(value);
      if (it == index.values.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.values.erase(it);
    }
  }

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Item> items_;
  std::unordered_map<std::string, Index> indexes_;
};

}  // namespace castellan::kube
