#pragma once

#include <nlohmann/json.hpp>

namespace castellan::controller {

// Whether every field of `desired` is present in `actual` with the same value; objects are
// compared field by field (extra fields in `actual`, such as API server defaults, are
// ignored), arrays element by element with equal length, scalars by value.
bool json_subset(const nlohmann::json& desired, const nlohmann::json& actual);

}  // namespace castellan::controller
