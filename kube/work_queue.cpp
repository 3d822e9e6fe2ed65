#include "kube/work_queue.h"

namespace castellan::kube {

WorkQueue::WorkQueue(ClockPtr clock) : clock_(std::move(clock)) {}

void WorkQueue::add(const std::string& item) {
  std::lock_guard<std::mutex> lock(mu_);
  add_locked(item);
}

void WorkQueue::add_locked(const std::string& item) {
  if (shutting_down_ || dirty_.count(item)) return;
  dirty_.insert(item);
  if (processing_.count(item)) return;
  queue_.push_back(item);
  cv_.notify_one();
}

void WorkQueue::add_after(const std::string& item, Duration delay) {
  if (delay <= Duration::zero()) return add(item);
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  TimePoint at = clock_->now() + delay;
  auto existing = waiting_at_.find(item);
  if (existing != waiting_at_.end()) {
    if (existing->second <= at) return;
    auto range = waiting_.equal_range(existing->second);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == item) {
        waiting_.erase(it);
        break;
      }
    }
  }
  waiting_.emplace(at, item);
  waiting_at_[item] = at;
  // Wake every waiter: the new deadline may be earlier than the one they sleep towards.
  cv_.notify_all();
}

void WorkQueue::promote_due_locked(TimePoint now) {
  while (!waiting_.empty() && waiting_.begin()->first <= now) {
    std::string item = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    waiting_at_.erase(item);
    add_locked(item);
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!shutting_down_) promote_due_locked(clock_->now());
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    if (waiting_.empty()) {
      cv_.wait(lock);
    } else {
      clock_->wait_until(lock, cv_, waiting_.begin()->first);
    }
  }
  std::string item = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(item);
  dirty_.erase(item);
  return item;
}

void WorkQueue::done(const std::string& item) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(item);
  if (dirty_.count(item)) {
    queue_.push_back(item);
    cv_.notify_one();
  }
  if (processing_.empty()) cv_.notify_all();
}

void WorkQueue::shut_down() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  waiting_.clear();
  waiting_at_.clear();
  cv_.notify_all();
}

void WorkQueue::shut_down_with_drain() {
  shut_down();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return processing_.empty() && queue_.empty(); });
}

bool WorkQueue::shutting_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

std::size_t WorkQueue::len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

std::size_t WorkQueue::delayed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

}  // namespace castellan::kube
