#pragma once
// kubectl against one kubeconfig, with the JSON reads e2e tests make of what it prints:
// get an object, wait until it satisfies a predicate, read a field or a condition.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "e2e/command.h"

namespace castellan::e2e {

class Kubectl {
 public:
  explicit Kubectl(std::string kubeconfig, std::string binary = "kubectl")
      : kubeconfig_(std::move(kubeconfig)), binary_(std::move(binary)) {}

  // Runs kubectl; a non-zero exit is a result. exit_code -1 when kubectl could not start.
  CommandResult run(const std::vector<std::string>& args, const std::string& input = {},
                    std::chrono::seconds timeout = std::chrono::seconds(120)) const;
  // `kubectl ARGS -o json`, parsed; null when kubectl failed or printed no JSON.
  nlohmann::json get_json(const std::vector<std::string>& args) const;
  // Polls get_json(args) until done() accepts it; returns the last object seen (check it).
  nlohmann::json wait_for(const std::vector<std::string>& args,
                          const std::function<bool(const nlohmann::json&)>& done,
                          std::chrono::seconds timeout = std::chrono::seconds(60)) const;

  const std::string& kubeconfig() const { return kubeconfig_; }

 private:
  std::string kubeconfig_;
  std::string binary_;
};

// Field reads that tolerate absent fields: 0 / "" when missing or of another type.
int64_t json_number(const nlohmann::json& object, const char* pointer);
std::string json_text(const nlohmann::json& object, const char* pointer);
// The status.conditions entry of that type, if any.
std::optional<nlohmann::json> json_condition(const nlohmann::json& object, const std::string& type);
bool condition_is(const nlohmann::json& object, const std::string& type, const std::string& status);

}  // namespace castellan::e2e
