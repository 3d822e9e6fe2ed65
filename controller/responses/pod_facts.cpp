#include "controller/responses/pod_facts.h"

#include "common/json_fields.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

// object[key] of any type, null when absent.
const json& child(const json& object, const char* key) {
  static const json null;
  if (!object.is_object()) return null;
  auto it = object.find(key);
  return it != object.end() ? *it : null;
}

// "containerd://abc" -> "abc".
std::string bare_id(const std::string& id) {
  auto sep = id.find("://");
  return sep == std::string::npos ? id : id.substr(sep + 3);
}

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string spec_image(const json& pod, const std::string& container) {
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    const json& items = child(child(pod, "spec"), list);
    if (!items.is_array()) continue;
    for (const auto& c : items) {
      if (string_field(c, "name") == container) return string_field(c, "image");
    }
  }
  return {};
}

ContainerImage image_of(const json& pod, const json& status) {
  ContainerImage out;
  out.container = string_field(status, "name");
  out.image = string_field(status, "image");
  if (out.image.empty()) out.image = spec_image(pod, out.container);
  out.digest = digest_of(string_field(status, "imageID"));
  // A spec pinned by digest tells it even when the status does not.
  if (out.digest.empty()) out.digest = digest_of(spec_image(pod, out.container));
  return out;
}

}  // namespace

std::string digest_of(const std::string& reference) {
  auto at = reference.rfind('@');
  if (at == std::string::npos) return {};
  std::string digest = reference.substr(at + 1);
  if (digest.rfind("sha256:", 0) != 0 || !is_hex64(digest.substr(7))) return {};
  return digest;
}

std::optional<ContainerImage> container_image(const json& pod, const std::string& container_id) {
  const json& status = child(pod, "status");
  const std::string wanted = bare_id(container_id);
  std::optional<ContainerImage> only;
  int seen = 0;
  for (const char* list :
       {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"}) {
    const json& items = child(status, list);
    if (!items.is_array()) continue;
    for (const auto& s : items) {
      ++seen;
      if (!wanted.empty() && bare_id(string_field(s, "containerID")) == wanted)
        return image_of(pod, s);
      if (seen == 1) only = image_of(pod, s);
    }
  }
  if (wanted.empty() && seen == 1) return only;
  return std::nullopt;
}

bool pod_ready(const json& pod) {
  const json& conditions = child(child(pod, "status"), "conditions");
  if (!conditions.is_array()) return false;
  for (const auto& c : conditions) {
    if (string_field(c, "type") == "Ready") return string_field(c, "status") == "True";
  }
  return false;
}

std::optional<OwnerRef> controller_of(const json& object) {
  const json& owners = child(child(object, "metadata"), "ownerReferences");
  if (!owners.is_array()) return std::nullopt;
  for (const auto& o : owners) {
    const json& is_controller = child(o, "controller");
    if (is_controller.is_boolean() && is_controller.get<bool>()) {
      return OwnerRef{string_field(o, "kind"), string_field(o, "name")};
    }
  }
  return std::nullopt;
}

int64_t ready_after_delete(int64_t ready_replicas, bool pod_is_ready) {
  return pod_is_ready ? ready_replicas - 1 : ready_replicas;
}

bool has_taint(const json& node, const std::string& key, api::TaintEffect effect) {
  const json& taints = child(child(node, "spec"), "taints");
  if (!taints.is_array()) return false;
  for (const auto& t : taints) {
    if (string_field(t, "key") == key && string_field(t, "effect") == api::to_string(effect))
      return true;
  }
  return false;
}

json quarantine_network_policy(const std::string& namespace_) {
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata",
           {{"name", kQuarantineNetworkPolicy},
            {"namespace", namespace_},
            {"labels", {{"app.kubernetes.io/managed-by", "castellan"}}}}},
          // No ingress or egress rules: everything in and out is denied.
          {"spec",
           {{"podSelector", {{"matchLabels", {{kQuarantineLabel, "true"}}}}},
            {"policyTypes", {"Ingress", "Egress"}}}}};
}

bool is_quarantine_network_policy(const json& existing) {
  const json& spec = child(existing, "spec");
  const json desired = quarantine_network_policy("");
  const json& want = desired["spec"];
  auto empty = [](const json& v) { return v.is_null() || (v.is_array() && v.empty()); };
  return child(spec, "podSelector") == want["podSelector"] &&
         child(spec, "policyTypes") == want["policyTypes"] && empty(child(spec, "ingress")) &&
         empty(child(spec, "egress"));
}

}  // namespace castellan::controller
