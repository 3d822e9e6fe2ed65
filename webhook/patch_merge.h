#pragma once
// Combining the JSONPatches of several policies into one. Pure.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace castellan::webhook {

struct PolicyPatch {
  std::string policy;
  // RFC 6902 array computed against the object as the policies before it patched it
  // (PolicySnapshot::evaluate chains them in policy name order).
  const nlohmann::json* patch;
};

struct CombinedPatch {
  std::optional<nlohmann::json> patch;  // absent when nothing changes
  std::vector<std::string> errors;      // one per policy whose patch did not apply
};

// Applies the policies' patches in order and answers with one patch against `original` that
// holds only real changes (operations that change nothing are dropped). A patch that does not
// apply is skipped and reported; the others still apply.
CombinedPatch combine_patches(const nlohmann::json& original,
                              const std::vector<PolicyPatch>& patches);

// Keeps only the operations whose path starts with `prefix` (e.g. for a subresource).
nlohmann::json filter_patch(const nlohmann::json& patch, const std::string& prefix);

}  // namespace castellan::webhook
