#pragma once
// In-cluster configuration from the pod's service account, as client-go's InClusterConfig:
// KUBERNETES_SERVICE_HOST/PORT, and token, ca.crt and namespace under
// /var/run/secrets/kubernetes.io/serviceaccount. The token is given as a file so that a rotated
// (projected) token is picked up without a restart.

#include <string>

#include "common/result.h"
#include "kube/client_config.h"

namespace castellan::kube {

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct InClusterEnvironment {
  std::string root;  // prefixed to kServiceAccountDir (tests use a temporary folder)
  std::string host;  // KUBERNETES_SERVICE_HOST
  std::string port;  // KUBERNETES_SERVICE_PORT

  std::string service_account_dir() const { return root + kServiceAccountDir; }
};

// Reads the two variables from the process environment.
InClusterEnvironment in_cluster_environment(const std::string& root = {});

// True when the service variables are set and the token file exists.
bool in_cluster_available(const InClusterEnvironment& environment);

Result<ClientConfig> in_cluster_config(const InClusterEnvironment& environment);

}  // namespace castellan::kube
