#include "sensor/rules_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/security_policy_codec.h"

namespace castellan::sensor {
namespace {

// Plain scalars are typed as YAML 1.2's core schema does; quoted ones stay strings.
nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;
  if (text == "null" || text == "~" || text.empty()) return nullptr;
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  try {
    size_t used = 0;
    long long value = std::stoll(text, &used, 10);
    if (used == text.size()) return value;
    double real = std::stod(text, &used);
    if (used == text.size()) return real;
  } catch (const std::exception&) {
  }
  return text;
}

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& item : node) object[item.first.as<std::string>()] = to_json(item.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(to_json(item));
      return array;
    }
    case YAML::NodeType::Scalar:
      return scalar_to_json(node);
    default:
      return nullptr;
  }
}

}  // namespace

Result<RulesFile> parse_rules(const std::string& text, const std::string& origin) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return Error::make(origin + ": not valid YAML: " + e.what(), "Invalid");
  }
  RulesFile out;
  std::string errors;
  int index = 0;
  for (const auto& doc : documents) {
    ++index;
    if (doc.IsNull()) continue;
    std::string where = origin + ": document " + std::to_string(index);
    nlohmann::json object;
    try {
      object = to_json(doc);
    } catch (const YAML::Exception& e) {
      errors += where + ": " + e.what() + "\n";
      continue;
    }
    if (!object.is_object()) {
      errors += where + ": expected a mapping\n";
      continue;
    }
    std::string kind = object.contains("kind") && object["kind"].is_string()
                           ? object["kind"].get<std::string>()
                           : std::string();
    if (kind != api::kSecurityPolicyKind) {
      out.warnings.push_back(where + ": skipped kind \"" + kind + "\"");
      continue;
    }
    auto policy = api::parse_security_policy(object);
    if (!policy.ok()) {
      errors += where + ": " + policy.error().message + "\n";
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
