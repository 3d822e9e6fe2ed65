#pragma once
// RFC 6902 JSON Patch and RFC 6901 JSON Pointer helpers.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace castellan::policy {

// Escapes one reference token for a JSON pointer: '~' -> "~0", '/' -> "~1".
std::string escape_pointer_token(std::string_view token);

// Applies `patch` (an array of add, remove, replace, move, copy, test operations) to a copy
// of `document`. All or nothing: an error names the operation index and what failed.
Result<nlohmann::json> apply_json_patch(const nlohmann::json& document, const nlohmann::json& patch);

}  // namespace castellan::policy
