#pragma once
// PodView: the parts of a pod every Pod Security Standards control reads, located once.
// Building it reports a spec that is not shaped as Kubernetes requires (malformedSpec).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "policy/pod_security/json_field.h"
#include "policy/violation.h"

namespace castellan::policy::pss {

enum class ContainerKind { Init, Regular, Ephemeral };

// One entry of spec.initContainers, spec.containers or spec.ephemeralContainers.
struct ContainerRef {
  ContainerKind kind = ContainerKind::Regular;
  size_t index = 0;
  std::string_view name;
  const json* object = nullptr;
  const json* security_context = nullptr;  // nullptr when unset or malformed

  // `spec.initContainers[1]`, or with `sub`: `spec.initContainers[1].<sub>`.
  std::string path(std::string_view sub = {}) const;
  // `initContainer "setup"` (`initContainer [1]` when the name is missing).
  std::string who() const;
};

class PodView {
 public:
  PodView(const json& metadata, const json& spec, std::vector<Violation>& out);

  const json* metadata() const { return metadata_; }
  const json* spec() const { return spec_; }
  // spec.securityContext, or nullptr when unset or malformed.
  const json* security_context() const { return security_context_; }
  // Init containers, then containers, then ephemeral containers: the reference's order.
  const std::vector<ContainerRef>& containers() const { return containers_; }
  // spec.os.name is "windows": some restricted controls do not apply.
  bool windows() const { return windows_; }
  // spec.hostUsers is false: the pod runs in its own user namespace.
  bool user_namespaced() const { return user_namespaced_; }

 private:
  void collect(ContainerKind kind, std::string_view key, std::vector<Violation>& out);

  const json* metadata_ = nullptr;
  const json* spec_ = nullptr;
  const json* security_context_ = nullptr;
  std::vector<ContainerRef> containers_;
  bool windows_ = false;
  bool user_namespaced_ = false;
};

}  // namespace castellan::policy::pss
