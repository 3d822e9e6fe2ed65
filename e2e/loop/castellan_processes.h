#pragma once
// castellan-manager and castellan-sensor as processes against the local control plane, run
// with the ServiceAccounts and RBAC of config/ (as their Deployment and DaemonSet would be),
// their output in a log file each.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "e2e/child_process.h"
#include "e2e/control_plane.h"

namespace castellan::e2e {

// A kubeconfig for ServiceAccount `account` in `namespace_` (castellan-system for the manager,
// castellan-sensor for the sensor; a token from the API, the CA inline), written in the control
// plane's directory, or to `path` readable by every user.
Result<std::string> service_account_kubeconfig(ControlPlane& cp, const std::string& namespace_,
                                               const std::string& account,
                                               const std::string& path = {});

class CastellanProcess {
 public:
  CastellanProcess() = default;
  CastellanProcess(CastellanProcess&&) = default;
  CastellanProcess& operator=(CastellanProcess&&) = default;
  ~CastellanProcess() { stop(); }

  Status start(const std::vector<std::string>& argv, const std::string& log_file);
  void stop(std::chrono::seconds grace = std::chrono::seconds(20));
  void kill();  // SIGKILL: no last status, no goodbye
  bool running() { return child_ && child_->running(); }
  // True once the log holds `needle`, false if `timeout` passed first.
  bool wait_for_log(const std::string& needle, std::chrono::seconds timeout) const;
  std::string log() const;

 private:
  std::optional<ChildProcess> child_;
  std::string log_file_;
};

// castellan-manager in cluster mode, the webhook on 127.0.0.1:port (URL mode).
Result<CastellanProcess> start_manager(ControlPlane& cp, const std::string& kubeconfig,
                                       const std::string& identity, int port);
// castellan-sensor in node mode for `node`, status every `status_period` seconds; `prefix`
// runs before it (e.g. setpriv to drop privileges).
Result<CastellanProcess> start_sensor(ControlPlane& cp, const std::string& kubeconfig,
                                      const std::string& node, int status_period,
                                      std::vector<std::string> prefix = {});

}  // namespace castellan::e2e
