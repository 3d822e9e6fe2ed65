#include "e2e/loop/castellan_processes.h"

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/base64.h"

namespace castellan::e2e {

Result<std::string> service_account_kubeconfig(ControlPlane& cp, const std::string& namespace_,
                                               const std::string& account,
                                               const std::string& path) {
  auto token = cp.kubectl({"create", "token", account, "-n", namespace_, "--duration", "24h"});
  if (!token) return token.error();
  if (!token->ok()) return Error::make("kubectl create token " + account + ": " + token->err);
  std::string value = token->out;
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  std::ifstream ca_file(cp.ca_file());
  std::stringstream ca;
  ca << ca_file.rdbuf();
  if (!ca_file) return Error::make("could not read " + cp.ca_file());
  nlohmann::json config = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"current-context", account},
      {"clusters",
       {{{"name", "local"},
         {"cluster",
          {{"server", cp.server_url()},
           {"certificate-authority-data", base64_encode(ca.str())}}}}}},
      {"users", {{{"name", account}, {"user", {{"token", value}}}}}},
      {"contexts", {{{"name", account}, {"context", {{"cluster", "local"}, {"user", account}}}}}}};
  std::string file = path.empty() ? cp.directory() + "/" + account + ".kubeconfig" : path;
  {
    std::ofstream out(file);
    out << config.dump();
    if (!out) return Error::make("could not write " + file);
  }
  chmod(file.c_str(), path.empty() ? 0600 : 0644);
  return file;
}

Status CastellanProcess::start(const std::vector<std::string>& argv, const std::string& log_file) {
  stop();
  log_file_ = log_file;
  std::ofstream(log_file_, std::ios::app) << "==== " << argv[0] << "\n";
  auto child = ChildProcess::start(argv, log_file_);
  if (!child) return child.error();
  child_.emplace(std::move(*child));
  return Status::Ok();
}

void CastellanProcess::stop(std::chrono::seconds grace) {
  if (child_) child_->stop(grace);
  child_.reset();
}

void CastellanProcess::kill() {
  if (child_) ::kill(child_->pid(), SIGKILL);
  stop(std::chrono::seconds(1));
}

std::string CastellanProcess::log() const {
  std::ifstream in(log_file_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool CastellanProcess::wait_for_log(const std::string& needle, std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return log().find(needle) != std::string::npos;
}

Result<CastellanProcess> start_manager(ControlPlane& cp, const std::string& kubeconfig,
                                       const std::string& identity, int port) {
  CastellanProcess process;
  auto started = process.start({CASTELLAN_MANAGER_BIN,
                                "--kubeconfig",
                                kubeconfig,
                                "--namespace",
                                "castellan-system",
                                "--identity",
                                identity,
                                "--webhook-port",
                                std::to_string(port),
                                "--webhook-url-base",
                                "https://127.0.0.1:" + std::to_string(port),
                                "--bind-address",
                                "127.0.0.1",
                                "--report-interval",
                                "2",
                                "--resync",
                                "2",
                                "--lease-duration",
                                "6",
                                "--renew-deadline",
                                "4",
                                "--retry-period",
                                "1"},
                               cp.directory() + "/manager-" + identity + ".log");
  if (!started.ok()) return started.error();
  return process;
}

Result<CastellanProcess> start_sensor(ControlPlane& cp, const std::string& kubeconfig,
                                      const std::string& node, int status_period,
                                      std::vector<std::string> prefix) {
  CastellanProcess process;
  std::vector<std::string> argv = std::move(prefix);
  for (const std::string& a : {std::string(CASTELLAN_SENSOR_BIN), std::string("--kubeconfig"),
                               kubeconfig, std::string("--node-name"), node,
                               std::string("--namespace"), std::string("castellan-system"),
                               std::string("--status-period"), std::to_string(status_period)}) {
    argv.push_back(a);
  }
  auto started = process.start(argv, cp.directory() + "/sensor-" + node + ".log");
  if (!started.ok()) return started.error();
  return process;
}

}  // namespace castellan::e2e
