#include "kube/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/base64.h"

namespace castellan::kube {
namespace {

namespace fs = std::filesystem;

// Builds the error for one field of one file.
struct Where {
  const std::string& file;
  Error at(const std::string& field, const std::string& what) const {
    return Error::make("kubeconfig " + file + ": " + field + ": " + what, "InvalidKubeconfig");
  }
};

Result<std::string> string_field(const YAML::Node& parent, const char* key,
                                 const std::string& field, const Where& where) {
  YAML::Node node = parent[key];
  if (!node || node.IsNull()) return std::string();
  if (!node.IsScalar()) return where.at(field + "." + key, "expected a string");
  return node.Scalar();
}

Result<bool> bool_field(const YAML::Node& parent, const char* key, const std::string& field,
                        const Where& where) {
  YAML::Node node = parent[key];
  if (!node || node.IsNull()) return false;
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
    return where.at(field + "." + key, "expected true or false, got \"" +
                                           (node.IsScalar() ? node.Scalar() : "a structure") +
                                           "\"");
  return value;
}

Result<std::string> base64_field(const YAML::Node& parent, const char* key,
                                 const std::string& field, const Where& where) {
  auto text = string_field(parent, key, field, where);
  if (!text.ok() || text->empty()) return text;
  auto decoded = base64_decode(*text);
  if (!decoded) return where.at(field + "." + key, "not valid base64");
  return *decoded;
}

std::string resolve(const std::string& path, const std::string& file) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(file).parent_path() / path).lexically_normal().string();
}

// A named list entry: the name and the inner map (cluster / user / context).
Result<std::vector<std::pair<std::string, YAML::Node>>> named_list(const YAML::Node& root,
                                                                   const char* list,
                                                                   const char* inner,
                                                                   const Where& where) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  YAML::Node node = root[list];
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) return where.at(list, "expected a list");
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::string field = std::string(list) + "[" + std::to_string(i) + "]";
    YAML::Node entry = node[i];
    if (!entry.IsMap())
      return where.at(field, "expected a map with name and " + std::string(inner));
    auto name = string_field(entry, "name", field, where);
    if (!name.ok()) return name.error();
    if (name->empty()) return where.at(field + ".name", "missing");
    YAML::Node body = entry[inner];
    if (body && !body.IsNull() && !body.IsMap())
      return where.at(field + "." + inner, "expected a map");
    out.emplace_back(*name, body);
  }
  return out;
}

Result<KubeconfigCluster> parse_cluster(const YAML::Node& node, const std::string& field,
                                        const Where& where) {
  KubeconfigCluster c;
  c.file = where.file;
  c.field = field;
  if (!node || node.IsNull()) return c;
  auto server = string_field(node, "server", field, where);
  auto ca = string_field(node, "certificate-authority", field, where);
  auto ca_data = base64_field(node, "certificate-authority-data", field, where);
  auto insecure = bool_field(node, "insecure-skip-tls-verify", field, where);
  auto sni = string_field(node, "tls-server-name", field, where);
  for (const Error* e :
       {server.ok() ? nullptr : &server.error(), ca.ok() ? nullptr : &ca.error(),
        ca_data.ok() ? nullptr : &ca_data.error(), insecure.ok() ? nullptr : &insecure.error(),
        sni.ok() ? nullptr : &sni.error()})
    if (e != nullptr) return *e;
  c.server = *server;
  c.certificate_authority = resolve(*ca, where.file);
  c.certificate_authority_data = *ca_data;
  c.insecure_skip_tls_verify = *insecure;
  c.tls_server_name = *sni;
  return c;
}

Result<ExecConfig> parse_exec(const YAML::Node& node, const std::string& field,
                              const Where& where) {
  if (!node.IsMap()) return where.at(field, "expected a map");
  ExecConfig exec;
  auto api_version = string_field(node, "apiVersion", field, where);
  if (!api_version.ok()) return api_version.error();
  auto command = string_field(node, "command", field, where);
  if (!command.ok()) return command.error();
  if (command->empty()) return where.at(field + ".command", "missing");
  auto hint = string_field(node, "installHint", field, where);
  if (!hint.ok()) return hint.error();
  auto provide = bool_field(node, "provideClusterInfo", field, where);
  if (!provide.ok()) return provide.error();
  exec.api_version = *api_version;
  if (exec.api_version.empty()) return where.at(field + ".apiVersion", "missing");
  // As client-go: a command with a slash is relative to the kubeconfig; a bare name uses PATH.
  exec.command = command->find('/') != std::string::npos ? resolve(*command, where.file) : *command;
  exec.install_hint = *hint;
  exec.provide_cluster_info = *provide;
  if (YAML::Node args = node["args"]; args && !args.IsNull()) {
    if (!args.IsSequence()) return where.at(field + ".args", "expected a list of strings");
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (!args[i].IsScalar())
        return where.at(field + ".args[" + std::to_string(i) + "]", "expected a string");
      exec.args.push_back(args[i].Scalar());
    }
  }
  if (YAML::Node env = node["env"]; env && !env.IsNull()) {
    if (!env.IsSequence()) return where.at(field + ".env", "expected a list of {name, value}");
    for (std::size_t i = 0; i < env.size(); ++i) {
      std::string entry = field + ".env[" + std::to_string(i) + "]";
      if (!env[i].IsMap()) return where.at(entry, "expected a map with name and value");
      auto name = string_field(env[i], "name", entry, where);
      if (!name.ok()) return name.error();
      if (name->empty()) return where.at(entry + ".name", "missing");
      auto value = string_field(env[i], "value", entry, where);
      if (!value.ok()) return value.error();
      exec.env.emplace_back(*name, *value);
    }
  }
  return exec;
}

Result<KubeconfigUser> parse_user(const YAML::Node& node, const std::string& field,
                                  const Where& where) {
  KubeconfigUser u;
  u.file = where.file;
  u.field = field;
  if (!node || node.IsNull()) return u;
  auto cert = string_field(node, "client-certificate", field, where);
  auto cert_data = base64_field(node, "client-certificate-data", field, where);
  auto key = string_field(node, "client-key", field, where);
  auto key_data = base64_field(node, "client-key-data", field, where);
  auto token = string_field(node, "token", field, where);
  auto token_file = string_field(node, "tokenFile", field, where);
  for (const Error* e :
       {cert.ok() ? nullptr : &cert.error(), cert_data.ok() ? nullptr : &cert_data.error(),
        key.ok() ? nullptr : &key.error(), key_data.ok() ? nullptr : &key_data.error(),
        token.ok() ? nullptr : &token.error(), token_file.ok() ? nullptr : &token_file.error()})
    if (e != nullptr) return *e;
  u.client_certificate = resolve(*cert, where.file);
  u.client_certificate_data = *cert_data;
  u.client_key = resolve(*key, where.file);
  u.client_key_data = *key_data;
  u.token = *token;
  u.token_file = resolve(*token_file, where.file);
  if (YAML::Node exec = node["exec"]; exec && !exec.IsNull()) {
    auto parsed = parse_exec(exec, field + ".exec", where);
    if (!parsed.ok()) return parsed.error();
    u.exec = std::move(*parsed);
  }
  if (node["auth-provider"] && !node["auth-provider"].IsNull())
    u.unsupported =
        field + ".auth-provider: auth provider plugins are not supported; use an exec plugin";
  else if (node["username"] && !node["username"].IsNull())
    u.unsupported = field + ".username: basic authentication is not supported by the API server";
  return u;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make(std::strerror(errno));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

void Kubeconfig::merge(Kubeconfig&& later) {
  for (auto& [name, c] : later.clusters) clusters.try_emplace(name, std::move(c));
  for (auto& [name, u] : later.users) users.try_emplace(name, std::move(u));
  for (auto& [name, c] : later.contexts) contexts.try_emplace(name, std::move(c));
  if (current_context.empty()) current_context = later.current_context;
  files.insert(files.end(), later.files.begin(), later.files.end());
}

Result<Kubeconfig> parse_kubeconfig(const std::string& text, const std::string& path) {
  Where where{path};
  Kubeconfig config;
  config.files.push_back(path);
  try {
    YAML::Node root = YAML::Load(text);
    if (!root || root.IsNull()) return config;
    if (!root.IsMap()) return where.at("(top level)", "expected a map");
    auto current = string_field(root, "current-context", "", where);
    if (!current.ok()) return where.at("current-context", "expected a string");
    config.current_context = *current;

    auto clusters = named_list(root, "clusters", "cluster", where);
    if (!clusters.ok()) return clusters.error();
    for (std::size_t i = 0; i < clusters->size(); ++i) {
      auto& [name, node] = (*clusters)[i];
      auto cluster = parse_cluster(node, "clusters[" + std::to_string(i) + "].cluster", where);
      if (!cluster.ok()) return cluster.error();
      cluster->field = "clusters[\"" + name + "\"].cluster";
      config.clusters.try_emplace(name, std::move(*cluster));
    }
    auto users = named_list(root, "users", "user", where);
    if (!users.ok()) return users.error();
    for (std::size_t i = 0; i < users->size(); ++i) {
      auto& [name, node] = (*users)[i];
      auto user = parse_user(node, "users[" + std::to_string(i) + "].user", where);
      if (!user.ok()) return user.error();
      user->field = "users[\"" + name + "\"].user";
      config.users.try_emplace(name, std::move(*user));
    }
    auto contexts = named_list(root, "contexts", "context", where);
    if (!contexts.ok()) return contexts.error();
    for (std::size_t i = 0; i < contexts->size(); ++i) {
      auto& [name, node] = (*contexts)[i];
      std::string field = "contexts[" + std::to_string(i) + "].context";
      KubeconfigContext context;
      context.file = path;
      context.field = "contexts[\"" + name + "\"].context";
      if (node && !node.IsNull()) {
        auto cluster = string_field(node, "cluster", field, where);
        if (!cluster.ok()) return cluster.error();
        auto user = string_field(node, "user", field, where);
        if (!user.ok()) return user.error();
        auto ns = string_field(node, "namespace", field, where);
        if (!ns.ok()) return ns.error();
        context.cluster = *cluster;
        context.user = *user;
        context.namespace_ = *ns;
      }
      config.contexts.try_emplace(name, std::move(context));
    }
  } catch (const YAML::Exception& e) {
    return Error::make(
        "kubeconfig " + path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg,
        "InvalidKubeconfig");
  }
  return config;
}

std::vector<std::string> split_kubeconfig_paths(const std::string& value) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ':')) {
    if (item.empty() || !seen.insert(item).second) continue;
    out.push_back(item);
  }
  return out;
}

Result<Kubeconfig> load_kubeconfig(const std::vector<std::string>& paths, bool require_all) {
  Kubeconfig merged;
  bool any = false;
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (require_all) return Error::make("kubeconfig " + path + ": file does not exist");
      continue;
    }
    auto text = read_file(path);
    if (!text.ok()) return Error::make("kubeconfig " + path + ": " + text.error().message);
    auto parsed = parse_kubeconfig(*text, path);
    if (!parsed.ok()) return parsed.error();
    if (!any) {
      merged = std::move(*parsed);
    } else {
      merged.merge(std::move(*parsed));
    }
    any = true;
  }
  if (!any) {
    std::string list;
    for (const auto& p : paths) list += (list.empty() ? "" : ", ") + p;
    return Error::make("no kubeconfig file exists among: " + list);
  }
  return merged;
}

Result<ClientConfig> client_config_from_kubeconfig(const Kubeconfig& kubeconfig,
                                                   const std::string& context_name) {
  std::string first = kubeconfig.files.empty() ? "(none)" : kubeconfig.files.front();
  std::string name = context_name.empty() ? kubeconfig.current_context : context_name;
  if (name.empty())
    return Error::make("kubeconfig " + first +
                       ": current-context: not set, and no context was named");
  auto context = kubeconfig.contexts.find(name);
  if (context == kubeconfig.contexts.end())
    return Error::make("kubeconfig " + first + ": " +
                       (context_name.empty() ? "current-context" : "context") + ": context \"" +
                       name + "\" is not defined");
  const auto& ctx = context->second;
  Where at_context{ctx.file};
  if (ctx.cluster.empty()) return at_context.at(ctx.field + ".cluster", "missing");
  auto cluster = kubeconfig.clusters.find(ctx.cluster);
  if (cluster == kubeconfig.clusters.end())
    return at_context.at(ctx.field + ".cluster", "cluster \"" + ctx.cluster + "\" is not defined");
  const auto& c = cluster->second;
  Where at_cluster{c.file};

  ClientConfig config;
  config.source = "kubeconfig " + c.file;
  if (c.server.empty()) return at_cluster.at(c.field + ".server", "missing");
  config.server = c.server;
  config.insecure_skip_tls_verify = c.insecure_skip_tls_verify;
  config.tls_server_name = c.tls_server_name;
  if (!c.certificate_authority_data.empty()) {
    config.ca_pem = c.certificate_authority_data;
  } else if (!c.certificate_authority.empty()) {
    auto pem = read_file(c.certificate_authority);
    if (!pem.ok())
      return at_cluster.at(c.field + ".certificate-authority",
                           "cannot read " + c.certificate_authority + ": " + pem.error().message);
    config.ca_pem = *pem;
  }
  if (!ctx.namespace_.empty()) config.default_namespace = ctx.namespace_;

  if (!ctx.user.empty()) {
    auto user = kubeconfig.users.find(ctx.user);
    if (user == kubeconfig.users.end())
      return at_context.at(ctx.field + ".user", "user \"" + ctx.user + "\" is not defined");
    const auto& u = user->second;
    Where at_user{u.file};
    if (!u.unsupported.empty())
      return Error::make("kubeconfig " + u.file + ": " + u.unsupported, "InvalidKubeconfig");
    auto load_pem = [&](const std::string& data, const std::string& path,
                        const char* key) -> Result<std::string> {
      if (!data.empty()) return data;
      if (path.empty()) return std::string();
      auto pem = read_file(path);
      if (!pem.ok())
        return at_user.at(u.field + "." + key, "cannot read " + path + ": " + pem.error().message);
      return *pem;
    };
    auto cert = load_pem(u.client_certificate_data, u.client_certificate, "client-certificate");
    if (!cert.ok()) return cert.error();
    auto key = load_pem(u.client_key_data, u.client_key, "client-key");
    if (!key.ok()) return key.error();
    if (cert->empty() != key->empty())
      return at_user.at(u.field, cert->empty() ? "client-key is set without client-certificate"
                                               : "client-certificate is set without client-key");
    config.client_cert_pem = *cert;
    config.client_key_pem = *key;
    config.bearer_token = u.token;
    config.token_file = u.token_file;
    config.exec = u.exec;
  }
  return config;
}

}  // namespace castellan::kube
