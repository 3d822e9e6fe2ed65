#pragma once
// Optimistic-concurrency helpers, as client-go's retry.RetryOnConflict: an update that lost a
// race (409 Conflict) is re-read, re-applied and sent again a few times.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "kube/api_client.h"

namespace castellan::kube {

struct ConflictRetry {
  int attempts = 5;
  std::chrono::milliseconds delay{10};
  double jitter = 0.1;  // each delay grows by up to this fraction at random
};

inline bool is_conflict(const Error& error) {
  return error.code == 409 || error.reason == "Conflict";
}

// Runs fn until it succeeds, fails with anything but a conflict, or attempts run out (the
// last conflict is returned). fn must re-read what it changes each time.
Status retry_on_conflict(const std::function<Status()>& fn, const ConflictRetry& retry = {});

// Reads the object, lets `mutate` change it, and PUTs it (to `subresource` when given),
// re-reading on conflict. Returns the object as stored.
Result<nlohmann::json> update_with_retry(ApiClient& client, const GroupVersionResource& gvr,
                                         const std::string& namespace_, const std::string& name,
                                         const std::function<Status(nlohmann::json&)>& mutate,
                                         const std::string& subresource = {},
                                         const ConflictRetry& retry = {});

}  // namespace castellan::kube
