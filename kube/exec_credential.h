#pragma once
// Exec credential plugins (kubeconfig users[].user.exec), as kubectl runs them: the command
// with its args and env plus KUBERNETES_EXEC_INFO, an ExecCredential JSON on stdout
// (client.authentication.k8s.io/v1 or v1beta1), the token cached until expirationTimestamp.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "kube/client_config.h"
#include "kube/transport_auth.h"

namespace castellan::kube {

struct ExecCredential {
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiration;
};

// Parses a plugin's stdout; `api_version` is the one the kubeconfig asked for.
Result<ExecCredential> parse_exec_credential(const std::string& output,
                                             const std::string& api_version);

// RFC 3339 ("2030-01-02T03:04:05Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

// Runs the plugin and returns its stdout; a non-zero exit, a missing executable or the timeout
// give an error with the plugin's stderr and install hint.
Result<std::string> run_exec_plugin(const ExecConfig& exec, const std::string& exec_info,
                                    std::chrono::milliseconds timeout);

class ExecCredentialSource : public BearerTokenSource {
 public:
  using NowFn = std::function<std::chrono::system_clock::time_point()>;

  // `cluster` supplies server and CA when the plugin asks for provideClusterInfo.
  ExecCredentialSource(ExecConfig exec, const ClientConfig& cluster, NowFn now = {});

  Result<std::string> token() override;
  bool invalidate() override;

  // How many times the plugin ran (caching is visible to tests).
  int runs() const;

 private:
  std::string exec_info() const;

  ExecConfig exec_;
  std::string server_;
  std::string ca_pem_;
  bool insecure_ = false;
  std::string tls_server_name_;
  NowFn now_;
  mutable std::mutex mu_;
  std::optional<ExecCredential> cached_;
  int runs_ = 0;
};

}  // namespace castellan::kube
