#pragma once
// Reads the SecurityPolicy documents of a YAML (or JSON) file for standalone mode.

#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"

namespace castellan::sensor {

struct RulesFile {
  std::vector<api::SecurityPolicy> policies;
  std::vector<std::string> warnings;  // e.g. documents of other kinds, skipped
};

// Every document must parse; documents of other kinds are skipped with a warning; a file
// with no SecurityPolicy is an error. Errors name the document ("FILE: document 2: ...").
Result<RulesFile> read_rules_file(const std::string& path);

// The same, from text (`origin` names it in errors).
Result<RulesFile> parse_rules(const std::string& text, const std::string& origin);

}  // namespace castellan::sensor
