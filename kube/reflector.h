#pragma once
// Reflector: keeps a sink in step with one resource on the API server, as client-go's
// reflector. It lists (paged), then watches from the list's resourceVersion with bookmarks.
//  - A watch that delivered events or bookmarks is resumed at once from the last version seen.
//  - A 410 Gone (answer or ERROR event) means the version is too old: list again.
//  - Failures (list, watch request, a stream that breaks at once) wait an exponential backoff
//    with jitter, so a down API server is not hammered.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include "kube/api_client.h"
#include "kube/backoff.h"
#include "kube/clock.h"

namespace castellan::kube {

struct ReflectorOptions {
  GroupVersionResource gvr;
  std::string namespace_;  // "" = all namespaces
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;
  BackoffOptions backoff{};  // 800 ms .. 30 s, factor 2, jitter 1 (client-go's)
  // Each watch asks the server to end it after a random time in [min, 2 * min].
  std::chrono::seconds min_watch_timeout{300};
};

// Where a reflector delivers what it sees. Called from the reflector's thread only.
class ReflectorSink {
 public:
  virtual ~ReflectorSink() = default;
  // A (re)list begins; items of an unfinished earlier list are to be discarded.
  virtual void on_list_start() = 0;
  // One listed object (kind and apiVersion filled in).
  virtual void on_list_item(const nlohmann::json& object) = 0;
  // The list is complete: the sink now holds exactly the listed objects.
  virtual void on_list_done(const std::string& resource_version) = 0;
  // ADDED, MODIFIED or DELETED.
  virtual void on_watch_event(const WatchEvent& event) = 0;
};

struct ReflectorStats {
  uint64_t lists = 0;
  uint64_t list_failures = 0;
  uint64_t watches = 0;  // watch requests made (connection attempts)
  uint64_t watch_failures = 0;
  uint64_t gone = 0;  // relists forced by 410 Gone
  uint64_t events = 0;
  uint64_t bookmarks = 0;
  uint64_t backoffs = 0;  // sleeps taken after a failure
};

class Reflector {
 public:
  Reflector(ApiClientPtr api, ClockPtr clock, ReflectorOptions options, ReflectorSink& sink,
            Backoff::Random random = {});

  // Lists and watches until `stop` becomes true. Call interrupt() after setting it so that a
  // backoff sleep ends at once.
  void run(const std::atomic<bool>& stop);
  void interrupt();

  std::string last_resource_version() const;
  ReflectorStats stats() const;

 private:
  Status list(const std::atomic<bool>& stop);
  // Returns true when the watch ended because the resource version expired.
  bool watch(const std::atomic<bool>& stop, bool& healthy);
  void sleep(Duration delay, const std::atomic<bool>& stop);
  std::string describe() const;

  ApiClientPtr api_;
  ClockPtr clock_;
  ReflectorOptions options_;
  ReflectorSink& sink_;
  Backoff backoff_;
  Backoff::Random random_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string resource_version_;
  ReflectorStats stats_;
};

}  // namespace castellan::kube
