#include "kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/base64.h"
#include "common/json_fields.h"
#include "common/log.h"

extern char** environ;

namespace castellan::kube {
namespace {

using SystemClock = std::chrono::system_clock;

// Tokens are refreshed a little before they expire, so a request never carries a token that
// lapses in flight.
constexpr auto kExpirySkew = std::chrono::seconds(10);
constexpr auto kPluginTimeout = std::chrono::seconds(60);

bool supported_api_version(const std::string& v) {
  return v == "client.authentication.k8s.io/v1" || v == "client.authentication.k8s.io/v1beta1";
}

std::string tail(const std::string& text) {
  constexpr std::size_t kMax = 400;
  std::string t = text.size() > kMax ? "..." + text.substr(text.size() - kMax) : text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

}  // namespace

std::optional<SystemClock::time_point> parse_rfc3339(const std::string& text) {
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*[Tt]%2d:%2d:%2d%n", &year, &month, &day, &hour,
                  &minute, &second, &consumed) != 6 ||
      consumed == 0)
    return std::nullopt;
  std::size_t i = static_cast<std::size_t>(consumed);
  std::chrono::nanoseconds fraction{0};
  if (i < text.size() && text[i] == '.') {
    ++i;
    long long scale = 100000000, ns = 0;
    std::size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (scale > 0) ns += (text[i] - '0') * scale;
      scale /= 10;
      ++i;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    fraction = std::chrono::nanoseconds(ns);
  }
  int offset_seconds = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int oh, om;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset_seconds = (text[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  auto at = SystemClock::from_time_t(timegm(&tm)) - std::chrono::seconds(offset_seconds);
  return at + std::chrono::duration_cast<SystemClock::duration>(fraction);
}

Result<ExecCredential> parse_exec_credential(const std::string& output,
                                             const std::string& api_version) {
  auto json = nlohmann::json::parse(output, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    return Error::make("exec plugin output is not a JSON object: " + tail(output));
  if (string_field(json, "kind") != "ExecCredential")
    return Error::make("exec plugin output has kind \"" + string_field(json, "kind") +
                       "\", want ExecCredential");
  if (string_field(json, "apiVersion") != api_version)
    return Error::make("exec plugin output has apiVersion \"" + string_field(json, "apiVersion") +
                       "\", want \"" + api_version + "\" as configured");
  auto status = json.find("status");
  if (status == json.end() || !status->is_object())
    return Error::make("exec plugin output has no status object");
  ExecCredential credential;
  credential.token = string_field(*status, "token");
  credential.client_cert_pem = string_field(*status, "clientCertificateData");
  credential.client_key_pem = string_field(*status, "clientKeyData");
  if (credential.token.empty() && credential.client_cert_pem.empty())
    return Error::make(
        "exec plugin output has neither status.token nor status.clientCertificateData");
  if (credential.client_cert_pem.empty() != credential.client_key_pem.empty())
    return Error::make(
        "exec plugin output must have both status.clientCertificateData and status.clientKeyData");
  std::string expiry = string_field(*status, "expirationTimestamp");
  if (!expiry.empty()) {
    credential.expiration = parse_rfc3339(expiry);
    if (!credential.expiration)
      return Error::make("exec plugin output has an invalid status.expirationTimestamp \"" +
                         expiry + "\"");
  }
  return credential;
}

Result<std::string> run_exec_plugin(const ExecConfig& exec, const std::string& exec_info,
                                    std::chrono::milliseconds timeout) {
  std::string hint = exec.install_hint.empty() ? "" : "; " + exec.install_hint;
  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool overridden = name == "KUBERNETES_EXEC_INFO";
    for (const auto& [k, v] : exec.env) overridden = overridden || k == name;
    if (!overridden) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : exec.env) env_strings.push_back(k + "=" + v);
  env_strings.push_back("KUBERNETES_EXEC_INFO=" + exec_info);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_strings{exec.command};
  arg_strings.insert(arg_strings.end(), exec.args.begin(), exec.args.end());
  std::vector<char*> argv;
  for (auto& s : arg_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return Error::make("cannot create a pipe: " + std::string(std::strerror(errno)));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Error::make("cannot create a pipe: " + std::string(std::strerror(errno)));
  }
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], null_fd}) ::close(fd);
    return Error::make("cannot start exec plugin " + exec.command + ": " + std::strerror(errno));
  }
  if (pid == 0) {
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execvpe(argv[0], argv.data(), envp.data());
    const char msg[] = "exec failed: ";
    (void)!::write(2, msg, sizeof msg - 1);
    const char* why = std::strerror(errno);
    (void)!::write(2, why, std::strlen(why));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (null_fd >= 0) ::close(null_fd);

  std::string out, err;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        (i == 0 ? out : err).append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) ::close(fd.fd);
  if (timed_out) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return Error::make("exec plugin " + exec.command + " did not finish within " +
                       std::to_string(timeout.count()) + " ms" + hint);
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127 && err.rfind("exec failed: ", 0) == 0)
    return Error::make("cannot run exec plugin " + exec.command + ": " + err.substr(13) + hint);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    std::string how = WIFEXITED(wstatus) ? "exit code " + std::to_string(WEXITSTATUS(wstatus))
                                         : "signal " + std::to_string(WTERMSIG(wstatus));
    return Error::make("exec plugin " + exec.command + " failed with " + how +
                       (err.empty() ? "" : ": " + tail(err)) + hint);
  }
  return out;
}

ExecCredentialSource::ExecCredentialSource(ExecConfig exec, const ClientConfig& cluster, NowFn now)
    : exec_(std::move(exec)),
      server_(cluster.server),
      ca_pem_(cluster.ca_pem),
      insecure_(cluster.insecure_skip_tls_verify),
      tls_server_name_(cluster.tls_server_name),
      now_(now ? std::move(now) : NowFn([] { return SystemClock::now(); })) {}

std::string ExecCredentialSource::exec_info() const {
  nlohmann::json info = {{"apiVersion", exec_.api_version},
                         {"kind", "ExecCredential"},
                         {"spec", {{"interactive", false}}}};
  if (exec_.provide_cluster_info) {
    nlohmann::json cluster = {{"server", server_}};
    if (!ca_pem_.empty()) cluster["certificate-authority-data"] = base64_encode(ca_pem_);
    if (insecure_) cluster["insecure-skip-tls-verify"] = true;
    if (!tls_server_name_.empty()) cluster["tls-server-name"] = tls_server_name_;
    info["spec"]["cluster"] = cluster;
  }
  return info.dump();
}

Result<std::string> ExecCredentialSource::token() {
  std::lock_guard lock(mu_);
  if (cached_ && (!cached_->expiration || now_() + kExpirySkew < *cached_->expiration))
    return cached_->token;
  if (!supported_api_version(exec_.api_version))
    return Error::make("exec plugin " + exec_.command + ": apiVersion \"" + exec_.api_version +
                       "\" is not supported (use client.authentication.k8s.io/v1 or v1beta1)");
  ++runs_;
  auto output = run_exec_plugin(exec_, exec_info(), kPluginTimeout);
  if (!output.ok()) return output.error();
  auto credential = parse_exec_credential(*output, exec_.api_version);
  if (!credential.ok()) return Error::make(exec_.command + ": " + credential.error().message);
  if (credential->token.empty())
    return Error::make("exec plugin " + exec_.command +
                       " returned a client certificate; only token credentials are supported");
  cached_ = std::move(*credential);
  log::debug("Refreshed exec credential", {{"command", exec_.command}});
  return cached_->token;
}

bool ExecCredentialSource::invalidate() {
  std::lock_guard lock(mu_);
  cached_.reset();
  return true;
}

int ExecCredentialSource::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

}  // namespace castellan::kube
