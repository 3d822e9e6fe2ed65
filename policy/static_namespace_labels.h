#pragma once
// StaticNamespaceLabels: a NamespaceLabelSource over a fixed map (castellanctl, tests, benches).

#include <map>
#include <string>
#include <utility>

#include "policy/policy_snapshot.h"

namespace castellan::policy {

class StaticNamespaceLabels : public NamespaceLabelSource {
 public:
  StaticNamespaceLabels() = default;
  explicit StaticNamespaceLabels(std::map<std::string, Labels> labels) : labels_(std::move(labels)) {}

  void set(const std::string& namespace_name, Labels labels) { labels_[namespace_name] = std::move(labels); }
  const Labels* labels(const std::string& namespace_name) const override {
    const auto it = labels_.find(namespace_name);
    return it == labels_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, Labels> labels_;
};

}  // namespace castellan::policy
