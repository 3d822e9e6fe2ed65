#include "policy/mutations.h"

#include <algorithm>

#include "policy/json_patch.h"

namespace castellan::policy {
namespace {

using nlohmann::json;

constexpr const char* kContainerLists[] = {"containers", "initContainers", "ephemeralContainers"};

// Emits "add" operations that put `wanted` into `existing` (at `pointer`) without changing
// anything already there: absent or null members are added whole, objects are merged member by
// member, arrays get the missing elements appended, and present scalars are left alone.
void merge_into(const json* existing, const json& wanted, const std::string& pointer, json& ops) {
  if (existing == nullptr || existing->is_null()) {
    ops.push_back({{"op", "add"}, {"path", pointer}, {"value", wanted}});
    return;
  }
  if (wanted.is_object() && existing->is_object()) {
    for (const auto& [key, value] : wanted.items()) {
      const auto it = existing->find(key);
      merge_into(it == existing->end() ? nullptr : &*it, value,
                 pointer + "/" + escape_pointer_token(key), ops);
    }
  } else if (wanted.is_array() && existing->is_array()) {
    for (const auto& element : wanted) {
      if (std::find(existing->begin(), existing->end(), element) == existing->end()) {
        ops.push_back({{"op", "add"}, {"path", pointer + "/-"}, {"value", element}});
      }
    }
  }
}

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

bool is_true(const json* value) { return value != nullptr && value->is_boolean() && value->get<bool>(); }

// The API server rejects allowPrivilegeEscalation: false together with these.
bool escalation_required(const json* security_context) {
  if (security_context == nullptr || !security_context->is_object()) return false;
  if (is_true(member(*security_context, "privileged"))) return true;
  const json* caps = member(*security_context, "capabilities");
  const json* added = caps != nullptr ? member(*caps, "add") : nullptr;
  if (added == nullptr || !added->is_array()) return false;
  return std::any_of(added->begin(), added->end(), [](const json& c) {
    return c == "SYS_ADMIN" || c == "CAP_SYS_ADMIN";
  });
}

}  // namespace

json build_mutation_patch(const api::Mutations& mutations, const json& pod_metadata,
                          const json& pod_spec, const std::string& spec_pointer) {
  json ops = json::array();
  if (!pod_spec.is_object()) return ops;

  json pod_wanted = json::object();
  if (mutations.runAsNonRoot) pod_wanted["runAsNonRoot"] = true;
  const json* annotations = member(pod_metadata, "annotations");
  const bool legacy_seccomp =
      annotations != nullptr && member(*annotations, "seccomp.security.alpha.kubernetes.io/pod");
  if (mutations.seccompRuntimeDefault && !legacy_seccomp) {
    pod_wanted["seccompProfile"] = {{"type", "RuntimeDefault"}};
  }
  if (!pod_wanted.empty()) {
    const json* pod_sc = member(pod_spec, "securityContext");
    if (pod_sc == nullptr || pod_sc->is_null() || pod_sc->is_object()) {
      merge_into(pod_sc, pod_wanted, spec_pointer + "/securityContext", ops);
    }
  }

  if (!mutations.dropAllCapabilities && !mutations.disallowPrivilegeEscalation) return ops;
  for (const char* list_name : kContainerLists) {
    const json* list = member(pod_spec, list_name);
    if (list == nullptr || !list->is_array()) continue;
    for (size_t i = 0; i < list->size(); ++i) {
      const json& container = (*list)[i];
      if (!container.is_object()) continue;
      const json* sc = member(container, "securityContext");
      if (sc != nullptr && !sc->is_null() && !sc->is_object()) continue;
      json wanted = json::object();
      if (mutations.dropAllCapabilities) wanted["capabilities"] = {{"drop", {"ALL"}}};
      if (mutations.disallowPrivilegeEscalation && !escalation_required(sc)) {
        wanted["allowPrivilegeEscalation"] = false;
      }
      if (wanted.empty()) continue;
      merge_into(sc, wanted,
                 spec_pointer + "/" + list_name + "/" + std::to_string(i) + "/securityContext",
                 ops);
    }
  }
  return ops;
}

}  // namespace castellan::policy
