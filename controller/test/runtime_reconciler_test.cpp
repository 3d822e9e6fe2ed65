#include "controller/runtime_reconciler.h"

#include <gtest/gtest.h>

#include <memory>

#include "kube/resources.h"
#include "kube/test/informer_fake_api_client.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

constexpr const char* kNode = "node-1";

// A policy whose rule `shell` answers with every action that touches the cluster.
json responding_policy() {
  return json::parse(R"({
    "apiVersion": "castellan.io/v1alpha1", "kind": "SecurityPolicy",
    "metadata": {"name": "runtime-threats", "uid": "policy-uid", "generation": 1},
    "spec": {"runtime": {
      "rules": [{"name": "shell", "exec": {"names": ["sh"]}}],
      "responses": [{"rules": ["shell"], "actions": ["IsolatePod", "TaintNode", "DeletePod"]}]}}
  })");
}

json pod(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"uid", ns + "-" + name + "-uid"}}},
          {"spec", {{"nodeName", kNode}}}};
}

api::RuntimeViolationEvent alert(const std::string& ns, const std::string& name) {
  api::RuntimeViolationEvent e;
  e.uid = ns + "-" + name + "-event-uid";
  e.event_namespace = ns;
  e.event_name = name + ".shell";
  e.pod_namespace = ns;
  e.pod = name;
  e.pod_uid = ns + "-" + name + "-uid";
  e.policy = "runtime-threats";
  e.rule = "shell";
  e.node = kNode;
  e.message = "SecurityPolicy runtime-threats rule shell: sh ran";
  e.count = 1;
  return e;
}

class RuntimeReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(policies_.upsert(responding_policy()));
    api_->put(kube::kNodes, "",
              {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", kNode}}},
               {"spec", json::object()}});
    // The first pass creates the ledger; alerts already present then would count as seen.
    ASSERT_TRUE(reconcile({}).ok());
  }

  Result<RuntimeObservation> reconcile(const std::vector<api::RuntimeViolationEvent>& events) {
    return reconciler_.reconcile(policies_, pointers_to(events), true, {}, "",
                                 std::chrono::system_clock::now());
  }

  bool exists(const kube::GroupVersionResource& gvr, const std::string& ns,
              const std::string& name) {
    return api_->get(gvr, ns, name).ok();
  }

  bool node_tainted() {
    auto node = api_->get(kube::kNodes, "", kNode);
    return node.ok() && node->value("/spec/taints"_json_pointer, json::array()).size() > 0;
  }

  std::shared_ptr<kube::testing::FakeApiClient> api_ =
      std::make_shared<kube::testing::FakeApiClient>();
  RuntimeReconciler reconciler_{api_, "castellan-system", ProtectedNamespaces(), nullptr, nullptr};
  PolicySet policies_;
};

// Verifies that an alert on a pod in the sensor's namespace, the manager's or kube-system is
// counted but never acted on: the pod is neither labelled, isolated nor deleted, its node is
// not tainted, and every action is recorded as refused, naming the protected namespaces.
TEST_F(RuntimeReconcilerTest, NeverActsOnProtectedNamespaces) {
  std::vector<api::RuntimeViolationEvent> events;
  for (const char* ns : {"castellan-sensor", "castellan-system", "kube-system"}) {
    api_->put(kube::kPods, ns, pod(ns, "victim"));
    events.push_back(alert(ns, "victim"));
  }
  auto observed = reconcile(events);
  ASSERT_TRUE(observed.ok()) << observed.error().message;

  for (const char* ns : {"castellan-sensor", "castellan-system", "kube-system"}) {
    auto got = api_->get(kube::kPods, ns, "victim");
    ASSERT_TRUE(got.ok()) << "the pod in " << ns << " was deleted";
    EXPECT_FALSE(got->contains("/metadata/labels"_json_pointer))
        << "the pod in " << ns << " was labelled";
    EXPECT_FALSE(exists(kube::kNetworkPolicies, ns, "castellan-quarantine")) << ns;
  }
  EXPECT_FALSE(node_tainted());
  EXPECT_EQ(api_->patches.load(), 0);

  const auto& record = observed->records.at("runtime-threats");
  EXPECT_EQ(record.alerts, 3);
  EXPECT_EQ(record.responses.taken, 0);
  EXPECT_EQ(record.responses.skipped, 9) << "three actions refused for each of three alerts";
  ASSERT_EQ(record.recentActions.size(), 9u);
  for (const auto& action : record.recentActions) {
    EXPECT_FALSE(action.succeeded) << action.action << " on " << action.namespace_;
    EXPECT_NE(action.message.find("refused"), std::string::npos) << action.message;
    EXPECT_NE(action.message.find("castellan-sensor"), std::string::npos) << action.message;
  }
}

// Verifies that the same response acts on a pod elsewhere (the refusal above is the guard's
// doing, not a setup that cannot act).
TEST_F(RuntimeReconcilerTest, ActsOnOtherNamespaces) {
  api_->put(kube::kPods, "prod", pod("prod", "victim"));
  auto observed = reconcile({alert("prod", "victim")});
  ASSERT_TRUE(observed.ok()) << observed.error().message;
  EXPECT_FALSE(exists(kube::kPods, "prod", "victim")) << "DeletePod did not delete the pod";
  EXPECT_TRUE(exists(kube::kNetworkPolicies, "prod", "castellan-quarantine"));
  EXPECT_TRUE(node_tainted());
  EXPECT_EQ(observed->records.at("runtime-threats").responses.taken, 3);
}

}  // namespace
}  // namespace castellan::controller
