#pragma once
// Subject: the pod or one container, seen as the owner of a securityContext, so that a
// control reads pod-level and container-level fields with the same code.

#include <string>
#include <string_view>
#include <vector>

#include "policy/pod_security/pod_view.h"
#include "policy/pod_security/report.h"

namespace castellan::policy::pss {

class Subject {
 public:
  static Subject pod(const PodView& pod) { return Subject(nullptr, pod.security_context()); }
  static Subject container(const ContainerRef& c) { return Subject(&c, c.security_context); }

  bool is_pod() const { return container_ == nullptr; }
  const json* security_context() const { return security_context_; }
  // `pod` or `container "app"`.
  std::string who() const { return is_pod() ? std::string("pod") : container_->who(); }
  // The field as the message names it: `spec.securityContext.x` for the pod,
  // `securityContext.x` for a container (its name is already in the message).
  std::string relative(std::string_view sub) const {
    return is_pod() ? "spec." + std::string(sub) : std::string(sub);
  }
  // The full path from the pod: `spec.securityContext.x` or `spec.containers[0].securityContext.x`.
  std::string path(std::string_view sub) const {
    return is_pod() ? "spec." + std::string(sub) : container_->path(sub);
  }

  // Returns `field`, first reporting it under `rule` when it has the wrong type.
  template <typename T>
  Field<T> checked(Field<T> field, std::string_view sub, std::string_view expected,
                   const char* rule, std::vector<Violation>& out) const {
    if (field.malformed()) {
      add_malformed(out, rule, path(sub), who(), relative(sub), expected, *field.raw);
    }
    return field;
  }

  void violation(std::vector<Violation>& out, const char* rule, std::string_view sub,
                 std::string_view what, std::string_view fix) const {
    add_violation(out, rule, path(sub), who(), what, fix);
  }

 private:
  Subject(const ContainerRef* container, const json* security_context)
      : container_(container), security_context_(security_context) {}

  const ContainerRef* container_;
  const json* security_context_;
};

}  // namespace castellan::policy::pss
