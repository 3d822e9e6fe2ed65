#pragma once
// WorkQueue: client-go's workqueue semantics for string keys.
//  - De-duplicated: an item queued twice before it is taken is processed once.
//  - An item is processed by one worker at a time: added while processing, it is queued again
//    when the worker calls done().
//  - add_after() delays an item on the queue's clock (the earlier of two delays wins).
//  - shut_down(): new items are ignored; get() keeps handing out what is queued and returns
//    nullopt once the queue is empty. Delayed items not yet due are dropped.

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "kube/clock.h"

namespace castellan::kube {

class WorkQueue {
 public:
  explicit WorkQueue(ClockPtr clock = real_clock());
  virtual ~WorkQueue() = default;
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& item);
  void add_after(const std::string& item, Duration delay);
  // Blocks until an item is ready; nullopt once shut down and empty.
  std::optional<std::string> get();
  // The worker finished `item` (successfully or not).
  void done(const std::string& item);

  void shut_down();
  // shut_down(), then waits until every item handed out has been done().
  void shut_down_with_drain();
  bool shutting_down() const;

  // Items ready to be taken (not counting delayed or in-process ones).
  std::size_t len() const;
  std::size_t delayed() const;

 protected:
  ClockPtr clock_;

 private:
  void add_locked(const std::string& item);
  void promote_due_locked(TimePoint now);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;
  std::unordered_set<std::string> processing_;
  std::multimap<TimePoint, std::string> waiting_;
  std::unordered_map<std::string, TimePoint> waiting_at_;
  bool shutting_down_ = false;
};

}  // namespace castellan::kube
