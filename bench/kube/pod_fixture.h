#pragma once
// The benchmark's Pods: a realistic spec (two containers with resources, probes, env and
// security contexts), and what a cache that needs only a few fields keeps of each.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace castellan::bench {

nlohmann::json make_pod(const std::string& namespace_, int index);

using Labels = std::vector<std::pair<std::string, std::string>>;
using ContainerNames = std::vector<std::string>;

// What a node-local cache needs of a Pod: identity, placement, phase, labels, containers.
// Label sets and container name lists repeat across the Pods of a workload, so they are
// interned: Pods with equal sets share one copy.
struct PodSummary {
  std::string uid;
  std::string node_name;
  std::string phase;
  std::shared_ptr<const Labels> labels;
  std::shared_ptr<const ContainerNames> containers;
};

Result<PodSummary> summarize_pod(const nlohmann::json& pod);
// The same fields, kept as JSON.
Result<nlohmann::json> project_pod(const nlohmann::json& pod);

}  // namespace castellan::bench
