#pragma once
// Combining the JSONPatches of several policies into one. Pure.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace castellan::webhook {

struct PolicyPatch {
  std::string policy;
  const nlohmann::json* patch;  // RFC 6902 array computed against the original object
};

struct CombinedPatch {
  std::optional<nlohmann::json> patch;  // absent when nothing changes
  std::vector<std::string> errors;      // one per policy whose patch did not apply
};

// Applies each policy's patch to the original separately and merges the results, so that
// two policies adding different fields under one new object both keep their fields; where
// two policies set the same field differently, the later one (policy name order) wins.
// The answer is one patch against `original`.
CombinedPatch combine_patches(const nlohmann::json& original,
                              const std::vector<PolicyPatch>& patches);

// Keeps only the operations whose path starts with `prefix` (e.g. for a subresource).
nlohmann::json filter_patch(const nlohmann::json& patch, const std::string& prefix);

}  // namespace castellan::webhook
