#include "webhook/policy_directory.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "api/manifest_loader.h"
#include "api/security_policy_codec.h"
#include "common/log.h"
#include "policy/static_namespace_labels.h"

namespace castellan::webhook {
namespace {

namespace fs = std::filesystem;

bool is_manifest(const fs::path& path) {
  auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

policy::Labels namespace_labels(const nlohmann::json& object, const std::string& name) {
  policy::Labels labels;
  auto meta = object.find("metadata");
  if (meta != object.end() && meta->is_object()) {
    auto found = meta->find("labels");
    if (found != meta->end() && found->is_object()) {
      for (auto it = found->begin(); it != found->end(); ++it) {
        if (it->is_string()) labels[it.key()] = it->get<std::string>();
      }
    }
  }
  labels["kubernetes.io/metadata.name"] = name;  // as Kubernetes 1.21+ sets on every namespace
  return labels;
}

}  // namespace

Result<PolicyDirectoryContents> load_policy_directory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error::make("policy directory " + dir + " does not exist or is not a directory",
                       "NotFound");
  }
  std::istringstream no_stdin;
  auto manifests = api::load_manifests({dir}, no_stdin);
  if (!manifests.ok()) return manifests.error();

  PolicyDirectoryContents out;
  std::vector<std::string> problems;
  std::map<std::string, std::string> seen;  // policy name -> location
  for (const auto& m : *manifests) {
    if (m.kind() == "Namespace" && m.api_version() == "v1") {
      out.namespace_labels[m.name()] = namespace_labels(m.object, m.name());
      continue;
    }
    if (m.kind() != api::kSecurityPolicyKind) {
      ++out.other_objects;
      continue;
    }
    auto decoded = api::decode_security_policy(m.object);
    if (!decoded.ok()) {
      for (const auto& e : decoded.errors) problems.push_back(m.location() + ": " + e.str());
      continue;
    }
    const std::string& name = decoded.value.metadata.name;
    if (auto [it, fresh] = seen.emplace(name, m.location()); !fresh) {
      problems.push_back(m.location() + ": SecurityPolicy \"" + name + "\" is also defined at " +
                         it->second);
      continue;
    }
    out.policies.push_back(std::move(decoded.value));
  }
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
    return Error::make(message, "Invalid");
  }
  std::sort(out.policies.begin(), out.policies.end(),
            [](const auto& a, const auto& b) { return a.metadata.name < b.metadata.name; });
  return out;
}

PolicyDirectory::PolicyDirectory(std::string dir, PolicyStore& store)
    : dir_(std::move(dir)), store_(store) {}

PolicyDirectory::~PolicyDirectory() { stop(); }

std::string PolicyDirectory::fingerprint() const {
  std::vector<std::string> entries;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || !is_manifest(it->path())) continue;
    auto mtime = fs::last_write_time(it->path(), ec).time_since_epoch().count();
    auto size = fs::file_size(it->path(), ec);
    entries.push_back(it->path().string() + "|" + std::to_string(mtime) + "|" +
                      std::to_string(size));
  }
  if (ec) entries.push_back("error:" + ec.message());
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& e : entries) out += e + "\n";
  return out;
}

Status PolicyDirectory::load() {
  last_fingerprint_ = fingerprint();
  auto contents = load_policy_directory(dir_);
  if (!contents.ok()) return contents.error();
  uint64_t generation = generation_ + 1;
  size_t policies = contents->policies.size();
  size_t namespaces = contents->namespace_labels.size();
  auto snapshot = policy::PolicySnapshot::try_compile(std::move(contents->policies), generation);
  if (!snapshot.ok()) return snapshot.error();
  store_.set_namespaces(
      std::make_shared<policy::StaticNamespaceLabels>(std::move(contents->namespace_labels)));
  store_.set_snapshot(std::move(*snapshot));
  generation_ = generation;
  log::info("Loaded SecurityPolicy directory",
            {{"dir", dir_}, {"policies", std::to_string(policies)},
             {"namespaces", std::to_string(namespaces)},
             {"generation", std::to_string(generation)}});
  return Status::Ok();
}

Result<bool> PolicyDirectory::reload_if_changed() {
  if (fingerprint() == last_fingerprint_) return false;
  if (auto s = load(); !s.ok()) return s.error();
  return true;
}

void PolicyDirectory::watch(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      auto reloaded = reload_if_changed();
      if (!reloaded.ok()) {
        log::error("Failed to reload the SecurityPolicy directory; still serving generation " +
                       std::to_string(generation_.load()),
                   {{"dir", dir_}, {"error", reloaded.error().message}});
      }
      lock.lock();
    }
  });
}

void PolicyDirectory::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace castellan::webhook
