#pragma once
// Cache keys, as client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" when the
// object is cluster-scoped.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace castellan::kube {

Result<std::string> object_key(const nlohmann::json& object);
// The namespace part of a key ("" for cluster-scoped keys).
std::string_view key_namespace(std::string_view key);
std::string_view key_name(std::string_view key);
// metadata.resourceVersion, or "" when absent.
std::string object_resource_version(const nlohmann::json& object);

}  // namespace castellan::kube
