#include "e2e/control_plane.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "e2e/interrupt_cleanup.h"
#include "e2e/loopback_port.h"

namespace castellan::e2e {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(100);

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  RAND_bytes(buffer.data(), static_cast<int>(buffer.size()));
  std::string hex;
  char digits[3];
  for (unsigned char b : buffer) {
    std::snprintf(digits, sizeof digits, "%02x", b);
    hex += digits;
  }
  return hex;
}

Status write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) return Error::make("cannot write " + path);
  return Status::Ok();
}

// The service-account token signing key pair, as kube-apiserver wants them (PEM).
Status write_service_account_keys(const std::string& key_path, const std::string& pub_path) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) return Error::make("cannot generate the service-account RSA key");
  bool ok = false;
  if (FILE* f = std::fopen(key_path.c_str(), "w")) {
    ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    ok = std::fclose(f) == 0 && ok;
  }
  if (FILE* f = ok ? std::fopen(pub_path.c_str(), "w") : nullptr) {
    ok = PEM_write_PUBKEY(f, key) == 1;
    ok = std::fclose(f) == 0 && ok;
  }
  EVP_PKEY_free(key);
  if (!ok) return Error::make("cannot write the service-account keys to " + key_path);
  return Status::Ok();
}

// tmpfs makes etcd's fsyncs cheap; etcd 3.4 has no flag to skip them.
std::string temp_base() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0) return "/dev/shm";
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

Result<std::string> resolve_apiserver(const ControlPlaneOptions& options) {
  if (!options.kube_apiserver.empty()) return options.kube_apiserver;
  if (const char* env = std::getenv("KUBE_APISERVER"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  const std::string script = ControlPlaneOptions::source_dir() + "/e2e/kube-apiserver.sh";
  CommandOptions command_options;
  command_options.timeout = std::chrono::minutes(60);
  command_options.inherit_stderr = true;
  auto run = run_command({script, "path"}, command_options);
  if (!run.ok()) return run.error();
  std::string path = run->out;
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
  if (!run->ok() || path.empty()) {
    return Error::make(script + " path failed with exit code " + std::to_string(run->exit_code) +
                       "; set KUBE_APISERVER to a kube-apiserver binary");
  }
  return path;
}

Result<std::vector<std::string>> crd_files_in(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".yaml" && entry.path().extension() != ".yml") continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("kind: CustomResourceDefinition", 0) == 0) {
        files.push_back(entry.path().string());
        break;
      }
    }
  }
  if (ec) return Error::make("cannot read the CRD directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::string ControlPlaneOptions::source_dir() { return CASTELLAN_SOURCE_DIR; }

Result<ControlPlanePtr> ControlPlane::start(ControlPlaneOptions options) {
  ControlPlanePtr plane(new ControlPlane(std::move(options)));
  const auto started = Clock::now();
  auto binary = resolve_apiserver(plane->options_);
  if (!binary.ok()) return binary.error();
  plane->apiserver_binary_ = *binary;
  if (access(plane->apiserver_binary_.c_str(), X_OK) != 0) {
    return Error::make("kube-apiserver " + plane->apiserver_binary_ + " is not executable");
  }
  if (Status s = plane->prepare_directory(); !s.ok()) return s.error();
  if (Status s = plane->start_etcd(); !s.ok()) return s.error();
  if (Status s = plane->start_apiserver(); !s.ok()) return s.error();
  if (Status s = plane->write_kubeconfig(); !s.ok()) return s.error();
  if (!plane->options_.crd_dir.empty()) {
    if (Status s = plane->install_crds(plane->options_.crd_dir); !s.ok()) return s.error();
  }
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  log::info("Started local control plane", {{"server", plane->server_url_},
                                             {"kubeconfig", plane->kubeconfig_path_},
                                             {"elapsedMs", std::to_string(elapsed.count())}});
  return plane;
}

ControlPlane::~ControlPlane() { stop(); }

std::string ControlPlane::etcd_url() const {
  return "http://127.0.0.1:" + std::to_string(etcd_port_);
}

Status ControlPlane::prepare_directory() {
  std::string pattern = temp_base() + "/castellan-e2e-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return Error::make("cannot create a temporary directory under " + temp_base());
  }
  directory_ = pattern;
  InterruptCleanup::add_directory(directory_);
  std::error_code ec;
  fs::create_directories(directory_ + "/cert", ec);
  if (ec) return Error::make("cannot create " + directory_ + "/cert: " + ec.message());

  token_ = random_hex(24);
  if (Status s = write_file(directory_ + "/tokens.csv",
                            token_ + ",castellan-admin,castellan-admin,\"system:masters\"\n");
      !s.ok()) {
    return s;
  }
  if (Status s = write_service_account_keys(directory_ + "/sa.key", directory_ + "/sa.pub");
      !s.ok()) {
    return s;
  }

  std::vector<int> ports;
  while (ports.size() < 3) {
    auto port = free_loopback_port();
    if (!port.ok()) return port.error();
    if (std::find(ports.begin(), ports.end(), *port) == ports.end()) ports.push_back(*port);
  }
  etcd_port_ = ports[0];
  etcd_peer_port_ = ports[1];
  apiserver_port_ = ports[2];
  server_url_ = "https://127.0.0.1:" + std::to_string(apiserver_port_);
  ca_file_ = directory_ + "/cert/apiserver.crt";
  kubeconfig_path_ = directory_ + "/kubeconfig";
  return Status::Ok();
}

Status ControlPlane::start_etcd() {
  const std::string peer = "http://127.0.0.1:" + std::to_string(etcd_peer_port_);
  auto child = ChildProcess::start(
      {options_.etcd, "--name", "castellan", "--data-dir", directory_ + "/etcd",
       "--listen-client-urls", etcd_url(), "--advertise-client-urls", etcd_url(),
       "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster",
       "castellan=" + peer},
      directory_ + "/etcd.log");
  if (!child.ok()) return child.error();
  etcd_.emplace(std::move(child).value());

  const auto deadline = Clock::now() + options_.ready_timeout;
  for (;;) {
    auto health = run_command({"curl", "-sS", "--max-time", "2", etcd_url() + "/health"});
    if (!health.ok()) return health.error();
    if (health->out.find("\"true\"") != std::string::npos) return Status::Ok();
    if (!etcd_->running()) {
      return Error::make("etcd exited during startup; its log ends with:\n" + tail_of_log("etcd"));
    }
    if (Clock::now() >= deadline) {
      return Error::make("etcd was not healthy after " +
                         std::to_string(options_.ready_timeout.count()) + " s:\n" +
                         tail_of_log("etcd"));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Status ControlPlane::start_apiserver() {
  if (apiserver_ && apiserver_->running()) return Status::Ok();
  if (apiserver_args_.empty()) {
    apiserver_args_ = {
        apiserver_binary_,
        "--etcd-servers=" + etcd_url(),
        "--cert-dir=" + directory_ + "/cert",
        "--secure-port=" + std::to_string(apiserver_port_),
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-account-key-file=" + directory_ + "/sa.pub",
        "--service-account-signing-key-file=" + directory_ + "/sa.key",
        "--token-auth-file=" + directory_ + "/tokens.csv",
        "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--allow-privileged=true",
        // No controller-manager creates the "default" ServiceAccount, so Pods would be refused.
        "--disable-admission-plugins=ServiceAccount",
    };
    for (const auto& arg : options_.extra_apiserver_args) apiserver_args_.push_back(arg);
  }
  auto child = ChildProcess::start(apiserver_args_, directory_ + "/kube-apiserver.log");
  if (!child.ok()) return child.error();
  apiserver_.emplace(std::move(child).value());
  return wait_apiserver_ready();
}

Status ControlPlane::wait_apiserver_ready() {
  const auto deadline = Clock::now() + options_.ready_timeout;
  for (;;) {
    if (access(ca_file_.c_str(), R_OK) == 0) {
      auto ready = run_command({"curl", "-sS", "--max-time", "5", "--cacert", ca_file_, "-H",
                                "Authorization: Bearer " + token_, server_url_ + "/readyz"});
      if (!ready.ok()) return ready.error();
      if (ready->out == "ok") return Status::Ok();
    }
    if (!apiserver_->running()) {
      return Error::make("kube-apiserver exited during startup; its log ends with:\n" +
                         tail_of_log("kube-apiserver"));
    }
    if (Clock::now() >= deadline) {
      return Error::make("kube-apiserver was not ready after " +
                         std::to_string(options_.ready_timeout.count()) + " s:\n" +
                         tail_of_log("kube-apiserver"));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Status ControlPlane::stop_apiserver() {
  if (!apiserver_) return Status::Ok();
  apiserver_->stop();
  apiserver_.reset();
  return Status::Ok();
}

Status ControlPlane::restart_apiserver() {
  if (Status s = stop_apiserver(); !s.ok()) return s;
  return start_apiserver();
}

void ControlPlane::stop() {
  apiserver_.reset();  // ChildProcess stops on destruction
  etcd_.reset();
  if (!directory_.empty()) {
    std::error_code ec;
    fs::remove_all(directory_, ec);
    if (ec) log::warn("Failed to remove control plane directory", {{"path", directory_}});
    InterruptCleanup::remove_directory(directory_);
    directory_.clear();
  }
}

Status ControlPlane::write_kubeconfig() {
  std::ostringstream out;
  out << "apiVersion: v1\n"
      << "kind: Config\n"
      << "clusters:\n"
      << "- name: castellan-local\n"
      << "  cluster:\n"
      << "    server: " << server_url_ << "\n"
      << "    certificate-authority: " << ca_file_ << "\n"
      << "users:\n"
      << "- name: castellan-admin\n"
      << "  user:\n"
      << "    token: " << token_ << "\n"
      << "contexts:\n"
      << "- name: castellan-local\n"
      << "  context:\n"
      << "    cluster: castellan-local\n"
      << "    user: castellan-admin\n"
      << "current-context: castellan-local\n";
  return write_file(kubeconfig_path_, out.str());
}

Result<CommandResult> ControlPlane::kubectl(const std::vector<std::string>& args,
                                            std::string_view input) {
  std::vector<std::string> argv = {options_.kubectl, "--kubeconfig", kubeconfig_path_};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions command_options;
  command_options.input = std::string(input);
  return run_command(argv, command_options);
}

Status ControlPlane::install_crds(const std::string& dir) {
  auto files = crd_files_in(dir);
  if (!files.ok()) return files.error();
  if (files->empty()) {
    log::warn("Found no CustomResourceDefinition to install", {{"dir", dir}});
    return Status::Ok();
  }
  std::vector<std::string> file_args;
  for (const auto& f : *files) {
    file_args.push_back("-f");
    file_args.push_back(f);
  }
  std::vector<std::string> apply = {"apply"};
  apply.insert(apply.end(), file_args.begin(), file_args.end());
  auto applied = kubectl(apply);
  if (!applied.ok()) return applied.error();
  if (!applied->ok()) {
    return Error::make("kubectl apply of the CRDs in " + dir + " failed: " + applied->err,
                       "Invalid");
  }
  std::vector<std::string> wait = {
      "wait", "--for=condition=Established",
      "--timeout=" + std::to_string(options_.ready_timeout.count()) + "s"};
  wait.insert(wait.end(), file_args.begin(), file_args.end());
  auto waited = kubectl(wait);
  if (!waited.ok()) return waited.error();
  if (!waited->ok()) return Error::make("CRDs in " + dir + " were not Established: " + waited->err);
  return Status::Ok();
}

Result<std::string> ControlPlane::etcd_post(const std::string& path, const std::string& body) {
  auto response = run_command({"curl", "-sS", "--max-time", "10", "-X", "POST", "-H",
                               "Content-Type: application/json", "--data-binary", body,
                               etcd_url() + path});
  if (!response.ok()) return response.error();
  if (!response->ok()) return Error::make("etcd " + path + " failed: " + response->err);
  return response->out;
}

Result<std::int64_t> ControlPlane::etcd_revision() {
  // Any key will do: every response header carries the store's current revision.
  auto body = etcd_post("/v3/kv/range", R"({"key":"AA=="})");
  if (!body.ok()) return body.error();
  try {
    auto json = nlohmann::json::parse(*body);
    return std::stoll(json.at("header").at("revision").get<std::string>());
  } catch (const std::exception& e) {
    return Error::make("unexpected etcd range response: " + *body + " (" + e.what() + ")");
  }
}

Result<std::int64_t> ControlPlane::compact_etcd() {
  auto revision = etcd_revision();
  if (!revision.ok()) return revision;
  nlohmann::json request = {{"revision", std::to_string(*revision)}, {"physical", true}};
  auto body = etcd_post("/v3/kv/compaction", request.dump());
  if (!body.ok()) return body.error();
  try {
    auto json = nlohmann::json::parse(*body);
    if (json.contains("error")) {
      const std::string message = json.at("error").dump();
      // Already compacted up to here: the state the caller asked for.
      if (message.find("required revision has been compacted") != std::string::npos) {
        return revision;
      }
      return Error::make("etcd refused compaction: " + message);
    }
  } catch (const std::exception& e) {
    return Error::make("unexpected etcd compaction response: " + *body + " (" + e.what() + ")");
  }
  return revision;
}

std::string ControlPlane::tail_of_log(const std::string& name) const {
  std::ifstream in(directory_ + "/" + name + ".log");
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > 20) lines.pop_front();
  }
  std::string tail;
  for (const auto& l : lines) tail += l + "\n";
  return tail;
}

}  // namespace castellan::e2e
