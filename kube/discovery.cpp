#include "kube/discovery.h"

namespace castellan::kube {
namespace {

std::optional<GroupVersionResource> find_kind(const nlohmann::json& document,
                                              const std::string& api_version,
                                              const std::string& kind) {
  auto resources = document.find("resources");
  if (resources == document.end() || !resources->is_array()) return std::nullopt;
  auto [group, version] = split_api_version(api_version);
  for (const auto& r : *resources) {
    if (!r.is_object()) continue;
    std::string name = r.value("name", "");
    // Subresources (pods/status) share the kind of their parent.
    if (name.empty() || name.find('/') != std::string::npos) continue;
    if (r.value("kind", "") != kind) continue;
    return GroupVersionResource{group, version, name, r.value("namespaced", false)};
  }
  return std::nullopt;
}

}  // namespace

std::pair<std::string, std::string> split_api_version(const std::string& api_version) {
  auto slash = api_version.find('/');
  if (slash == std::string::npos) return {"", api_version};
  return {api_version.substr(0, slash), api_version.substr(slash + 1)};
}

Result<nlohmann::json> Discovery::group_version_document(const std::string& api_version,
                                                         bool refresh) {
  if (!refresh) {
    if (auto it = resources_.find(api_version); it != resources_.end()) return it->second;
  }
  auto [group, version] = split_api_version(api_version);
  std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  auto document = fetch_(path);
  if (!document.ok()) {
    if (document.error().code == 404)
      return Error::make("the server does not serve " + api_version, "NotFound", 404);
    return document.error();
  }
  resources_[api_version] = *document;
  return document;
}

Result<nlohmann::json> Discovery::groups_document(bool refresh) {
  if (groups_ && !refresh) return *groups_;
  auto document = fetch_("/apis");
  if (!document.ok()) return document.error();
  groups_ = *document;
  return document;
}

Result<GroupVersionResource> Discovery::resource_for(const std::string& api_version,
                                                     const std::string& kind) {
  if (api_version.empty() || kind.empty())
    return Error::make("discovery: apiVersion and kind are required", "BadRequest");
  std::lock_guard lock(mu_);
  for (bool refresh : {false, true}) {
    auto document = group_version_document(api_version, refresh);
    if (!document.ok()) {
      if (document.error().reason == "NotFound" && !refresh) continue;
      return document.error();
    }
    if (auto gvr = find_kind(*document, api_version, kind)) return *gvr;
  }
  return Error::make("the server has no resource for kind " + kind + " in " + api_version,
                     "NotFound", 404);
}

Result<std::string> Discovery::preferred_version(const std::string& group) {
  if (group.empty()) return std::string("v1");
  std::lock_guard lock(mu_);
  for (bool refresh : {false, true}) {
    auto document = groups_document(refresh);
    if (!document.ok()) return document.error();
    auto groups = document->find("groups");
    if (groups == document->end() || !groups->is_array()) continue;
    for (const auto& g : *groups) {
      if (!g.is_object() || g.value("name", "") != group) continue;
      auto preferred = g.find("preferredVersion");
      if (preferred != g.end() && preferred->is_object()) return preferred->value("version", "");
    }
  }
  return Error::make("the server does not serve API group " + group, "NotFound", 404);
}

Result<GroupVersionResource> Discovery::resource_for_group_kind(const std::string& group,
                                                                const std::string& kind) {
  auto version = preferred_version(group);
  if (!version.ok()) return version.error();
  return resource_for(group.empty() ? *version : group + "/" + *version, kind);
}

void Discovery::invalidate() {
  std::lock_guard lock(mu_);
  resources_.clear();
  groups_.reset();
}

}  // namespace castellan::kube
