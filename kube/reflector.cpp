#include "kube/reflector.h"

#include "common/log.h"
#include "kube/store_key.h"

namespace castellan::kube {
namespace {

bool is_gone(const Error& error) {
  return error.code == 410 || error.reason == "Gone" || error.reason == "Expired";
}

double fallback_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// "PodList" -> "Pod": list items carry no kind of their own.
std::string item_kind(const nlohmann::json& page) {
  auto kind = page.find("kind");
  if (kind == page.end() || !kind->is_string()) return {};
  std::string k = kind->get<std::string>();
  if (k.size() > 4 && k.compare(k.size() - 4, 4, "List") == 0) k.resize(k.size() - 4);
  return k;
}

}  // namespace

Reflector::Reflector(ApiClientPtr api, ClockPtr clock, ReflectorOptions options,
                     ReflectorSink& sink, Backoff::Random random)
    : api_(std::move(api)), clock_(std::move(clock)), options_(std::move(options)), sink_(sink),
      backoff_(options_.backoff, random), random_(random ? random : Backoff::Random(fallback_random)) {}

std::string Reflector::describe() const {
  std::string what = options_.gvr.api_version() + "/" + options_.gvr.resource;
  return options_.namespace_.empty() ? what : what + " in " + options_.namespace_;
}

void Reflector::run(const std::atomic<bool>& stop) {
  bool need_list = true;
  while (!stop) {
    if (need_list) {
      Status listed = list(stop);
      if (stop) break;
      if (!listed) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          ++stats_.list_failures;
        }
        log::warn("Failed to list resource", {{"resource", describe()},
                                               {"error", listed.error().message}});
        sleep(backoff_.next(), stop);
        continue;
      }
      need_list = false;
    }
    bool healthy = false;
    bool gone = watch(stop, healthy);
    if (stop) break;
    if (gone) {
      log::info("Relisted resource after its watch version expired", {{"resource", describe()}});
      need_list = true;
      // A Gone right after a fresh list would otherwise spin list/watch without rest.
      if (!healthy) sleep(backoff_.next(), stop);
      continue;
    }
    if (healthy) {
      backoff_.reset();
    } else {
      sleep(backoff_.next(), stop);
    }
  }
}

Status Reflector::list(const std::atomic<bool>& stop) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.lists;
  }
  sink_.on_list_start();
  ListOptions request;
  request.labelSelector = options_.label_selector;
  request.fieldSelector = options_.field_selector;
  request.limit = options_.page_size;
  std::string version;
  for (;;) {
    if (stop) return Error::make("stopped");
    auto page = api_->list(options_.gvr, options_.namespace_, request);
    if (!page.ok()) {
      if (!request.continueToken.empty() && is_gone(page.error())) {
        // The continue token expired between pages: fall back to one unpaged list.
        log::info("Relisted resource without paging after its continue token expired",
                  {{"resource", describe()}});
        sink_.on_list_start();
        request.continueToken.clear();
        request.limit = 0;
        continue;
      }
      return page.error();
    }
    nlohmann::json& body = page.value();
    auto items = body.find("items");
    if (items == body.end() || !(items->is_array() || items->is_null())) {
      return Error::make("list of " + describe() + " returned no items array", "Invalid");
    }
    std::string kind = item_kind(body);
    std::string api_version = options_.gvr.api_version();
    if (items->is_array()) {
      for (auto& item : *items) {
        if (!item.is_object()) {
          return Error::make("list of " + describe() + " returned an item that is not an object",
                             "Invalid");
        }
        if (!kind.empty()) item["kind"] = kind;
        item["apiVersion"] = api_version;
        sink_.on_list_item(item);
      }
    }
    const auto metadata = body.value("metadata", nlohmann::json::object());
    version = metadata.is_object() ? metadata.value("resourceVersion", std::string{}) : std::string{};
    std::string next = metadata.is_object() ? metadata.value("continue", std::string{}) : std::string{};
    if (next.empty()) break;
    request.continueToken = std::move(next);
  }
  if (version.empty()) {
    return Error::make("list of " + describe() + " returned no resourceVersion", "Invalid");
  }
  sink_.on_list_done(version);
  std::lock_guard<std::mutex> lock(mu_);
  resource_version_ = version;
  return Status::Ok();
}

bool Reflector::watch(const std::atomic<bool>& stop, bool& healthy) {
  WatchOptions request;
  request.labelSelector = options_.label_selector;
  request.fieldSelector = options_.field_selector;
  request.allowWatchBookmarks = true;
  auto min = options_.min_watch_timeout.count();
  request.timeoutSeconds = static_cast<int>(min + static_cast<int64_t>(random_() * min));
  {
    std::lock_guard<std::mutex> lock(mu_);
    request.resourceVersion = resource_version_;
    ++stats_.watches;
  }
  bool gone = false;
  bool saw_event = false;
  std::string stream_error;
  Status status = api_->watch(
      options_.gvr, options_.namespace_, request,
      [&](const WatchEvent& event) {
        if (stop) return false;
        if (event.type == "ERROR") {
          int code = event.object.is_object() ? event.object.value("code", 0) : 0;
          std::string reason = event.object.is_object() ? event.object.value("reason", "") : "";
          if (code == 410 || reason == "Expired" || reason == "Gone") {
            gone = true;
          } else {
            stream_error = event.object.is_object() ? event.object.value("message", event.object.dump())
                                                    : event.object.dump();
          }
          return false;
        }
        std::string version = object_resource_version(event.object);
        if (event.type == "BOOKMARK") {
          std::lock_guard<std::mutex> lock(mu_);
          ++stats_.bookmarks;
          if (!version.empty()) resource_version_ = version;
          saw_event = true;
          return true;
        }
        if (event.type != "ADDED" && event.type != "MODIFIED" && event.type != "DELETED") {
          stream_error = "unknown watch event type \"" + event.type + "\"";
          return false;
        }
        sink_.on_watch_event(event);
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.events;
        if (!version.empty()) resource_version_ = version;
        saw_event = true;
        return true;
      },
      stop);
  if (!status.ok() && is_gone(status.error())) gone = true;
  if (gone) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.gone;
  }
  bool failed = !gone && (!status.ok() || !stream_error.empty());
  if (failed && !stop) {
    std::string message = !stream_error.empty() ? stream_error : status.error().message;
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.watch_failures;
    log::debug("Watch of resource ended", {{"resource", describe()}, {"error", message}});
  }
  // Not by duration: a watch to a down server may spend long in connection retries.
  healthy = stream_error.empty() && saw_event;
  return gone;
}

void Reflector::sleep(Duration delay, const std::atomic<bool>& stop) {
  std::unique_lock<std::mutex> lock(mu_);
  ++stats_.backoffs;
  TimePoint deadline = clock_->now() + delay;
  while (!stop && clock_->now() < deadline) clock_->wait_until(lock, cv_, deadline);
}

void Reflector::interrupt() {
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

std::string Reflector::last_resource_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resource_version_;
}

ReflectorStats Reflector::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace castellan::kube
