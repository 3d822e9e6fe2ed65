#include "sensor/rules_file.h"

#include <fstream>
#include <sstream>

#include "api/manifest_loader.h"
#include "api/security_policy_codec.h"

namespace castellan::sensor {

Result<RulesFile> parse_rules(const std::string& text, const std::string& origin) {
  bool json_only = origin.size() > 5 && origin.compare(origin.size() - 5, 5, ".json") == 0;
  auto manifests = api::parse_manifests(text, origin, json_only);
  if (!manifests.ok()) return manifests.error();
  RulesFile out;
  std::string errors;
  for (const auto& manifest : *manifests) {
    if (manifest.kind() != api::kSecurityPolicyKind) {
      out.warnings.push_back(manifest.location() + ": skipped kind \"" + manifest.kind() + "\"");
      continue;
    }
    auto policy = api::parse_security_policy(manifest.object);
    if (!policy.ok()) {
      errors += manifest.location() + ": " + policy.error().message + "\n";
      continue;
    }
    out.policies.push_back(std::move(*policy));
  }
  if (!errors.empty()) {
    errors.pop_back();
    return Error::make(errors, "Invalid");
  }
  if (out.policies.empty()) {
    return Error::make(origin + ": no SecurityPolicy document found", "Invalid");
  }
  return out;
}

Result<RulesFile> read_rules_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::make("cannot read rules file " + path, "NotFound");
  std::stringstream text;
  text << in.rdbuf();
  return parse_rules(text.str(), path);
}

}  // namespace castellan::sensor
