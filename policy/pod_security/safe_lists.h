#pragma once
// The allow-lists of the Pod Security Standards, as the reference implementation
// (k8s.io/pod-security-admission) defines them; what changed between versions says since when.

#include <algorithm>
#include <array>
#include <string_view>

namespace castellan::policy::pss {

// Capabilities that baseline lets a container add (check_capabilities_baseline.go).
inline constexpr std::array<std::string_view, 13> kBaselineAllowedCapabilities = {
    "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};

struct SafeSysctl {
  std::string_view name;
  int since_minor;  // safe at policy version v1.<since_minor> and later
};

// Namespaced, isolated sysctls (check_sysctls.go), ordered by the policy version whose safe list
// added them, so that the safe set of a version is a prefix of this list (Profile::safe_sysctls).
inline constexpr std::array<SafeSysctl, 14> kSafeSysctls = {{
    {"kernel.shm_rmid_forced", 0},
    {"net.ipv4.ip_local_port_range", 0},
    {"net.ipv4.tcp_syncookies", 0},
    {"net.ipv4.ping_group_range", 0},
    {"net.ipv4.ip_unprivileged_port_start", 0},
    {"net.ipv4.ip_local_reserved_ports", 27},
    {"net.ipv4.tcp_keepalive_time", 29},
    {"net.ipv4.tcp_fin_timeout", 29},
    {"net.ipv4.tcp_keepalive_intvl", 29},
    {"net.ipv4.tcp_keepalive_probes", 29},
    {"net.ipv4.tcp_rmem", 32},
    {"net.ipv4.tcp_wmem", 32},
    {"net.ipv4.tcp_slow_start_after_idle", 37},
    {"net.ipv4.tcp_notsent_lowat", 37},
}};

// Whether `name` is among the first `count` entries of kSafeSysctls.
inline bool safe_sysctl(std::string_view name, size_t count) {
  for (size_t i = 0; i < count && i < kSafeSysctls.size(); ++i) {
    if (kSafeSysctls[i].name == name) return true;
  }
  return false;
}

// seLinuxOptions.type values baseline accepts at every version; "" means unset.
inline constexpr std::array<std::string_view, 4> kAllowedSeLinuxTypes = {
    "", "container_t", "container_init_t", "container_kvm_t"};
// Accepted from policy version 1.31 (Variant::SeLinuxContainerEngine).
inline constexpr std::string_view kSeLinuxContainerEngineType = "container_engine_t";

// Inline volume sources restricted accepts (check_restrictedVolumes.go).
inline constexpr std::array<std::string_view, 9> kRestrictedAllowedVolumeSources = {
    "configMap", "csi",   "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim",
    "projected", "secret"};

// Volume sources restricted forbids, in the order the reference names them.
inline constexpr std::array<std::string_view, 21> kRestrictedForbiddenVolumeSources = {
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace castellan::policy::pss
