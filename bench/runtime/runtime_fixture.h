#pragma once
// The runtime benchmark's inputs: RuntimeViolation Events as castellan-sensor writes them, the
// leader's ledger after it counted them, and policies whose status quarantines image digests.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/runtime_violation.h"
#include "api/security_policy.h"
#include "controller/runtime_ledger.h"

namespace castellan::bench {

inline constexpr int kRuntimePolicies = 10;

// `count` core/v1 Events as the API server lists them (metadata with uid, resourceVersion and
// managedFields; the sensor's annotations; involvedObject a Pod; related the SecurityPolicy;
// count; timestamps within the last hour), spread over kRuntimePolicies policies, 20
// namespaces, 50 nodes and one Pod per four Events.
std::vector<nlohmann::json> runtime_violation_events(int count);

// The kRuntimePolicies policies the Events name, with their uids.
controller::PolicyUids runtime_policy_uids();

// A leader's ledger once it has counted every one of `events`: a mark per Event and a record
// per policy with full recent violations and actions.
controller::RuntimeLedger counted_ledger(const std::vector<api::RuntimeViolationEvent>& events);

// benchmark_policies(kRuntimePolicies) with `per_policy` quarantined digests in each policy's
// status; none of them is a digest of the benchmark Pod's images.
std::vector<api::SecurityPolicy> quarantining_policies(int per_policy);

}  // namespace castellan::bench
