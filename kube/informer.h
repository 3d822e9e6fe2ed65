#pragma once
// Informer<T>: a Reflector feeding a Store<T>, with add/update/delete handlers and optional
// resync, as client-go's shared informer. Each object passes through a transform before it is
// stored, so a cache keeps only what it needs (T = nlohmann::json keeps everything).
//  - After every (re)list the cache is diffed against the listed objects: vanished objects
//    produce deletes, changed ones updates, new ones adds. Handlers never miss a final state.
//  - Handlers run on the informer's thread, one at a time; they should be quick (enqueue a key).

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"
#include "kube/clock.h"
#include "kube/reflector.h"
#include "kube/store.h"

namespace castellan::kube {

struct InformerOptions {
  ReflectorOptions reflector;
  // Every resync_period all cached objects are handed to on_update again (0 = never).
  Duration resync_period = Duration::zero();
};

struct InformerStats {
  ReflectorStats reflector;
  uint64_t adds = 0;
  uint64_t updates = 0;
  uint64_t deletes = 0;
  uint64_t transform_errors = 0;  // objects that could not be cached (logged with their key)
  uint64_t handler_errors = 0;    // handlers that threw (logged, the informer carries on)
};

template <typename T = nlohmann::json>
class Informer : private ReflectorSink {
 public:
  using Ptr = std::shared_ptr<const T>;
  using Transform = std::function<Result<T>(const nlohmann::json&)>;

  struct Handlers {
    std::function<void(const std::string& key, const T& object)> on_add;
    std::function<void(const std::string& key, const T& old_object, const T& object)> on_update;
    std::function<void(const std::string& key, const T& object)> on_delete;
  };

  Informer(ApiClientPtr api, InformerOptions options, Transform transform = identity(),
           ClockPtr clock = real_clock(), Backoff::Random random = {})
      : clock_(std::move(clock)), options_(std::move(options)), transform_(std::move(transform)),
        reflector_(std::move(api), clock_, options_.reflector, *this, std::move(random)) {}

  ~Informer() override { stop(); }
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  static Transform identity() {
    return [](const nlohmann::json& object) -> Result<T> { return T(object); };
  }

  // Handlers added after start() are first handed every cached object as an add.
  void add_handlers(Handlers handlers) {
    std::lock_guard<std::mutex> lock(dispatch_mu_);
    if (has_synced()) {
      for (const auto& key : store_.keys()) {
        if (auto object = store_.get(key); object && handlers.on_add) {
          guarded(key, [&] { handlers.on_add(key, *object); });
        }
      }
    }
    handlers_.push_back(std::move(handlers));
  }
  void add_index(const std::string& name, typename Store<T>::IndexFunc func) {
    store_.add_index(name, std::move(func));
  }

  void start() {
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { reflector_.run(stop_); });
    if (options_.resync_period > Duration::zero()) {
      resync_thread_ = std::thread([this] { resync_loop(); });
    }
  }
  // Stops the watch and joins the informer's threads.
  void stop() {
    stop_ = true;
    reflector_.interrupt();
    {
      std::lock_guard<std::mutex> lock(sync_mu_);
      sync_cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    if (resync_thread_.joinable()) resync_thread_.join();
  }

  bool has_synced() const {
    std::lock_guard<std::mutex> lock(sync_mu_);
    return synced_;
  }
  // True once the first list has been stored; false on timeout or stop.
  bool wait_for_sync(Duration timeout) {
    std::unique_lock<std::mutex> lock(sync_mu_);
    TimePoint deadline = clock_->now() + timeout;
    while (!synced_ && !stop_ && clock_->now() < deadline) {
      clock_->wait_until(lock, sync_cv_, deadline);
    }
    return synced_;
  }

  const Store<T>& store() const { return store_; }
  std::string last_resource_version() const { return reflector_.last_resource_version(); }

  InformerStats stats() const {
    std::lock_guard<std::mutex> lock(dispatch_mu_);
    InformerStats out = stats_;
    out.reflector = reflector_.stats();
    return out;
  }

 private:
  struct Listed {
    std::string resource_version;
    Ptr object;
  };

  Ptr transform(const std::string& key, const nlohmann::json& object) {
    auto result = transform_(object);
    if (!result.ok()) {
      ++stats_.transform_errors;
      log::warn("Failed to transform object for the cache",
                {{"key", key}, {"error", result.error().message}});
      return nullptr;
    }
    return std::make_shared<const T>(std::move(result).value());
  }

  std::string key_of(const nlohmann::json& object) {
    auto key = object_key(object);
    if (!key.ok()) {
      ++stats_.transform_errors;
      log::warn("Ignored object without a usable key", {{"error", key.error().message}});
      return {};
    }
    return std::move(key).value();
  }

  void on_list_start() override {
    std::lock_guard<std::mutex> lock(dispatch_mu_);
    listed_.clear();
  }

  void on_list_item(const nlohmann::json& object) override {
    std::lock_guard<std::mutex> lock(dispatch_mu_);
    std::string key = key_of(object);
    if (key.empty()) return;
    if (auto cached = transform(key, object)) {
      listed_[std::move(key)] = Listed{object_resource_version(object), std::move(cached)};
    }
  }

  void on_list_done(const std::string&) override {
    {
      std::lock_guard<std::mutex> lock(dispatch_mu_);
      for (const auto& [key, version] : store_.versions()) {
        if (listed_.count(key)) continue;
        if (auto old = store_.erase(key)) dispatch_delete(key, *old);
      }
      for (auto& [key, item] : listed_) {
        std::string cached_version = store_.resource_version(key);
        Ptr old = store_.get(key);
        if (old && cached_version == item.resource_version) continue;
        Ptr now = item.object;
        store_.upsert(key, std::move(item.resource_version), std::move(item.object));
        if (old) {
          dispatch_update(key, *old, *now);
        } else {
          dispatch_add(key, *now);
        }
      }
      listed_.clear();
    }
    std::lock_guard<std::mutex> lock(sync_mu_);
    synced_ = true;
    sync_cv_.notify_all();
  }

  void on_watch_event(const WatchEvent& event) override {
    std::lock_guard<std::mutex> lock(dispatch_mu_);
    std::string key = key_of(event.object);
    if (key.empty()) return;
    if (event.type == "DELETED") {
      Ptr old = store_.erase(key);
      Ptr last = transform(key, event.object);
      if (last) {
        dispatch_delete(key, *last);
      } else if (old) {
        dispatch_delete(key, *old);
      }
      return;
    }
    Ptr now = transform(key, event.object);
    if (!now) return;
    Ptr old = store_.upsert(key, object_resource_version(event.object), now);
    if (old) {
      dispatch_update(key, *old, *now);
    } else {
      dispatch_add(key, *now);
    }
  }

  // A throwing handler must not take the informer's thread (and the process) down with it.
  template <typename F>
  void guarded(const std::string& key, F&& call) {
    try {
      call();
    } catch (const std::exception& e) {
      ++stats_.handler_errors;
      log::error("Informer handler threw", {{"key", key}, {"error", e.what()}});
    }
  }
  void dispatch_add(const std::string& key, const T& object) {
    ++stats_.adds;
    for (auto& h : handlers_) {
      if (h.on_add) guarded(key, [&] { h.on_add(key, object); });
    }
  }
  void dispatch_update(const std::string& key, const T& old_object, const T& object) {
    ++stats_.updates;
    for (auto& h : handlers_) {
      if (h.on_update) guarded(key, [&] { h.on_update(key, old_object, object); });
    }
  }
  void dispatch_delete(const std::string& key, const T& object) {
    ++stats_.deletes;
    for (auto& h : handlers_) {
      if (h.on_delete) guarded(key, [&] { h.on_delete(key, object); });
    }
  }

  void resync_loop() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(sync_mu_);
        TimePoint deadline = clock_->now() + options_.resync_period;
        while (!stop_ && clock_->now() < deadline) clock_->wait_until(lock, sync_cv_, deadline);
        if (stop_) return;
        if (!synced_) continue;
      }
      std::lock_guard<std::mutex> lock(dispatch_mu_);
      for (const auto& key : store_.keys()) {
        if (auto object = store_.get(key)) {
          for (auto& h : handlers_) {
            if (h.on_update) guarded(key, [&] { h.on_update(key, *object, *object); });
          }
        }
      }
    }
  }

  ClockPtr clock_;
  InformerOptions options_;
  Transform transform_;
  Store<T> store_;
  Reflector reflector_;

  mutable std::mutex dispatch_mu_;  // serialises handlers, relist diffs and resyncs
  std::vector<Handlers> handlers_;
  std::unordered_map<std::string, Listed> listed_;
  InformerStats stats_;

  mutable std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool synced_ = false;

  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::thread resync_thread_;
};

}  // namespace castellan::kube
