#pragma once
// What the response actions read off Pods, Nodes and owners, and the objects they write. Pure.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/security_policy.h"

namespace castellan::controller {

inline constexpr const char* kQuarantineLabel = "castellan.io/quarantine";
inline constexpr const char* kQuarantineNetworkPolicy = "castellan-quarantine";
inline constexpr const char* kCompromisedTaint = "castellan.io/compromised";

struct ContainerImage {
  std::string container;  // name
  std::string image;      // as the kubelet reports it (status.image), else the spec's
  std::string digest;     // "sha256:<64 hex>" from status.imageID; empty when not pinned
};

// The image of the container whose status carries `container_id` ("<runtime>://<id>" or the
// bare id). With no id, the Pod's only container. nullopt when none matches.
std::optional<ContainerImage> container_image(const nlohmann::json& pod,
                                              const std::string& container_id);

// "sha256:<64 hex>" after the '@' of an image reference or imageID; empty when there is none.
std::string digest_of(const std::string& reference);

// The Pod's Ready condition is True.
bool pod_ready(const nlohmann::json& pod);

struct OwnerRef {
  std::string kind;
  std::string name;
};
// The controlling owner (ownerReferences[controller=true]); nullopt when none.
std::optional<OwnerRef> controller_of(const nlohmann::json& object);

// Ready pods that would remain of an owner reporting `ready_replicas` when this pod goes.
int64_t ready_after_delete(int64_t ready_replicas, bool pod_is_ready);

// True when node.spec.taints has key with effect.
bool has_taint(const nlohmann::json& node, const std::string& key, api::TaintEffect effect);

// The NetworkPolicy that denies all ingress and egress to pods labelled kQuarantineLabel=true.
nlohmann::json quarantine_network_policy(const std::string& namespace_);
// True when `existing` selects and denies as quarantine_network_policy does.
bool is_quarantine_network_policy(const nlohmann::json& existing);

}  // namespace castellan::controller
