#pragma once
// ApiClient: the Kubernetes REST surface Castellan uses. The seam between the transport
// (kube/rest_client*) and what is built on it (watch, informer, leader election, events).
// Implementations: RestClient (real, over HTTPS); tests of pure logic may hand in a fake.

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"

namespace castellan::kube {

// A resource by group/version/resource. group "" is the core API (/api/v1).
struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;  // plural, lower case: pods, securitypolicies, leases
  bool namespaced = true;

  std::string api_path() const {
    return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
};

struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  int64_t limit = 0;          // 0 = no paging
  std::string continueToken;  // from a previous page's metadata.continue
  std::string resourceVersion;
};

struct WatchOptions {
  std::string resourceVersion;
  std::string labelSelector;
  std::string fieldSelector;
  bool allowWatchBookmarks = true;
  int timeoutSeconds = 0;  // server-side timeout; 0 = server default
};

// One decoded watch event. type: ADDED, MODIFIED, DELETED, BOOKMARK, ERROR.
struct WatchEvent {
  std::string type;
  nlohmann::json object;
};

enum class PatchType { Json, Merge, StrategicMerge, Apply };

struct PatchOptions {
  std::string fieldManager;  // required for Apply
  bool force = false;        // Apply only
  std::string subresource;   // "" or "status"
};

struct DeleteOptions {
  std::string propagationPolicy;  // "", Foreground, Background, Orphan
  std::string preconditionUid;
  std::string preconditionResourceVersion;
};

// Errors from the API server carry Error{message, reason (Status.reason, e.g. NotFound,
// Conflict, AlreadyExists, Gone), code (HTTP status)}. Transport errors have code 0.
class ApiClient {
 public:
  virtual ~ApiClient() = default;

  // namespace_ is ignored for cluster-scoped resources.
  virtual Result<nlohmann::json> get(const GroupVersionResource& gvr, const std::string& namespace_,
                                     const std::string& name, const std::string& subresource = {}) = 0;
  // One page; the caller follows metadata.continue (or use list_all).
  virtual Result<nlohmann::json> list(const GroupVersionResource& gvr,
                                      const std::string& namespace_,
                                      const ListOptions& options = {}) = 0;
  virtual Result<nlohmann::json> create(const GroupVersionResource& gvr,
                                        const std::string& namespace_,
                                        const nlohmann::json& object) = 0;
  // PUT of the whole object (optimistic concurrency on metadata.resourceVersion).
  virtual Result<nlohmann::json> update(const GroupVersionResource& gvr,
                                        const std::string& namespace_, const nlohmann::json& object,
                                        const std::string& subresource = {}) = 0;
  virtual Result<nlohmann::json> patch(const GroupVersionResource& gvr,
                                       const std::string& namespace_, const std::string& name,
                                       PatchType type, const std::string& body,
                                       const PatchOptions& options = {}) = 0;
  virtual Status remove(const GroupVersionResource& gvr, const std::string& namespace_,
                        const std::string& name, const DeleteOptions& options = {}) = 0;

  // Streams a watch, calling on_event for each decoded event, until on_event returns false,
  // the stream ends (server timeout, connection loss: returns an error with code 0), or `stop`
  // becomes true (noticed within about a second). Returns Ok when ended by on_event or stop.
  // A 410 answer to the watch request itself returns an error with reason "Gone".
  virtual Status watch(const GroupVersionResource& gvr, const std::string& namespace_,
                       const WatchOptions& options,
                       const std::function<bool(const WatchEvent&)>& on_event,
                       const std::atomic<bool>& stop) = 0;
};

using ApiClientPtr = std::shared_ptr<ApiClient>;

}  // namespace castellan::kube
