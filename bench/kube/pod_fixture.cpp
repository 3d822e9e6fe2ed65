#include "bench/kube/pod_fixture.h"

#include <cstdio>
#include <map>
#include <mutex>

namespace castellan::bench {
namespace {

std::string digest(int index) {
  char buf[65];
  for (int i = 0; i < 64; ++i) buf[i] = "0123456789abcdef"[(index * 7 + i * 13) % 16];
  buf[64] = '\0';
  return buf;
}

// Hands out one shared copy per distinct value; entries whose last user went away are reused.
template <typename T>
std::shared_ptr<const T> intern(T value) {
  static std::mutex mu;
  static std::map<T, std::weak_ptr<const T>> pool;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = pool[value];
  if (auto shared = slot.lock()) return shared;
  auto made = std::make_shared<const T>(std::move(value));
  slot = made;
  return made;
}

}  // namespace

nlohmann::json make_pod(const std::string& namespace_, int index) {
  char name[32];
  std::snprintf(name, sizeof name, "bench-%05d", index);
  char shard[16];
  std::snprintf(shard, sizeof shard, "s%d", index % 16);
  char node[16];
  std::snprintf(node, sizeof node, "node-%d", index % 50);
  nlohmann::json security = {{"runAsNonRoot", true},
                             {"readOnlyRootFilesystem", true},
                             {"allowPrivilegeEscalation", false},
                             {"capabilities", {{"drop", {"ALL"}}}}};
  nlohmann::json web = {
      {"name", "web"},
      {"image", "registry.example.com/team/web@sha256:" + digest(index)},
      {"ports", {{{"containerPort", 8080}, {"name", "http"}}}},
      {"env", {{{"name", "MODE"}, {"value", "production"}}, {{"name", "LOG_LEVEL"}, {"value", "info"}}}},
      {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}},
                     {"limits", {{"cpu", "500m"}, {"memory", "256Mi"}}}}},
      {"readinessProbe", {{"httpGet", {{"path", "/healthz"}, {"port", 8080}}}}},
      {"securityContext", security}};
  nlohmann::json proxy = {
      {"name", "proxy"},
      {"image", "registry.example.com/team/proxy:1.2.3"},
      {"args", {"--listen=:15001", "--upstream=127.0.0.1:8080"}},
      {"resources", {{"requests", {{"cpu", "50m"}, {"memory", "64Mi"}}},
                     {"limits", {{"cpu", "200m"}, {"memory", "128Mi"}}}}},
      {"securityContext", security}};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", namespace_},
            {"labels", {{"app", "web"}, {"tier", "frontend"}, {"shard", shard}}},
            {"annotations", {{"castellan.io/bench", "true"}}}}},
          {"spec",
           {{"automountServiceAccountToken", false},
            {"nodeName", node},
            {"containers", {web, proxy}}}}};
}

Result<PodSummary> summarize_pod(const nlohmann::json& pod) {
  try {
    PodSummary out;
    const auto& metadata = pod.at("metadata");
    out.uid = metadata.value("uid", "");
    Labels labels;
    if (auto found = metadata.find("labels"); found != metadata.end() && found->is_object()) {
      for (const auto& [k, v] : found->items()) {
        if (v.is_string()) labels.emplace_back(k, v.get<std::string>());
      }
    }
    const auto& spec = pod.at("spec");
    out.node_name = spec.value("nodeName", "");
    ContainerNames containers;
    for (const auto& c : spec.at("containers")) containers.push_back(c.at("name").get<std::string>());
    if (auto status = pod.find("status"); status != pod.end() && status->is_object()) {
      out.phase = status->value("phase", "");
    }
    out.labels = intern(std::move(labels));
    out.containers = intern(std::move(containers));
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Error::make(std::string("malformed Pod: ") + e.what(), "Invalid");
  }
}

Result<nlohmann::json> project_pod(const nlohmann::json& pod) {
  auto summary = summarize_pod(pod);
  if (!summary.ok()) return summary.error();
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [k, v] : *summary->labels) labels[k] = v;
  return nlohmann::json{{"metadata", {{"uid", summary->uid}, {"labels", labels}}},
                        {"spec", {{"nodeName", summary->node_name}, {"containers", *summary->containers}}},
                        {"status", {{"phase", summary->phase}}}};
}

}  // namespace castellan::bench
