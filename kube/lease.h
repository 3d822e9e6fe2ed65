#pragma once
// LeaseRecord: the leader-election view of a coordination.k8s.io/v1 Lease (client-go's
// LeaderElectionRecord), with conversions to and from the Lease JSON.

#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "kube/api_client.h"
#include "kube/clock.h"

namespace castellan::kube {

inline const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases", true};

struct LeaseRecord {
  std::string holder_identity;  // "" = nobody holds it (released)
  int lease_duration_seconds = 0;
  WallTime acquire_time{};
  WallTime renew_time{};
  int lease_transitions = 0;

  bool operator==(const LeaseRecord&) const = default;
};

// Reads spec of a Lease; absent fields take their zero value. A field of the wrong type is an
// error naming it.
Result<LeaseRecord> lease_record_from_json(const nlohmann::json& lease);
// Writes `record` into the spec of `lease` (other fields untouched).
void write_lease_record(nlohmann::json& lease, const LeaseRecord& record);

// metav1.MicroTime: RFC 3339 with microseconds in UTC, e.g. 2024-01-02T03:04:05.000006Z.
std::string format_micro_time(WallTime time);
Result<WallTime> parse_micro_time(const std::string& text);

}  // namespace castellan::kube
