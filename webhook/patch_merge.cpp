#include "webhook/patch_merge.h"

namespace castellan::webhook {
namespace {

using nlohmann::json;

// Folds the change from `base` to `source` into `target`.
void merge_change(json& target, const json& source, const json& base) {
  if (source.is_object() && base.is_object() && target.is_object()) {
    for (auto it = source.begin(); it != source.end(); ++it) {
      auto in_base = base.find(it.key());
      if (in_base == base.end()) {
        auto in_target = target.find(it.key());
        if (in_target != target.end() && in_target->is_object() && it->is_object()) {
          merge_change(*in_target, *it, json::object());
        } else {
          target[it.key()] = *it;
        }
      } else if (*in_base != *it) {
        auto in_target = target.find(it.key());
        if (in_target == target.end()) {
          target[it.key()] = *it;
        } else {
          merge_change(*in_target, *it, *in_base);
        }
      }
    }
    for (auto it = base.begin(); it != base.end(); ++it) {
      if (!source.contains(it.key())) target.erase(it.key());
    }
    return;
  }
  if (source.is_array() && base.is_array() && target.is_array() &&
      source.size() == base.size() && target.size() == base.size()) {
    for (size_t i = 0; i < source.size(); ++i) {
      if (source[i] != base[i]) merge_change(target[i], source[i], base[i]);
    }
    return;
  }
  target = source;
}

}  // namespace

CombinedPatch combine_patches(const json& original, const std::vector<PolicyPatch>& patches) {
  CombinedPatch out;
  std::vector<const PolicyPatch*> usable;
  for (const auto& p : patches) {
    if (p.patch != nullptr && p.patch->is_array() && !p.patch->empty()) usable.push_back(&p);
  }
  if (usable.empty()) return out;

  json merged = original;
  for (const PolicyPatch* p : usable) {
    try {
      json patched = original.patch(*p->patch);
      merge_change(merged, patched, original);
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
