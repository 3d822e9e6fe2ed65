#pragma once
// FakeApiClient: an in-memory ApiClient for unit tests of the client's higher layers.
// Objects live in a map with a resourceVersion counter (optimistic concurrency like the real
// server); list and watch can be scripted; any verb can be made to fail.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "kube/api_client.h"

namespace castellan::kube::testing {

// Events handed to a scripted watch, ended by close().
class WatchChannel {
 public:
  void push(WatchEvent event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
    cv_.notify_all();
  }
  void close(Status end) {
    std::lock_guard<std::mutex> lock(mu_);
    end_ = std::move(end);
    closed_ = true;
    cv_.notify_all();
  }
  // Serves the channel to one watch call.
  Status serve(const std::function<bool(const WatchEvent&)>& on_event,
               const std::atomic<bool>& stop) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait_for(lock, std::chrono::milliseconds(1),
                   [&] { return !events_.empty() || closed_ || stop; });
      if (stop) return Status::Ok();
      if (!events_.empty()) {
        WatchEvent event = std::move(events_.front());
        events_.pop_front();
        lock.unlock();
        bool more = on_event(event);
        lock.lock();
        if (!more) return Status::Ok();
        continue;
      }
      if (closed_) return end_;
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEvent> events_;
  bool closed_ = false;
  Status end_;
};

class FakeApiClient : public ApiClient {
 public:
  using ListHook = std::function<Result<nlohmann::json>(const ListOptions&)>;
  using WatchHook = std::function<Status(const WatchOptions&,
                                         const std::function<bool(const WatchEvent&)>&,
                                         const std::atomic<bool>&)>;
  // Returns an error to fail a call of `verb` (get, create, update, patch, remove), or nothing.
  using FaultHook = std::function<std::optional<Error>(const std::string& verb)>;

  ListHook on_list;
  WatchHook on_watch;
  FaultHook fault;

  std::atomic<int> lists{0};
  std::atomic<int> watches{0};
  std::atomic<int> creates{0};
  std::atomic<int> updates{0};
  std::atomic<int> patches{0};

  std::mutex calls_mu;
  std::vector<ListOptions> list_calls;
  std::vector<WatchOptions> watch_calls;
  std::vector<std::string> patch_bodies;

  Result<nlohmann::json> get(const GroupVersionResource& gvr, const std::string& ns,
                             const std::string& name, const std::string& = {}) override {
    if (auto e = fail("get")) return *e;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(path(gvr, ns, name));
    if (it == objects_.end()) return Error::make(name + " not found", "NotFound", 404);
    return it->second;
  }
  Result<nlohmann::json> list(const GroupVersionResource&, const std::string&,
                              const ListOptions& options) override {
    ++lists;
    {
      std::lock_guard<std::mutex> lock(calls_mu);
      list_calls.push_back(options);
    }
    if (on_list) return on_list(options);
    return Error::make("list not scripted", "", 500);
  }
  Result<nlohmann::json> create(const GroupVersionResource& gvr, const std::string& ns,
                                const nlohmann::json& object) override {
    ++creates;
    if (auto e = fail("create")) return *e;
    std::lock_guard<std::mutex> lock(mu_);
    std::string name = object["metadata"].value("name", "");
    auto key = path(gvr, ns, name);
    if (objects_.count(key)) return Error::make(name + " already exists", "AlreadyExists", 409);
    nlohmann::json stored = object;
    stored["metadata"]["resourceVersion"] = std::to_string(++version_);
    objects_[key] = stored;
    return stored;
  }
  Result<nlohmann::json> update(const GroupVersionResource& gvr, const std::string& ns,
                                const nlohmann::json& object, const std::string& = {}) override {
    ++updates;
    if (auto e = fail("update")) return *e;
    std::lock_guard<std::mutex> lock(mu_);
    std::string name = object["metadata"].value("name", "");
    auto it = objects_.find(path(gvr, ns, name));
    if (it == objects_.end()) return Error::make(name + " not found", "NotFound", 404);
    if (object["metadata"].value("resourceVersion", "") !=
        it->second["metadata"].value("resourceVersion", "")) {
      return Error::make("the object has been modified", "Conflict", 409);
    }
    nlohmann::json stored = object;
    stored["metadata"]["resourceVersion"] = std::to_string(++version_);
    it->second = stored;
    return stored;
  }
  Result<nlohmann::json> patch(const GroupVersionResource& gvr, const std::string& ns,
                               const std::string& name, PatchType, const std::string& body,
                               const PatchOptions& = {}) override {
    ++patches;
    {
      std::lock_guard<std::mutex> lock(calls_mu);
      patch_bodies.push_back(body);
    }
    if (auto e = fail("patch")) return *e;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(path(gvr, ns, name));
    if (it == objects_.end()) return Error::make(name + " not found", "NotFound", 404);
    it->second.merge_patch(nlohmann::json::parse(body));
    it->second["metadata"]["resourceVersion"] = std::to_string(++version_);
    return it->second;
  }
  Status remove(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                const DeleteOptions& = {}) override {
    if (auto e = fail("remove")) return *e;
    std::lock_guard<std::mutex> lock(mu_);
    if (objects_.erase(path(gvr, ns, name)) == 0) {
      return Error::make(name + " not found", "NotFound", 404);
    }
    return Status::Ok();
  }
  Status watch(const GroupVersionResource&, const std::string&, const WatchOptions& options,
               const std::function<bool(const WatchEvent&)>& on_event,
               const std::atomic<bool>& stop) override {
    ++watches;
    {
      std::lock_guard<std::mutex> lock(calls_mu);
      watch_calls.push_back(options);
    }
    if (on_watch) return on_watch(options, on_event, stop);
    return Error::make("watch not scripted", "", 500);
  }

  // Objects stored under a resource, for assertions.
  std::vector<nlohmann::json> stored(const std::string& resource) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<nlohmann::json> out;
    for (const auto& [key, object] : objects_) {
      if (key.rfind(resource + "/", 0) == 0) out.push_back(object);
    }
    return out;
  }
  void put(const GroupVersionResource& gvr, const std::string& ns, nlohmann::json object) {
    std::lock_guard<std::mutex> lock(mu_);
    object["metadata"]["resourceVersion"] = std::to_string(++version_);
    std::string key = path(gvr, ns, object["metadata"].value("name", ""));
    objects_[key] = std::move(object);
  }

 private:
  std::optional<Error> fail(const std::string& verb) { return fault ? fault(verb) : std::nullopt; }
  static std::string path(const GroupVersionResource& gvr, const std::string& ns,
                          const std::string& name) {
    return gvr.resource + "/" + ns + "/" + name;
  }

  std::mutex mu_;
  std::map<std::string, nlohmann::json> objects_;
  int64_t version_ = 100;
};

// Waits (real time, as a hang guard only) until `done` holds.
template <typename F>
bool eventually(F done) {
  for (int i = 0; i < 20000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

}  // namespace castellan::kube::testing
