// A table of pods, each a small change to a restricted-compliant pod, with the controls
// each level must report. Modelled on the reference implementation's per-check fixtures.

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "policy/pod_security/pod_security.h"
#include "policy/pod_security/test/pointer_patch.h"

namespace castellan::policy {
namespace {

using nlohmann::json;

// A pod that passes restricted: an init container, a container and an ephemeral container.
json compliant_pod() {
  const json container_context = {{"allowPrivilegeEscalation", false},
                                  {"capabilities", {{"drop", {"ALL"}}}}};
  return {{"metadata", {{"name", "web"}, {"annotations", json::object()}}},
          {"spec",
           {{"securityContext",
             {{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
            {"initContainers",
             {{{"name", "init"}, {"image", "busybox"}, {"securityContext", container_context}}}},
            {"containers",
             {{{"name", "app"}, {"image", "nginx"}, {"securityContext", container_context}}}},
            {"ephemeralContainers",
             {{{"name", "debug"}, {"image", "busybox"}, {"securityContext", container_context}}}},
            {"volumes", {{{"name", "cache"}, {"emptyDir", json::object()}}}}}}};
}

struct Case {
  const char* name;
  // JSON object of JSON pointer -> new value; the string "<delete>" removes the field.
  const char* patch;
  // Space-separated controls, e.g. "baseline.privileged restricted.capabilities".
  const char* baseline;
  const char* restricted;
};

std::set<std::string> expand(const char* controls) {
  std::set<std::string> out;
  std::istringstream in(controls);
  std::string control;
  while (in >> control) out.insert("podSecurity." + control);
  return out;
}

std::set<std::string> rules_of(api::PodSecurityLevel level, const json& pod) {
  std::set<std::string> out;
  for (const Violation& v :
       check_pod_security(pss::Profile::of(level, {}), pod["metadata"], pod["spec"])) {
    out.insert(v.rule);
  }
  return out;
}

std::string describe(const json& pod, api::PodSecurityLevel level) {
  std::string out;
  for (const Violation& v :
       check_pod_security(pss::Profile::of(level, {}), pod["metadata"], pod["spec"])) {
    out += "\n  " + v.rule + " at " + v.field + ": " + v.message;
  }
  return out;
}

class PodSecurityTable : public ::testing::TestWithParam<Case> {};

// Verifies that each level reports exactly the expected controls for each pod of the table.
TEST_P(PodSecurityTable, ReportsExpectedControls) {
  const Case& c = GetParam();
  const json pod = pss::apply_pointer_patch(compliant_pod(), json::parse(c.patch));
  EXPECT_EQ(rules_of(api::PodSecurityLevel::Baseline, pod), expand(c.baseline))
      << c.name << " (baseline):" << describe(pod, api::PodSecurityLevel::Baseline);
  EXPECT_EQ(rules_of(api::PodSecurityLevel::Restricted, pod), expand(c.restricted))
      << c.name << " (restricted):" << describe(pod, api::PodSecurityLevel::Restricted);
}

const Case kCases[] = {
    {"compliant", "{}", "", ""},

    // HostProcess
    {"pod hostProcess true", R"({"/spec/securityContext/windowsOptions": {"hostProcess": true}})",
     "baseline.hostProcess", "baseline.hostProcess"},
    {"pod hostProcess false", R"({"/spec/securityContext/windowsOptions": {"hostProcess": false}})",
     "", ""},
    {"container hostProcess true",
     R"({"/spec/containers/0/securityContext/windowsOptions": {"hostProcess": true}})",
     "baseline.hostProcess", "baseline.hostProcess"},
    {"init hostProcess true",
     R"({"/spec/initContainers/0/securityContext/windowsOptions": {"hostProcess": true}})",
     "baseline.hostProcess", "baseline.hostProcess"},
    {"ephemeral hostProcess true",
     R"({"/spec/ephemeralContainers/0/securityContext/windowsOptions": {"hostProcess": true}})",
     "baseline.hostProcess", "baseline.hostProcess"},

    // Host namespaces
    {"hostNetwork", R"({"/spec/hostNetwork": true})", "baseline.hostNamespaces",
     "baseline.hostNamespaces"},
    {"hostPID", R"({"/spec/hostPID": true})", "baseline.hostNamespaces", "baseline.hostNamespaces"},
    {"hostIPC", R"({"/spec/hostIPC": true})", "baseline.hostNamespaces", "baseline.hostNamespaces"},
    {"host namespaces false", R"({"/spec/hostNetwork": false, "/spec/hostPID": false,
                                  "/spec/hostIPC": false})",
     "", ""},

    // Privileged
    {"privileged container", R"({"/spec/containers/0/securityContext/privileged": true})",
     "baseline.privileged", "baseline.privileged"},
    {"privileged init", R"({"/spec/initContainers/0/securityContext/privileged": true})",
     "baseline.privileged", "baseline.privileged"},
    {"privileged ephemeral", R"({"/spec/ephemeralContainers/0/securityContext/privileged": true})",
     "baseline.privileged", "baseline.privileged"},
    {"privileged false", R"({"/spec/containers/0/securityContext/privileged": false})", "", ""},

    // Capabilities
    {"add SYS_ADMIN", R"({"/spec/containers/0/securityContext/capabilities/add": ["SYS_ADMIN"]})",
     "baseline.capabilities", "restricted.capabilities"},
    {"add NET_RAW to init",
     R"({"/spec/initContainers/0/securityContext/capabilities/add": ["NET_RAW"]})",
     "baseline.capabilities", "restricted.capabilities"},
    {"add NET_ADMIN to ephemeral",
     R"({"/spec/ephemeralContainers/0/securityContext/capabilities/add": ["NET_ADMIN"]})",
     "baseline.capabilities", "restricted.capabilities"},
    {"add CHOWN", R"({"/spec/containers/0/securityContext/capabilities/add": ["CHOWN"]})", "",
     "restricted.capabilities"},
    {"add every baseline default",
     R"({"/spec/containers/0/securityContext/capabilities/add": ["AUDIT_WRITE", "CHOWN",
        "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
        "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]})",
     "", "restricted.capabilities"},
    {"add NET_BIND_SERVICE",
     R"({"/spec/containers/0/securityContext/capabilities/add": ["NET_BIND_SERVICE"]})", "", ""},
    {"add with CAP_ prefix",
     R"({"/spec/containers/0/securityContext/capabilities/add": ["CAP_CHOWN"]})",
     "baseline.capabilities", "restricted.capabilities"},
    {"add ALL", R"({"/spec/containers/0/securityContext/capabilities/add": ["ALL"]})",
     "baseline.capabilities", "restricted.capabilities"},
    {"no drop", R"({"/spec/containers/0/securityContext/capabilities": "<delete>"})", "",
     "restricted.capabilities"},
    {"no securityContext on init", R"({"/spec/initContainers/0/securityContext": "<delete>"})", "",
     "restricted.capabilities restricted.allowPrivilegeEscalation"},
    {"drop lower-case all", R"({"/spec/containers/0/securityContext/capabilities/drop": ["all"]})",
     "", "restricted.capabilities"},
    {"drop NET_RAW only",
     R"({"/spec/ephemeralContainers/0/securityContext/capabilities/drop": ["NET_RAW"]})", "",
     "restricted.capabilities"},
    {"drop ALL among others",
     R"({"/spec/containers/0/securityContext/capabilities/drop": ["NET_RAW", "ALL"]})", "", ""},

    // HostPath volumes and volume types
    {"hostPath volume", R"({"/spec/volumes/0": {"name": "host", "hostPath": {"path": "/"}}})",
     "baseline.hostPathVolumes", "restricted.volumeTypes"},
    {"configMap volume", R"({"/spec/volumes/1": {"name": "v", "configMap": {"name": "c"}}})", "",
     ""},
    {"csi volume", R"({"/spec/volumes/1": {"name": "v", "csi": {"driver": "d"}}})", "", ""},
    {"downwardAPI volume", R"({"/spec/volumes/1": {"name": "v", "downwardAPI": {}}})", "", ""},
    {"ephemeral volume", R"({"/spec/volumes/1": {"name": "v", "ephemeral": {}}})", "", ""},
    {"image volume", R"({"/spec/volumes/1": {"name": "v", "image": {"reference": "x"}}})", "", ""},
    {"pvc volume",
     R"({"/spec/volumes/1": {"name": "v", "persistentVolumeClaim": {"claimName": "c"}}})", "", ""},
    {"projected volume", R"({"/spec/volumes/1": {"name": "v", "projected": {"sources": []}}})", "",
     ""},
    {"secret volume", R"({"/spec/volumes/1": {"name": "v", "secret": {"secretName": "s"}}})", "",
     ""},
    {"gcePersistentDisk", R"({"/spec/volumes/1": {"name": "v", "gcePersistentDisk": {}}})", "",
     "restricted.volumeTypes"},
    {"awsElasticBlockStore", R"({"/spec/volumes/1": {"name": "v", "awsElasticBlockStore": {}}})",
     "", "restricted.volumeTypes"},
    {"gitRepo", R"({"/spec/volumes/1": {"name": "v", "gitRepo": {}}})", "",
     "restricted.volumeTypes"},
    {"nfs", R"({"/spec/volumes/1": {"name": "v", "nfs": {}}})", "", "restricted.volumeTypes"},
    {"iscsi", R"({"/spec/volumes/1": {"name": "v", "iscsi": {}}})", "", "restricted.volumeTypes"},
    {"glusterfs", R"({"/spec/volumes/1": {"name": "v", "glusterfs": {}}})", "",
     "restricted.volumeTypes"},
    {"rbd", R"({"/spec/volumes/1": {"name": "v", "rbd": {}}})", "", "restricted.volumeTypes"},
    {"flexVolume", R"({"/spec/volumes/1": {"name": "v", "flexVolume": {}}})", "",
     "restricted.volumeTypes"},
    {"cinder", R"({"/spec/volumes/1": {"name": "v", "cinder": {}}})", "", "restricted.volumeTypes"},
    {"cephfs", R"({"/spec/volumes/1": {"name": "v", "cephfs": {}}})", "", "restricted.volumeTypes"},
    {"flocker", R"({"/spec/volumes/1": {"name": "v", "flocker": {}}})", "",
     "restricted.volumeTypes"},
    {"fc", R"({"/spec/volumes/1": {"name": "v", "fc": {}}})", "", "restricted.volumeTypes"},
    {"azureFile", R"({"/spec/volumes/1": {"name": "v", "azureFile": {}}})", "",
     "restricted.volumeTypes"},
    {"vsphereVolume", R"({"/spec/volumes/1": {"name": "v", "vsphereVolume": {}}})", "",
     "restricted.volumeTypes"},
    {"quobyte", R"({"/spec/volumes/1": {"name": "v", "quobyte": {}}})", "",
     "restricted.volumeTypes"},
    {"azureDisk", R"({"/spec/volumes/1": {"name": "v", "azureDisk": {}}})", "",
     "restricted.volumeTypes"},
    {"portworxVolume", R"({"/spec/volumes/1": {"name": "v", "portworxVolume": {}}})", "",
     "restricted.volumeTypes"},
    {"photonPersistentDisk", R"({"/spec/volumes/1": {"name": "v", "photonPersistentDisk": {}}})",
     "", "restricted.volumeTypes"},
    {"scaleIO", R"({"/spec/volumes/1": {"name": "v", "scaleIO": {}}})", "",
     "restricted.volumeTypes"},
    {"storageos", R"({"/spec/volumes/1": {"name": "v", "storageos": {}}})", "",
     "restricted.volumeTypes"},
    // The API server defaults a volume without a source to emptyDir.
    {"volume without a source", R"({"/spec/volumes/1": {"name": "v"}})", "", ""},

    // Host ports
    {"hostPort", R"({"/spec/containers/0/ports": [{"containerPort": 80, "hostPort": 8080}]})",
     "baseline.hostPorts", "baseline.hostPorts"},
    {"hostPort on init",
     R"({"/spec/initContainers/0/ports": [{"containerPort": 80, "hostPort": 80}]})",
     "baseline.hostPorts", "baseline.hostPorts"},
    {"hostPort on ephemeral",
     R"({"/spec/ephemeralContainers/0/ports": [{"containerPort": 80, "hostPort": 1}]})",
     "baseline.hostPorts", "baseline.hostPorts"},
    {"hostPort 0", R"({"/spec/containers/0/ports": [{"containerPort": 80, "hostPort": 0}]})", "",
     ""},
    {"containerPort only", R"({"/spec/containers/0/ports": [{"containerPort": 80}]})", "", ""},

    // AppArmor
    {"annotation unconfined",
     R"({"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app": "unconfined"})",
     "baseline.appArmor", "baseline.appArmor"},
    {"annotation runtime/default",
     R"({"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app": "runtime/default"})",
     "", ""},
    {"annotation localhost profile",
     R"({"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app": "localhost/k8s-nginx"})",
     "", ""},
    {"annotation empty",
     R"({"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app": ""})", "",
     ""},
    {"annotation for an unknown container",
     R"({"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1other": "unconfined"})",
     "baseline.appArmor", "baseline.appArmor"},
    {"other annotation", R"({"/metadata/annotations/example.com~1apparmor": "unconfined"})", "",
     ""},
    {"pod appArmorProfile Unconfined",
     R"({"/spec/securityContext/appArmorProfile": {"type": "Unconfined"}})", "baseline.appArmor",
     "baseline.appArmor"},
    {"pod appArmorProfile RuntimeDefault",
     R"({"/spec/securityContext/appArmorProfile": {"type": "RuntimeDefault"}})", "", ""},
    {"container appArmorProfile Localhost",
     R"({"/spec/containers/0/securityContext/appArmorProfile":
         {"type": "Localhost", "localhostProfile": "p"}})",
     "", ""},
    {"ephemeral appArmorProfile Unconfined",
     R"({"/spec/ephemeralContainers/0/securityContext/appArmorProfile": {"type": "Unconfined"}})",
     "baseline.appArmor", "baseline.appArmor"},
    {"appArmorProfile without type",
     R"({"/spec/initContainers/0/securityContext/appArmorProfile": {}})", "baseline.appArmor",
     "baseline.appArmor"},

    // SELinux
    {"pod selinux container_t",
     R"({"/spec/securityContext/seLinuxOptions": {"type": "container_t", "level": "s0:c1"}})", "",
     ""},
    {"container selinux container_engine_t",
     R"({"/spec/containers/0/securityContext/seLinuxOptions": {"type": "container_engine_t"}})", "",
     ""},
    {"selinux container_init_t and kvm",
     R"({"/spec/initContainers/0/securityContext/seLinuxOptions": {"type": "container_init_t"},
         "/spec/containers/0/securityContext/seLinuxOptions": {"type": "container_kvm_t"}})",
     "", ""},
    {"pod selinux spc_t", R"({"/spec/securityContext/seLinuxOptions": {"type": "spc_t"}})",
     "baseline.seLinux", "baseline.seLinux"},
    {"container selinux user",
     R"({"/spec/containers/0/securityContext/seLinuxOptions": {"user": "system_u"}})",
     "baseline.seLinux", "baseline.seLinux"},
    {"ephemeral selinux role",
     R"({"/spec/ephemeralContainers/0/securityContext/seLinuxOptions": {"role": "system_r"}})",
     "baseline.seLinux", "baseline.seLinux"},
    {"selinux empty user and role",
     R"({"/spec/securityContext/seLinuxOptions": {"user": "", "role": "", "type": ""}})", "", ""},

    // /proc mount type
    {"procMount Unmasked", R"({"/spec/containers/0/securityContext/procMount": "Unmasked"})",
     "baseline.procMount", "baseline.procMount"},
    {"procMount Unmasked on init",
     R"({"/spec/initContainers/0/securityContext/procMount": "Unmasked"})", "baseline.procMount",
     "baseline.procMount"},
    {"procMount Default", R"({"/spec/containers/0/securityContext/procMount": "Default"})", "", ""},
    {"procMount Unmasked in a user namespace",
     R"({"/spec/hostUsers": false, "/spec/containers/0/securityContext/procMount": "Unmasked"})",
     "", "baseline.procMount"},

    // Seccomp
    {"pod seccomp Unconfined", R"({"/spec/securityContext/seccompProfile/type": "Unconfined"})",
     "baseline.seccomp", "restricted.seccomp"},
    {"container seccomp Unconfined",
     R"({"/spec/containers/0/securityContext/seccompProfile": {"type": "Unconfined"}})",
     "baseline.seccomp", "restricted.seccomp"},
    {"ephemeral seccomp Unconfined",
     R"({"/spec/ephemeralContainers/0/securityContext/seccompProfile": {"type": "Unconfined"}})",
     "baseline.seccomp", "restricted.seccomp"},
    {"pod seccomp Localhost",
     R"({"/spec/securityContext/seccompProfile": {"type": "Localhost", "localhostProfile": "p"}})",
     "", ""},
    {"no seccomp anywhere", R"({"/spec/securityContext/seccompProfile": "<delete>"})", "",
     "restricted.seccomp"},
    {"seccomp on every container only",
     R"({"/spec/securityContext/seccompProfile": "<delete>",
         "/spec/initContainers/0/securityContext/seccompProfile": {"type": "RuntimeDefault"},
         "/spec/containers/0/securityContext/seccompProfile": {"type": "RuntimeDefault"},
         "/spec/ephemeralContainers/0/securityContext/seccompProfile": {"type": "Localhost"}})",
     "", ""},
    {"seccomp missing on the ephemeral container only",
     R"({"/spec/securityContext/seccompProfile": "<delete>",
         "/spec/initContainers/0/securityContext/seccompProfile": {"type": "RuntimeDefault"},
         "/spec/containers/0/securityContext/seccompProfile": {"type": "RuntimeDefault"}})",
     "", "restricted.seccomp"},
    {"pod Unconfined overridden by every container",
     R"({"/spec/securityContext/seccompProfile/type": "Unconfined",
         "/spec/initContainers/0/securityContext/seccompProfile": {"type": "RuntimeDefault"},
         "/spec/containers/0/securityContext/seccompProfile": {"type": "RuntimeDefault"},
         "/spec/ephemeralContainers/0/securityContext/seccompProfile": {"type": "RuntimeDefault"}})",
     "baseline.seccomp", "restricted.seccomp"},
    {"seccompProfile without type", R"({"/spec/securityContext/seccompProfile": {}})",
     "baseline.seccomp", "restricted.seccomp"},

    // Sysctls
    {"safe sysctls", R"({"/spec/securityContext/sysctls": [
        {"name": "kernel.shm_rmid_forced", "value": "0"},
        {"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"},
        {"name": "net.ipv4.tcp_syncookies", "value": "0"},
        {"name": "net.ipv4.ping_group_range", "value": "1 0"},
        {"name": "net.ipv4.ip_unprivileged_port_start", "value": "1024"},
        {"name": "net.ipv4.ip_local_reserved_ports", "value": "1024-4999"},
        {"name": "net.ipv4.tcp_keepalive_time", "value": "7200"},
        {"name": "net.ipv4.tcp_fin_timeout", "value": "60"},
        {"name": "net.ipv4.tcp_keepalive_intvl", "value": "75"},
        {"name": "net.ipv4.tcp_keepalive_probes", "value": "9"},
        {"name": "net.ipv4.tcp_rmem", "value": "4096 87380 16777216"},
        {"name": "net.ipv4.tcp_wmem", "value": "4096 65536 16777216"}]})",
     "", ""},
    {"sysctls added to the safe set in 1.37", R"({"/spec/securityContext/sysctls": [
        {"name": "net.ipv4.tcp_notsent_lowat", "value": "16384"},
        {"name": "net.ipv4.tcp_slow_start_after_idle", "value": "0"}]})",
     "", ""},
    {"unsafe sysctl",
     R"({"/spec/securityContext/sysctls": [{"name": "kernel.msgmax", "value": "1"}]})",
     "baseline.sysctls", "baseline.sysctls"},
    {"unsafe among safe sysctls", R"({"/spec/securityContext/sysctls": [
        {"name": "net.ipv4.tcp_syncookies", "value": "0"},
        {"name": "net.ipv4.ip_forward", "value": "1"}]})",
     "baseline.sysctls", "baseline.sysctls"},

    // Probes and lifecycle hooks
    {"liveness httpGet host",
     R"({"/spec/containers/0/livenessProbe": {"httpGet": {"host": "localhost", "port": 80}}})",
     "baseline.hostProbesAndLifecycleHooks", "baseline.hostProbesAndLifecycleHooks"},
    {"readiness tcpSocket host",
     R"({"/spec/containers/0/readinessProbe": {"tcpSocket": {"host": "10.0.0.1", "port": 80}}})",
     "baseline.hostProbesAndLifecycleHooks", "baseline.hostProbesAndLifecycleHooks"},
    {"startup probe host on init",
     R"({"/spec/initContainers/0/startupProbe": {"httpGet": {"host": "::1", "port": 80}}})",
     "baseline.hostProbesAndLifecycleHooks", "baseline.hostProbesAndLifecycleHooks"},
    {"preStop httpGet host",
     R"({"/spec/containers/0/lifecycle": {"preStop": {"httpGet": {"host": "a.com", "port": 80}}}})",
     "baseline.hostProbesAndLifecycleHooks", "baseline.hostProbesAndLifecycleHooks"},
    {"postStart tcpSocket host on ephemeral",
     R"({"/spec/ephemeralContainers/0/lifecycle": {"postStart": {"tcpSocket": {"host": "b"}}}})",
     "baseline.hostProbesAndLifecycleHooks", "baseline.hostProbesAndLifecycleHooks"},
    {"probes without host",
     R"({"/spec/containers/0/livenessProbe": {"httpGet": {"host": "", "port": 80}},
         "/spec/containers/0/readinessProbe": {"tcpSocket": {"port": 80}},
         "/spec/containers/0/lifecycle": {"preStop": {"exec": {"command": ["true"]}}}})",
     "", ""},

    // Privilege escalation
    {"allowPrivilegeEscalation unset",
     R"({"/spec/containers/0/securityContext/allowPrivilegeEscalation": "<delete>"})", "",
     "restricted.allowPrivilegeEscalation"},
    {"allowPrivilegeEscalation true on init",
     R"({"/spec/initContainers/0/securityContext/allowPrivilegeEscalation": true})", "",
     "restricted.allowPrivilegeEscalation"},
    {"allowPrivilegeEscalation unset on ephemeral",
     R"({"/spec/ephemeralContainers/0/securityContext/allowPrivilegeEscalation": "<delete>"})", "",
     "restricted.allowPrivilegeEscalation"},

    // Running as non-root
    {"runAsNonRoot nowhere", R"({"/spec/securityContext/runAsNonRoot": "<delete>"})", "",
     "restricted.runAsNonRoot"},
    {"runAsNonRoot on every container only", R"({"/spec/securityContext/runAsNonRoot": "<delete>",
        "/spec/initContainers/0/securityContext/runAsNonRoot": true,
        "/spec/containers/0/securityContext/runAsNonRoot": true,
        "/spec/ephemeralContainers/0/securityContext/runAsNonRoot": true})",
     "", ""},
    {"runAsNonRoot missing on the init container",
     R"({"/spec/securityContext/runAsNonRoot": "<delete>",
        "/spec/containers/0/securityContext/runAsNonRoot": true,
        "/spec/ephemeralContainers/0/securityContext/runAsNonRoot": true})",
     "", "restricted.runAsNonRoot"},
    {"pod runAsNonRoot false", R"({"/spec/securityContext/runAsNonRoot": false,
        "/spec/initContainers/0/securityContext/runAsNonRoot": true,
        "/spec/containers/0/securityContext/runAsNonRoot": true,
        "/spec/ephemeralContainers/0/securityContext/runAsNonRoot": true})",
     "", "restricted.runAsNonRoot"},
    {"container runAsNonRoot false",
     R"({"/spec/containers/0/securityContext/runAsNonRoot": false})", "",
     "restricted.runAsNonRoot"},
    {"runAsNonRoot nowhere in a user namespace",
     R"({"/spec/hostUsers": false, "/spec/securityContext/runAsNonRoot": "<delete>"})", "", ""},
    {"runAsNonRoot nowhere with hostUsers true",
     R"({"/spec/hostUsers": true, "/spec/securityContext/runAsNonRoot": "<delete>"})", "",
     "restricted.runAsNonRoot"},

    // Running as a non-root user
    {"pod runAsUser 0", R"({"/spec/securityContext/runAsUser": 0})", "", "restricted.runAsUser"},
    {"container runAsUser 0", R"({"/spec/containers/0/securityContext/runAsUser": 0})", "",
     "restricted.runAsUser"},
    {"init runAsUser 0", R"({"/spec/initContainers/0/securityContext/runAsUser": 0})", "",
     "restricted.runAsUser"},
    {"ephemeral runAsUser 0", R"({"/spec/ephemeralContainers/0/securityContext/runAsUser": 0})", "",
     "restricted.runAsUser"},
    {"runAsUser 1000", R"({"/spec/securityContext/runAsUser": 1000,
                           "/spec/containers/0/securityContext/runAsUser": 65534})",
     "", ""},
    {"runAsUser 0 in a user namespace",
     R"({"/spec/hostUsers": false, "/spec/securityContext/runAsUser": 0})", "", ""},

    // Windows pods
    {"windows pod without Linux-only fields", R"({"/spec/os": {"name": "windows"},
        "/spec/securityContext/seccompProfile": "<delete>",
        "/spec/initContainers/0/securityContext": {},
        "/spec/containers/0/securityContext": {},
        "/spec/ephemeralContainers/0/securityContext": {}})",
     "", ""},
    {"windows pod adding a capability", R"({"/spec/os": {"name": "windows"},
        "/spec/containers/0/securityContext/capabilities/add": ["SYS_ADMIN"]})",
     "baseline.capabilities", ""},
    {"windows pod with seccomp Unconfined", R"({"/spec/os": {"name": "windows"},
        "/spec/securityContext/seccompProfile/type": "Unconfined"})",
     "baseline.seccomp", ""},
    {"windows pod still needs runAsNonRoot", R"({"/spec/os": {"name": "windows"},
        "/spec/securityContext/runAsNonRoot": "<delete>"})",
     "", "restricted.runAsNonRoot"},
    {"windows pod still forbids hostProcess", R"({"/spec/os": {"name": "windows"},
        "/spec/securityContext/windowsOptions": {"hostProcess": true}})",
     "baseline.hostProcess", "baseline.hostProcess"},
    {"linux pod without Linux-only fields", R"({"/spec/os": {"name": "linux"},
        "/spec/containers/0/securityContext": {}})",
     "", "restricted.allowPrivilegeEscalation restricted.capabilities"},
};

INSTANTIATE_TEST_SUITE_P(Pods, PodSecurityTable, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (const char* p = info.param.name; *p; ++p) {
                             name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace castellan::policy
