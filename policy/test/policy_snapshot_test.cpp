#include "policy/policy_snapshot.h"

#include <gtest/gtest.h>

#include <thread>

#include "policy/json_patch.h"
#include "policy/static_namespace_labels.h"

namespace castellan::policy {
namespace {

using nlohmann::json;

api::SecurityPolicy policy(const std::string& name, api::Mode mode = api::Mode::Enforce) {
  api::SecurityPolicy p;
  p.metadata.name = name;
  p.spec.mode = mode;
  p.spec.exclude.namespaces = {"kube-system"};
  return p;
}

api::SecurityPolicy latest_policy(const std::string& name, api::Mode mode = api::Mode::Enforce) {
  auto p = policy(name, mode);
  p.spec.images.disallowLatestTag = true;
  return p;
}

json pod(const std::string& ns, const std::string& image, json labels = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "web"}, {"namespace", ns}, {"labels", std::move(labels)}}},
          {"spec", {{"containers", {{{"name", "app"}, {"image", image}}}}}}};
}

std::vector<std::string> names(const ResourceEvaluation& e) {
  std::vector<std::string> out;
  for (const auto& r : e.results) out.push_back(r.policy);
  return out;
}

const StaticNamespaceLabels kNoLabels;

// Verifies that Enforce denies a violating pod and names the policy's rule and field.
TEST(PolicySnapshotTest, EnforceDenies) {
  const auto snap = PolicySnapshot::compile({latest_policy("no-latest")});
  const auto e = snap->evaluate(pod("default", "nginx"), kNoLabels);
  ASSERT_TRUE(e.error.empty()) << e.error;
  EXPECT_EQ(e.resource.kind, "Pod");
  EXPECT_EQ(e.resource.namespace_, "default");
  EXPECT_EQ(e.resource.name, "web");
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_FALSE(e.results[0].allowed);
  ASSERT_EQ(e.results[0].violations.size(), 1u);
  EXPECT_EQ(e.results[0].violations[0].rule, "images.disallowLatestTag");
  EXPECT_EQ(e.results[0].violations[0].field, "spec.containers[0].image");
  EXPECT_FALSE(e.results[0].patch.has_value());
}

// Verifies that Audit and Warn allow but still report the violations.
TEST(PolicySnapshotTest, AuditAndWarnAllowAndReport) {
  const auto snap = PolicySnapshot::compile(
      {latest_policy("a", api::Mode::Audit), latest_policy("w", api::Mode::Warn)});
  const auto e = snap->evaluate(pod("default", "nginx:latest"), kNoLabels);
  ASSERT_EQ(e.results.size(), 2u);
  for (const auto& r : e.results) {
    EXPECT_TRUE(r.allowed) << r.policy;
    EXPECT_EQ(r.violations.size(), 1u) << r.policy;
  }
  EXPECT_EQ(e.results[1].mode, api::Mode::Warn);
}

// Verifies that a compliant pod is allowed under Enforce with no violations.
TEST(PolicySnapshotTest, CompliantPodIsAllowed) {
  const auto snap = PolicySnapshot::compile({latest_policy("no-latest")});
  const auto e = snap->evaluate(pod("default", "nginx:1.25"), kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_TRUE(e.results[0].allowed);
  EXPECT_TRUE(e.results[0].violations.empty());
}

// Verifies that results come in policy name order whatever the input order.
TEST(PolicySnapshotTest, ResultsInNameOrder) {
  const auto snap = PolicySnapshot::compile({latest_policy("zeta"), latest_policy("alpha"),
                                             latest_policy("mid")});
  EXPECT_EQ(names(snap->evaluate(pod("default", "nginx:1"), kNoLabels)),
            (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_EQ(snap->policies().front().metadata.name, "alpha");
  EXPECT_EQ(snap->size(), 3u);
}

// Verifies namespace globs in match and exclude.
TEST(PolicySnapshotTest, NamespaceGlobs) {
  auto prod = latest_policy("prod");
  prod.spec.match.namespaces = {"prod-*"};
  prod.spec.exclude.namespaces = {"prod-sandbox"};
  const auto snap = PolicySnapshot::compile({prod, latest_policy("all")});
  EXPECT_EQ(names(snap->evaluate(pod("prod-eu", "nginx:1"), kNoLabels)),
            (std::vector<std::string>{"all", "prod"}));
  EXPECT_EQ(names(snap->evaluate(pod("prod-sandbox", "nginx:1"), kNoLabels)),
            (std::vector<std::string>{"all"}));
  EXPECT_EQ(names(snap->evaluate(pod("staging", "nginx:1"), kNoLabels)),
            (std::vector<std::string>{"all"}));
  EXPECT_TRUE(snap->evaluate(pod("kube-system", "nginx:1"), kNoLabels).results.empty());
}

// Verifies namespaceSelector against the namespace's labels, with the automatic name label.
TEST(PolicySnapshotTest, NamespaceSelector) {
  auto p = latest_policy("prod-ns");
  p.spec.match.namespaceSelector = api::LabelSelector{{{"env", "prod"}}, {}};
  auto by_name = latest_policy("by-name");
  by_name.spec.match.namespaceSelector =
      api::LabelSelector{{}, {{"kubernetes.io/metadata.name", "In", {"payments"}}}};
  const auto snap = PolicySnapshot::compile({p, by_name});
  const StaticNamespaceLabels labels({{"payments", {{"env", "prod"}}}, {"dev", {{"env", "dev"}}}});
  EXPECT_EQ(names(snap->evaluate(pod("payments", "nginx:1"), labels)),
            (std::vector<std::string>{"by-name", "prod-ns"}));
  EXPECT_TRUE(snap->evaluate(pod("dev", "nginx:1"), labels).results.empty());
  EXPECT_TRUE(snap->evaluate(pod("unknown", "nginx:1"), labels).results.empty());
}

// Verifies podSelector on the pod template's labels, and exclusion by pod labels.
TEST(PolicySnapshotTest, PodSelector) {
  auto p = latest_policy("web-only");
  p.spec.match.podSelector = api::LabelSelector{{}, {{"app", "In", {"web"}}}};
  p.spec.exclude.podSelector = api::LabelSelector{{{"castellan.io/exempt", "true"}}, {}};
  const auto snap = PolicySnapshot::compile({p});
  json deployment = json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "web", "namespace": "default", "labels": {"app": "other"}},
      "spec": {"template": {"metadata": {"labels": {"app": "web"}},
                            "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}})");
  auto e = snap->evaluate(deployment, kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_EQ(e.results[0].violations[0].field, "spec.template.spec.containers[0].image");
  deployment["spec"]["template"]["metadata"]["labels"]["castellan.io/exempt"] = "true";
  EXPECT_TRUE(snap->evaluate(deployment, kNoLabels).results.empty());
  deployment["spec"]["template"]["metadata"]["labels"] = {{"app", "api"}};
  EXPECT_TRUE(snap->evaluate(deployment, kNoLabels).results.empty());
}

// Verifies that exclude.namespaceSelector excludes by namespace labels, alongside the default
// kube-system exclusion.
TEST(PolicySnapshotTest, ExcludeNamespaceSelector) {
  auto p = latest_policy("p");
  p.spec.exclude.namespaceSelector = api::LabelSelector{{}, {{"castellan.io/exempt", "Exists", {}}}};
  const auto snap = PolicySnapshot::compile({p});
  const StaticNamespaceLabels labels({{"legacy", {{"castellan.io/exempt", ""}}}, {"apps", {}}});
  EXPECT_TRUE(snap->evaluate(pod("legacy", "nginx:1"), labels).results.empty());
  EXPECT_TRUE(snap->evaluate(pod("kube-system", "nginx:1"), labels).results.empty());
  EXPECT_EQ(names(snap->evaluate(pod("apps", "nginx:1"), labels)), (std::vector<std::string>{"p"}));
}

// Verifies that a namespace-less object uses the override, else matches only unscoped policies.
TEST(PolicySnapshotTest, NamespaceLessObjects) {
  auto prod = latest_policy("prod");
  prod.spec.match.namespaces = {"prod-*"};
  const auto snap = PolicySnapshot::compile({prod, latest_policy("all")});
  json object = pod("", "nginx:1");
  object["metadata"].erase("namespace");
  EXPECT_EQ(names(snap->evaluate(object, kNoLabels)), (std::vector<std::string>{"all"}));
  const auto e = snap->evaluate(object, kNoLabels, "prod-eu");
  EXPECT_EQ(e.resource.namespace_, "prod-eu");
  EXPECT_EQ(names(e), (std::vector<std::string>{"all", "prod"}));
}

// Verifies that Pod Security Standards violations carry the template path of a CronJob.
TEST(PolicySnapshotTest, PodSecurityFieldsArePrefixed) {
  auto p = policy("baseline");
  p.spec.podSecurity.level = api::PodSecurityLevel::Baseline;
  const auto snap = PolicySnapshot::compile({p});
  const json cronjob = json::parse(R"({"apiVersion": "batch/v1", "kind": "CronJob",
      "metadata": {"name": "nightly", "namespace": "default"},
      "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
          {"name": "job", "image": "busybox:1", "securityContext": {"privileged": true}}]}}}}}})");
  const auto e = snap->evaluate(cronjob, kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_FALSE(e.results[0].allowed);
  ASSERT_FALSE(e.results[0].violations.empty());
  EXPECT_EQ(e.results[0].violations[0].rule, "podSecurity.baseline.privileged");
  EXPECT_EQ(e.results[0].violations[0].field,
            "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged");
}

// Verifies that a policy with mutations yields a patch in every mode, and an empty one when the
// pod already complies.
TEST(PolicySnapshotTest, PatchInEveryMode) {
  auto audit = policy("audit", api::Mode::Audit);
  audit.spec.mutations.runAsNonRoot = true;
  const auto snap = PolicySnapshot::compile({audit});
  json object = pod("default", "nginx:1");
  const auto e = snap->evaluate(object, kNoLabels);
  ASSERT_TRUE(e.results[0].patch.has_value());
  EXPECT_EQ(*e.results[0].patch,
            json::parse(R"([{"op":"add","path":"/spec/securityContext","value":{"runAsNonRoot":true}}])"));
  object["spec"]["securityContext"] = {{"runAsNonRoot", true}};
  const auto again = snap->evaluate(object, kNoLabels);
  ASSERT_TRUE(again.results[0].patch.has_value());
  EXPECT_TRUE(again.results[0].patch->empty());
}

// Verifies that patches of several policies chain: concatenated, they keep every policy's fields.
TEST(PolicySnapshotTest, PatchesChainAcrossPolicies) {
  auto a = policy("a");
  a.spec.mutations.runAsNonRoot = true;
  auto b = policy("b");
  b.spec.mutations.seccompRuntimeDefault = true;
  const auto snap = PolicySnapshot::compile({b, a});
  const json object = pod("default", "nginx:1");
  const auto e = snap->evaluate(object, kNoLabels);
  ASSERT_EQ(e.results.size(), 2u);
  json all = json::array();
  for (const auto& r : e.results) {
    for (const auto& op : *r.patch) all.push_back(op);
  }
  const auto out = apply_json_patch(object, all);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ((*out)["spec"]["securityContext"],
            (json{{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}));
}

// Verifies that validation judges the object as given, unless asked to judge it after mutations.
TEST(PolicySnapshotTest, ValidateMutatedOption) {
  auto p = policy("restricted");
  p.spec.podSecurity.level = api::PodSecurityLevel::Restricted;
  p.spec.mutations = {true, true, true, true};
  const auto snap = PolicySnapshot::compile({p});
  const json object = pod("default", "nginx:1");
  const auto as_given = snap->evaluate(object, kNoLabels);
  EXPECT_FALSE(as_given.results[0].allowed);
  const auto mutated = snap->evaluate(object, kNoLabels, {}, EvaluateOptions{true});
  EXPECT_TRUE(mutated.results[0].allowed);
  for (const auto& v : mutated.results[0].violations) ADD_FAILURE() << v.rule << ": " << v.message;
  EXPECT_EQ(*mutated.results[0].patch, *as_given.results[0].patch);
}

// Verifies that objects without a pod template are an error result, not a crash.
TEST(PolicySnapshotTest, UnsupportedObjectsAreErrors) {
  const auto snap = PolicySnapshot::compile({latest_policy("p")});
  const auto e = snap->evaluate({{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", "s"}}}},
                                kNoLabels);
  EXPECT_NE(e.error.find("Service"), std::string::npos);
  EXPECT_EQ(e.resource.name, "s");
  EXPECT_TRUE(e.results.empty());
  EXPECT_FALSE(snap->evaluate(json("not an object"), kNoLabels).error.empty());
}

// Verifies that a policy with an invalid selector is reported and matches nothing.
TEST(PolicySnapshotTest, InvalidSelectorIsACompileError) {
  auto bad = latest_policy("bad");
  bad.spec.match.podSelector = api::LabelSelector{{}, {{"app", "Equals", {"x"}}}};
  const auto snap = PolicySnapshot::compile({bad, latest_policy("good")}, 7);
  EXPECT_EQ(snap->generation(), 7u);
  ASSERT_EQ(snap->compile_errors().size(), 1u);
  EXPECT_NE(snap->compile_errors()[0].find("bad"), std::string::npos);
  EXPECT_NE(snap->compile_errors()[0].find("\"Equals\""), std::string::npos);
  EXPECT_EQ(names(snap->evaluate(pod("default", "nginx:1"), kNoLabels)), (std::vector<std::string>{"good"}));
  EXPECT_FALSE(PolicySnapshot::try_compile({bad}).ok());
  EXPECT_TRUE(PolicySnapshot::try_compile({latest_policy("good")}).ok());
}

// Verifies that concurrent evaluations of one snapshot all give the same verdict.
TEST(PolicySnapshotTest, ConcurrentEvaluation) {
  auto p = latest_policy("p");
  p.spec.mutations.dropAllCapabilities = true;
  const auto snap = PolicySnapshot::compile({p});
  const json object = pod("default", "nginx");
  const auto expected = snap->evaluate(object, kNoLabels);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const auto e = snap->evaluate(object, kNoLabels);
        if (e.results.size() != 1 || e.results[0].allowed ||
            e.results[0].violations[0].message != expected.results[0].violations[0].message ||
            *e.results[0].patch != *expected.results[0].patch) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

const std::string kQuarantined = "sha256:" + std::string(64, 'e');
const std::string kQuarantinedImage = "registry.example.com/app@" + kQuarantined;

// A policy whose status quarantines kQuarantined, as QuarantineImage records it.
api::SecurityPolicy quarantining(api::Mode mode, std::vector<std::string> namespaces = {}) {
  auto p = policy("runtime-threats", mode);
  p.spec.match.namespaces = std::move(namespaces);
  p.status.quarantinedDigests.push_back({kQuarantined, kQuarantinedImage, "shell-in-container",
                                         "prod-web", "web-1", "node-a", "2026-01-05T10:00:00Z",
                                         "sh ran in container web (pid 4242)."});
  return p;
}

// Verifies that a quarantined digest denies in Enforce, Audit and Warn, unlike deniedDigests.
TEST(PolicySnapshotTest, QuarantinedDigestDeniesInEveryMode) {
  for (auto mode : {api::Mode::Enforce, api::Mode::Audit, api::Mode::Warn}) {
    const auto snap = PolicySnapshot::compile({quarantining(mode)});
    const auto e = snap->evaluate(pod("prod-web", kQuarantinedImage), kNoLabels);
    ASSERT_EQ(e.results.size(), 1u) << api::to_string(mode);
    EXPECT_FALSE(e.results[0].allowed) << api::to_string(mode);
    ASSERT_EQ(e.results[0].violations.size(), 1u) << api::to_string(mode);
    EXPECT_EQ(e.results[0].violations[0].rule, "images.quarantinedDigest");
    EXPECT_EQ(e.results[0].violations[0].field, "spec.containers[0].image");
    EXPECT_TRUE(e.results[0].violations[0].denies_in_every_mode);
  }
  auto denied = policy("denied-digests", api::Mode::Audit);
  denied.spec.images.deniedDigests = {kQuarantined};
  const auto e =
      PolicySnapshot::compile({denied})->evaluate(pod("prod-web", kQuarantinedImage), kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_TRUE(e.results[0].allowed) << "spec.images.deniedDigests follows the mode";
  ASSERT_EQ(e.results[0].violations.size(), 1u);
  EXPECT_EQ(e.results[0].violations[0].rule, "images.deniedDigests");
  EXPECT_FALSE(e.results[0].violations[0].denies_in_every_mode);
}

// Verifies that the quarantine message names the image, the policy, the time, the rule, the pod,
// the node and the alert, and gives the command that releases the digest.
TEST(PolicySnapshotTest, QuarantineMessageNamesAlertAndRelease) {
  const auto e = PolicySnapshot::compile({quarantining(api::Mode::Audit)})
                     ->evaluate(pod("prod-web", kQuarantinedImage), kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  ASSERT_EQ(e.results[0].violations.size(), 1u);
  EXPECT_EQ(e.results[0].violations[0].message,
            "container \"app\" image \"" + kQuarantinedImage +
                "\" is quarantined by SecurityPolicy runtime-threats since 2026-01-05T10:00:00Z: "
                "rule shell-in-container alerted on Pod prod-web/web-1 on node node-a: sh ran in "
                "container web (pid 4242). Release it with: kubectl annotate securitypolicy "
                "runtime-threats castellan.io/release-digests=" +
                kQuarantined);
}

// Verifies that another digest, a tag-only reference and a policy with an empty quarantine pass,
// while a tagged reference pinned by the quarantined digest is denied.
TEST(PolicySnapshotTest, OnlyTheQuarantinedDigestIsDenied) {
  const auto snap = PolicySnapshot::compile({quarantining(api::Mode::Audit)});
  for (const std::string& image :
       std::vector<std::string>{"registry.example.com/app@sha256:" + std::string(64, 'f'),
                                "registry.example.com/app:1.4", "registry.example.com/app"}) {
    const auto e = snap->evaluate(pod("prod-web", image), kNoLabels);
    ASSERT_EQ(e.results.size(), 1u) << image;
    EXPECT_TRUE(e.results[0].allowed) << image;
    EXPECT_TRUE(e.results[0].violations.empty()) << image;
  }
  const auto tagged =
      snap->evaluate(pod("prod-web", "registry.example.com/app:1.4@" + kQuarantined), kNoLabels);
  ASSERT_EQ(tagged.results.size(), 1u);
  EXPECT_FALSE(tagged.results[0].allowed);

  auto released = quarantining(api::Mode::Audit);
  released.status.quarantinedDigests.clear();
  const auto e =
      PolicySnapshot::compile({released})->evaluate(pod("prod-web", kQuarantinedImage), kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_TRUE(e.results[0].allowed);
}

// Verifies that init and ephemeral containers, and a Deployment's template, are checked too.
TEST(PolicySnapshotTest, QuarantineChecksEveryContainerKind) {
  const auto snap = PolicySnapshot::compile({quarantining(api::Mode::Warn)});
  for (const char* list : {"initContainers", "ephemeralContainers"}) {
    json p = pod("prod-web", "registry.example.com/app:1.4");
    p["spec"][list] = {{{"name", "extra"}, {"image", kQuarantinedImage}}};
    const auto e = snap->evaluate(p, kNoLabels);
    ASSERT_EQ(e.results.size(), 1u) << list;
    EXPECT_FALSE(e.results[0].allowed) << list;
    ASSERT_EQ(e.results[0].violations.size(), 1u) << list;
    EXPECT_EQ(e.results[0].violations[0].field, std::string("spec.") + list + "[0].image");
    EXPECT_NE(e.results[0].violations[0].message.find("container \"extra\""), std::string::npos)
        << e.results[0].violations[0].message;
  }
  const json template_pod = pod("prod-web", kQuarantinedImage);
  const json deployment = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "web"}, {"namespace", "prod-web"}}},
      {"spec",
       {{"template", {{"metadata", template_pod["metadata"]}, {"spec", template_pod["spec"]}}}}}};
  const auto e = snap->evaluate(deployment, kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_FALSE(e.results[0].allowed);
  ASSERT_EQ(e.results[0].violations.size(), 1u);
  EXPECT_EQ(e.results[0].violations[0].field, "spec.template.spec.containers[0].image");
}

// Verifies that a policy's quarantine applies only to the namespaces the policy matches.
TEST(PolicySnapshotTest, QuarantineFollowsPolicyMatch) {
  const auto snap = PolicySnapshot::compile({quarantining(api::Mode::Enforce, {"prod-*"})});
  EXPECT_TRUE(snap->evaluate(pod("dev", kQuarantinedImage), kNoLabels).results.empty());
  const auto everywhere = PolicySnapshot::compile({quarantining(api::Mode::Enforce)});
  EXPECT_TRUE(
      everywhere->evaluate(pod("kube-system", kQuarantinedImage), kNoLabels).results.empty())
      << "spec.exclude holds for the quarantine too";
  const auto e = snap->evaluate(pod("prod-web", kQuarantinedImage), kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_FALSE(e.results[0].allowed);
}

// Verifies that in Audit a quarantine denies while the policy's other violations stay reported
// without being marked as denying.
TEST(PolicySnapshotTest, QuarantineNextToAuditFindings) {
  auto p = quarantining(api::Mode::Audit);
  p.spec.images.allowedRegistries = {"quay.io/*"};
  const auto e =
      PolicySnapshot::compile({p})->evaluate(pod("prod-web", kQuarantinedImage), kNoLabels);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_FALSE(e.results[0].allowed);
  ASSERT_EQ(e.results[0].violations.size(), 2u);
  EXPECT_EQ(e.results[0].violations[0].rule, "images.quarantinedDigest");
  EXPECT_TRUE(e.results[0].violations[0].denies_in_every_mode);
  EXPECT_EQ(e.results[0].violations[1].rule, "images.allowedRegistries");
  EXPECT_FALSE(e.results[0].violations[1].denies_in_every_mode);

  const auto clean =
      PolicySnapshot::compile({p})->evaluate(pod("prod-web", "quay.io/app:1"), kNoLabels);
  ASSERT_EQ(clean.results.size(), 1u);
  EXPECT_TRUE(clean.results[0].allowed);
}

}  // namespace
}  // namespace castellan::policy

namespace castellan::policy {
namespace {

api::SecurityPolicy pod_security(const std::string& name, api::PodSecurityLevel level,
                                 api::PodSecurityVersion version,
                                 api::Mode mode = api::Mode::Enforce) {
  auto p = policy(name, mode);
  p.spec.podSecurity.level = level;
  p.spec.podSecurity.version = version;
  return p;
}

// A pod that passes baseline at every version except for one sysctl added to the safe set in 1.29.
json pod_with_sysctl(const std::string& ns, const std::string& sysctl) {
  json p = pod(ns, "nginx:1.27");
  p["spec"]["securityContext"] = {{"sysctls", {{{"name", sysctl}, {"value", "1"}}}}};
  return p;
}

std::vector<std::string> rules_of(const PolicyEvaluation& e) {
  std::vector<std::string> out;
  for (const auto& v : e.violations) out.push_back(v.rule);
  return out;
}

// Verifies that a pinned version judges as that release did and names it on each violation.
TEST(PolicySnapshotPodSecurity, PinnedVersionJudgesAsThatRelease) {
  const auto snap =
      PolicySnapshot::compile({pod_security("v128", api::PodSecurityLevel::Baseline, {false, 28}),
                               pod_security("v129", api::PodSecurityLevel::Baseline, {false, 29}),
                               pod_security("zlatest", api::PodSecurityLevel::Baseline, {})});
  const auto e =
      snap->evaluate(pod_with_sysctl("default", "net.ipv4.tcp_keepalive_time"), kNoLabels);
  ASSERT_EQ(e.results.size(), 3u);
  EXPECT_FALSE(e.results[0].allowed);
  ASSERT_EQ(e.results[0].violations.size(), 1u);
  EXPECT_EQ(e.results[0].violations[0].rule, "podSecurity.baseline.sysctls");
  EXPECT_STREQ(e.results[0].violations[0].profile, "baseline:v1.28");
  EXPECT_TRUE(e.results[1].allowed);
  EXPECT_TRUE(e.results[2].allowed);
}

// Verifies that fromNamespaceLabels reads enforce, warn and audit labels with their versions,
// each violation judged in its label's mode, and that an unlabelled namespace checks nothing.
TEST(PolicySnapshotPodSecurity, NamespaceLabelsSelectLevelVersionAndMode) {
  auto p = policy("psa");
  p.spec.podSecurity.fromNamespaceLabels = true;
  const auto snap = PolicySnapshot::compile({p});
  StaticNamespaceLabels namespaces;
  namespaces.set("old", {{"pod-security.kubernetes.io/enforce", "baseline"},
                         {"pod-security.kubernetes.io/enforce-version", "v1.28"}});
  namespaces.set("new", {{"pod-security.kubernetes.io/enforce", "baseline"},
                         {"pod-security.kubernetes.io/enforce-version", "v1.29"},
                         {"pod-security.kubernetes.io/warn", "restricted"},
                         {"pod-security.kubernetes.io/warn-version", "v1.29"}});
  const std::string sysctl = "net.ipv4.tcp_keepalive_time";

  const auto old_ns = snap->evaluate(pod_with_sysctl("old", sysctl), namespaces);
  ASSERT_EQ(old_ns.results.size(), 1u);
  EXPECT_FALSE(old_ns.results[0].allowed);
  EXPECT_EQ(old_ns.results[0].violations[0].mode, api::Mode::Enforce);
  EXPECT_STREQ(old_ns.results[0].violations[0].profile, "baseline:v1.28");

  const auto new_ns = snap->evaluate(pod_with_sysctl("new", sysctl), namespaces);
  ASSERT_EQ(new_ns.results.size(), 1u);
  EXPECT_TRUE(new_ns.results[0].allowed);
  ASSERT_FALSE(new_ns.results[0].violations.empty());
  for (const auto& v : new_ns.results[0].violations) {
    EXPECT_EQ(v.mode, api::Mode::Warn) << v.rule;
    EXPECT_STREQ(v.profile, "restricted:v1.29");
  }

  const auto unlabelled = snap->evaluate(pod_with_sysctl("other", sysctl), namespaces);
  ASSERT_EQ(unlabelled.results.size(), 1u);
  EXPECT_TRUE(unlabelled.results[0].violations.empty());
}

// Verifies that an invalid enforce label fails closed (restricted) while an invalid warn label
// fails open, as Pod Security admission resolves them, and that the policy's mode caps the
// label's: an Audit policy denies nothing.
TEST(PolicySnapshotPodSecurity, InvalidLabelsAndAuditPolicy) {
  auto p = policy("psa");
  p.spec.podSecurity.fromNamespaceLabels = true;
  auto audit = p;
  audit.metadata.name = "psa-audit";
  audit.spec.mode = api::Mode::Audit;
  const auto snap = PolicySnapshot::compile({p, audit});
  StaticNamespaceLabels namespaces;
  namespaces.set("typo", {{"pod-security.kubernetes.io/enforce", "restriced"},
                          {"pod-security.kubernetes.io/warn", "strict"}});
  const auto e = snap->evaluate(pod("typo", "nginx:1.27"), namespaces);
  ASSERT_EQ(e.results.size(), 2u);
  EXPECT_FALSE(e.results[0].allowed);
  EXPECT_STREQ(e.results[0].violations[0].profile, "restricted:latest");
  EXPECT_TRUE(e.results[1].allowed);
  EXPECT_EQ(e.results[1].violations[0].mode, api::Mode::Audit);
}

// Verifies that with fromNamespaceLabels the policy's level and version are the default of a
// namespace without an enforce label, and that a label overrides them.
TEST(PolicySnapshotPodSecurity, PolicyLevelIsTheDefaultOfUnlabelledNamespaces) {
  auto p = pod_security("psa", api::PodSecurityLevel::Baseline, {false, 28});
  p.spec.podSecurity.fromNamespaceLabels = true;
  const auto snap = PolicySnapshot::compile({p});
  StaticNamespaceLabels namespaces;
  namespaces.set("open", {{"pod-security.kubernetes.io/enforce", "privileged"}});
  const std::string sysctl = "net.ipv4.tcp_keepalive_time";
  const auto unlabelled = snap->evaluate(pod_with_sysctl("team", sysctl), namespaces);
  EXPECT_FALSE(unlabelled.results[0].allowed);
  EXPECT_STREQ(unlabelled.results[0].violations[0].profile, "baseline:v1.28");
  EXPECT_TRUE(snap->evaluate(pod_with_sysctl("open", sysctl), namespaces).results[0].allowed);
}

// Verifies that exempt usernames, runtime classes and namespaces skip the standards only.
TEST(PolicySnapshotPodSecurity, ExemptionsSkipOnlyThePodSecurityStandards) {
  auto p = pod_security("restricted", api::PodSecurityLevel::Restricted, {});
  p.spec.images.disallowLatestTag = true;
  p.spec.podSecurity.exemptions.usernames = {"system:serviceaccount:ci:deployer"};
  p.spec.podSecurity.exemptions.runtimeClassNames = {"kata"};
  p.spec.podSecurity.exemptions.namespaces = {"legacy"};
  const auto snap = PolicySnapshot::compile({p});

  const auto checked = snap->evaluate(pod("default", "nginx:1.27"), kNoLabels);
  EXPECT_FALSE(rules_of(checked.results[0]).empty());

  EvaluateOptions ci;
  ci.username = "system:serviceaccount:ci:deployer";
  EXPECT_TRUE(snap->evaluate(pod("default", "nginx:1.27"), kNoLabels, {}, ci).results[0].allowed);
  EXPECT_TRUE(snap->evaluate(pod("legacy", "nginx:1.27"), kNoLabels).results[0].allowed);
  json kata = pod("default", "nginx:1.27");
  kata["spec"]["runtimeClassName"] = "kata";
  EXPECT_TRUE(snap->evaluate(kata, kNoLabels).results[0].allowed);
  EXPECT_EQ(rules_of(snap->evaluate(pod("legacy", "nginx"), kNoLabels).results[0]),
            std::vector<std::string>{"images.disallowLatestTag"});
}

}  // namespace
}  // namespace castellan::policy
