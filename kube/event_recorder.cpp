#include "kube/event_recorder.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "common/json_fields.h"
#include "common/log.h"
#include "kube/resources.h"

namespace castellan::kube {
namespace {


std::string rfc3339(WallTime time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string event_namespace(const ObjectReference& object) {
  return object.namespace_.empty() ? "default" : object.namespace_;
}

std::string object_id(const ObjectReference& o) {
  return o.api_version + "\x1f" + o.kind + "\x1f" + o.namespace_ + "\x1f" + o.name + "\x1f" + o.uid;
}

bool retryable(const Error& error) {
  return error.code == 0 || error.code == 429 || error.code >= 500;
}

std::string aggregation_key(const ObjectReference& object, const std::string& type,
                            const std::string& reason, const std::string& message,
                            const EventExtras& extras) {
  std::string key = object_id(object) + "\x1e" + type + "\x1e" + reason + "\x1e" + message;
  for (const auto& [name, value] : extras.annotations) key += "\x1e" + name + "\x1f" + value;
  if (extras.related) key += "\x1d" + object_id(*extras.related);
  return key;
}

nlohmann::json reference_json(const ObjectReference& o) {
  nlohmann::json out = {{"kind", o.kind}, {"name", o.name}};
  if (!o.api_version.empty()) out["apiVersion"] = o.api_version;
  if (!o.namespace_.empty()) out["namespace"] = o.namespace_;
  if (!o.uid.empty()) out["uid"] = o.uid;
  if (!o.resource_version.empty()) out["resourceVersion"] = o.resource_version;
  if (!o.field_path.empty()) out["fieldPath"] = o.field_path;
  return out;
}

}  // namespace

ObjectReference ObjectReference::to(const nlohmann::json& object) {
  ObjectReference ref;
  if (!object.is_object()) return ref;
  ref.api_version = string_field(object, "apiVersion");
  ref.kind = string_field(object, "kind");
  auto metadata = object.find("metadata");
  if (metadata != object.end() && metadata->is_object()) {
    ref.namespace_ = string_field(*metadata, "namespace");
    ref.name = string_field(*metadata, "name");
    ref.uid = string_field(*metadata, "uid");
    ref.resource_version = string_field(*metadata, "resourceVersion");
  }
  return ref;
}

EventRecorder::EventRecorder(ApiClientPtr api, EventRecorderOptions options, ClockPtr clock,
                             Backoff::Random random)
    : api_(std::move(api)), options_(std::move(options)), clock_(std::move(clock)),
      backoff_(options_.retry, std::move(random)) {
  thread_ = std::thread([this] { run(); });
}

EventRecorder::~EventRecorder() { shutdown(); }

bool EventRecorder::allow(const ObjectReference& object, TimePoint now) {
  std::string id = object_id(object);
  auto it = buckets_.find(id);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.cache_size) {
      // Forget objects whose bucket refilled: they are as good as new.
      for (auto b = buckets_.begin(); b != buckets_.end();) {
        b = b->second.tokens(now) >= options_.per_object_burst ? buckets_.erase(b) : std::next(b);
      }
    }
    it = buckets_.emplace(id, TokenBucket(options_.per_object_qps, options_.per_object_burst, now))
             .first;
  }
  return it->second.try_take(now);
}

bool EventRecorder::event(const ObjectReference& object, const std::string& type,
                          const std::string& reason, const std::string& message,
                          const EventExtras& extras) {
  WallTime wall = clock_->wall_now();
  std::string key = aggregation_key(object, type, reason, message, extras);
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) {
    ++stats_.failed;
    return false;
  }
  if (auto queued = queued_.find(key); queued != queued_.end()) {
    ++queued->second->repeats;
    queued->second->last = wall;
    ++stats_.accepted;
    return true;
  }
  // A repeat raises the count of an Event that exists (or is being created): not a new event
  // for the spam filter, and bounded by the written cache rather than the queue.
  bool repeat = key == writing_ || written_.count(key) > 0;
  if (!repeat) {
    if (!allow(object, clock_->now())) {
      ++stats_.dropped_rate_limited;
      return false;
    }
    if (queue_.size() - queued_repeats_ >= options_.queue_capacity) {
      ++stats_.dropped_queue_full;
      return false;
    }
  }
  queue_.push_back(Pending{key, object, type, reason, message, extras, wall, wall, 1, repeat});
  queued_[key] = std::prev(queue_.end());
  if (repeat) ++queued_repeats_;
  ++stats_.accepted;
  cv_.notify_all();
  return true;
}

void EventRecorder::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!shutting_down_) {
      shutting_down_ = true;
      flush_deadline_ = clock_->now() + options_.flush_timeout;
    }
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool EventRecorder::shutting_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

EventRecorderStats EventRecorder::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  EventRecorderStats out = stats_;
  out.pending = queue_.size();
  return out;
}

void EventRecorder::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return !queue_.empty() || shutting_down_; });
    if (queue_.empty()) return;
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    queued_.erase(pending.key);
    if (pending.repeat) --queued_repeats_;
    writing_ = pending.key;

    backoff_.reset();
    for (int attempt = 1;; ++attempt) {
      lock.unlock();
      Outcome outcome = write(pending);
      lock.lock();
      if (outcome == Outcome::Done) break;
      bool out_of_time = shutting_down_ && clock_->now() >= flush_deadline_;
      if (outcome == Outcome::Failed || attempt >= options_.max_attempts || out_of_time) {
        ++stats_.failed;
        log::warn("Failed to write Event", {{"object", pending.object.kind + " " +
                                                           pending.object.namespace_ + "/" +
                                                           pending.object.name},
                                             {"reason", pending.reason}});
        break;
      }
      ++stats_.retries;
      TimePoint deadline = clock_->now() + backoff_.next();
      if (shutting_down_ && deadline > flush_deadline_) deadline = flush_deadline_;
      while (clock_->now() < deadline) {
        clock_->wait_until(lock, cv_, deadline);
        if (shutting_down_ && flush_deadline_ < deadline) deadline = flush_deadline_;
      }
    }
    writing_.clear();
  }
}

// Runs on the writer thread, the only one that changes written_: it reads it unlocked.
EventRecorder::Outcome EventRecorder::write(const Pending& pending) {
  auto cached = written_.find(pending.key);
  if (cached != written_.end()) {
    const Written& w = cached->second;
    nlohmann::json patch = {{"count", w.count + pending.repeats},
                            {"lastTimestamp", rfc3339(pending.last)},
                            {"message", pending.message}};
    auto patched = api_->patch(kCoreEvents, w.namespace_, w.name, PatchType::Merge, patch.dump());
    if (patched.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      cached->second.count += pending.repeats;
      ++stats_.aggregated;
      return Outcome::Done;
    }
    if (patched.error().code != 404) {
      return retryable(patched.error()) ? Outcome::Retry : Outcome::Failed;
    }
    std::lock_guard<std::mutex> lock(mu_);
    written_.erase(cached);  // the Event expired (TTL): start a new one
  }
  auto nanos = static_cast<unsigned long long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_->wall_now().time_since_epoch())
          .count());
  // Distinct events of one object within a clock tick must not share a name (409).
  nanos = std::max(nanos, last_name_nanos_ + 1);
  last_name_nanos_ = nanos;
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".%llx", nanos);
  std::string name = pending.object.name + suffix;
  auto created = api_->create(kCoreEvents, event_namespace(pending.object), new_event(pending, name));
  if (!created.ok()) {
    log::debug("Failed to create Event", {{"name", name}, {"error", created.error().message}});
    return retryable(created.error()) ? Outcome::Retry : Outcome::Failed;
  }
  std::lock_guard<std::mutex> lock(mu_);
  remember(pending.key,
           Written{event_namespace(pending.object), name, pending.repeats, pending.first});
  ++stats_.created;
  return Outcome::Done;
}

nlohmann::json EventRecorder::new_event(const Pending& p, const std::string& name) const {
  nlohmann::json source = {{"component", options_.component}};
  if (!options_.host.empty()) source["host"] = options_.host;
  nlohmann::json metadata = {{"name", name}, {"namespace", event_namespace(p.object)}};
  if (!p.extras.annotations.empty()) metadata["annotations"] = p.extras.annotations;
  nlohmann::json event = {{"apiVersion", "v1"},
                          {"kind", "Event"},
                          {"metadata", metadata},
                          {"involvedObject", reference_json(p.object)},
                          {"type", p.type},
                          {"reason", p.reason},
                          {"message", p.message},
                          {"count", p.repeats},
                          {"firstTimestamp", rfc3339(p.first)},
                          {"lastTimestamp", rfc3339(p.last)},
                          {"source", source},
                          {"reportingComponent", options_.component},
                          {"reportingInstance", options_.host}};
  if (p.extras.related) event["related"] = reference_json(*p.extras.related);
  return event;
}

// Called with mu_ held.
void EventRecorder::remember(const std::string& key, Written written) {
  if (written_.emplace(key, std::move(written)).second) written_order_.push_back(key);
  while (written_order_.size() > options_.cache_size) {
    written_.erase(written_order_.front());
    written_order_.pop_front();
  }
}

}  // namespace castellan::kube
