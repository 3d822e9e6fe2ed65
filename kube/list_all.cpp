#include "kube/list_all.h"

#include "common/log.h"

namespace castellan::kube {
namespace {

std::string metadata_string(const nlohmann::json& list, const char* key) {
  auto metadata = list.find("metadata");
  if (metadata == list.end() || !metadata->is_object()) return {};
  auto value = metadata->find(key);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

Result<std::string> list_pages(ApiClient& client, const GroupVersionResource& gvr,
                               const std::string& namespace_, ListOptions options,
                               const std::function<bool(nlohmann::json& page)>& on_page) {
  if (options.limit <= 0) options.limit = kDefaultPageSize;
  for (int page_number = 0;; ++page_number) {
    auto page = client.list(gvr, namespace_, options);
    if (!page.ok()) {
      // The token outlived the server's compaction window; pages already handed out cannot be
      // taken back, so the caller is told to start over (list_all does so unpaged).
      if (page.error().code == 410 && page_number > 0)
        return Error::make("list of " + gvr.resource + ": the continue token expired after " +
                               std::to_string(page_number) + " pages; relist",
                           "Expired", 410);
      return page.error();
    }
    std::string resource_version = metadata_string(*page, "resourceVersion");
    std::string next = metadata_string(*page, "continue");
    if (!on_page(*page)) return resource_version;
    if (next.empty()) return resource_version;
    options.continueToken = next;
    // resourceVersion may not be combined with continue.
    options.resourceVersion.clear();
  }
}

Result<nlohmann::json> list_all(ApiClient& client, const GroupVersionResource& gvr,
                                const std::string& namespace_, ListOptions options) {
  nlohmann::json items = nlohmann::json::array();
  nlohmann::json first;
  auto collect = [&](nlohmann::json& page) {
    if (first.is_null()) {
      first = page;
      first.erase("items");
    }
    auto page_items = page.find("items");
    if (page_items != page.end() && page_items->is_array())
      for (auto& item : *page_items) items.push_back(std::move(item));
    return true;
  };
  auto resource_version = list_pages(client, gvr, namespace_, options, collect);
  if (resource_version.ok()) {
    nlohmann::json list = first.is_null() ? nlohmann::json::object() : std::move(first);
    list["items"] = std::move(items);
    list["metadata"]["resourceVersion"] = *resource_version;
    list["metadata"].erase("continue");
    return list;
  }
  if (resource_version.error().reason != "Expired") return resource_version.error();
  log::warn("Relisted without paging after a continue token expired", {{"resource", gvr.resource}});
  options.limit = 0;
  options.continueToken.clear();
  return client.list(gvr, namespace_, options);
}

}  // namespace castellan::kube
