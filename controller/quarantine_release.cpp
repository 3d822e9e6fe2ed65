#include "controller/quarantine_release.h"

#include <algorithm>

#include "common/log.h"
#include "controller/policy_reference.h"
#include "kube/conflict.h"
#include "kube/resources.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

}  // namespace

std::set<std::string> digests_to_release(const std::string& annotation) {
  std::set<std::string> out;
  std::string item;
  for (size_t i = 0; i <= annotation.size(); ++i) {
    char c = i < annotation.size() ? annotation[i] : ',';
    if (c == ',' || c == ' ' || c == '\n' || c == '\t') {
      if (!item.empty()) out.insert(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

Status QuarantineRelease::reconcile(const PolicySet& policies) {
  Status first_error;
  for (const auto& [name, state] : policies.states()) {
    auto it = state.metadata.annotations.find(api::kReleaseDigestsAnnotation);
    if (state.deleting || it == state.metadata.annotations.end()) continue;
    if (auto s = release(state, it->second); !s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

Status QuarantineRelease::release(const PolicyState& state, const std::string& annotation) {
  const std::string& name = state.metadata.name;
  auto wanted = digests_to_release(annotation);
  bool all = wanted.count("all") != 0;
  std::vector<std::string> released;
  auto updated = kube::update_with_retry(
      *api_, kube::kSecurityPolicies, "", name,
      [&](json& object) {
        released.clear();
        auto& list = object["status"]["quarantinedDigests"];
        if (!list.is_array()) return Status::Ok();
        json kept = json::array();
        for (const auto& q : list) {
          std::string digest = q.is_object() ? q.value("digest", "") : "";
          if (all || wanted.count(digest)) {
            released.push_back(digest);
          } else {
            kept.push_back(q);
          }
        }
        list = std::move(kept);
        return Status::Ok();
      },
      "status");
  if (!updated) return updated.error().code == 404 ? Status::Ok() : Status(updated.error());
  // The annotation goes once its digests are gone; one not quarantined is simply dropped.
  json patch = {{"metadata", {{"annotations", {{api::kReleaseDigestsAnnotation, nullptr}}}}}};
  auto patched =
      api_->patch(kube::kSecurityPolicies, "", name, kube::PatchType::Merge, patch.dump());
  if (!patched && patched.error().code != 404) return patched.error();
  std::string list;
  for (const auto& d : released) list += (list.empty() ? "" : ", ") + d;
  log::info("Released quarantined image digests", {{"policy", name}, {"digests", list}});
  if (events_ != nullptr) {
    events_->event(policy_reference(state.metadata), "Normal", "QuarantineReleased",
                   released.empty() ? "No quarantined digest matched " + annotation
                                    : "Released quarantined image digests: " + list);
  }
  return Status::Ok();
}

}  // namespace castellan::controller
