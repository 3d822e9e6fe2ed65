#include "policy/container_rules.h"

#include "policy/pod_containers.h"

namespace castellan::policy {
namespace {

using nlohmann::json;

bool has_limit(const json* resources, const char* resource) {
  if (resources == nullptr || !resources->is_object()) return false;
  const auto limits = resources->find("limits");
  if (limits == resources->end() || !limits->is_object()) return false;
  const auto value = limits->find(resource);
  return value != limits->end() && (value->is_string() || value->is_number()) &&
         !(value->is_string() && value->get_ref<const std::string&>().empty());
}

void check_limits(const PodContainer& c, const std::string& field_prefix,
                  std::vector<Violation>& out) {
  const json* resources = c.member("resources");
  const std::string field = c.field(field_prefix) + ".resources.limits";
  std::string missing, fix;
  for (const char* resource : {"cpu", "memory"}) {
    if (has_limit(resources, resource)) continue;
    missing += (missing.empty() ? "" : " and ") + std::string(resource);
    fix += (fix.empty() ? "" : " and ") + field + "." + resource;
  }
  if (missing.empty()) return;
  out.push_back({"containers.requireResourceLimits",
                 "container \"" + c.name() + "\" has no " + missing + " limit: set " + fix,
                 field});
}

void check_read_only_root(const PodContainer& c, const std::string& field_prefix,
                          std::vector<Violation>& out) {
  const json* sc = c.member("securityContext");
  if (sc != nullptr && sc->is_object()) {
    const auto ro = sc->find("readOnlyRootFilesystem");
    if (ro != sc->end() && ro->is_boolean() && ro->get<bool>()) return;
  }
  const std::string field = c.field(field_prefix) + ".securityContext.readOnlyRootFilesystem";
  out.push_back({"containers.requireReadOnlyRootFilesystem",
                 "container \"" + c.name() +
                     "\" may write to its root filesystem: set " + field +
                     " to true and mount an emptyDir where it must write",
                 field});
}

}  // namespace

std::vector<Violation> check_container_rules(const api::ContainerRules& rules,
                                             const json& pod_spec,
                                             const std::string& field_prefix) {
  std::vector<Violation> out;
  if (!rules.requireResourceLimits && !rules.requireReadOnlyRootFilesystem) return out;
  for (const auto& c : pod_containers(pod_spec, true)) {
    const bool ephemeral = std::string_view(c.list) == "ephemeralContainers";
    if (rules.requireResourceLimits && !ephemeral) check_limits(c, field_prefix, out);
    if (rules.requireReadOnlyRootFilesystem) check_read_only_root(c, field_prefix, out);
  }
  return out;
}

}  // namespace castellan::policy
