#pragma once
// EventRecorder: writes core/v1 Events as client-go's record package does.
//  - Repeats of one (object, type, reason, message, annotations, related) become one Event
//    whose `count` and `lastTimestamp` rise (PATCH of the existing Event).
//  - A token bucket per involved object (client-go's spam filter: burst 25, then one per
//    5 minutes) drops floods of distinct events; drops are counted. A repeat of an event that
//    is queued, being written or remembered as written is never dropped by it: readers count
//    alerts by `count`, so a repeat only raises the count.
//  - event() never blocks: events wait in a bounded queue drained by a background thread,
//    which retries with backoff through a short API outage. Repeats of an event already
//    queued are merged into it, so a flood does not fill the queue. What overflows is counted.
//    The queue holds queue_capacity new events, plus at most one repeat entry per Event
//    written or being written.
//  - shutdown() flushes the queue (retrying up to flush_timeout), then stops the thread.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "kube/api_client.h"
#include "kube/backoff.h"
#include "kube/clock.h"
#include "kube/rate_limiting_token_bucket.h"

namespace castellan::kube {

struct ObjectReference {
  std::string api_version;
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string field_path;

  // A reference to an object as read from the API (kind/apiVersion/metadata).
  static ObjectReference to(const nlohmann::json& object);
};

// What an Event carries beyond its involved object, type, reason and message. Both are part
// of the aggregation key: events that differ in them are separate Events.
struct EventExtras {
  std::map<std::string, std::string> annotations;  // metadata.annotations of the Event
  std::optional<ObjectReference> related;          // a second object the Event is about
};

struct EventRecorderOptions {
  std::string component = "castellan";  // source.component and reportingComponent
  std::string host;                     // source.host and reportingInstance
  std::size_t queue_capacity = 1000;    // distinct events waiting to be written
  double per_object_qps = 1.0 / 300.0;
  int per_object_burst = 25;
  BackoffOptions retry{std::chrono::milliseconds(500), std::chrono::seconds(10), 2.0, 0.2};
  int max_attempts = 12;
  Duration flush_timeout = std::chrono::seconds(5);
  std::size_t cache_size = 4096;  // events remembered for aggregation, and objects rate-limited
};

struct EventRecorderStats {
  uint64_t accepted = 0;           // event() calls queued or merged into a queued event
  uint64_t created = 0;            // Events created
  uint64_t aggregated = 0;         // PATCHes raising the count of an existing Event
  uint64_t dropped_rate_limited = 0;
  uint64_t dropped_queue_full = 0;
  uint64_t failed = 0;             // given up after retries, refused by the API, or unflushed
  uint64_t retries = 0;
  std::size_t pending = 0;
};

class EventRecorder {
 public:
  EventRecorder(ApiClientPtr api, EventRecorderOptions options, ClockPtr clock = real_clock(),
                Backoff::Random random = {});
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // type: "Normal" or "Warning". Returns false when the event was dropped (and counted).
  bool event(const ObjectReference& object, const std::string& type, const std::string& reason,
             const std::string& message, const EventExtras& extras = {});
  void shutdown();
  bool shutting_down() const;
  EventRecorderStats stats() const;

 private:
  struct Pending {
    std::string key;
    ObjectReference object;
    std::string type;
    std::string reason;
    std::string message;
    EventExtras extras;
    WallTime first;
    WallTime last;
    int repeats = 1;
    bool repeat = false;  // of an Event being written or written: outside queue_capacity
  };
  struct Written {
    std::string namespace_;
    std::string name;
    int count = 0;
    WallTime first;
  };
  enum class Outcome { Done, Retry, Failed };

  void run();
  Outcome write(const Pending& pending);
  nlohmann::json new_event(const Pending& pending, const std::string& name) const;
  void remember(const std::string& key, Written written);
  bool allow(const ObjectReference& object, TimePoint now);

  ApiClientPtr api_;
  EventRecorderOptions options_;
  ClockPtr clock_;
  Backoff backoff_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::list<Pending> queue_;
  std::unordered_map<std::string, std::list<Pending>::iterator> queued_;
  std::size_t queued_repeats_ = 0;  // entries of queue_ with `repeat` set
  std::unordered_map<std::string, TokenBucket> buckets_;
  EventRecorderStats stats_;
  bool shutting_down_ = false;
  TimePoint flush_deadline_{};
  std::string writing_;  // key of the event the writer thread holds; empty when idle

  // Changed by the writer thread only, under mu_ (event() reads them to spot repeats).
  std::unordered_map<std::string, Written> written_;
  std::deque<std::string> written_order_;
  unsigned long long last_name_nanos_ = 0;  // writer thread only: Event names stay unique

  std::thread thread_;
};

}  // namespace castellan::kube
