#pragma once
// Container ↔ cgroup naming, as kubelets and runtimes lay cgroups out. Pure.
//
//   cgroupfs driver: /kubepods/burstable/pod<uid>/<id>            (containerd, docker)
//                    /kubepods/besteffort/pod<uid>/crio-<id>      (CRI-O)
//   systemd driver:  /kubepods.slice/kubepods-burstable.slice/
//                      kubepods-burstable-pod<uid_with_underscores>.slice/
//                      cri-containerd-<id>.scope | crio-<id>.scope | docker-<id>.scope
//   plain docker:    /docker/<id>, /system.slice/docker-<id>.scope

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace castellan::sensor {

struct ContainerRef {
  std::string runtime;  // containerd | cri-o | docker
  std::string id;       // 64 hex digits
};

// status.containerStatuses[].containerID ("containerd://<id>", "cri-o://<id>", "docker://<id>").
Result<ContainerRef> parse_container_id(std::string_view container_id);

// The container id a cgroup path belongs to (its last component), if it names one.
// Runtime helper cgroups (crio-conmon-<id>) are not containers.
std::optional<std::string> container_id_from_cgroup(std::string_view path);

// The pod UID (with dashes) of a kubelet cgroup path, if any component names one.
std::optional<std::string> pod_uid_from_cgroup(std::string_view path);

}  // namespace castellan::sensor
