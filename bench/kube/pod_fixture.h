#pragma once
// The benchmark's Pods: a realistic spec (two containers with resources, probes, env and
// security contexts), and what a cache that needs only a few fields keeps of each.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace castellan::bench {

nlohmann::json make_pod(const std::string& namespace_, int index);

// What a node-local cache needs of a Pod: identity, placement, phase, labels, containers.
struct PodSummary {
  std::string uid;
  std::string node_name;
  std::string phase;
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::string> containers;
};

Result<PodSummary> summarize_pod(const nlohmann::json& pod);
// The same fields, kept as JSON.
Result<nlohmann::json> project_pod(const nlohmann::json& pod);

}  // namespace castellan::bench
