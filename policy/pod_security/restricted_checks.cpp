#include "policy/pod_security/restricted_checks.h"

#include <string>

#include "policy/pod_security/pod_security.h"
#include "policy/pod_security/safe_lists.h"
#include "policy/pod_security/subject.h"
#include "policy/pod_security/volumes.h"

namespace castellan::policy::pss {

namespace rules = pss_rules;

namespace {

bool valid_seccomp_type(std::string_view type) {
  return type == "RuntimeDefault" || type == "Localhost";
}

// The source a forbidden volume uses: a known forbidden source, else any other key.
std::string forbidden_volume_source(const json& volume) {
  for (std::string_view source : kRestrictedForbiddenVolumeSources) {
    if (find_field(&volume, source) != nullptr) return std::string(source);
  }
  for (const auto& [key, value] : volume.items()) {
    if (key != "name" && !value.is_null()) return key;
  }
  return {};
}

}  // namespace

void check_volume_types(const PodView& pod, std::vector<Violation>& out) {
  for_each_volume(pod, rules::kVolumeTypes, out, [&](size_t index, const json& volume) {
    for (std::string_view source : kRestrictedAllowedVolumeSources) {
      if (find_field(&volume, source) != nullptr) return;
    }
    // A volume with no source is an emptyDir: the API server defaults it so before admission.
    const std::string source = forbidden_volume_source(volume);
    if (source.empty()) return;
    const std::string_view fix =
        "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, "
        "persistentVolumeClaim, projected or secret volumes";
    add_violation(out, rules::kVolumeTypes, volume_path(index, source), volume_who(volume, index),
                  "uses the restricted volume type " + quote(source), fix);
  });
}

void check_allow_privilege_escalation(const PodView& pod, const Profile& profile,
                                      std::vector<Violation>& out) {
  // Windows has no setuid; the API server rejects the field on Windows pods.
  if (pod.windows() && profile.has(Variant::WindowsExemption)) return;
  for (const ContainerRef& c : pod.containers()) {
    const Subject s = Subject::container(c);
    const std::string_view sub = "securityContext.allowPrivilegeEscalation";
    const auto allow = s.checked(read_bool(s.security_context(), "allowPrivilegeEscalation"), sub,
                                 "a boolean", rules::kAllowPrivilegeEscalation, out);
    if (allow.malformed() || (allow.present() && !allow.value)) continue;
    s.violation(out, rules::kAllowPrivilegeEscalation, sub,
                std::string(sub) + (allow.present() ? " is true" : " is not set"),
                "set it to false");
  }
}

void check_run_as_non_root(const PodView& pod, const Profile& profile,
                           std::vector<Violation>& out) {
  // Root in a user namespace is not root on the node.
  if (pod.user_namespaced() && profile.has(Variant::RunAsUserNamespace)) return;
  const Subject pod_subject = Subject::pod(pod);
  const std::string_view sub = "securityContext.runAsNonRoot";
  const auto pod_value = pod_subject.checked(read_bool(pod.security_context(), "runAsNonRoot"), sub,
                                             "a boolean", rules::kRunAsNonRoot, out);
  if (pod_value.present() && !pod_value.value) {
    pod_subject.violation(out, rules::kRunAsNonRoot, sub, pod_subject.relative(sub) + " is false",
                          "set it to true");
  }
  const bool pod_non_root = pod_value.present() && pod_value.value;
  for (const ContainerRef& c : pod.containers()) {
    const Subject s = Subject::container(c);
    const auto value = s.checked(read_bool(s.security_context(), "runAsNonRoot"), sub, "a boolean",
                                 rules::kRunAsNonRoot, out);
    if (value.present() && !value.value) {
      s.violation(out, rules::kRunAsNonRoot, sub, std::string(sub) + " is false", "set it to true");
    } else if (value.absent() && !pod_non_root) {
      s.violation(out, rules::kRunAsNonRoot, sub,
                  std::string(sub) + " is not set and the pod does not set it to true",
                  "set securityContext.runAsNonRoot=true on the container or on the pod");
    }
  }
}

void check_run_as_user(const PodView& pod, const Profile& profile, std::vector<Violation>& out) {
  if (pod.user_namespaced() && profile.has(Variant::RunAsUserNamespace)) return;
  const std::string_view sub = "securityContext.runAsUser";
  const auto check = [&](const Subject& s) {
    const auto user = s.checked(read_int(s.security_context(), "runAsUser"), sub, "an integer",
                                rules::kRunAsUser, out);
    if (user.present() && user.value == 0) {
      s.violation(out, rules::kRunAsUser, sub, s.relative(sub) + " is 0 (root)",
                  "set it to a non-zero user id or remove it");
    }
  };
  check(Subject::pod(pod));
  for (const ContainerRef& c : pod.containers()) check(Subject::container(c));
}

void check_restricted_seccomp(const PodView& pod, const Profile& profile,
                              std::vector<Violation>& out) {
  if (pod.windows() && profile.has(Variant::WindowsExemption)) return;
  const std::string_view object_sub = "securityContext.seccompProfile";
  const std::string_view sub = "securityContext.seccompProfile.type";
  const std::string_view fix = "set it to RuntimeDefault or Localhost";
  // Returns whether the subject sets a valid profile; reports one it sets badly.
  const auto check_set = [&](const Subject& s, bool& is_set) {
    const auto profile = s.checked(read_object(s.security_context(), "seccompProfile"), object_sub,
                                   "an object", rules::kRestrictedSeccomp, out);
    is_set = !profile.absent();
    if (!profile.present()) return false;
    const auto type = s.checked(read_string(profile.value, "type"), sub, "a string",
                                rules::kRestrictedSeccomp, out);
    if (type.malformed()) return false;
    if (valid_seccomp_type(type.value)) return true;
    const std::string what = type.present() && !type.value.empty()
                                 ? s.relative(sub) + " is " + quote(type.value)
                                 : s.relative(sub) + " is not set";
    s.violation(out, rules::kRestrictedSeccomp, sub, what, fix);
    return false;
  };

  bool pod_set = false;
  const bool pod_valid = check_set(Subject::pod(pod), pod_set);
  for (const ContainerRef& c : pod.containers()) {
    const Subject s = Subject::container(c);
    bool container_set = false;
    check_set(s, container_set);
    if (!container_set && !pod_valid) {
      s.violation(out, rules::kRestrictedSeccomp, sub,
                  std::string(sub) + " is not set and the pod sets no valid profile",
                  "set seccompProfile.type to RuntimeDefault or Localhost on the container or "
                  "on the pod");
    }
  }
}

void check_restricted_capabilities(const PodView& pod, const Profile& profile,
                                   std::vector<Violation>& out) {
  // Windows has no Linux capabilities; the API server rejects them on Windows pods.
  if (pod.windows() && profile.has(Variant::WindowsExemption)) return;
  const std::string_view drop_sub = "securityContext.capabilities.drop";
  for (const ContainerRef& c : pod.containers()) {
    const Subject s = Subject::container(c);
    const auto capabilities =
        s.checked(read_object(s.security_context(), "capabilities"), "securityContext.capabilities",
                  "an object", rules::kRestrictedCapabilities, out);
    const auto drop = s.checked(read_array(capabilities.value, "drop"), drop_sub, "a list",
                                rules::kRestrictedCapabilities, out);
    bool dropped_all = false;
    if (drop.present()) {
      for (size_t i = 0; i < drop.value->size(); ++i) {
        const json& capability = (*drop.value)[i];
        if (capability.is_string()) {
          dropped_all = dropped_all || capability.get_ref<const std::string&>() == "ALL";
          continue;
        }
        const std::string sub = std::string(drop_sub) + "[" + std::to_string(i) + "]";
        add_malformed(out, rules::kRestrictedCapabilities, s.path(sub), s.who(), sub, "a string",
                      capability);
      }
    }
    if (!dropped_all && !drop.malformed()) {
      s.violation(out, rules::kRestrictedCapabilities, drop_sub,
                  std::string(drop_sub) + " does not include \"ALL\"",
                  "add \"ALL\" to securityContext.capabilities.drop");
    }

    const auto add =
        s.checked(read_array(capabilities.value, "add"), "securityContext.capabilities.add",
                  "a list", rules::kRestrictedCapabilities, out);
    if (!add.present()) continue;
    for (size_t i = 0; i < add.value->size(); ++i) {
      const json& capability = (*add.value)[i];
      const std::string sub = "securityContext.capabilities.add[" + std::to_string(i) + "]";
      if (!capability.is_string()) {
        add_malformed(out, rules::kRestrictedCapabilities, s.path(sub), s.who(), sub, "a string",
                      capability);
        continue;
      }
      const std::string& name = capability.get_ref<const std::string&>();
      if (name == "NET_BIND_SERVICE") continue;
      s.violation(out, rules::kRestrictedCapabilities, sub,
                  "securityContext.capabilities.add includes " + quote(name),
                  "remove it: restricted allows adding only NET_BIND_SERVICE");
    }
  }
}

}  // namespace castellan::policy::pss
