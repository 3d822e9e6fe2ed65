#include "controller/webhook_configuration.h"

#include <map>
#include <set>

#include "common/base64.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

// The pod-bearing resources admission gates, by API group. A Pod's spec cannot change after
// creation, so the mutating webhook sees Pods on CREATE only.
json rules(bool mutating) {
  const json operations = {"CREATE", "UPDATE"};
  json core = {{"apiGroups", {""}},
               {"apiVersions", {"v1"}},
               {"operations", operations},
               {"resources", {"pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates"}},
               {"scope", "Namespaced"}};
  json rules = json::array();
  if (mutating) {
    rules.push_back({{"apiGroups", {""}},
                     {"apiVersions", {"v1"}},
                     {"operations", {"CREATE"}},
                     {"resources", {"pods"}},
                     {"scope", "Namespaced"}});
    core["resources"] = {"replicationcontrollers", "podtemplates"};
  }
  rules.push_back(core);
  rules.push_back({{"apiGroups", {"apps"}},
                   {"apiVersions", {"v1"}},
                   {"operations", operations},
                   {"resources", {"deployments", "statefulsets", "daemonsets", "replicasets"}},
                   {"scope", "Namespaced"}});
  rules.push_back({{"apiGroups", {"batch"}},
                   {"apiVersions", {"v1", "v1beta1"}},
                   {"operations", operations},
                   {"resources", {"jobs", "cronjobs"}},
                   {"scope", "Namespaced"}});
  return rules;
}

json client_config(const WebhookSettings& settings, const std::string& path) {
  json config;
  if (!settings.url_base.empty()) {
    config["url"] = settings.url_base + path;
  } else {
    config["service"] = {{"namespace", settings.own_namespace},
                         {"name", settings.service_name},
                         {"path", path},
                         {"port", settings.service_port}};
  }
  if (!settings.ca_bundle_pem.empty()) config["caBundle"] = base64_encode(settings.ca_bundle_pem);
  return config;
}

// kubernetes.io/metadata.name is set on every namespace from Kubernetes 1.21; on older API
// servers Castellan's Namespace manifests carry it themselves, and the policies' own default
// exclusion still keeps kube-system out.
json namespace_selector(const WebhookSettings& settings) {
  return {{"matchExpressions", json::array({{{"key", "kubernetes.io/metadata.name"},
                                             {"operator", "NotIn"},
                                             {"values", settings.protected_namespaces.names()}}})}};
}

json entry(const std::string& name, const std::string& path, api::FailurePolicy failure_policy,
           const WebhookSettings& settings) {
  return {{"name", name},
          {"clientConfig", client_config(settings, path)},
          {"rules", rules(path == "/mutate")},
          {"failurePolicy", api::to_string(failure_policy)},
          {"matchPolicy", "Equivalent"},
          {"namespaceSelector", namespace_selector(settings)},
          {"sideEffects", "None"},
          {"admissionReviewVersions", {"v1", "v1beta1"}},
          {"timeoutSeconds", settings.timeout_seconds}};
}

std::string lower(const char* s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

json configuration(const char* kind, const std::string& verb, const std::string& path,
                   const std::vector<const api::SecurityPolicy*>& policies,
                   const WebhookSettings& settings) {
  std::set<api::FailurePolicy> failure_policies;
  json generations = json::object();
  for (const auto* policy : policies) {
    failure_policies.insert(policy->spec.failurePolicy);
    generations[policy->metadata.name] = policy->metadata.generation;
  }
  json webhooks = json::array();
  for (auto failure_policy : failure_policies) {
    webhooks.push_back(entry(verb + "-" + lower(api::to_string(failure_policy)) + ".castellan.io",
                             path, failure_policy, settings));
  }
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", kind},
          {"metadata",
           {{"name", settings.configuration_name},
            {"labels", {{"app.kubernetes.io/managed-by", "castellan"}}},
            {"annotations", {{kPolicyGenerationsAnnotation, generations.dump()}}}}},
          {"webhooks", webhooks}};
}

}  // namespace

bool needs_validation(const api::SecurityPolicy& policy) {
  const auto& spec = policy.spec;
  // Namespace labels may ask for any level, so a policy reading them needs the webhook.
  bool pod_security = spec.podSecurity.fromNamespaceLabels ||
                      (spec.podSecurity.level.has_value() &&
                       *spec.podSecurity.level != api::PodSecurityLevel::Privileged);
  bool containers =
      spec.containers.requireResourceLimits || spec.containers.requireReadOnlyRootFilesystem;
  bool images = !spec.images.allowedRegistries.empty() || spec.images.requireDigest ||
                spec.images.disallowLatestTag || !spec.images.deniedDigests.empty() ||
                !policy.status.quarantinedDigests.empty();
  return pod_security || containers || images;
}

bool needs_mutation(const api::SecurityPolicy& policy) { return policy.spec.mutations.any(); }

DesiredWebhookConfigurations desired_webhook_configurations(
    const std::vector<api::SecurityPolicy>& policies, const WebhookSettings& settings) {
  std::vector<const api::SecurityPolicy*> validating, mutating;
  for (const auto& policy : policies) {
    if (needs_validation(policy)) validating.push_back(&policy);
    if (needs_mutation(policy)) mutating.push_back(&policy);
  }
  return {configuration("ValidatingWebhookConfiguration", "validate", "/validate", validating,
                        settings),
          configuration("MutatingWebhookConfiguration", "mutate", "/mutate", mutating, settings)};
}

}  // namespace castellan::controller
