#pragma once
// Counts this replica's admission decisions per SecurityPolicy, for its AdmissionReport:
// passed → allowed, denied → denied, warned or audited → warned, with the newest
// kRecentViolations violations (one per failed rule). `patched` verdicts are not counted.
//
// The manager registers the tally as the webhook's observer. Only /validate outcomes carry
// passed/denied/warned/audited verdicts; /mutate outcomes carry only `patched`, which is
// ignored, so each request is counted once even though both endpoints report here.

#include <map>
#include <mutex>
#include <string>

#include "controller/admission_reports.h"
#include "kube/clock.h"
#include "webhook/admission_observer.h"

namespace castellan::controller {

class AdmissionTally : public webhook::AdmissionObserver {
 public:
  explicit AdmissionTally(kube::ClockPtr clock = std::make_shared<kube::RealClock>());

  // Called on the webhook's I/O threads: builds violations outside the lock, then holds a
  // mutex only to add counts.
  void observe(const webhook::AdmissionRequest& request,
               const webhook::AdmissionOutcome& outcome) override;

  // Cumulative counts since this tally was made, with heartbeat `now`.
  AdmissionReport snapshot(const std::string& replica,
                           std::chrono::system_clock::time_point now) const;

 private:
  kube::ClockPtr clock_;
  mutable std::mutex mu_;
  PolicyTallies tallies_;  // recent: newest first, at most kRecentViolations
};

}  // namespace castellan::controller
