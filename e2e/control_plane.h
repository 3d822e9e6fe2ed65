#pragma once
// A real etcd + kube-apiserver on loopback with Castellan's CRDs installed, for e2e tests
// (the envtest pattern). Everything lives in one temporary directory, removed on stop().

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "e2e/child_process.h"
#include "e2e/command.h"

namespace castellan::e2e {

struct ControlPlaneOptions {
  // Empty: $KUBE_APISERVER, else what `e2e/kube-apiserver.sh path` prints (it may build it).
  std::string kube_apiserver;
  std::string etcd = "etcd";
  std::string kubectl = "kubectl";
  // Every CustomResourceDefinition in *.yaml here is installed; empty: install none.
  std::string crd_dir = source_dir() + "/crds";
  std::vector<std::string> extra_apiserver_args;
  std::chrono::seconds ready_timeout{120};

  // The repository root this library was compiled in.
  static std::string source_dir();
};

class ControlPlane;
using ControlPlanePtr = std::unique_ptr<ControlPlane>;

class ControlPlane {
 public:
  // Starts etcd and kube-apiserver, waits for /readyz, installs the CRDs and waits until
  // they are Established. On failure nothing is left running and the error quotes the log.
  static Result<ControlPlanePtr> start(ControlPlaneOptions options = {});

  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;
  ~ControlPlane();

  const std::string& server_url() const { return server_url_; }  // https://127.0.0.1:PORT
  int apiserver_port() const { return apiserver_port_; }
  const std::string& token() const { return token_; }  // static admin token, system:masters
  const std::string& ca_file() const { return ca_file_; }
  const std::string& kubeconfig_path() const { return kubeconfig_path_; }
  const std::string& directory() const { return directory_; }
  std::string etcd_url() const;
  pid_t apiserver_pid() const { return apiserver_ ? apiserver_->pid() : -1; }
  pid_t etcd_pid() const { return etcd_ ? etcd_->pid() : -1; }

  // Stops the API server only; clients see connection errors until start_apiserver().
  Status stop_apiserver();
  // Starts it again on the same port with the same certificates and waits for /readyz.
  Status start_apiserver();
  Status restart_apiserver();
  // Stops both processes and removes the directory. Idempotent.
  void stop();

  Result<std::int64_t> etcd_revision();
  // Compacts etcd up to its current revision R. A watch from a resourceVersion below R - 1 then
  // gets 410 Gone from etcd; the API server's watch cache still serves recent history unless it
  // runs with --watch-cache=false or is restarted after the compaction (its cache starts anew).
  Result<std::int64_t> compact_etcd();

  // Runs kubectl against this control plane. Fails only if kubectl cannot be started.
  Result<CommandResult> kubectl(const std::vector<std::string>& args, std::string_view input = {});
  // Installs every CustomResourceDefinition found in dir/*.yaml and waits until Established.
  Status install_crds(const std::string& dir);

 private:
  explicit ControlPlane(ControlPlaneOptions options) : options_(std::move(options)) {}

  Status prepare_directory();
  Status start_etcd();
  Status wait_apiserver_ready();
  Status write_kubeconfig();
  Result<std::string> etcd_post(const std::string& path, const std::string& body);
  std::string tail_of_log(const std::string& name) const;

  ControlPlaneOptions options_;
  std::string apiserver_binary_;
  std::vector<std::string> apiserver_args_;
  std::string directory_;
  std::string server_url_;
  std::string token_;
  std::string ca_file_;
  std::string kubeconfig_path_;
  int apiserver_port_ = 0;
  int etcd_port_ = 0;
  int etcd_peer_port_ = 0;
  std::optional<ChildProcess> etcd_;
  std::optional<ChildProcess> apiserver_;
};

}  // namespace castellan::e2e
