#pragma once
// Which actions an alert of one rule calls for: every response of the policy that names the
// rule contributes its actions, each action once (the first response that lists it gives its
// options). They run in a fixed order whatever the order written: QuarantineImage first (it
// reads the pod's image digest), then IsolatePod, TaintNode and Notify, and DeletePod last,
// once everything else has read the pod. Pure.

#include <string>
#include <vector>

#include "api/security_policy.h"

namespace castellan::controller {

struct PlannedAction {
  api::ResponseAction action;
  const api::ResponseSpec* response;  // points into the RuntimeSpec given
};

std::vector<PlannedAction> plan_responses(const api::RuntimeSpec& runtime, const std::string& rule);

}  // namespace castellan::controller
