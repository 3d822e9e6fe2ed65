#pragma once
// Releasing quarantined image digests: `kubectl annotate securitypolicy NAME
// castellan.io/release-digests=sha256:...[,sha256:...]` (or `all`). The leader removes those
// digests from status.quarantinedDigests, then the annotation, and says so in an Event.
// Quarantines live in status, not spec, so a GitOps sync neither undoes nor restores them.

#include <set>
#include <string>

#include "controller/policy_set.h"
#include "kube/api_client.h"
#include "kube/event_recorder.h"

namespace castellan::controller {

// The digests an annotation value names ("all" names every one). Pure.
std::set<std::string> digests_to_release(const std::string& annotation);

class QuarantineRelease {
 public:
  // `events` may be null.
  QuarantineRelease(kube::ApiClientPtr api, kube::EventRecorder* events)
      : api_(std::move(api)), events_(events) {}

  // Acts on every policy carrying the annotation. Returns the first error.
  Status reconcile(const PolicySet& policies);

 private:
  Status release(const PolicyState& state, const std::string& annotation);

  kube::ApiClientPtr api_;
  kube::EventRecorder* events_;
};

}  // namespace castellan::controller
