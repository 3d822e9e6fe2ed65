#pragma once
// Namespace labels from a fixed map (standalone mode: the Namespace objects of the policy
// directory). Immutable once built; replace the whole object to update.

#include <map>
#include <string>

#include "policy/policy_snapshot.h"

namespace castellan::webhook {

class MapNamespaceLabels : public policy::NamespaceLabelSource {
 public:
  MapNamespaceLabels() = default;
  explicit MapNamespaceLabels(std::map<std::string, policy::Labels> labels)
      : labels_(std::move(labels)) {}

  const policy::Labels* labels(const std::string& namespace_name) const override {
    auto it = labels_.find(namespace_name);
    return it == labels_.end() ? nullptr : &it->second;
  }
  size_t size() const { return labels_.size(); }

 private:
  std::map<std::string, policy::Labels> labels_;
};

}  // namespace castellan::webhook
