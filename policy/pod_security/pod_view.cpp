#include "policy/pod_security/pod_view.h"

#include "policy/pod_security/pod_security.h"
#include "policy/pod_security/report.h"

namespace castellan::policy::pss {

namespace {

std::string_view list_key(ContainerKind kind) {
  switch (kind) {
    case ContainerKind::Init:
      return "initContainers";
    case ContainerKind::Ephemeral:
      return "ephemeralContainers";
    case ContainerKind::Regular:
      break;
  }
  return "containers";
}

std::string_view kind_name(ContainerKind kind) {
  switch (kind) {
    case ContainerKind::Init:
      return "initContainer";
    case ContainerKind::Ephemeral:
      return "ephemeralContainer";
    case ContainerKind::Regular:
      break;
  }
  return "container";
}

constexpr const char* kMalformed = pss_rules::kMalformedSpec;

}  // namespace

std::string ContainerRef::path(std::string_view sub) const {
  std::string out = "spec.";
  out.append(list_key(kind)).append("[").append(std::to_string(index)).append("]");
  if (!sub.empty()) out.append(".").append(sub);
  return out;
}

std::string ContainerRef::who() const {
  std::string out(kind_name(kind));
  if (name.empty()) return out.append(" [").append(std::to_string(index)).append("]");
  return out.append(" ").append(quote(name));
}

PodView::PodView(const json& metadata, const json& spec, std::vector<Violation>& out) {
  if (metadata.is_object()) {
    metadata_ = &metadata;
  } else if (!metadata.is_null()) {
    add_malformed(out, kMalformed, "metadata", "pod", "metadata", "an object", metadata);
  }
  if (!spec.is_object()) {
    add_malformed(out, kMalformed, "spec", "pod", "spec", "an object", spec);
    return;
  }
  spec_ = &spec;

  const auto security_context = read_object(spec_, "securityContext");
  if (security_context.malformed()) {
    add_malformed(out, kMalformed, "spec.securityContext", "pod", "spec.securityContext",
                  "an object", *security_context.raw);
  }
  security_context_ = security_context.value;

  const auto os = read_object(spec_, "os");
  if (os.malformed()) {
    add_malformed(out, kMalformed, "spec.os", "pod", "spec.os", "an object", *os.raw);
  }
  const auto os_name = read_string(os.value, "name");
  if (os_name.malformed()) {
    add_malformed(out, kMalformed, "spec.os.name", "pod", "spec.os.name", "a string", *os_name.raw);
  }
  windows_ = os_name.present() && os_name.value == "windows";

  const auto host_users = read_bool(spec_, "hostUsers");
  if (host_users.malformed()) {
    add_malformed(out, kMalformed, "spec.hostUsers", "pod", "spec.hostUsers", "a boolean",
                  *host_users.raw);
  }
  user_namespaced_ = host_users.present() && !host_users.value;

  size_t total = 0;
  for (std::string_view key : {"initContainers", "containers", "ephemeralContainers"}) {
    const auto list = read_array(spec_, key);
    if (list.present()) total += list.value->size();
  }
  containers_.reserve(total);
  collect(ContainerKind::Init, "initContainers", out);
  collect(ContainerKind::Regular, "containers", out);
  collect(ContainerKind::Ephemeral, "ephemeralContainers", out);
}

void PodView::collect(ContainerKind kind, std::string_view key, std::vector<Violation>& out) {
  const auto list = read_array(spec_, key);
  if (list.malformed()) {
    const std::string field = "spec." + std::string(key);
    add_malformed(out, kMalformed, field, "pod", field, "a list", *list.raw);
    return;
  }
  if (!list.present()) return;
  const json& items = *list.value;
  for (size_t i = 0; i < items.size(); ++i) {
    ContainerRef ref;
    ref.kind = kind;
    ref.index = i;
    ref.object = &items[i];
    if (!items[i].is_object()) {
      add_malformed(out, kMalformed, ref.path(), ref.who(), ref.path(), "an object", items[i]);
      continue;
    }
    const auto name = read_string(ref.object, "name");
    if (name.malformed()) {
      add_malformed(out, kMalformed, ref.path("name"), ref.who(), "name", "a string", *name.raw);
    }
    ref.name = name.value;
    const auto security_context = read_object(ref.object, "securityContext");
    if (security_context.malformed()) {
      add_malformed(out, kMalformed, ref.path("securityContext"), ref.who(), "securityContext",
                    "an object", *security_context.raw);
    }
    ref.security_context = security_context.value;
    containers_.push_back(ref);
  }
}

}  // namespace castellan::policy::pss
