#pragma once
// ClientConfig: everything needed to reach one API server (address, TLS, credentials, client
// limits). Built from a kubeconfig (kubeconfig.h) or the in-cluster service account
// (in_cluster.h); load_client_config picks between them as kubectl and client-go do.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::kube {

// An exec credential plugin (kubeconfig users[].user.exec).
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;
  bool provide_cluster_info = false;
};

struct ClientConfig {
  // https://host:port (http:// is accepted for tests against a plain local server).
  std::string server;
  // PEM bundle trusted for the server; empty = the system trust store.
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  // Name checked against the server certificate and sent as SNI; empty = the server's host.
  std::string tls_server_name;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string bearer_token;
  // Re-read when it changes (projected service account tokens rotate).
  std::string token_file;
  std::optional<ExecConfig> exec;
  // Where the configuration came from, for messages: a kubeconfig path or "in-cluster".
  std::string source;
  std::string default_namespace = "default";

  // Client-side throttling (token bucket): sustained requests per second and burst.
  double qps = 20.0;
  int burst = 30;
  // Per request (connect + send + whole response); watches use their own deadlines.
  std::chrono::milliseconds timeout{30000};
  // Attempts after the first for connection errors, 429 and 5xx.
  int max_retries = 5;
  // Keep-alive connections kept idle for reuse.
  std::size_t max_idle_connections = 4;
  std::string user_agent = "castellan/0.1";
};

struct LoadOptions {
  // Explicit kubeconfig path(s); empty = $KUBECONFIG, else in-cluster, else ~/.kube/config.
  std::string kubeconfig;
  // Context name; empty = current-context.
  std::string context;
  // Test seam: the root prefixed to /var/run/secrets/... for the in-cluster files.
  std::string in_cluster_root;
};

// Order (as client-go's default loading rules): an explicit path, then $KUBECONFIG (a
// colon-separated list, merged), then the in-cluster service account when
// KUBERNETES_SERVICE_HOST is set, then ~/.kube/config.
Result<ClientConfig> load_client_config(const LoadOptions& options = {});

}  // namespace castellan::kube
