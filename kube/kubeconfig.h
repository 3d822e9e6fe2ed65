#pragma once
// Kubeconfig: the kubectl configuration file(s), parsed and merged as kubectl merges
// $KUBECONFIG lists (the first file to define a name wins; the first current-context wins).
// Relative paths are resolved against the file that holds them. Errors name file and field.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "kube/client_config.h"

namespace castellan::kube {

struct KubeconfigCluster {
  std::string server;
  std::string certificate_authority;       // absolute path
  std::string certificate_authority_data;  // decoded PEM
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string file;   // where it was defined
  std::string field;  // e.g. clusters[0], for messages
};

struct KubeconfigUser {
  std::string client_certificate;       // absolute path
  std::string client_certificate_data;  // decoded PEM
  std::string client_key;
  std::string client_key_data;
  std::string token;
  std::string token_file;
  std::optional<ExecConfig> exec;
  std::string unsupported;  // why this user cannot be used (auth-provider, basic auth)
  std::string file;
  std::string field;
};

struct KubeconfigContext {
  std::string cluster;
  std::string user;
  std::string namespace_;
  std::string file;
  std::string field;
};

struct Kubeconfig {
  std::map<std::string, KubeconfigCluster> clusters;
  std::map<std::string, KubeconfigUser> users;
  std::map<std::string, KubeconfigContext> contexts;
  std::string current_context;
  std::vector<std::string> files;  // the files read, in order

  // Adds what `later` defines and this does not (kubectl's merge rule).
  void merge(Kubeconfig&& later);
};

// Parses one file's text; `path` is used in messages and to resolve relative paths.
Result<Kubeconfig> parse_kubeconfig(const std::string& text, const std::string& path);

// Reads and merges `paths` in order. Missing files are skipped (as kubectl does for
// $KUBECONFIG) unless `require_all`; having none at all is an error.
Result<Kubeconfig> load_kubeconfig(const std::vector<std::string>& paths, bool require_all);

// Splits a $KUBECONFIG value on ':' (empty entries dropped, duplicates kept once).
std::vector<std::string> split_kubeconfig_paths(const std::string& value);

// The ClientConfig for `context` ("" = current-context), with certificate and key files read.
Result<ClientConfig> client_config_from_kubeconfig(const Kubeconfig& kubeconfig,
                                                   const std::string& context = {});

}  // namespace castellan::kube
