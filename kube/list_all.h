#pragma once
// list_all: a whole collection read in pages of `limit`, following metadata.continue, as
// client-go's pager. If a continue token expires mid-way (410), the list restarts once
// without paging, so the caller still gets one consistent snapshot.

#include <functional>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "kube/api_client.h"

namespace castellan::kube {

inline constexpr int64_t kDefaultPageSize = 500;

// Calls on_page with each page (a List object) in order; stops early (Ok) when it returns false.
// Returns the resourceVersion of the last page (the one to watch from).
Result<std::string> list_pages(ApiClient& client, const GroupVersionResource& gvr,
                               const std::string& namespace_, ListOptions options,
                               const std::function<bool(nlohmann::json& page)>& on_page);

// One List object with every item, and metadata.resourceVersion of the snapshot.
Result<nlohmann::json> list_all(ApiClient& client, const GroupVersionResource& gvr,
                                const std::string& namespace_, ListOptions options = {});

}  // namespace castellan::kube
