#include "controller/responses/pod_facts.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

using nlohmann::json;

const std::string kDigest = "sha256:" + std::string(64, 'a');
const std::string kOther = "sha256:" + std::string(64, 'b');

json pod() {
  return {{"metadata",
           {{"name", "web"},
            {"ownerReferences",
             {{{"kind", "Deployment"}, {"name", "x"}},
              {{"kind", "ReplicaSet"}, {"name", "web-1"}, {"controller", true}}}}}},
          {"spec",
           {{"containers",
             {{{"name", "app"}, {"image", "registry.example.com/app:1"}},
              {{"name", "side"}, {"image", "registry.example.com/side@" + kOther}}}}}},
          {"status",
           {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}},
            {"containerStatuses",
             {{{"name", "app"},
               {"containerID", "containerd://abc"},
               {"image", "registry.example.com/app:1"},
               {"imageID", "registry.example.com/app@" + kDigest}},
              {{"name", "side"}, {"containerID", "containerd://def"}, {"imageID", ""}}}}}}};
}

// Verifies that the alerting container's image digest comes from its status by container id.
TEST(PodFactsTest, FindsTheAlertingContainersDigest) {
  auto app = container_image(pod(), "abc");
  ASSERT_TRUE(app.has_value());
  EXPECT_EQ(app->container, "app");
  EXPECT_EQ(app->digest, kDigest);
  EXPECT_EQ(app->image, "registry.example.com/app:1");
  EXPECT_EQ(container_image(pod(), "containerd://abc")->digest, kDigest);
  // No imageID digest: a spec pinned by digest still tells it.
  EXPECT_EQ(container_image(pod(), "def")->digest, kOther);
  EXPECT_FALSE(container_image(pod(), "zzz").has_value());
  // Without an id, only a single-container pod is unambiguous.
  EXPECT_FALSE(container_image(pod(), "").has_value());
  auto single = pod();
  single["status"]["containerStatuses"].erase(1);
  EXPECT_EQ(container_image(single, "")->container, "app");
}

// Verifies that only a well-formed sha256 digest after '@' is taken.
TEST(PodFactsTest, DigestOf) {
  EXPECT_EQ(digest_of("docker-pullable://nginx@" + kDigest), kDigest);
  EXPECT_EQ(digest_of("nginx:1.25"), "");
  EXPECT_EQ(digest_of("nginx@sha256:abc"), "");
  EXPECT_EQ(digest_of("nginx@sha512:" + std::string(64, 'a')), "");
}

// Verifies readiness, the controlling owner and what the minHealthyReplicas guard counts.
TEST(PodFactsTest, ReadinessOwnerAndRemainingReplicas) {
  EXPECT_TRUE(pod_ready(pod()));
  auto unready = pod();
  unready["status"]["conditions"][0]["status"] = "False";
  EXPECT_FALSE(pod_ready(unready));
  auto owner = controller_of(pod());
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->kind, "ReplicaSet");
  EXPECT_EQ(owner->name, "web-1");
  EXPECT_FALSE(controller_of(json{{"metadata", json::object()}}).has_value());
  EXPECT_EQ(ready_after_delete(2, true), 1);
  EXPECT_EQ(ready_after_delete(2, false), 2);
}

// Verifies taints are matched by key and effect.
TEST(PodFactsTest, HasTaint) {
  json node = {
      {"spec",
       {{"taints", {{{"key", kCompromisedTaint}, {"value", "true"}, {"effect", "NoSchedule"}}}}}}};
  EXPECT_TRUE(has_taint(node, kCompromisedTaint, api::TaintEffect::NoSchedule));
  EXPECT_FALSE(has_taint(node, kCompromisedTaint, api::TaintEffect::NoExecute));
  EXPECT_FALSE(has_taint(json::object(), kCompromisedTaint, api::TaintEffect::NoSchedule));
}

// Verifies the quarantine NetworkPolicy denies everything to labelled pods, and that an edited
// one is not taken for it.
TEST(PodFactsTest, QuarantineNetworkPolicy) {
  auto policy = quarantine_network_policy("prod");
  EXPECT_EQ(policy["metadata"]["namespace"], "prod");
  EXPECT_EQ(policy["spec"]["podSelector"]["matchLabels"][kQuarantineLabel], "true");
  EXPECT_FALSE(policy["spec"].contains("ingress"));
  EXPECT_TRUE(is_quarantine_network_policy(policy));
  auto opened = policy;
  opened["spec"]["egress"] = json::array({json::object()});
  EXPECT_FALSE(is_quarantine_network_policy(opened));
  auto narrowed = policy;
  narrowed["spec"]["policyTypes"] = {"Ingress"};
  EXPECT_FALSE(is_quarantine_network_policy(narrowed));
}

}  // namespace
}  // namespace castellan::controller
