#include "webhook/patch_merge.h"

namespace castellan::webhook {
using nlohmann::json;

CombinedPatch combine_patches(const json& original, const std::vector<PolicyPatch>& patches) {
  CombinedPatch out;
  std::vector<const PolicyPatch*> usable;
  for (const auto& p : patches) {
    if (p.patch != nullptr && p.patch->is_array() && !p.patch->empty()) usable.push_back(&p);
  }
  if (usable.empty()) return out;
  if (usable.size() == 1) {  // the engine emits only real changes; nothing to combine
    out.patch = *usable.front()->patch;
    return out;
  }

  json merged = original;
  for (const PolicyPatch* p : usable) {
    try {
      merged = merged.patch(*p->patch);
    } catch (const json::exception& e) {
      out.errors.push_back("the mutations of SecurityPolicy \"" + p->policy +
                           "\" could not be applied: " + e.what());
    }
  }
  json diff = json::diff(original, merged);
  if (!diff.empty()) out.patch = std::move(diff);
  return out;
}

json filter_patch(const json& patch, const std::string& prefix) {
  json out = json::array();
  for (const auto& op : patch) {
    auto path = op.find("path");
    if (path == op.end() || !path->is_string()) continue;
    const auto& p = path->get_ref<const std::string&>();
    if (p.compare(0, prefix.size(), prefix) == 0 &&
        (p.size() == prefix.size() || p[prefix.size()] == '/')) {
      out.push_back(op);
    }
  }
  return out;
}

}  // namespace castellan::webhook
