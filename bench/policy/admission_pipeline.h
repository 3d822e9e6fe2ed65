#pragma once
// The webhook's hot path without the network: AdmissionReview text in, response text out.

#include <nlohmann/json.hpp>
#include <string>

#include "policy/policy_snapshot.h"

namespace castellan::bench {

struct PipelineOutput {
  std::string response;  // serialized AdmissionReview response, patch base64-encoded
  size_t evaluations = 0;
  bool allowed = true;
};

// Evaluates the review's request.object and serializes the response with the chained patch.
PipelineOutput respond(const nlohmann::json& review, const policy::PolicySnapshot& snapshot,
                       const policy::NamespaceLabelSource& namespaces);

}  // namespace castellan::bench
