// castellan-manager in cluster mode against a real kube-apiserver: the manager processes are
// the built binary, the client is kubectl, as a cluster admin would use them.

#include <signal.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/base64.h"
#include "e2e/child_process.h"
#include "e2e/control_plane_environment.h"
#include "e2e/loopback_port.h"

namespace castellan::controller {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

e2e::ControlPlane& cp() { return e2e::ControlPlaneEnvironment::control_plane(); }

e2e::CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = {}) {
  auto r = cp().kubectl(args, input);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : e2e::CommandResult{};
}

json get_json(const std::vector<std::string>& args) {
  auto all = args;
  all.push_back("-o");
  all.push_back("json");
  auto r = kubectl(all);
  if (!r.ok()) return nullptr;
  return json::parse(r.out, nullptr, false);
}

bool wait_until(const std::function<bool()>& pred, seconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return pred();
}

std::string policy_yaml(const std::string& name, const std::string& ns, const std::string& mode) {
  return "apiVersion: castellan.io/v1alpha1\nkind: SecurityPolicy\nmetadata: {name: " + name +
         "}\nspec:\n  mode: " + mode + "\n  match: {namespaces: [\"" + ns +
         "\"]}\n  podSecurity: {level: restricted}\n";
}

std::string pod_yaml(const std::string& name, const std::string& ns, bool privileged) {
  std::string sc = privileged
                       ? "{privileged: true}"
                       : "{runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, "
                         "capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}";
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n  containers:\n  - name: app\n    image: registry.example.com/app:1\n"
         "    securityContext: " +
         sc + "\n";
}

// One castellan-manager process.
class Manager {
 public:
  Manager(const std::string& identity, int port, std::vector<std::string> extra = {})
      : identity_(identity) {
    std::vector<std::string> argv = {CASTELLAN_MANAGER_BIN,
                                     "--kubeconfig",
                                     cp().kubeconfig_path(),
                                     "--namespace",
                                     "castellan-system",
                                     "--identity",
                                     identity,
                                     "--webhook-port",
                                     std::to_string(port),
                                     "--webhook-url-base",
                                     "https://127.0.0.1:" + std::to_string(port),
                                     "--bind-address",
                                     "127.0.0.1",
                                     "--report-interval",
                                     "2",
                                     "--resync",
                                     "2",
                                     "--reuse-port"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    log_ = cp().directory() + "/manager-" + identity + ".log";
    auto child = e2e::ChildProcess::start(argv, log_);
    EXPECT_TRUE(child.ok()) << child.error().message;
    if (child.ok()) child_.emplace(std::move(*child));
  }
  ~Manager() { stop(); }
  void stop() {
    if (child_) child_->stop(seconds(20));
  }
  void kill() {
    if (child_) ::kill(child_->pid(), SIGKILL);
    if (child_) child_->stop(seconds(1));
  }
  const std::string& identity() const { return identity_; }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::string identity_;
  std::string log_;
  std::optional<e2e::ChildProcess> child_;
};

std::string lease_holder() {
  auto lease = get_json({"get", "lease", "castellan-manager", "-n", "castellan-system"});
  if (!lease.is_object()) return "";
  return lease.value("/spec/holderIdentity"_json_pointer, std::string());
}

json condition(const json& policy, const std::string& type) {
  for (const auto& c : policy.value("/status/conditions"_json_pointer, json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return nullptr;
}

class ManagerE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cp().kubectl({"create", "namespace", "castellan-system"});
    port_ = e2e::free_loopback_port().value();
  }
  static int port_;
};
int ManagerE2eTest::port_ = 0;

// Verifies the main flow: applying a policy makes the manager program both webhook
// configurations with a caBundle that verifies its serving certificate, a privileged pod is
// refused at kubectl with the policy and rule named, and status and describe show the denial.
TEST_F(ManagerE2eTest, AppliedPolicyConfiguresWebhooksAndDenies) {
  Manager manager("apply-1", port_);
  ASSERT_TRUE(kubectl({"create", "namespace", "e2e-apply"}).ok());
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, policy_yaml("apply", "e2e-apply", "Enforce")).ok());

  json config;
  ASSERT_TRUE(wait_until(
      [&] {
        config = get_json({"get", "validatingwebhookconfiguration", "castellan"});
        return config.is_object() && !config.value("webhooks", json::array()).empty();
      },
      seconds(30)))
      << manager.log();
  const auto& webhook = config["webhooks"][0];
  EXPECT_EQ(webhook["clientConfig"]["url"],
            "https://127.0.0.1:" + std::to_string(port_) + "/validate");
  auto secret = get_json({"get", "secret", "castellan-webhook-cert", "-n", "castellan-system"});
  ASSERT_TRUE(secret.is_object());
  auto bundle = base64_decode(webhook["clientConfig"]["caBundle"].get<std::string>());
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(*bundle, *base64_decode(secret["data"]["ca-bundle.crt"].get<std::string>()));
  EXPECT_TRUE(get_json({"get", "mutatingwebhookconfiguration", "castellan"}).is_object());

  e2e::CommandResult denied;
  ASSERT_TRUE(wait_until(
      [&] {
        denied = kubectl({"apply", "-f", "-"}, pod_yaml("priv", "e2e-apply", true));
        return !denied.ok();
      },
      seconds(20)))
      << "the privileged pod was admitted";
  EXPECT_NE(denied.err.find("SecurityPolicy \"apply\""), std::string::npos) << denied.err;
  EXPECT_NE(denied.err.find("podSecurity.baseline.privileged"), std::string::npos) << denied.err;
  EXPECT_TRUE(kubectl({"apply", "-f", "-"}, pod_yaml("good", "e2e-apply", false)).ok());

  ASSERT_TRUE(wait_until(
      [&] {
        auto p = get_json({"get", "secpol", "apply"});
        return p.value("/status/admission/denied"_json_pointer, 0) >= 1 &&
               !p.value("/status/recentViolations"_json_pointer, json::array()).empty();
      },
      seconds(30)))
      << manager.log();
  auto describe = kubectl({"describe", "secpol", "apply"});
  EXPECT_NE(describe.out.find("podSecurity.baseline.privileged"), std::string::npos)
      << describe.out;
  EXPECT_NE(describe.out.find("Denied:"), std::string::npos) << describe.out;

  // Edit: Enforce -> Audit. Behaviour follows, and observedGeneration matches.
  ASSERT_TRUE(
      kubectl({"patch", "secpol", "apply", "--type", "merge", "-p", R"({"spec":{"mode":"Audit"}})"})
          .ok());
  ASSERT_TRUE(wait_until(
      [&] {
        auto p = get_json({"get", "secpol", "apply"});
        auto ready = condition(p, "Ready");
        return p.value("/metadata/generation"_json_pointer, 0) == 2 &&
               p.value("/status/observedGeneration"_json_pointer, 0) == 2 && ready.is_object() &&
               ready.value("observedGeneration", 0) == 2 && ready.value("status", "") == "True";
      },
      seconds(30)))
      << manager.log();
  e2e::CommandResult audited;
  ASSERT_TRUE(wait_until(
      [&] {
        audited = kubectl({"apply", "-f", "-"}, pod_yaml("priv-audit", "e2e-apply", true));
        return audited.ok();
      },
      seconds(20)))
      << audited.err;
  EXPECT_NE(audited.err.find("Warning"), std::string::npos) << "kubectl prints Audit warnings";

  // Delete: no finalizer holds the policy, and its webhook entries go.
  auto deleted = kubectl({"delete", "secpol", "apply", "--timeout=60s"});
  EXPECT_TRUE(deleted.ok()) << deleted.err << manager.log();
  EXPECT_FALSE(kubectl({"get", "secpol", "apply"}).ok());
  ASSERT_TRUE(wait_until(
      [&] {
        config = get_json({"get", "validatingwebhookconfiguration", "castellan"});
        return config.value("webhooks", json::array()).empty();
      },
      seconds(20)))
      << config.dump();
}

// Verifies that a policy the API server accepts but Castellan finds invalid is reported in its
// conditions with the field path, while another policy keeps being enforced.
TEST_F(ManagerE2eTest, InvalidPolicyIsReportedWhileOthersWork) {
  Manager manager("invalid-1", port_);
  ASSERT_TRUE(kubectl({"create", "namespace", "e2e-invalid"}).ok());
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, policy_yaml("good", "e2e-invalid", "Enforce")).ok());
  std::string invalid = policy_yaml("broken", "e2e-invalid", "Enforce") +
                        "  runtime:\n    rules:\n    - name: shell\n      exec: {names: [sh]}\n"
                        "    responses:\n    - rules: [no-such-rule]\n      actions: [DeletePod]\n";
  auto applied = kubectl({"apply", "-f", "-"}, invalid);
  ASSERT_TRUE(applied.ok()) << applied.err;

  json ready;
  ASSERT_TRUE(wait_until(
      [&] {
        ready = condition(get_json({"get", "secpol", "broken"}), "Ready");
        return ready.is_object() && ready.value("reason", "") == "InvalidSpec";
      },
      seconds(30)))
      << manager.log();
  EXPECT_EQ(ready["status"], "False");
  EXPECT_NE(ready.value("message", "").find("spec.runtime.responses[0]"), std::string::npos)
      << ready.dump();

  e2e::CommandResult denied;
  ASSERT_TRUE(wait_until(
      [&] {
        denied = kubectl({"apply", "-f", "-"}, pod_yaml("priv", "e2e-invalid", true));
        return !denied.ok();
      },
      seconds(20)));
  EXPECT_NE(denied.err.find("SecurityPolicy \"good\""), std::string::npos) << denied.err;
  kubectl({"delete", "secpol", "good", "broken", "--timeout=60s"});
}

// Verifies drift: a manual edit of a webhook configuration is put back, and a deleted one is
// recreated.
TEST_F(ManagerE2eTest, WebhookConfigurationDriftIsRepaired) {
  Manager manager("drift-1", port_);
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, policy_yaml("drift", "e2e-drift", "Enforce")).ok());
  auto failure_policy = [] {
    auto c = get_json({"get", "validatingwebhookconfiguration", "castellan"});
    return c.is_object() ? c.value("/webhooks/0/failurePolicy"_json_pointer, std::string()) : "";
  };
  ASSERT_TRUE(wait_until([&] { return failure_policy() == "Fail"; }, seconds(30))) << manager.log();

  ASSERT_TRUE(
      kubectl({"patch", "validatingwebhookconfiguration", "castellan", "--type", "json", "-p",
               R"([{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}])"})
          .ok());
  EXPECT_TRUE(wait_until([&] { return failure_policy() == "Fail"; }, seconds(30)))
      << "the manual edit was not put back";

  ASSERT_TRUE(kubectl({"delete", "mutatingwebhookconfiguration", "castellan"}).ok());
  EXPECT_TRUE(wait_until(
      [&] {
        return get_json({"get", "mutatingwebhookconfiguration", "castellan"}).is_object();
      },
      seconds(30)))
      << "the deleted configuration was not recreated";
  kubectl({"delete", "secpol", "drift", "--timeout=60s"});
}

// Verifies that of two managers exactly one leads, and that when the leader is killed the other
// takes over within the lease duration while admission keeps answering, since both serve.
TEST_F(ManagerE2eTest, SecondManagerTakesOverAndAdmissionContinues) {
  auto a = std::make_unique<Manager>("pair-a", port_);
  auto b = std::make_unique<Manager>("pair-b", port_);
  ASSERT_TRUE(kubectl({"create", "namespace", "e2e-pair"}).ok());
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, policy_yaml("pair", "e2e-pair", "Enforce")).ok());
  std::string holder;
  ASSERT_TRUE(wait_until(
      [&] {
        holder = lease_holder();
        return holder == "pair-a" || holder == "pair-b";
      },
      seconds(30)));
  ASSERT_TRUE(wait_until(
      [&] {
        return !kubectl({"apply", "--dry-run=server", "-f", "-"}, pod_yaml("p", "e2e-pair", true))
                    .ok();
      },
      seconds(30)));

  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, failed{0};
  std::string last_failure;
  std::thread load([&] {
    while (!stop) {
      auto r =
          cp().kubectl({"apply", "--dry-run=server", "-f", "-"}, pod_yaml("ok", "e2e-pair", false));
      if (r.ok() && r->ok()) {
        ++answered;
      } else {
        ++failed;
        if (r.ok()) last_failure = r->err;
      }
    }
  });
  std::this_thread::sleep_for(seconds(2));
  auto killed_at = Clock::now();
  (holder == "pair-a" ? a : b)->kill();
  std::string successor = holder == "pair-a" ? "pair-b" : "pair-a";
  bool took_over = wait_until([&] { return lease_holder() == successor; }, seconds(25));
  auto takeover = std::chrono::duration_cast<seconds>(Clock::now() - killed_at).count();
  std::this_thread::sleep_for(seconds(3));
  stop = true;
  load.join();
  EXPECT_TRUE(took_over);
  EXPECT_LE(takeover, 15 + 2 + 2) << "lease 15 s, retry 2 s";
  EXPECT_GT(answered.load(), 5);
  EXPECT_EQ(failed.load(), 0) << last_failure;
  kubectl({"delete", "secpol", "pair", "--timeout=60s"});
}

// Verifies that a certificate rotation under continuous pod creation fails no admission.
TEST_F(ManagerE2eTest, CertificateRotationFailsNoAdmission) {
  kubectl({"delete", "secret", "castellan-webhook-cert", "-n", "castellan-system",
           "--ignore-not-found"});
  Manager manager("rotate-1", port_, {"--cert-lifetime", "45"});
  ASSERT_TRUE(kubectl({"create", "namespace", "e2e-rotate"}).ok());
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, policy_yaml("rotate", "e2e-rotate", "Enforce")).ok());
  ASSERT_TRUE(wait_until(
      [&] {
        return !kubectl({"apply", "--dry-run=server", "-f", "-"}, pod_yaml("p", "e2e-rotate", true))
                    .ok();
      },
      seconds(30)));
  auto first_ca = get_json({"get", "secret", "castellan-webhook-cert", "-n", "castellan-system"})
                      .value("/data/ca.crt"_json_pointer, std::string());

  int answered = 0, failed = 0;
  std::string last_failure;
  auto until = Clock::now() + seconds(50);
  while (Clock::now() < until) {
    auto r = kubectl({"apply", "--dry-run=server", "-f", "-"}, pod_yaml("ok", "e2e-rotate", false));
    if (r.ok()) {
      ++answered;
    } else {
      ++failed;
      last_failure = r.err;
    }
  }
  auto ca = get_json({"get", "secret", "castellan-webhook-cert", "-n", "castellan-system"})
                .value("/data/ca.crt"_json_pointer, std::string());
  EXPECT_NE(ca, first_ca) << "the CA rotated within the window" << manager.log();
  EXPECT_NE(manager.log().find("PromotedNextCa"), std::string::npos);
  EXPECT_GT(answered, 10);
  EXPECT_EQ(failed, 0) << last_failure;
  kubectl({"delete", "secpol", "rotate", "--timeout=60s"});
}

// Verifies that the manager survives an API server restart and status converges afterwards.
TEST_F(ManagerE2eTest, RecoversFromApiServerRestart) {
  Manager manager("restart-1", port_);
  ASSERT_TRUE(kubectl({"create", "namespace", "e2e-restart"}).ok());
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, policy_yaml("restart", "e2e-restart", "Enforce")).ok());
  ASSERT_TRUE(wait_until(
      [&] {
        auto ready = condition(get_json({"get", "secpol", "restart"}), "Ready");
        return ready.is_object() && ready.value("status", "") == "True";
      },
      seconds(30)));

  ASSERT_TRUE(cp().restart_apiserver().ok());
  ASSERT_TRUE(kubectl({"patch", "secpol", "restart", "--type", "merge", "-p",
                       R"({"spec":{"mode":"Warn"}})"})
                  .ok());
  EXPECT_TRUE(wait_until(
      [&] {
        auto p = get_json({"get", "secpol", "restart"});
        auto ready = condition(p, "Ready");
        return p.value("/status/observedGeneration"_json_pointer, 0) == 2 && ready.is_object() &&
               ready.value("message", "").find("Warn") != std::string::npos;
      },
      seconds(60)))
      << manager.log();
  e2e::CommandResult warned;
  EXPECT_TRUE(wait_until(
      [&] {
        warned =
            kubectl({"apply", "--dry-run=server", "-f", "-"}, pod_yaml("p", "e2e-restart", true));
        return warned.ok();
      },
      seconds(30)))
      << warned.err;
  kubectl({"delete", "secpol", "restart", "--timeout=60s"});
}

}  // namespace
}  // namespace castellan::controller
