#include "simdjson_to_nlohmann.h"

#include <string>

namespace castellan::bench {

nlohmann::json to_nlohmann(simdjson::dom::element element) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::OBJECT: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto field : simdjson::dom::object(element)) {
        out.emplace(std::string(field.key), to_nlohmann(field.value));
      }
      return out;
    }
    case element_type::ARRAY: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto child : simdjson::dom::array(element)) out.push_back(to_nlohmann(child));
      return out;
    }
    case element_type::STRING: return std::string(std::string_view(element));
    case element_type::INT64: return int64_t(element);
    case element_type::UINT64: return uint64_t(element);
    case element_type::DOUBLE: return double(element);
    case element_type::BOOL: return bool(element);
    case element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

}  // namespace castellan::bench
