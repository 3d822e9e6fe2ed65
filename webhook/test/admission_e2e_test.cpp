// The real API server calling a standalone castellan-manager through Validating and Mutating
// webhook configurations registered by URL, driven with kubectl as a user would.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "child.h"
#include "common/base64.h"
#include "e2e/control_plane_environment.h"

namespace castellan::webhook {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

e2e::ControlPlane& plane() { return e2e::ControlPlaneEnvironment::control_plane(); }

constexpr const char* kPolicies = R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: enforce-baseline}
spec:
  mode: Enforce
  match: {namespaces: ["e2e-enforce"]}
  podSecurity: {level: baseline}
---
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: audit-latest}
spec:
  mode: Audit
  match: {namespaces: ["e2e-audit"]}
  images: {disallowLatestTag: true}
---
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: mutate-defaults}
spec:
  mode: Enforce
  match: {namespaces: ["e2e-mutate"]}
  mutations: {runAsNonRoot: true, seccompRuntimeDefault: true}
)";

// A policy in Audit mode for e2e-quarantine; with a status it quarantines kQuarantinedDigest,
// as QuarantineImage would record it.
const std::string kQuarantinedDigest = "sha256:" + std::string(64, 'e');
const std::string kQuarantinedImage = "registry.example.com/app@" + kQuarantinedDigest;

std::string quarantine_policy(bool quarantined) {
  std::string out = R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: runtime-threats}
spec:
  mode: Audit
  match: {namespaces: ["e2e-quarantine"]}
  images: {disallowLatestTag: true}
)";
  if (quarantined) {
    out += "status:\n  quarantinedDigests:\n  - digest: " + kQuarantinedDigest +
           "\n    image: " + kQuarantinedImage +
           "\n    rule: shell-in-container\n    namespace: e2e-quarantine\n    pod: running\n"
           "    node: node-a\n    time: \"2026-01-05T10:00:00Z\"\n"
           "    alert: sh ran in container app\n";
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string pod(const std::string& name, const std::string& ns, const std::string& image,
                bool privileged) {
  std::string out = "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns +
                    "}\nspec:\n  containers:\n  - name: app\n    image: " + image + "\n";
  if (privileged) out += "    securityContext: {privileged: true}\n";
  return out;
}

json webhook_configuration(const char* kind, const std::string& path, const std::string& url,
                           const std::string& ca_pem) {
  json rules = json::array(
      {{{"apiGroups", {""}}, {"apiVersions", {"v1"}}, {"operations", {"CREATE", "UPDATE"}},
        {"resources", {"pods", "pods/ephemeralcontainers"}}},
       {{"apiGroups", {"apps"}}, {"apiVersions", {"v1"}}, {"operations", {"CREATE", "UPDATE"}},
        {"resources", {"deployments"}}}});
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", kind},
          {"metadata", {{"name", "castellan-e2e"}}},
          {"webhooks",
           {{{"name", path.substr(1) + ".castellan.io"},
             {"clientConfig", {{"url", url + path}, {"caBundle", base64_encode(ca_pem)}}},
             {"rules", rules},
             {"failurePolicy", "Fail"},
             {"sideEffects", "None"},
             {"admissionReviewVersions", {"v1", "v1beta1"}},
             {"timeoutSeconds", 5}}}}};
}

class AdmissionE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/castellan-webhook-e2e-XXXXXX";
    dir_ = new fs::path(mkdtemp(tmpl));
    fs::create_directories(*dir_ / "policies");
    std::ofstream(*dir_ / "policies" / "policies.yaml") << kPolicies;
    std::ofstream(*dir_ / "policies" / "quarantine.yaml") << quarantine_policy(false);
    manager_ = new testing::Child(
        {CASTELLAN_MANAGER_BIN, "--standalone", "--policies", (*dir_ / "policies").string(),
         "--webhook-port", "0", "--bind-address", "127.0.0.1", "--cert-dir",
         (*dir_ / "certs").string()},
        (*dir_ / "manager.log").string());
    auto cert = manager_->read_line();
    auto serving = manager_->read_line();
    if (!cert || !serving) {
      setup_error_ = new std::string("castellan-manager did not start: " +
                                     read_file((*dir_ / "manager.log").string()));
      return;
    }
    std::string ca = read_file(cert->substr(std::string("certificate ").size()));
    std::string url = "https://127.0.0.1:" + serving->substr(serving->rfind(':') + 1);
    for (auto [kind, path] : {std::pair{"ValidatingWebhookConfiguration", "/validate"},
                              {"MutatingWebhookConfiguration", "/mutate"}}) {
      auto r = plane().kubectl({"apply", "-f", "-"},
                               webhook_configuration(kind, path, url, ca).dump());
      if (!r.ok() || r->exit_code != 0) {
        setup_error_ = new std::string(std::string("cannot register ") + kind + ": " +
                                       (r.ok() ? r->err : r.error().message));
        return;
      }
    }
    for (const char* ns : {"e2e-enforce", "e2e-audit", "e2e-mutate", "e2e-quarantine"}) {
      plane().kubectl({"create", "namespace", ns});
    }
    // The API server picks up new webhook configurations asynchronously.
    for (int i = 0; i < 300; ++i) {
      auto r = plane().kubectl({"apply", "--dry-run=server", "-f", "-"},
                               pod("probe", "e2e-enforce", "nginx:1.25", true));
      if (r.ok() && r->exit_code != 0 && r->err.find("enforce-baseline") != std::string::npos) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    setup_error_ = new std::string("the webhook never took effect; manager log:\n" +
                                   read_file((*dir_ / "manager.log").string()));
  }

  static void TearDownTestSuite() {
    plane().kubectl({"delete", "validatingwebhookconfiguration,mutatingwebhookconfiguration",
                     "castellan-e2e", "--ignore-not-found"});
    if (manager_) {
      int code = manager_->stop(SIGTERM);
      EXPECT_EQ(code, 0) << "castellan-manager did not stop cleanly on SIGTERM";
    }
    delete manager_;
    if (dir_) fs::remove_all(*dir_);
    delete dir_;
    delete setup_error_;
  }

  void SetUp() override {
    if (setup_error_) FAIL() << *setup_error_;
  }

  static inline fs::path* dir_ = nullptr;
  static inline testing::Child* manager_ = nullptr;
  static inline std::string* setup_error_ = nullptr;
};

// Verifies that a privileged pod is denied with the policy and rule in kubectl's message.
TEST_F(AdmissionE2eTest, PrivilegedPodIsDenied) {
  auto r = plane().kubectl({"apply", "-f", "-"}, pod("root", "e2e-enforce", "nginx:1.25", true));
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("denied the request"), std::string::npos) << r->err;
  EXPECT_NE(r->err.find("enforce-baseline"), std::string::npos) << r->err;
  EXPECT_NE(r->err.find("podSecurity.baseline.privileged"), std::string::npos) << r->err;
}

// Verifies that a compliant pod is admitted.
TEST_F(AdmissionE2eTest, CompliantPodIsAdmitted) {
  auto r = plane().kubectl({"apply", "-f", "-"}, pod("fine", "e2e-enforce", "nginx:1.25", false));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  auto get = plane().kubectl({"get", "pod", "fine", "-n", "e2e-enforce"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->exit_code, 0) << get->err;
}

// Verifies that an Audit policy admits with a warning that kubectl prints.
TEST_F(AdmissionE2eTest, AuditAdmitsWithWarning) {
  auto r = plane().kubectl({"apply", "-f", "-"}, pod("latest", "e2e-audit", "nginx:latest", false));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_NE(r->err.find("Warning:"), std::string::npos) << r->err;
  EXPECT_NE(r->err.find("audit-latest"), std::string::npos) << r->err;
  EXPECT_NE(r->err.find("images.disallowLatestTag"), std::string::npos) << r->err;
}

// Verifies that mutations show up in the stored pod.
TEST_F(AdmissionE2eTest, MutationsAreStored) {
  auto r = plane().kubectl({"apply", "-f", "-"}, pod("mutated", "e2e-mutate", "nginx:1.25", false));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->err;
  auto get = plane().kubectl({"get", "pod", "mutated", "-n", "e2e-mutate", "-o", "yaml"});
  ASSERT_TRUE(get.ok());
  EXPECT_NE(get->out.find("runAsNonRoot: true"), std::string::npos) << get->out;
  EXPECT_NE(get->out.find("type: RuntimeDefault"), std::string::npos) << get->out;
}

// Verifies that a Deployment with a bad pod template is denied at apply.
TEST_F(AdmissionE2eTest, BadDeploymentIsDeniedAtApply) {
  std::string deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: bad, namespace: e2e-enforce}
spec:
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec:
      hostNetwork: true
      containers:
      - {name: app, image: "nginx:1.25"}
)";
  auto r = plane().kubectl({"apply", "-f", "-"}, deployment);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("Deployment e2e-enforce/bad"), std::string::npos) << r->err;
  EXPECT_NE(r->err.find("hostNamespaces"), std::string::npos) << r->err;
}

// Verifies that once a policy's status quarantines a digest, kubectl apply of a pod using it is
// denied although the policy is in Audit mode, with the alert and the release command in the
// message, while relabelling a pod that already runs it still succeeds.
TEST_F(AdmissionE2eTest, QuarantinedDigestIsDeniedButRunningPodCanBeRelabelled) {
  auto running = plane().kubectl({"apply", "-f", "-"},
                                 pod("running", "e2e-quarantine", kQuarantinedImage, false));
  ASSERT_TRUE(running.ok());
  ASSERT_EQ(running->exit_code, 0) << running->err;

  std::ofstream(*dir_ / "policies" / "quarantine.yaml") << quarantine_policy(true);
  bool quarantined = false;
  for (int i = 0; i < 300 && !quarantined; ++i) {
    auto r = plane().kubectl({"apply", "--dry-run=server", "-f", "-"},
                             pod("probe", "e2e-quarantine", kQuarantinedImage, false));
    quarantined =
        r.ok() && r->exit_code != 0 && r->err.find("images.quarantinedDigest") != std::string::npos;
    if (!quarantined) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(quarantined) << "the quarantine never took effect; manager log:\n"
                           << read_file((*dir_ / "manager.log").string());

  auto denied = plane().kubectl({"apply", "-f", "-"},
                                pod("second", "e2e-quarantine", kQuarantinedImage, false));
  ASSERT_TRUE(denied.ok());
  EXPECT_NE(denied->exit_code, 0);
  EXPECT_NE(denied->err.find("denied the request"), std::string::npos) << denied->err;
  EXPECT_NE(denied->err.find("SecurityPolicy \"runtime-threats\" (Audit; quarantined image)"),
            std::string::npos)
      << denied->err;
  EXPECT_NE(denied->err.find("rule shell-in-container alerted on Pod e2e-quarantine/running on "
                             "node node-a: sh ran in container app"),
            std::string::npos)
      << denied->err;
  EXPECT_NE(denied->err.find("kubectl annotate securitypolicy runtime-threats "
                             "castellan.io/release-digests=" +
                             kQuarantinedDigest),
            std::string::npos)
      << denied->err;

  auto label = plane().kubectl(
      {"label", "pod", "running", "-n", "e2e-quarantine", "castellan.io/isolated=true"});
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(label->exit_code, 0) << label->err;
  auto annotate = plane().kubectl(
      {"annotate", "pod", "running", "-n", "e2e-quarantine", "example.com/note=isolated"});
  ASSERT_TRUE(annotate.ok());
  EXPECT_EQ(annotate->exit_code, 0) << annotate->err;
  auto get = plane().kubectl({"get", "pod", "running", "-n", "e2e-quarantine", "-o",
                              "jsonpath={.metadata.labels.castellan\\.io/isolated}"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->out, "true") << get->err;
}

}  // namespace
}  // namespace castellan::webhook
