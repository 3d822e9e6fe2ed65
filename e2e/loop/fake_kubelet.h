#pragma once
// FakeKubelet: what a kubelet would write for a running Pod, with no container runtime: the
// Pod's status (Running, Ready, containerStatuses with containerID and imageID) and, for each
// container, a cgroup v2 directory named as the kubelet's cgroupfs driver names it
// (kubepods/besteffort/pod<uid>/<container id>). Processes run "in the container" by joining
// that cgroup, so the sensor sees them exactly as it would see a container's.

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "kube/api_client.h"

namespace castellan::e2e {

struct FakeContainer {
  std::string pod_namespace;
  std::string pod;
  std::string pod_uid;
  std::string name;
  std::string id;      // 64 hex, as containerd names containers
  std::string cgroup;  // absolute path
};

class FakeKubelet {
 public:
  FakeKubelet(kube::ApiClientPtr api, std::string node, std::string cgroup_mount);
  ~FakeKubelet();  // removes the cgroups it made
  FakeKubelet(const FakeKubelet&) = delete;
  FakeKubelet& operator=(const FakeKubelet&) = delete;

  // Creates the Node object this kubelet would register (no-op when it exists).
  Status register_node();
  // Writes the status of an existing Pod (already admitted, bound to this node) as if its
  // one container `container` started from `image` resolved to `image_id`
  // ("registry/app@sha256:..."), and makes that container's cgroup.
  Result<FakeContainer> start(const std::string& namespace_, const std::string& pod,
                              const std::string& container, const std::string& image,
                              const std::string& image_id);
  // Runs argv (argv[0] an absolute path) in the container's cgroup; returns the wait status.
  int exec(const FakeContainer& container, const std::vector<std::string>& argv);
  // Starts argv in the container's cgroup without waiting; returns its pid.
  pid_t spawn(const FakeContainer& container, const std::vector<std::string>& argv);

  const std::string& node() const { return node_; }

 private:
  Status make_cgroup(const std::string& path);

  kube::ApiClientPtr api_;
  std::string node_;
  std::string root_;               // cgroup of this kubelet's "pods"
  std::vector<std::string> made_;  // cgroups to remove, in creation order
};

// A random 64-hex string (container ids, image digests).
std::string random_hex64();

}  // namespace castellan::e2e
