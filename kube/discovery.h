#pragma once
// Discovery: maps a kind to its resource (GroupVersionResource, with its scope) by reading the
// API server's discovery documents (/api, /apis, /api/v1, /apis/GROUP/VERSION), as client-go's
// RESTMapper. Documents are cached; a kind not found triggers one refresh (a CRD may have been
// installed since).

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "kube/api_client.h"

namespace castellan::kube {

class Discovery {
 public:
  // GETs a discovery path and returns the decoded document (RestClient::get_path).
  using Fetch = std::function<Result<nlohmann::json>(const std::string& path)>;

  explicit Discovery(Fetch fetch) : fetch_(std::move(fetch)) {}

  // The resource for `kind` in `api_version` ("v1", "apps/v1", "castellan.io/v1alpha1").
  // Error reason "NotFound" when the server does not serve it.
  Result<GroupVersionResource> resource_for(const std::string& api_version,
                                            const std::string& kind);
  // As above, for the group's preferred version.
  Result<GroupVersionResource> resource_for_group_kind(const std::string& group,
                                                       const std::string& kind);
  // The preferred version of `group` ("" = core: "v1").
  Result<std::string> preferred_version(const std::string& group);

  // Forgets every cached document.
  void invalidate();

 private:
  Result<nlohmann::json> group_version_document(const std::string& api_version, bool refresh);
  Result<nlohmann::json> groups_document(bool refresh);

  Fetch fetch_;
  std::mutex mu_;
  std::map<std::string, nlohmann::json> resources_;  // api_version -> APIResourceList
  std::optional<nlohmann::json> groups_;             // APIGroupList
};

// Splits "group/version" (or "version" for the core group).
std::pair<std::string, std::string> split_api_version(const std::string& api_version);

}  // namespace castellan::kube
