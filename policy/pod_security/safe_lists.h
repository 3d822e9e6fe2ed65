#pragma once
// The allow-lists of the Pod Security Standards, as the reference implementation
// (k8s.io/pod-security-admission, policy version "latest") defines them.

#include <algorithm>
#include <array>
#include <string_view>

namespace castellan::policy::pss {

// Capabilities that baseline lets a container add (check_capabilities_baseline.go).
inline constexpr std::array<std::string_view, 13> kBaselineAllowedCapabilities = {
    "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};

// Namespaced, isolated sysctls (check_sysctls.go) as of the latest release, in the order they
// were added. Kubernetes 1.37 is due to add tcp_slow_start_after_idle and tcp_notsent_lowat.
inline constexpr std::array<std::string_view, 12> kSafeSysctls = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",  // 1.27
    "net.ipv4.tcp_keepalive_time",       // 1.29
    "net.ipv4.tcp_fin_timeout",          // 1.29
    "net.ipv4.tcp_keepalive_intvl",      // 1.29
    "net.ipv4.tcp_keepalive_probes",     // 1.29
    "net.ipv4.tcp_rmem",                 // 1.32
    "net.ipv4.tcp_wmem",                 // 1.32
};

// seLinuxOptions.type values baseline accepts; "" means unset.
inline constexpr std::array<std::string_view, 5> kAllowedSeLinuxTypes = {
    "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"};

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
