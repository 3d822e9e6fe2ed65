#pragma once
// PodTemplate: where the pod lives inside a Pod or a pod-bearing workload.

#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace castellan::policy {

struct PodTemplate {
  std::string kind;
  // The pod's metadata and spec inside `object`; metadata is an empty object when the
  // template has none. Both point into the object passed to extract_pod_template.
  const nlohmann::json* metadata = nullptr;
  const nlohmann::json* spec = nullptr;
  // JSON pointer of the pod-like object (the Pod itself: "", a Deployment: "/spec/template").
  // Patches built against a Pod ("/spec/…", "/metadata/…") are prefixed with it.
  std::string pointer_prefix;
  // Field path of the pod-like object for messages, with a trailing '.' when not empty
  // ("spec.template."); a Pod's violation fields ("spec.containers[0]…") are prefixed with it.
  std::string field_prefix;
};

// Handles Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
// CronJob (spec.jobTemplate.spec.template) and PodTemplate (template). Unknown kinds and
// missing or mistyped templates are errors naming the field.
Result<PodTemplate> extract_pod_template(const nlohmann::json& object);

}  // namespace castellan::policy
