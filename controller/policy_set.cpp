#include "controller/policy_set.h"

#include <algorithm>

#include "api/object_meta_codec.h"
#include "api/security_policy_codec.h"

namespace castellan::controller {
namespace {

bool same_spec(const std::optional<api::SecurityPolicy>& a,
               const std::optional<api::SecurityPolicy>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return api::to_json(a->spec) == api::to_json(b->spec) &&
         a->status.quarantinedDigests == b->status.quarantinedDigests;
}

}  // namespace

bool PolicySet::upsert(const nlohmann::json& object) {
  api::FieldErrors meta_errors;
  const auto metadata_json =
      object.contains("metadata") ? object["metadata"] : nlohmann::json::object();
  PolicyState next;
  next.metadata = api::decode_object_meta(metadata_json, "metadata", meta_errors);
  if (next.metadata.name.empty()) return false;
  next.deleting =
      metadata_json.contains("deletionTimestamp") && !metadata_json["deletionTimestamp"].is_null();
  if (auto it = metadata_json.find("finalizers"); it != metadata_json.end() && it->is_array()) {
    next.has_finalizer = std::find(it->begin(), it->end(), kPolicyFinalizer) != it->end();
  }

  auto decoded = api::decode_security_policy(object);
  for (const auto& e : meta_errors) next.errors.push_back(e.str());
  for (const auto& e : decoded.errors) next.errors.push_back(e.str());
  if (object.contains("status")) {
    api::FieldErrors status_errors;
    next.status = api::decode_security_policy_status(object["status"], "status", status_errors);
  }

  auto previous = states_.find(next.metadata.name);
  bool was_in_force = previous != states_.end() && !previous->second.deleting &&
                      previous->second.last_good.has_value();
  std::optional<api::SecurityPolicy> old_good =
      was_in_force ? previous->second.last_good : std::nullopt;

  if (next.errors.empty()) {
    next.last_good = std::move(decoded.value);
  } else if (previous != states_.end()) {
    next.last_good = previous->second.last_good;
  }
  // Status-only fields admission uses (quarantined digests) follow the latest object.
  if (next.last_good) next.last_good->status.quarantinedDigests = next.status.quarantinedDigests;

  bool in_force = !next.deleting && next.last_good.has_value();
  std::optional<api::SecurityPolicy> new_good = in_force ? next.last_good : std::nullopt;
  states_[next.metadata.name] = std::move(next);
  return !same_spec(old_good, new_good);
}

bool PolicySet::erase(const std::string& name) {
  auto it = states_.find(name);
  if (it == states_.end()) return false;
  bool was_in_force = !it->second.deleting && it->second.last_good.has_value();
  states_.erase(it);
  return was_in_force;
}

std::vector<api::SecurityPolicy> PolicySet::in_force() const {
  std::vector<api::SecurityPolicy> out;
  for (const auto& [name, state] : states_) {
    if (!state.deleting && state.last_good) out.push_back(*state.last_good);
  }
  return out;
}

const PolicyState* PolicySet::find(const std::string& name) const {
  auto it = states_.find(name);
  return it == states_.end() ? nullptr : &it->second;
}

}  // namespace castellan::controller
