#pragma once
// The ConfigMaps behind admission counts (see admission_reports.h for the design). Each
// replica writes only its own report, castellan-admission-<replica> (label
// castellan.io/admission-report=true, data key report.json); the leader lists them, folds the
// stale ones into castellan-admission-retired and sums everything.

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/admission_reports.h"
#include "kube/api_client.h"

namespace castellan::controller {

inline constexpr const char* kAdmissionReportLabel = "castellan.io/admission-report";

// write() may be called from any thread; the leader's methods from one thread at a time.
class AdmissionReportStore {
 public:
  AdmissionReportStore(kube::ApiClientPtr api, std::string namespace_);

  // Creates or replaces this replica's report. Only its replica writes it: no conflicts.
  Status write(const AdmissionReport& report);

  // Every report; one that cannot be decoded is skipped with a warning.
  Result<std::vector<AdmissionReport>> list_reports();
  Status remove_report(const std::string& replica);

  // Empty totals when the ConfigMap does not exist yet.
  Result<RetiredTotals> load_retired();
  // Guarded by the resourceVersion last loaded: a concurrent writer (a leader change) makes it
  // fail with a conflict, and the next collect starts again from what is stored.
  Status save_retired(const RetiredTotals& retired);

  // Lists reports, folds those with no heartbeat for `stale_after` (retired totals saved
  // before their reports are deleted) and returns retired + live, per policy.
  Result<PolicyTallies> collect(std::chrono::system_clock::time_point now,
                                std::chrono::seconds stale_after);

  // castellan-admission-<replica>, made a valid ConfigMap name: lower case, [a-z0-9-],
  // at most 253 characters; a replica id that had to change gets a hash suffix to stay unique.
  static std::string config_map_name(const std::string& replica);
  static const char* retired_config_map_name();

 private:
  kube::ApiClientPtr api_;
  std::string namespace_;
  std::string retired_version_;  // resourceVersion of the retired totals last read or written
};

}  // namespace castellan::controller
