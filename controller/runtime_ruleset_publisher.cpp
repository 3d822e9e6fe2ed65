#include "controller/runtime_ruleset_publisher.h"

#include "common/log.h"
#include "kube/resources.h"

namespace castellan::controller {

Result<std::string> RuntimeRulesetPublisher::publish(
    const std::vector<api::SecurityPolicy>& in_force) {
  auto ruleset = api::build_runtime_ruleset(in_force);
  auto desired = api::ruleset_configmap(ruleset, namespace_);
  auto current = api_->get(kube::kConfigMaps, namespace_, api::kRulesetConfigMapName);
  if (!current && current.error().code != 404) return current.error();
  if (current) {
    auto data = current->value("data", nlohmann::json::object());
    // Content and hash both: a hand edit of either is put back.
    if (data == desired["data"]) return ruleset.hash;
    desired["metadata"]["resourceVersion"] =
        current->value("/metadata/resourceVersion"_json_pointer, std::string());
  }
  auto written = current ? api_->update(kube::kConfigMaps, namespace_, desired)
                         : api_->create(kube::kConfigMaps, namespace_, desired);
  if (!written) return written.error();
  log::info("Published runtime ruleset",
            {{"configMap", namespace_ + "/" + api::kRulesetConfigMapName},
             {"hash", ruleset.hash},
             {"policies", std::to_string(ruleset.policies.size())}});
  return ruleset.hash;
}

}  // namespace castellan::controller
