#pragma once
// ResponseActions: DeletePod, IsolatePod, TaintNode and QuarantineImage against the API
// server (Notify goes through the Notifier). Each action is idempotent: it first reads what it
// would change and answers AlreadyDone, without acting or taking a rate-limit token, when
// there is nothing left to do (the pod is gone or labelled, the node tainted, the digest
// quarantined). A token is taken (request.admit) only right before the change.

#include <functional>
#include <string>

#include "api/runtime_violation.h"
#include "api/security_policy.h"
#include "kube/api_client.h"

namespace castellan::controller {

enum class ActionOutcome {
  Done,         // did what it says
  AlreadyDone,  // nothing to do
  Failed,       // tried and failed; the message says why
  Refused,      // a guard kept it from acting (DeletePod's minHealthyReplicas)
  RateLimited,  // the policy's maxActionsPerMinute was reached
};

struct ActionResult {
  ActionOutcome outcome = ActionOutcome::Failed;
  std::string message;
  std::string image;  // the image reference the pod ran (QuarantineImage)
};

struct ActionRequest {
  const api::RuntimeViolationEvent& alert;
  const api::ResponseSpec& response;
  const std::string& policy;
  const std::string& now;              // RFC 3339
  const std::function<bool()>& admit;  // takes a rate-limit token; false: RateLimited
};

class ResponseActions {
 public:
  explicit ResponseActions(kube::ApiClientPtr api) : api_(std::move(api)) {}

  // Any action but Notify (Failed for Notify).
  ActionResult run(api::ResponseAction action, const ActionRequest& request);

 private:
  ActionResult delete_pod(const ActionRequest& request);
  ActionResult isolate_pod(const ActionRequest& request);
  ActionResult taint_node(const ActionRequest& request);
  ActionResult quarantine_image(const ActionRequest& request);

  kube::ApiClientPtr api_;
};

}  // namespace castellan::controller
