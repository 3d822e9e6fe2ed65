#include "controller/responses/response_actions.h"

#include <algorithm>

#include "api/security_policy_codec.h"
#include "common/json_fields.h"
#include "controller/responses/pod_facts.h"
#include "kube/conflict.h"
#include "kube/resources.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

std::string pod_name(const api::RuntimeViolationEvent& alert) {
  return "Pod " + alert.pod_namespace + "/" + alert.pod;
}

ActionResult result(ActionOutcome outcome, std::string message, std::string image = {}) {
  return {outcome, std::move(message), std::move(image)};
}

std::string label_of(const json& object, const char* key) {
  return string_field(object_field(object_field(object, "metadata"), "labels"), key);
}

ActionResult rate_limited() {
  return result(ActionOutcome::RateLimited, "skipped: maxActionsPerMinute reached");
}

// The alert's Pod as it is now; nullopt (with `gone` set) when it no longer exists, or was
// replaced by another Pod of the same name.
Result<std::optional<json>> current_pod(kube::ApiClient& api,
                                        const api::RuntimeViolationEvent& alert) {
  auto got = api.get(kube::kPods, alert.pod_namespace, alert.pod);
  if (!got) {
    if (got.error().code == 404) return std::optional<json>{};
    return got.error();
  }
  std::string uid = got->value("/metadata/uid"_json_pointer, std::string());
  if (!alert.pod_uid.empty() && uid != alert.pod_uid) return std::optional<json>{};
  return std::optional<json>(std::move(*got));
}

}  // namespace

ActionResult ResponseActions::run(api::ResponseAction action, const ActionRequest& request) {
  switch (action) {
    case api::ResponseAction::DeletePod:
      return delete_pod(request);
    case api::ResponseAction::IsolatePod:
      return isolate_pod(request);
    case api::ResponseAction::TaintNode:
      return taint_node(request);
    case api::ResponseAction::QuarantineImage:
      return quarantine_image(request);
    case api::ResponseAction::Notify:
      break;
  }
  return result(ActionOutcome::Failed, "Notify is delivered by the notifier");
}

ActionResult ResponseActions::delete_pod(const ActionRequest& request) {
  const auto& alert = request.alert;
  auto pod = current_pod(*api_, alert);
  if (!pod)
    return result(ActionOutcome::Failed, "reading " + pod_name(alert) + ": " + pod.error().message);
  if (!*pod) return result(ActionOutcome::AlreadyDone, pod_name(alert) + " is gone");
  if ((*pod)->value("/metadata/deletionTimestamp"_json_pointer, std::string()) != "") {
    return result(ActionOutcome::AlreadyDone, pod_name(alert) + " is being deleted");
  }
  const auto& guard = request.response.deletePod;
  if (guard && guard->minHealthyReplicas) {
    auto owner = controller_of(**pod);
    const kube::GroupVersionResource* gvr = nullptr;
    if (owner && owner->kind == "ReplicaSet") gvr = &kube::kReplicaSets;
    if (owner && owner->kind == "StatefulSet") gvr = &kube::kStatefulSets;
    if (gvr != nullptr) {
      auto got = api_->get(*gvr, alert.pod_namespace, owner->name);
      if (!got) {
        return result(ActionOutcome::Failed, "reading " + owner->kind + " " + alert.pod_namespace +
                                                 "/" + owner->name + ": " + got.error().message);
      }
      auto ready = got->value("/status/readyReplicas"_json_pointer, int64_t{0});
      auto remaining = ready_after_delete(ready, pod_ready(**pod));
      if (remaining < *guard->minHealthyReplicas) {
        return result(ActionOutcome::Refused, "kept " + pod_name(alert) + ": " + owner->kind + " " +
                                                  owner->name + " would have " +
                                                  std::to_string(remaining) +
                                                  " ready pods, fewer than minHealthyReplicas " +
                                                  std::to_string(*guard->minHealthyReplicas));
      }
    }
  }
  if (!request.admit()) return rate_limited();
  kube::DeleteOptions options;
  options.preconditionUid = (*pod)->value("/metadata/uid"_json_pointer, std::string());
  auto removed = api_->remove(kube::kPods, alert.pod_namespace, alert.pod, options);
  if (!removed) {
    if (removed.error().code == 404 || removed.error().code == 409) {
      return result(ActionOutcome::AlreadyDone, pod_name(alert) + " is gone");
    }
    return result(ActionOutcome::Failed,
                  "deleting " + pod_name(alert) + ": " + removed.error().message);
  }
  return result(ActionOutcome::Done, "deleted " + pod_name(alert));
}

ActionResult ResponseActions::isolate_pod(const ActionRequest& request) {
  const auto& alert = request.alert;
  auto pod = current_pod(*api_, alert);
  if (!pod)
    return result(ActionOutcome::Failed, "reading " + pod_name(alert) + ": " + pod.error().message);
  if (!*pod) return result(ActionOutcome::AlreadyDone, pod_name(alert) + " is gone");
  const std::string label_path = std::string("/metadata/labels/") + kQuarantineLabel;
  bool labelled = label_of(**pod, kQuarantineLabel) == "true";
  auto existing = api_->get(kube::kNetworkPolicies, alert.pod_namespace, kQuarantineNetworkPolicy);
  if (!existing && existing.error().code != 404) {
    return result(ActionOutcome::Failed, "reading NetworkPolicy " + alert.pod_namespace + "/" +
                                             kQuarantineNetworkPolicy + ": " +
                                             existing.error().message);
  }
  bool policy_in_place = existing && is_quarantine_network_policy(*existing);
  if (labelled && policy_in_place) {
    return result(ActionOutcome::AlreadyDone, pod_name(alert) + " is isolated");
  }
  if (!request.admit()) return rate_limited();
  const std::string where = alert.pod_namespace + "/" + kQuarantineNetworkPolicy;
  if (!policy_in_place) {
    json desired = quarantine_network_policy(alert.pod_namespace);
    Result<json> written = Error{};
    if (existing) {
      desired["metadata"]["resourceVersion"] =
          existing->value("/metadata/resourceVersion"_json_pointer, std::string());
      written = api_->update(kube::kNetworkPolicies, alert.pod_namespace, desired);
    } else {
      written = api_->create(kube::kNetworkPolicies, alert.pod_namespace, desired);
    }
    if (!written && written.error().code != 409) {
      return result(ActionOutcome::Failed,
                    "writing NetworkPolicy " + where + ": " + written.error().message);
    }
  }
  if (!labelled) {
    json patch = {{"metadata", {{"labels", {{kQuarantineLabel, "true"}}}}}};
    auto patched = api_->patch(kube::kPods, alert.pod_namespace, alert.pod, kube::PatchType::Merge,
                               patch.dump());
    if (!patched) {
      return result(ActionOutcome::Failed,
                    "labelling " + pod_name(alert) + ": " + patched.error().message);
    }
  }
  return result(ActionOutcome::Done, "labelled " + pod_name(alert) + " " + kQuarantineLabel +
                                         "=true; NetworkPolicy " + where +
                                         " denies all its ingress and egress");
}

ActionResult ResponseActions::taint_node(const ActionRequest& request) {
  const auto& alert = request.alert;
  if (alert.node.empty()) return result(ActionOutcome::Failed, "the alert names no node");
  auto effect = request.response.taintNode ? request.response.taintNode->effect
                                           : api::TaintEffect::NoSchedule;
  const std::string taint = std::string(kCompromisedTaint) + "=true:" + api::to_string(effect);
  auto node = api_->get(kube::kNodes, "", alert.node);
  if (!node) {
    return result(ActionOutcome::Failed,
                  "reading Node " + alert.node + ": " + node.error().message);
  }
  if (has_taint(*node, kCompromisedTaint, effect)) {
    return result(ActionOutcome::AlreadyDone, "Node " + alert.node + " has the taint " + taint);
  }
  if (!request.admit()) return rate_limited();
  auto updated = kube::update_with_retry(*api_, kube::kNodes, "", alert.node, [&](json& object) {
    if (has_taint(object, kCompromisedTaint, effect)) return Status::Ok();
    auto& taints = object["spec"]["taints"];
    if (!taints.is_array()) taints = json::array();
    taints.push_back(
        {{"key", kCompromisedTaint}, {"value", "true"}, {"effect", api::to_string(effect)}});
    return Status::Ok();
  });
  if (!updated) {
    return result(ActionOutcome::Failed,
                  "tainting Node " + alert.node + ": " + updated.error().message);
  }
  return result(ActionOutcome::Done, "tainted Node " + alert.node + " " + taint);
}

ActionResult ResponseActions::quarantine_image(const ActionRequest& request) {
  const auto& alert = request.alert;
  auto pod = current_pod(*api_, alert);
  if (!pod)
    return result(ActionOutcome::Failed, "reading " + pod_name(alert) + ": " + pod.error().message);
  if (!*pod)
    return result(ActionOutcome::Failed,
                  pod_name(alert) + " was gone before its image digest was read");
  auto image = container_image(**pod, alert.container_id);
  if (!image) {
    return result(
        ActionOutcome::Failed,
        pod_name(alert) + " has no status for container " +
            (alert.container_id.empty() ? std::string("(none named)") : alert.container_id));
  }
  if (image->digest.empty()) {
    return result(ActionOutcome::Failed, "container " + image->container + " of " +
                                             pod_name(alert) + " runs " + image->image +
                                             " with no image digest to quarantine");
  }
  auto policy = api_->get(kube::kSecurityPolicies, "", request.policy);
  if (!policy) {
    return result(ActionOutcome::Failed,
                  "reading SecurityPolicy " + request.policy + ": " + policy.error().message);
  }
  auto listed = [&](const json& object) {
    auto list = object.value("/status/quarantinedDigests"_json_pointer, json::array());
    return std::any_of(list.begin(), list.end(), [&](const json& q) {
      return q.is_object() && q.value("digest", "") == image->digest;
    });
  };
  if (listed(*policy)) {
    return result(ActionOutcome::AlreadyDone, image->digest + " is quarantined", image->image);
  }
  if (!request.admit()) return rate_limited();
  api::QuarantinedDigest record{
      image->digest, image->image, alert.rule,  alert.pod_namespace,
      alert.pod,     alert.node,   request.now, api::violation_detail(alert)};
  auto updated = kube::update_with_retry(
      *api_, kube::kSecurityPolicies, "", request.policy,
      [&](json& object) {
        if (listed(object)) return Status::Ok();
        auto& list = object["status"]["quarantinedDigests"];
        if (!list.is_array()) list = json::array();
        api::SecurityPolicyStatus one;
        one.quarantinedDigests.push_back(record);
        list.push_back(api::to_json(one)["quarantinedDigests"][0]);
        return Status::Ok();
      },
      "status");
  if (!updated) {
    return result(ActionOutcome::Failed, "recording " + image->digest + " in SecurityPolicy " +
                                             request.policy +
                                             " status: " + updated.error().message);
  }
  const bool pinned = image->image.find(image->digest) != std::string::npos;
  return result(ActionOutcome::Done,
                "quarantined " +
                    (pinned ? image->image : image->digest + " (" + image->image + ")") +
                    ": admission denies new pods that use it",
                image->image);
}

}  // namespace castellan::controller
