#include "policy/pod_template.h"

#include <array>
#include <string_view>

namespace castellan::policy {
namespace {

using nlohmann::json;

const json& empty_object() {
  static const json kEmpty = json::object();
  return kEmpty;
}

struct KindLayout {
  std::string_view kind;
  std::array<std::string_view, 4> path;  // keys from the object to the pod-like object
  size_t depth;
};

constexpr std::array<KindLayout, 9> kLayouts = {{
    {"Pod", {}, 0},
    {"Deployment", {"spec", "template"}, 2},
    {"StatefulSet", {"spec", "template"}, 2},
    {"DaemonSet", {"spec", "template"}, 2},
    {"ReplicaSet", {"spec", "template"}, 2},
    {"ReplicationController", {"spec", "template"}, 2},
    {"Job", {"spec", "template"}, 2},
    {"CronJob", {"spec", "jobTemplate", "spec", "template"}, 4},
    {"PodTemplate", {"template"}, 1},
}};

}  // namespace

Result<PodTemplate> extract_pod_template(const json& object) {
  if (!object.is_object()) return Error::make("object is not a JSON object", "Invalid");
  const auto kind_it = object.find("kind");
  if (kind_it == object.end() || !kind_it->is_string()) {
    return Error::make("object has no kind", "Invalid");
  }
  const std::string kind = kind_it->get<std::string>();
  const KindLayout* layout = nullptr;
  for (const auto& l : kLayouts) {
    if (l.kind == kind) layout = &l;
  }
  if (layout == nullptr) {
    return Error::make("kind " + kind +
                           " carries no pod template (expected Pod, Deployment, StatefulSet, "
                           "DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or "
                           "PodTemplate)",
                       "Unsupported");
  }
  PodTemplate out;
  out.kind = kind;
  const json* pod = &object;
  std::string field;
  for (size_t i = 0; i < layout->depth; ++i) {
    const std::string key(layout->path[i]);
    field += (field.empty() ? "" : ".") + key;
    const auto it = pod->find(key);
    if (it == pod->end() || it->is_null()) return Error::make(kind + " has no " + field, "Invalid");
    if (!it->is_object()) return Error::make(kind + " " + field + " is not an object", "Invalid");
    pod = &*it;
    out.pointer_prefix += "/" + key;
  }
  out.field_prefix = field.empty() ? "" : field + ".";

  const auto meta = pod->find("metadata");
  if (meta == pod->end() || meta->is_null()) {
    out.metadata = &empty_object();
  } else if (meta->is_object()) {
    out.metadata = &*meta;
  } else {
    return Error::make(kind + " " + out.field_prefix + "metadata is not an object", "Invalid");
  }
  const auto spec = pod->find("spec");
  if (spec == pod->end() || spec->is_null()) {
    return Error::make(kind + " has no " + out.field_prefix + "spec", "Invalid");
  }
  if (!spec->is_object()) {
    return Error::make(kind + " " + out.field_prefix + "spec is not an object", "Invalid");
  }
  out.spec = &*spec;
  return out;
}

}  // namespace castellan::policy
