#include "kube/conflict.h"

#include <random>
#include <thread>

#include "common/log.h"

namespace castellan::kube {

Status retry_on_conflict(const std::function<Status()>& fn, const ConflictRetry& retry) {
  thread_local std::mt19937 engine{std::random_device{}()};
  Status status;
  for (int attempt = 0; attempt < std::max(1, retry.attempts); ++attempt) {
    if (attempt > 0) {
      double factor = 1.0 + std::uniform_real_distribution<double>(0.0, retry.jitter)(engine);
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(
          static_cast<double>(retry.delay.count()) * factor));
    }
    status = fn();
    if (status.ok() || !is_conflict(status.error())) return status;
    log::debug("Retried an update after a conflict",
               {{"attempt", std::to_string(attempt + 1)}, {"error", status.error().message}});
  }
  return status;
}

Result<nlohmann::json> update_with_retry(ApiClient& client, const GroupVersionResource& gvr,
                                         const std::string& namespace_, const std::string& name,
                                         const std::function<Status(nlohmann::json&)>& mutate,
                                         const std::string& subresource,
                                         const ConflictRetry& retry) {
  nlohmann::json stored;
  Status status = retry_on_conflict(
      [&]() -> Status {
        auto current = client.get(gvr, namespace_, name);
        if (!current.ok()) return current.error();
        if (auto changed = mutate(*current); !changed.ok()) return changed;
        auto updated = client.update(gvr, namespace_, *current, subresource);
        if (!updated.ok()) return updated.error();
        stored = std::move(*updated);
        return Status::Ok();
      },
      retry);
  if (!status.ok()) return status.error();
  return stored;
}

}  // namespace castellan::kube
