#pragma once
// The namespaces Castellan never gates and never acts on: kube-system, the manager's own and
// the sensor's. Every webhook entry leaves them out by namespaceSelector, and the responses to
// runtime alerts refuse to act on pods in them (Notify still reports). Pure.

#include <string>
#include <vector>

namespace castellan::controller {

inline constexpr const char* kDefaultManagerNamespace = "castellan-system";
inline constexpr const char* kDefaultSensorNamespace = "castellan-sensor";

class ProtectedNamespaces {
 public:
  ProtectedNamespaces() : ProtectedNamespaces(kDefaultManagerNamespace, kDefaultSensorNamespace) {}
  ProtectedNamespaces(const std::string& manager_namespace, const std::string& sensor_namespace);

  bool contains(const std::string& namespace_name) const;
  // Sorted, each once (the manager and the sensor may share a namespace).
  const std::vector<std::string>& names() const { return names_; }
  // "castellan-sensor, castellan-system, kube-system", for messages.
  std::string text() const;

 private:
  std::vector<std::string> names_;
};

}  // namespace castellan::controller
