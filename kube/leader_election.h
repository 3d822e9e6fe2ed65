#pragma once
// LeaderElector: leader election on a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection package.
//  - Candidates retry every retry_period (with jitter) to take the Lease; a Lease held by
//    another is free once its holder has not renewed it for leaseDurationSeconds, measured on
//    this process's clock from when the record was last seen to change (no clock skew matters).
//  - The leader renews every retry_period; if it cannot renew within renew_deadline it stops
//    leading (on_stopped_leading) and becomes a candidate again.
//  - Writes are optimistic (PUT with metadata.resourceVersion): of two candidates one wins.
//  - On stop(), a leader releases the Lease (release_on_cancel) so a successor takes over at
//    once instead of after the lease duration.
// Callbacks run on the elector's thread and should return quickly.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kube/api_client.h"
#include "kube/backoff.h"
#include "kube/clock.h"
#include "kube/lease.h"

namespace castellan::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per candidate, e.g. pod name + random suffix
  Duration lease_duration = std::chrono::seconds(15);
  Duration renew_deadline = std::chrono::seconds(10);
  Duration retry_period = std::chrono::seconds(2);
  bool release_on_cancel = true;
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  // A different holder was observed (including this candidate itself).
  std::function<void(const std::string& identity)> on_new_leader;
};

struct LeaderElectionStats {
  uint64_t attempts = 0;
  uint64_t acquisitions = 0;
  uint64_t renewals = 0;
  uint64_t failures = 0;  // API errors and lost optimistic-concurrency races
};

class LeaderElector {
 public:
  LeaderElector(ApiClientPtr api, LeaderElectionConfig config, ClockPtr clock = real_clock(),
                Backoff::Random random = {});
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Checks durations like client-go: lease > renew deadline > 1.2 * retry period > 0.
  static Status validate(const LeaderElectionConfig& config);

  // Starts campaigning on a thread; an invalid config is returned as an error.
  Status start();
  // Stops campaigning; a leader releases the Lease (if configured) and stops leading.
  void stop();

  bool is_leader() const;
  // The holder last observed ("" if none yet).
  std::string leader() const;
  LeaderElectionStats stats() const;

 private:
  void run();
  bool try_acquire_or_renew();
  void release();
  // Sleeps on the clock; false when stop() interrupted it.
  bool sleep(Duration delay);
  void observe(const LeaseRecord& record);

  ApiClientPtr api_;
  LeaderElectionConfig config_;
  ClockPtr clock_;
  Backoff::Random random_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<LeaseRecord> observed_;
  TimePoint observed_time_{};
  std::string reported_leader_;
  bool leading_ = false;
  LeaderElectionStats stats_;

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace castellan::kube
