#pragma once
// Converts a simdjson DOM element into nlohmann::json, the engine's input type.

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace castellan::bench {

nlohmann::json to_nlohmann(simdjson::dom::element element);

}  // namespace castellan::bench
