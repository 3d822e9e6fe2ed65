#include "kube/in_cluster.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace castellan::kube {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error::make("in-cluster configuration: cannot read " + path + ": " +
                       std::strerror(errno));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

InClusterEnvironment in_cluster_environment(const std::string& root) {
  return {root, env("KUBERNETES_SERVICE_HOST"), env("KUBERNETES_SERVICE_PORT")};
}

bool in_cluster_available(const InClusterEnvironment& environment) {
  std::error_code ec;
  return !environment.host.empty() && !environment.port.empty() &&
         std::filesystem::exists(environment.service_account_dir() + "/token", ec);
}

Result<ClientConfig> in_cluster_config(const InClusterEnvironment& environment) {
  if (environment.host.empty() || environment.port.empty())
    return Error::make(
        "in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
        "set (not running in a pod?)");
  ClientConfig config;
  config.source = "in-cluster";
  bool ipv6 = environment.host.find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + environment.host + "]" : environment.host) + ":" +
                  environment.port;
  std::string dir = environment.service_account_dir();
  config.token_file = dir + "/token";
  // Read once now so a missing token fails at start, not at the first request.
  auto token = read_file(config.token_file);
  if (!token.ok()) return token.error();
  if (trim(*token).empty())
    return Error::make("in-cluster configuration: " + config.token_file + " is empty");
  auto ca = read_file(dir + "/ca.crt");
  if (!ca.ok()) return ca.error();
  config.ca_pem = *ca;
  std::error_code ec;
  if (std::filesystem::exists(dir + "/namespace", ec)) {
    auto ns = read_file(dir + "/namespace");
    if (ns.ok() && !trim(*ns).empty()) config.default_namespace = trim(*ns);
  }
  return config;
}

}  // namespace castellan::kube
