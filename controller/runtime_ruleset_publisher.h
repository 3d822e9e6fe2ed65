#pragma once
// Publishes the runtime rules of every policy in force as the ruleset ConfigMap the sensors
// watch (api/runtime_ruleset.h): written only when its content hash changes, put back when
// edited or deleted by hand. Leader only.

#include <string>
#include <vector>

#include "api/runtime_ruleset.h"
#include "common/result.h"
#include "kube/api_client.h"

namespace castellan::controller {

class RuntimeRulesetPublisher {
 public:
  RuntimeRulesetPublisher(kube::ApiClientPtr api, std::string namespace_)
      : api_(std::move(api)), namespace_(std::move(namespace_)) {}

  // Returns the hash of the ruleset published.
  Result<std::string> publish(const std::vector<api::SecurityPolicy>& in_force);

 private:
  kube::ApiClientPtr api_;
  std::string namespace_;
};

}  // namespace castellan::controller
