#include "kube/client_config.h"

#include <cstdlib>
#include <filesystem>

#include "kube/in_cluster.h"
#include "kube/kubeconfig.h"

namespace castellan::kube {

Result<ClientConfig> load_client_config(const LoadOptions& options) {
  if (!options.kubeconfig.empty()) {
    auto kubeconfig = load_kubeconfig(split_kubeconfig_paths(options.kubeconfig), true);
    if (!kubeconfig.ok()) return kubeconfig.error();
    return client_config_from_kubeconfig(*kubeconfig, options.context);
  }
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    auto kubeconfig = load_kubeconfig(split_kubeconfig_paths(env), false);
    if (!kubeconfig.ok())
      return Error::make("$KUBECONFIG: " + kubeconfig.error().message, kubeconfig.error().reason);
    return client_config_from_kubeconfig(*kubeconfig, options.context);
  }
  auto environment = in_cluster_environment(options.in_cluster_root);
  if (in_cluster_available(environment)) return in_cluster_config(environment);
  const char* home = std::getenv("HOME");
  std::string path = std::string(home != nullptr ? home : "") + "/.kube/config";
  std::error_code ec;
  if (home == nullptr || !std::filesystem::exists(path, ec))
    return Error::make(
        "no Kubernetes configuration: $KUBECONFIG is not set, not running in a "
        "pod, and " +
        path + " does not exist");
  auto kubeconfig = load_kubeconfig({path}, true);
  if (!kubeconfig.ok()) return kubeconfig.error();
  return client_config_from_kubeconfig(*kubeconfig, options.context);
}

}  // namespace castellan::kube
