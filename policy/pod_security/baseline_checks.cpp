#include "policy/pod_security/baseline_checks.h"

#include <string>

#include "policy/pod_security/pod_security.h"
#include "policy/pod_security/safe_lists.h"
#include "policy/pod_security/subject.h"
#include "policy/pod_security/volumes.h"

namespace castellan::policy::pss {

namespace rules = pss_rules;

namespace {

// Calls fn(subject) for the pod, then for every container.
template <typename Fn>
void for_pod_and_containers(const PodView& pod, Fn fn) {
  fn(Subject::pod(pod));
  for (const ContainerRef& c : pod.containers()) fn(Subject::container(c));
}

// Calls fn(subject) for every container.
template <typename Fn>
void for_containers(const PodView& pod, Fn fn) {
  for (const ContainerRef& c : pod.containers()) fn(Subject::container(c));
}

bool allowed_app_armor_annotation(std::string_view value) {
  return value.empty() || value == "runtime/default" || value.starts_with("localhost/");
}

bool allowed_profile_type(std::string_view type) {
  return type == "RuntimeDefault" || type == "Localhost";
}

// Joins path segments; only called once something is wrong, to keep the happy path allocation-free.
std::string join(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string out;
  out.append(a);
  if (!b.empty()) out.append(out.empty() ? "" : ".").append(b);
  if (!c.empty()) out.append(".").append(c);
  return out;
}

// Reports the host of a probe or lifecycle hook's httpGet / tcpSocket action, when set.
// `parent`.`key` names the handler, e.g. "lifecycle" "preStop" or "" "livenessProbe".
void check_action_hosts(const Subject& s, const json& container, std::string_view parent,
                        std::string_view key, std::vector<Violation>& out) {
  const char* rule = rules::kHostProbesAndLifecycleHooks;
  const json* holder = parent.empty() ? &container : find_field(&container, parent);
  const auto handler = read_object(holder, key);
  if (handler.malformed()) {
    s.checked(handler, join(parent, key), "an object", rule, out);
    return;
  }
  static constexpr std::string_view kActions[] = {"httpGet", "tcpSocket"};
  for (std::string_view action : kActions) {
    const auto object = read_object(handler.value, action);
    if (object.malformed())
      s.checked(object, join(join(parent, key), action), "an object", rule, out);
    const auto host = read_string(object.value, "host");
    if (host.malformed())
      s.checked(host, join(join(parent, key), action, "host"), "a string", rule, out);
    if (!host.present() || host.value.empty()) continue;
    const std::string sub = join(join(parent, key), action, "host");
    s.violation(out, rule, sub, sub + " is " + quote(host.value),
                "remove the host so the kubelet connects to the pod's own IP");
  }
}

bool allowed_seccomp_annotation(std::string_view value) {
  return value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/");
}

// Policy versions before 1.19 read seccomp from the alpha annotations: the pod's, and one per
// container, named after it.
void check_seccomp_annotations(const PodView& pod, std::vector<Violation>& out) {
  const auto annotations = read_object(pod.metadata(), "annotations");
  if (!annotations.present()) return;
  const auto check = [&](const std::string& key, std::string_view who) {
    const auto value = read_string(annotations.value, key);
    if (!value.present() || allowed_seccomp_annotation(value.value)) return;
    add_violation(out, rules::kBaselineSeccomp, "metadata.annotations[" + key + "]", who,
                  "annotation " + quote(key) + " is " + quote(value.value),
                  "set it to runtime/default or localhost/<profile>, or remove it");
  };
  check("seccomp.security.alpha.kubernetes.io/pod", "pod");
  for (const ContainerRef& c : pod.containers()) {
    check("container.seccomp.security.alpha.kubernetes.io/" + std::string(c.name), c.who());
  }
}

}  // namespace

void check_host_process(const PodView& pod, std::vector<Violation>& out) {
  for_pod_and_containers(pod, [&](const Subject& s) {
    const auto options =
        s.checked(read_object(s.security_context(), "windowsOptions"),
                  "securityContext.windowsOptions", "an object", rules::kHostProcess, out);
    const std::string_view sub = "securityContext.windowsOptions.hostProcess";
    const auto host_process = s.checked(read_bool(options.value, "hostProcess"), sub, "a boolean",
                                        rules::kHostProcess, out);
    if (host_process.present() && host_process.value) {
      s.violation(out, rules::kHostProcess, sub, s.relative(sub) + " is true",
                  "set it to false or remove it: HostProcess containers have privileged "
                  "access to the Windows node");
    }
  });
}

void check_host_namespaces(const PodView& pod, std::vector<Violation>& out) {
  static constexpr std::string_view kFields[] = {"hostNetwork", "hostPID", "hostIPC"};
  const Subject s = Subject::pod(pod);
  for (std::string_view key : kFields) {
    const auto shared =
        s.checked(read_bool(pod.spec(), key), key, "a boolean", rules::kHostNamespaces, out);
    if (shared.present() && shared.value) {
      s.violation(out, rules::kHostNamespaces, key, s.relative(key) + " is true",
                  "set it to false or remove it: sharing the node's namespaces is not allowed");
    }
  }
}

void check_privileged(const PodView& pod, std::vector<Violation>& out) {
  for_containers(pod, [&](const Subject& s) {
    const std::string_view sub = "securityContext.privileged";
    const auto privileged = s.checked(read_bool(s.security_context(), "privileged"), sub,
                                      "a boolean", rules::kPrivileged, out);
    if (privileged.present() && privileged.value) {
      s.violation(out, rules::kPrivileged, sub, std::string(sub) + " is true",
                  "set it to false or remove it");
    }
  });
}

void check_baseline_capabilities(const PodView& pod, std::vector<Violation>& out) {
  for_containers(pod, [&](const Subject& s) {
    const auto capabilities =
        s.checked(read_object(s.security_context(), "capabilities"), "securityContext.capabilities",
                  "an object", rules::kBaselineCapabilities, out);
    const auto add =
        s.checked(read_array(capabilities.value, "add"), "securityContext.capabilities.add",
                  "a list", rules::kBaselineCapabilities, out);
    if (!add.present()) return;
    for (size_t i = 0; i < add.value->size(); ++i) {
      const json& capability = (*add.value)[i];
      const std::string sub = "securityContext.capabilities.add[" + std::to_string(i) + "]";
      if (!capability.is_string()) {
        add_malformed(out, rules::kBaselineCapabilities, s.path(sub), s.who(), sub, "a string",
                      capability);
        continue;
      }
      const std::string& name = capability.get_ref<const std::string&>();
      if (contains(kBaselineAllowedCapabilities, name)) continue;
      s.violation(out, rules::kBaselineCapabilities, sub,
                  "securityContext.capabilities.add includes " + quote(name),
                  "remove it: baseline allows adding only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, "
                  "FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, "
                  "SETUID and SYS_CHROOT");
    }
  });
}

void check_host_path_volumes(const PodView& pod, std::vector<Violation>& out) {
  for_each_volume(pod, rules::kHostPathVolumes, out, [&](size_t index, const json& volume) {
    if (find_field(&volume, "hostPath") == nullptr) return;
    add_violation(out, rules::kHostPathVolumes, volume_path(index, "hostPath"),
                  volume_who(volume, index), "uses a hostPath volume",
                  "use a persistentVolumeClaim, configMap, secret or emptyDir volume instead");
  });
}

void check_host_ports(const PodView& pod, std::vector<Violation>& out) {
  // `ports` sits on the container itself, not in its securityContext.
  for (const ContainerRef& c : pod.containers()) {
    const Subject s = Subject::container(c);
    const auto ports =
        s.checked(read_array(c.object, "ports"), "ports", "a list", rules::kHostPorts, out);
    if (!ports.present()) continue;
    for (size_t i = 0; i < ports.value->size(); ++i) {
      const json& port = (*ports.value)[i];
      const std::string port_sub = "ports[" + std::to_string(i) + "]";
      if (!port.is_object()) {
        add_malformed(out, rules::kHostPorts, s.path(port_sub), s.who(), port_sub, "an object",
                      port);
        continue;
      }
      const std::string sub = port_sub + ".hostPort";
      const auto host_port =
          s.checked(read_int(&port, "hostPort"), sub, "an integer", rules::kHostPorts, out);
      if (host_port.present() && host_port.value != 0) {
        s.violation(out, rules::kHostPorts, sub, sub + " is " + std::to_string(host_port.value),
                    "remove hostPort (or set it to 0) and expose the port through a Service");
      }
    }
  }
}

void check_app_armor(const PodView& pod, std::vector<Violation>& out) {
  for_pod_and_containers(pod, [&](const Subject& s) {
    const auto profile =
        s.checked(read_object(s.security_context(), "appArmorProfile"),
                  "securityContext.appArmorProfile", "an object", rules::kAppArmor, out);
    if (!profile.present()) return;
    const std::string_view sub = "securityContext.appArmorProfile.type";
    const auto type =
        s.checked(read_string(profile.value, "type"), sub, "a string", rules::kAppArmor, out);
    if (type.malformed() || allowed_profile_type(type.value)) return;
    const std::string what = type.present() && !type.value.empty()
                                 ? s.relative(sub) + " is " + quote(type.value)
                                 : s.relative(sub) + " is not set";
    s.violation(out, rules::kAppArmor, sub, what,
                "set it to RuntimeDefault or Localhost, or remove appArmorProfile");
  });

  const auto annotations = read_object(pod.metadata(), "annotations");
  if (annotations.malformed()) {
    add_malformed(out, rules::kAppArmor, "metadata.annotations", "pod", "metadata.annotations",
                  "an object", *annotations.raw);
  }
  if (!annotations.present()) return;
  static constexpr std::string_view kPrefix = "container.apparmor.security.beta.kubernetes.io/";
  for (const auto& [key, value] : annotations.value->items()) {
    if (!std::string_view(key).starts_with(kPrefix)) continue;
    const std::string field = "metadata.annotations[" + key + "]";
    if (!value.is_string()) {
      add_malformed(out, rules::kAppArmor, field, "pod", "annotation " + quote(key), "a string",
                    value);
      continue;
    }
    const std::string& profile = value.get_ref<const std::string&>();
    if (allowed_app_armor_annotation(profile)) continue;
    add_violation(out, rules::kAppArmor, field, "pod",
                  "annotation " + quote(key) + " is " + quote(profile),
                  "set it to runtime/default or localhost/<profile>, or remove it");
  }
}

void check_se_linux(const PodView& pod, const Profile& profile, std::vector<Violation>& out) {
  const bool container_engine = profile.has(Variant::SeLinuxContainerEngine);
  for_pod_and_containers(pod, [&](const Subject& s) {
    const auto options =
        s.checked(read_object(s.security_context(), "seLinuxOptions"),
                  "securityContext.seLinuxOptions", "an object", rules::kSeLinux, out);
    if (!options.present()) return;
    const std::string_view type_sub = "securityContext.seLinuxOptions.type";
    const auto type =
        s.checked(read_string(options.value, "type"), type_sub, "a string", rules::kSeLinux, out);
    if (type.present() && !contains(kAllowedSeLinuxTypes, type.value) &&
        !(container_engine && type.value == kSeLinuxContainerEngineType)) {
      s.violation(out, rules::kSeLinux, type_sub, s.relative(type_sub) + " is " + quote(type.value),
                  container_engine ? "remove it or use container_t, container_init_t, "
                                     "container_kvm_t or container_engine_t"
                                   : "remove it or use container_t, container_init_t or "
                                     "container_kvm_t (container_engine_t from policy v1.31)");
    }
    static constexpr std::string_view kForbidden[] = {"user", "role"};
    for (std::string_view key : kForbidden) {
      const std::string sub = "securityContext.seLinuxOptions." + std::string(key);
      const auto value =
          s.checked(read_string(options.value, key), sub, "a string", rules::kSeLinux, out);
      if (value.present() && !value.value.empty()) {
        s.violation(out, rules::kSeLinux, sub, s.relative(sub) + " is " + quote(value.value),
                    "remove it: a custom SELinux " + std::string(key) + " is not allowed");
      }
    }
  });
}

void check_proc_mount(const PodView& pod, const Profile& profile, std::vector<Violation>& out) {
  if (!profile.restricted() && profile.has(Variant::ProcMountUserNamespace) &&
      pod.user_namespaced()) {
    return;
  }
  for_containers(pod, [&](const Subject& s) {
    const std::string_view sub = "securityContext.procMount";
    const auto proc_mount = s.checked(read_string(s.security_context(), "procMount"), sub,
                                      "a string", rules::kProcMount, out);
    if (proc_mount.present() && proc_mount.value != "Default") {
      s.violation(out, rules::kProcMount, sub, std::string(sub) + " is " + quote(proc_mount.value),
                  "set it to Default or remove it: the default /proc masks must stay");
    }
  });
}

void check_baseline_seccomp(const PodView& pod, const Profile& profile,
                            std::vector<Violation>& out) {
  if (!profile.has(Variant::SeccompFields)) {
    check_seccomp_annotations(pod, out);
    return;
  }
  for_pod_and_containers(pod, [&](const Subject& s) {
    const auto seccomp =
        s.checked(read_object(s.security_context(), "seccompProfile"),
                  "securityContext.seccompProfile", "an object", rules::kBaselineSeccomp, out);
    if (!seccomp.present()) return;
    const std::string_view sub = "securityContext.seccompProfile.type";
    const auto type = s.checked(read_string(seccomp.value, "type"), sub, "a string",
                                rules::kBaselineSeccomp, out);
    if (type.malformed() || allowed_profile_type(type.value)) return;
    const std::string what = type.present() && !type.value.empty()
                                 ? s.relative(sub) + " is " + quote(type.value)
                                 : s.relative(sub) + " is not set";
    s.violation(out, rules::kBaselineSeccomp, sub, what,
                "set it to RuntimeDefault or Localhost, or remove seccompProfile");
  });
}

void check_sysctls(const PodView& pod, const Profile& profile, std::vector<Violation>& out) {
  const Subject s = Subject::pod(pod);
  const auto sysctls = s.checked(read_array(s.security_context(), "sysctls"),
                                 "securityContext.sysctls", "a list", rules::kSysctls, out);
  if (!sysctls.present()) return;
  for (size_t i = 0; i < sysctls.value->size(); ++i) {
    const json& sysctl = (*sysctls.value)[i];
    const std::string entry_sub = "securityContext.sysctls[" + std::to_string(i) + "]";
    if (!sysctl.is_object()) {
      add_malformed(out, rules::kSysctls, s.path(entry_sub), s.who(), s.relative(entry_sub),
                    "an object", sysctl);
      continue;
    }
    const std::string sub = entry_sub + ".name";
    const auto name =
        s.checked(read_string(&sysctl, "name"), sub, "a string", rules::kSysctls, out);
    if (name.malformed() || safe_sysctl(name.value, profile.safe_sysctls())) continue;
    s.violation(out, rules::kSysctls, sub,
                "sysctl " + quote(name.value) + " is not in the safe set",
                "remove it: only namespaced sysctls isolated from other pods are allowed");
  }
}

void check_host_probes_and_lifecycle_hooks(const PodView& pod, std::vector<Violation>& out) {
  static constexpr std::string_view kProbes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
  static constexpr std::string_view kHooks[] = {"postStart", "preStop"};
  for (const ContainerRef& c : pod.containers()) {
    const Subject s = Subject::container(c);
    for (std::string_view probe : kProbes) check_action_hosts(s, *c.object, {}, probe, out);
    const auto lifecycle = s.checked(read_object(c.object, "lifecycle"), "lifecycle", "an object",
                                     rules::kHostProbesAndLifecycleHooks, out);
    if (!lifecycle.present()) continue;
    for (std::string_view hook : kHooks) check_action_hosts(s, *c.object, "lifecycle", hook, out);
  }
}

}  // namespace castellan::policy::pss
