#include "webhook/admission_handler.h"

#include <gtest/gtest.h>

#include "policy/static_namespace_labels.h"

namespace castellan::webhook {
namespace {

using nlohmann::json;

api::SecurityPolicy policy(const std::string& name, api::Mode mode) {
  api::SecurityPolicy p;
  p.metadata.name = name;
  p.spec.mode = mode;
  p.spec.exclude.namespaces = {"kube-system"};
  return p;
}

api::SecurityPolicy baseline(const std::string& name, api::Mode mode = api::Mode::Enforce) {
  auto p = policy(name, mode);
  p.spec.podSecurity.level = api::PodSecurityLevel::Baseline;
  return p;
}

api::SecurityPolicy no_latest(const std::string& name, api::Mode mode = api::Mode::Enforce) {
  auto p = policy(name, mode);
  p.spec.images.disallowLatestTag = true;
  return p;
}

json pod(const std::string& image, bool privileged = false) {
  json container = {{"name", "app"}, {"image", image}};
  if (privileged) container["securityContext"] = {{"privileged", true}};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "web"}}},
          {"spec", {{"containers", json::array({container})}}}};
}

AdmissionRequest request(json object, std::string operation = "CREATE") {
  AdmissionRequest r;
  r.uid = "uid-1";
  r.kind = object.is_object() ? object.value("kind", "Pod") : "Pod";
  r.kind_version = "v1";
  r.name = "web";
  r.namespace_ = "prod";
  r.operation = std::move(operation);
  r.object = std::move(object);
  return r;
}

json deployment(json pod_template) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "web"}}},
          {"spec",
           {{"replicas", 2},
            {"template",
             {{"metadata", pod_template["metadata"]}, {"spec", pod_template["spec"]}}}}}};
}

class AdmissionHandlerTest : public ::testing::Test {
 protected:
  AdmissionOutcome validate(const std::vector<api::SecurityPolicy>& policies,
                            const AdmissionRequest& r) {
    auto snapshot = policy::PolicySnapshot::compile(policies, 1);
    auto out = handler_.validate(r, *snapshot, namespaces_);
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? *out : AdmissionOutcome{};
  }
  AdmissionOutcome mutate(const std::vector<api::SecurityPolicy>& policies,
                          const AdmissionRequest& r) {
    auto snapshot = policy::PolicySnapshot::compile(policies, 1);
    auto out = handler_.mutate(r, *snapshot, namespaces_);
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? *out : AdmissionOutcome{};
  }

  AdmissionHandler handler_;
  policy::StaticNamespaceLabels namespaces_;
};

// Verifies that a privileged pod is denied with 403 naming the policy, the rule and the field.
TEST_F(AdmissionHandlerTest, DeniesNamingPolicyAndRule) {
  auto out = validate({baseline("baseline-prod")}, request(pod("nginx:1.25", true)));
  EXPECT_EQ(out.verdict, "denied");
  EXPECT_FALSE(out.response.allowed);
  EXPECT_EQ(out.response.uid, "uid-1");
  ASSERT_TRUE(out.response.status.has_value());
  EXPECT_EQ(out.response.status->code, 403);
  EXPECT_EQ(out.response.status->reason, "Forbidden");
  const std::string& message = out.response.status->message;
  EXPECT_NE(message.find("Pod prod/web"), std::string::npos) << message;
  EXPECT_NE(message.find("SecurityPolicy \"baseline-prod\""), std::string::npos) << message;
  EXPECT_NE(message.find("podSecurity.baseline.privileged"), std::string::npos) << message;
  ASSERT_FALSE(out.response.status->causes.empty());
  EXPECT_NE(out.response.status->causes[0].field.find("privileged"), std::string::npos);
  EXPECT_EQ(out.response.audit_annotations.count("baseline-prod"), 1u);
}

// Verifies that every failing Enforce policy is named in one denial.
TEST_F(AdmissionHandlerTest, DenialNamesEveryFailingPolicy) {
  auto out = validate({baseline("a-baseline"), no_latest("b-latest")},
                      request(pod("nginx:latest", true)));
  ASSERT_TRUE(out.response.status.has_value());
  const std::string& message = out.response.status->message;
  EXPECT_NE(message.find("\"a-baseline\""), std::string::npos) << message;
  EXPECT_NE(message.find("\"b-latest\""), std::string::npos) << message;
  EXPECT_NE(message.find("images.disallowLatestTag"), std::string::npos) << message;
}

// Verifies that a compliant pod is allowed with no warnings and no annotations.
TEST_F(AdmissionHandlerTest, AllowsCompliantPod) {
  auto out = validate({baseline("baseline-prod"), no_latest("no-latest")}, request(pod("nginx:1.25")));
  EXPECT_EQ(out.verdict, "allowed");
  EXPECT_TRUE(out.response.allowed);
  EXPECT_FALSE(out.response.status.has_value());
  EXPECT_TRUE(out.response.warnings.empty());
  EXPECT_TRUE(out.response.audit_annotations.empty());
  ASSERT_EQ(out.policies.size(), 2u);
  EXPECT_EQ(out.policies[0].verdict, "passed");
}

// Verifies that Audit and Warn allow with a warning per violation and an annotation per policy.
TEST_F(AdmissionHandlerTest, AuditAndWarnAllowWithWarnings) {
  auto out = validate({no_latest("audit-latest", api::Mode::Audit),
                       baseline("warn-baseline", api::Mode::Warn)},
                      request(pod("nginx:latest", true)));
  EXPECT_TRUE(out.response.allowed);
  EXPECT_EQ(out.verdict, "warned");
  ASSERT_GE(out.response.warnings.size(), 2u);
  bool audit = false, warn = false;
  for (const auto& w : out.response.warnings) {
    audit |= w.find("\"audit-latest\" (Audit)") != std::string::npos;
    warn |= w.find("\"warn-baseline\" (Warn)") != std::string::npos;
    EXPECT_LE(w.size(), 256u);
  }
  EXPECT_TRUE(audit && warn);
  ASSERT_EQ(out.response.audit_annotations.size(), 2u);
  json value = json::parse(out.response.audit_annotations.at("audit-latest"));
  EXPECT_EQ(value["mode"], "Audit");
  EXPECT_EQ(value["rules"][0], "images.disallowLatestTag");
}

// Verifies that a Deployment is judged by its pod template.
TEST_F(AdmissionHandlerTest, DeniesBadDeploymentTemplate) {
  auto r = request(deployment(pod("nginx:1.25", true)));
  auto out = validate({baseline("baseline-prod")}, r);
  EXPECT_EQ(out.verdict, "denied");
  EXPECT_NE(out.response.status->message.find("Deployment prod/web"), std::string::npos)
      << out.response.status->message;
}

// Verifies that DELETE is allowed without evaluation.
TEST_F(AdmissionHandlerTest, AllowsDeleteQuickly) {
  AdmissionRequest r = request(json(nullptr), "DELETE");
  r.needs_evaluation = false;
  auto out = validate({baseline("baseline-prod")}, r);
  EXPECT_TRUE(out.response.allowed);
  EXPECT_EQ(out.verdict, "skipped");
  EXPECT_TRUE(out.policies.empty());
}

// Verifies that an object the engine cannot read is an error, not a crash or an allow.
TEST_F(AdmissionHandlerTest, RefusesUnreadableObject) {
  json broken = pod("nginx");
  broken["spec"] = "not a spec";
  auto snapshot = policy::PolicySnapshot::compile({baseline("b")}, 1);
  auto out = handler_.validate(request(broken), *snapshot, namespaces_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, 400);
  EXPECT_EQ(out.error().reason, "InvalidObject");
}

api::SecurityPolicy mutating(const std::string& name, bool non_root, bool drop, bool seccomp) {
  auto p = policy(name, api::Mode::Enforce);
  p.spec.mutations.runAsNonRoot = non_root;
  p.spec.mutations.dropAllCapabilities = drop;
  p.spec.mutations.seccompRuntimeDefault = seccomp;
  return p;
}

// Verifies that /mutate returns a patch that, applied, sets the policy's secure defaults.
TEST_F(AdmissionHandlerTest, MutatePatchesPod) {
  auto r = request(pod("nginx:1.25"));
  auto out = mutate({mutating("defaults", true, true, false)}, r);
  EXPECT_EQ(out.verdict, "patched");
  ASSERT_TRUE(out.response.patch.has_value());
  json patched = r.object.patch(*out.response.patch);
  EXPECT_EQ(patched["spec"]["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(patched["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"][0], "ALL");
}

// Verifies that the patches of two policies are combined without one undoing the other.
TEST_F(AdmissionHandlerTest, MutateCombinesPolicies) {
  auto r = request(pod("nginx:1.25"));
  auto out = mutate({mutating("a-non-root", true, false, false),
                     mutating("b-seccomp", false, false, true)},
                    r);
  ASSERT_TRUE(out.response.patch.has_value());
  json patched = r.object.patch(*out.response.patch);
  EXPECT_EQ(patched["spec"]["securityContext"]["runAsNonRoot"], true) << patched.dump();
  EXPECT_EQ(patched["spec"]["securityContext"]["seccompProfile"]["type"], "RuntimeDefault")
      << patched.dump();
  EXPECT_EQ(out.policies.size(), 2u);
}

// Verifies that nothing to patch means no patch at all.
TEST_F(AdmissionHandlerTest, MutateWithoutChangesSendsNoPatch) {
  json already = pod("nginx:1.25");
  already["spec"]["securityContext"] = {{"runAsNonRoot", true}};
  auto out = mutate({mutating("a-non-root", true, false, false)}, request(already));
  EXPECT_FALSE(out.response.patch.has_value());
  EXPECT_EQ(out.verdict, "allowed");
  out = mutate({baseline("no-mutations")}, request(pod("nginx:1.25")));
  EXPECT_FALSE(out.response.patch.has_value());
}

// Verifies that a Pod UPDATE is never patched: its spec is immutable.
TEST_F(AdmissionHandlerTest, MutateLeavesPodUpdatesAlone) {
  auto out = mutate({mutating("defaults", true, true, true)}, request(pod("nginx:1.25"), "UPDATE"));
  EXPECT_FALSE(out.response.patch.has_value());
  EXPECT_EQ(out.verdict, "skipped");
}

// Verifies that a Deployment's template is patched at its template path.
TEST_F(AdmissionHandlerTest, MutatePatchesDeploymentTemplate) {
  auto r = request(deployment(pod("nginx:1.25")));
  auto out = mutate({mutating("defaults", true, false, false)}, r);
  ASSERT_TRUE(out.response.patch.has_value());
  json patched = r.object.patch(*out.response.patch);
  EXPECT_EQ(patched["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"], true);
}

// Verifies that pods/ephemeralcontainers is evaluated and only the ephemeral part is patched.
TEST_F(AdmissionHandlerTest, EphemeralContainersSubresource) {
  json p = pod("nginx:1.25");
  p["spec"]["ephemeralContainers"] = {{{"name", "debug"}, {"image", "busybox:latest"}}};
  auto r = request(p, "UPDATE");
  r.sub_resource = "ephemeralcontainers";
  auto denied = validate({no_latest("no-latest")}, r);
  EXPECT_EQ(denied.verdict, "denied");
  auto out = mutate({mutating("defaults", true, true, false)}, r);
  if (out.response.patch) {
    for (const auto& op : *out.response.patch) {
      EXPECT_EQ(op["path"].get<std::string>().rfind("/spec/ephemeralContainers", 0), 0u)
          << op.dump();
    }
  }
}

const std::string kQuarantined = "sha256:" + std::string(64, 'e');
const std::string kQuarantinedImage = "registry.example.com/app@" + kQuarantined;

// An Audit policy checking the baseline standard whose status quarantines kQuarantined.
api::SecurityPolicy quarantining(api::Mode mode) {
  auto p = baseline("runtime-threats", mode);
  p.status.quarantinedDigests.push_back({kQuarantined, kQuarantinedImage, "shell-in-container",
                                         "prod", "web-1", "node-a", "2026-01-05T10:00:00Z",
                                         "sh ran in container app"});
  return p;
}

// Verifies that an Audit policy denies a quarantined image with a message saying the quarantine
// denies, counts the request as denied, and keeps its other findings as warnings only.
TEST_F(AdmissionHandlerTest, AuditQuarantineDenies) {
  auto out = validate({quarantining(api::Mode::Audit)}, request(pod(kQuarantinedImage, true)));
  EXPECT_EQ(out.verdict, "denied");
  EXPECT_FALSE(out.response.allowed);
  ASSERT_EQ(out.policies.size(), 1u);
  EXPECT_EQ(out.policies[0].verdict, "denied");
  ASSERT_TRUE(out.response.status.has_value());
  EXPECT_EQ(out.response.status->code, 403);
  const std::string& message = out.response.status->message;
  EXPECT_NE(message.find("Pod prod/web violates SecurityPolicy \"runtime-threats\" (Audit; "
                         "quarantined image): [images.quarantinedDigest] container \"app\""),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("rule shell-in-container alerted on Pod prod/web-1 on node node-a"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("kubectl annotate securitypolicy runtime-threats "
                         "castellan.io/release-digests=" +
                         kQuarantined),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("podSecurity.baseline.privileged"), std::string::npos)
      << "an Audit finding does not deny: " << message;
  ASSERT_EQ(out.response.status->causes.size(), 1u);
  EXPECT_EQ(out.response.status->causes[0].field, "spec.containers[0].image");

  ASSERT_EQ(out.response.warnings.size(), 1u);
  EXPECT_NE(out.response.warnings[0].find("\"runtime-threats\" (Audit): "
                                          "[podSecurity.baseline.privileged]"),
            std::string::npos)
      << out.response.warnings[0];
  json audit = json::parse(out.response.audit_annotations.at("runtime-threats"));
  EXPECT_EQ(audit["allowed"], false);
}

// Verifies that Warn denies a quarantined image too, and that a pod without it is only warned.
TEST_F(AdmissionHandlerTest, WarnQuarantineDenies) {
  auto out = validate({quarantining(api::Mode::Warn)}, request(pod(kQuarantinedImage)));
  EXPECT_EQ(out.verdict, "denied");
  ASSERT_TRUE(out.response.status.has_value());
  EXPECT_NE(out.response.status->message.find("(Warn; quarantined image)"), std::string::npos)
      << out.response.status->message;
  EXPECT_TRUE(out.response.warnings.empty());

  out =
      validate({quarantining(api::Mode::Warn)}, request(pod("registry.example.com/app:1.4", true)));
  EXPECT_EQ(out.verdict, "warned");
  EXPECT_TRUE(out.response.allowed);
  ASSERT_EQ(out.policies.size(), 1u);
  EXPECT_EQ(out.policies[0].verdict, "warned");
}

// Verifies that an Enforce policy's denial keeps its usual wording next to a quarantine.
TEST_F(AdmissionHandlerTest, EnforceQuarantineListsEveryViolation) {
  auto out = validate({quarantining(api::Mode::Enforce)}, request(pod(kQuarantinedImage, true)));
  EXPECT_EQ(out.verdict, "denied");
  ASSERT_TRUE(out.response.status.has_value());
  const std::string& message = out.response.status->message;
  EXPECT_NE(message.find("SecurityPolicy \"runtime-threats\" (Enforce): "), std::string::npos)
      << message;
  EXPECT_NE(message.find("[images.quarantinedDigest]"), std::string::npos) << message;
  EXPECT_NE(message.find("[podSecurity.baseline.privileged]"), std::string::npos) << message;
  EXPECT_EQ(out.response.status->causes.size(), 2u);
}

// Verifies that a decoded Pod UPDATE that only relabels a pod running a quarantined image is
// skipped, while one that changes the image to it is denied.
TEST_F(AdmissionHandlerTest, RelabellingQuarantinedPodIsNotEvaluated) {
  json old_pod = pod(kQuarantinedImage);
  json relabelled = old_pod;
  relabelled["metadata"]["labels"] = {{"castellan.io/isolated", "true"}};
  auto body = [](const json& object, const json& old_object) {
    return json({{"apiVersion", "admission.k8s.io/v1"},
                 {"kind", "AdmissionReview"},
                 {"request",
                  {{"uid", "uid-2"},
                   {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                   {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
                   {"name", "web"},
                   {"namespace", "prod"},
                   {"operation", "UPDATE"},
                   {"object", object},
                   {"oldObject", old_object}}}})
        .dump();
  };
  auto label_update = decode_admission_review(body(relabelled, old_pod));
  ASSERT_TRUE(label_update.ok()) << label_update.error().message;
  auto out = validate({quarantining(api::Mode::Audit)}, *label_update);
  EXPECT_EQ(out.verdict, "skipped");
  EXPECT_TRUE(out.response.allowed);
  EXPECT_TRUE(out.policies.empty());
  EXPECT_EQ(mutate({quarantining(api::Mode::Audit)}, *label_update).verdict, "skipped");

  auto image_update = decode_admission_review(body(old_pod, pod("registry.example.com/app:1.4")));
  ASSERT_TRUE(image_update.ok()) << image_update.error().message;
  out = validate({quarantining(api::Mode::Audit)}, *image_update);
  EXPECT_EQ(out.verdict, "denied");
  EXPECT_FALSE(out.response.allowed);
}

}  // namespace
}  // namespace castellan::webhook

namespace castellan::webhook {
namespace {

// Verifies that a Warn policy pinned to a version names that version in its warnings.
TEST(AdmissionHandlerPodSecurityVersion, WarningsNameThePinnedVersion) {
  auto p = policy("pinned", api::Mode::Warn);
  p.spec.podSecurity.level = api::PodSecurityLevel::Restricted;
  p.spec.podSecurity.version = {false, 29};
  const auto snapshot = policy::PolicySnapshot::compile({p});
  const policy::StaticNamespaceLabels namespaces;
  const auto outcome =
      AdmissionHandler().validate(request(pod("nginx:1.27")), *snapshot, namespaces);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->response.allowed);
  ASSERT_FALSE(outcome->response.warnings.empty());
  for (const auto& w : outcome->response.warnings) {
    EXPECT_NE(w.find("SecurityPolicy \"pinned\" (Warn): [podSecurity.restricted."),
              std::string::npos)
        << w;
    EXPECT_NE(w.find(", restricted:v1.29]"), std::string::npos) << w;
  }
}

// Verifies that the requesting user reaches podSecurity.exemptions.usernames.
TEST(AdmissionHandlerPodSecurityVersion, ExemptUserIsNotChecked) {
  auto p = baseline("exempt");
  p.spec.podSecurity.exemptions.usernames = {"admin"};
  const auto snapshot = policy::PolicySnapshot::compile({p});
  const policy::StaticNamespaceLabels namespaces;
  auto r = request(pod("nginx:1.27", /*privileged=*/true));
  EXPECT_FALSE(AdmissionHandler().validate(r, *snapshot, namespaces)->response.allowed);
  r.username = "admin";
  EXPECT_TRUE(AdmissionHandler().validate(r, *snapshot, namespaces)->response.allowed);
}

}  // namespace
}  // namespace castellan::webhook
