#include "controller/protected_namespaces.h"

#include <algorithm>

namespace castellan::controller {

ProtectedNamespaces::ProtectedNamespaces(const std::string& manager_namespace,
                                         const std::string& sensor_namespace)
    : names_{"kube-system", manager_namespace, sensor_namespace} {
  std::erase(names_, std::string());
  std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
}

bool ProtectedNamespaces::contains(const std::string& namespace_name) const {
  return std::binary_search(names_.begin(), names_.end(), namespace_name);
}

std::string ProtectedNamespaces::text() const {
  std::string out;
  for (const auto& name : names_) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace castellan::controller
