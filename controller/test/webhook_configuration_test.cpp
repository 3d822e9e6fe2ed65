#include "controller/webhook_configuration.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

api::SecurityPolicy policy(const std::string& name, api::FailurePolicy failure_policy) {
  api::SecurityPolicy p;
  p.metadata.name = name;
  p.metadata.generation = 3;
  p.spec.failurePolicy = failure_policy;
  p.spec.podSecurity.level = api::PodSecurityLevel::Restricted;
  return p;
}

WebhookSettings url_settings() {
  WebhookSettings settings;
  settings.url_base = "https://127.0.0.1:9443";
  settings.ca_bundle_pem = "-----BEGIN CERTIFICATE-----\n";
  return settings;
}

// Verifies that with no policies both configurations exist but carry no webhooks.
TEST(WebhookConfigurationTest, NoPoliciesMeansNoWebhooks) {
  auto desired = desired_webhook_configurations({}, url_settings());
  EXPECT_TRUE(desired.validating["webhooks"].empty());
  EXPECT_TRUE(desired.mutating["webhooks"].empty());
  EXPECT_EQ(desired.validating["kind"], "ValidatingWebhookConfiguration");
  EXPECT_EQ(desired.mutating["kind"], "MutatingWebhookConfiguration");
}

// Verifies that policies with different failure policies get separate entries.
TEST(WebhookConfigurationTest, SeparatesEntriesByFailurePolicy) {
  auto desired = desired_webhook_configurations(
      {policy("a", api::FailurePolicy::Fail), policy("b", api::FailurePolicy::Ignore),
       policy("c", api::FailurePolicy::Fail)},
      url_settings());
  const auto& webhooks = desired.validating["webhooks"];
  ASSERT_EQ(webhooks.size(), 2u);
  EXPECT_EQ(webhooks[0]["failurePolicy"], "Fail");
  EXPECT_EQ(webhooks[1]["failurePolicy"], "Ignore");
  EXPECT_NE(webhooks[0]["name"], webhooks[1]["name"]);
  EXPECT_TRUE(desired.mutating["webhooks"].empty()) << "no policy has mutations";
}

// Verifies the settings every entry must carry, in URL mode.
TEST(WebhookConfigurationTest, EntriesCarryRequiredSettings) {
  auto p = policy("a", api::FailurePolicy::Fail);
  p.spec.mutations.runAsNonRoot = true;
  auto desired = desired_webhook_configurations({p}, url_settings());
  const auto& v = desired.validating["webhooks"][0];
  EXPECT_EQ(v["sideEffects"], "None");
  EXPECT_EQ(v["matchPolicy"], "Equivalent");
  EXPECT_EQ(v["timeoutSeconds"], 5);
  EXPECT_EQ(v["admissionReviewVersions"], nlohmann::json({"v1", "v1beta1"}));
  EXPECT_EQ(v["clientConfig"]["url"], "https://127.0.0.1:9443/validate");
  EXPECT_EQ(v["clientConfig"]["caBundle"], "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==");
  const auto& excluded = v["namespaceSelector"]["matchExpressions"][0];
  EXPECT_EQ(excluded["operator"], "NotIn");
  EXPECT_EQ(excluded["values"],
            nlohmann::json({"castellan-sensor", "castellan-system", "kube-system"}));
  const auto& m = desired.mutating["webhooks"][0];
  EXPECT_EQ(m["clientConfig"]["url"], "https://127.0.0.1:9443/mutate");
  bool gates_pods = false;
  for (const auto& rule : v["rules"]) {
    for (const auto& r : rule["resources"]) gates_pods |= r == "pods/ephemeralcontainers";
  }
  EXPECT_TRUE(gates_pods);
  // Pods are mutated on CREATE only: the API server refuses spec changes on UPDATE.
  for (const auto& rule : m["rules"]) {
    for (const auto& r : rule["resources"]) {
      if (r == "pods") {
        EXPECT_EQ(rule["operations"], nlohmann::json({"CREATE"}));
      }
      EXPECT_NE(r, "pods/ephemeralcontainers");
    }
  }
}

// Verifies that every entry of both configurations leaves out kube-system and the manager's and
// the sensor's namespaces, as named by the settings (here not the default names).
TEST(WebhookConfigurationTest, NeverGatesProtectedNamespaces) {
  auto p = policy("a", api::FailurePolicy::Fail);
  p.spec.mutations.runAsNonRoot = true;
  auto settings = url_settings();
  settings.own_namespace = "sec-manager";
  settings.protected_namespaces = ProtectedNamespaces("sec-manager", "sec-sensor");
  auto desired =
      desired_webhook_configurations({p, policy("b", api::FailurePolicy::Ignore)}, settings);
  size_t entries = 0;
  for (const auto* configuration : {&desired.validating, &desired.mutating}) {
    for (const auto& webhook : (*configuration)["webhooks"]) {
      ++entries;
      const auto& expressions = webhook["namespaceSelector"]["matchExpressions"];
      ASSERT_EQ(expressions.size(), 1u) << webhook.dump();
      EXPECT_EQ(expressions[0]["key"], "kubernetes.io/metadata.name");
      EXPECT_EQ(expressions[0]["operator"], "NotIn");
      EXPECT_EQ(expressions[0]["values"],
                nlohmann::json({"kube-system", "sec-manager", "sec-sensor"}));
    }
  }
  EXPECT_EQ(entries, 3u) << "Fail and Ignore validating entries, one mutating entry";
}

// Verifies that the manager and the sensor sharing one namespace list it once.
TEST(WebhookConfigurationTest, SharedNamespaceListedOnce) {
  ProtectedNamespaces shared("castellan", "castellan");
  EXPECT_EQ(shared.names(), (std::vector<std::string>{"castellan", "kube-system"}));
  EXPECT_TRUE(shared.contains("castellan"));
  EXPECT_FALSE(shared.contains("castellan-sensor"));
}

// Verifies that in a cluster the entries reference the manager's Service.
TEST(WebhookConfigurationTest, UsesServiceReferenceInCluster) {
  WebhookSettings settings;
  auto desired = desired_webhook_configurations({policy("a", api::FailurePolicy::Fail)}, settings);
  const auto& service = desired.validating["webhooks"][0]["clientConfig"]["service"];
  EXPECT_EQ(service["namespace"], "castellan-system");
  EXPECT_EQ(service["path"], "/validate");
  EXPECT_FALSE(desired.validating["webhooks"][0]["clientConfig"].contains("url"));
}

// Verifies that the configurations record which policy generations they serve.
TEST(WebhookConfigurationTest, RecordsPolicyGenerations) {
  auto desired =
      desired_webhook_configurations({policy("a", api::FailurePolicy::Fail)}, url_settings());
  auto generations = nlohmann::json::parse(
      desired.validating["metadata"]["annotations"][kPolicyGenerationsAnnotation]
          .get<std::string>());
  EXPECT_EQ(generations["a"], 3);
}

// Verifies that an Audit-only policy with nothing to check registers no webhook.
TEST(WebhookConfigurationTest, PolicyWithNothingToCheckNeedsNoWebhook) {
  api::SecurityPolicy p;
  p.metadata.name = "runtime-only";
  p.spec.runtime.rules.push_back(
      {"shell", api::ExecMatch{{"sh"}}, {}, {}, api::RuntimeAction::Alert});
  EXPECT_FALSE(needs_validation(p));
  EXPECT_FALSE(needs_mutation(p));
  api::QuarantinedDigest quarantined;
  quarantined.digest = "sha256:" + std::string(64, 'a');
  p.status.quarantinedDigests.push_back(quarantined);
  EXPECT_TRUE(needs_validation(p)) << "quarantined digests are enforced by admission";
}

// Verifies that a policy reading Pod Security from namespace labels, with no level of its own,
// registers the validating webhook.
TEST(WebhookConfigurationTest, NamespaceLabelPodSecurityNeedsValidation) {
  api::SecurityPolicy p;
  p.metadata.name = "psa-labels";
  EXPECT_FALSE(needs_validation(p));
  p.spec.podSecurity.fromNamespaceLabels = true;
  EXPECT_TRUE(needs_validation(p));
}

}  // namespace
}  // namespace castellan::controller
