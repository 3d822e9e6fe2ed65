#pragma once
// YAML text to nlohmann::json, reading scalars the way Kubernetes manifests mean them
// (YAML 1.2 core schema): quoted scalars stay strings ("true", "5"); plain scalars become
// null (~, null, empty), booleans (true/false in any of the three casings), integers
// (decimal, 0o octal, 0x hex) or floats; everything else is a string. `yes`/`no`/`on`/`off`
// are strings (they were booleans only in YAML 1.1). `!!str` and friends are honoured,
// merge keys (`<<`) are expanded, duplicate keys and non-finite floats are errors.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace castellan::api {

struct YamlDocument {
  nlohmann::json value;  // null for an empty document
  int line = 0;          // 1-based line where the document starts
};

struct YamlParseError {
  int document = 0;  // 1-based index of the document that failed
  int line = 0;      // 1-based
  int column = 0;    // 1-based
  std::string message;
};

struct YamlParseResult {
  std::vector<YamlDocument> documents;  // every document up to the first error, empty ones too
  std::optional<YamlParseError> error;
};

// Parses a multi-document YAML stream (documents separated by `---` lines). Never throws.
YamlParseResult parse_yaml_documents(std::string_view text);

}  // namespace castellan::api
