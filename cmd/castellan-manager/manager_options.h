#pragma once
// castellan-manager's flags, parsed without side effects so they can be tested.

#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::manager {

struct ManagerOptions {
  bool help = false;
  bool standalone = false;
  std::string policies_dir;
  std::string bind_address = "0.0.0.0";
  int webhook_port = 9443;
  std::string tls_cert;
  std::string tls_key;
  std::string cert_dir;  // where a generated certificate goes; default below
  int threads = 2;
  int max_connections = 1024;
  int reload_interval_ms = 1000;
  int drain_timeout_s = 25;
  std::string log_level = "info";
  bool log_json = true;

  // Cluster mode.
  std::string kubeconfig;        // empty: $KUBECONFIG, in-cluster, ~/.kube/config
  std::string namespace_;        // empty: $POD_NAMESPACE, else castellan-system
  std::string sensor_namespace = "castellan-sensor";  // never gated nor acted on, like namespace_
  std::string identity;          // empty: $POD_NAME, else host-pid-start
  std::string webhook_url_base;  // out of a cluster: https://127.0.0.1:PORT
  std::string service_name = "castellan-webhook";
  int webhook_timeout_s = 5;
  int cert_lifetime_s = 365 * 24 * 3600;
  std::string cert_manager_secret;  // use cert-manager's Secret, only inject its CA
  int report_interval_s = 10;
  int resync_s = 10;
  int lease_duration_s = 15;
  int renew_deadline_s = 10;
  int retry_period_s = 2;
  int shutdown_delay_s = 0;
  bool reuse_port = false;  // SO_REUSEPORT, so replicas on one host share --webhook-port
};

extern const char* const kHelp;

// Errors name the flag and what is wrong with it; the caller exits 2.
Result<ManagerOptions> parse_manager_options(const std::vector<std::string>& args);

}  // namespace castellan::manager
