#include "policy/mutations.h"

#include <gtest/gtest.h>

#include "policy/json_patch.h"

namespace castellan::policy {
namespace {

using nlohmann::json;

api::Mutations all() { return {true, true, true, true}; }

json pod(json spec, json metadata = json::object()) {
  return {{"kind", "Pod"}, {"metadata", std::move(metadata)}, {"spec", std::move(spec)}};
}

json mutate(const api::Mutations& m, const json& object, json* patch_out = nullptr) {
  const json patch = build_mutation_patch(m, object["metadata"], object["spec"], "/spec");
  if (patch_out != nullptr) *patch_out = patch;
  const auto applied = apply_json_patch(object, patch);
  EXPECT_TRUE(applied.ok()) << (applied.ok() ? "" : applied.error().message) << patch.dump();
  return applied.ok() ? *applied : json();
}

// Verifies that a bare pod gets every field, with parents created in the same operation.
TEST(MutationsTest, BarePodGetsEverything) {
  const json object = pod({{"containers", {{{"name", "app"}, {"image", "nginx:1"}}}}});
  json patch;
  const json out = mutate(all(), object, &patch);
  EXPECT_EQ(out["spec"]["securityContext"],
            (json{{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}));
  EXPECT_EQ(out["spec"]["containers"][0]["securityContext"],
            (json{{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}}));
  EXPECT_EQ(patch.size(), 2u) << patch.dump();
  EXPECT_EQ(patch[0]["path"], "/spec/securityContext");
  EXPECT_EQ(patch[1]["path"], "/spec/containers/0/securityContext");
}

// Verifies that runAsNonRoot: false set by the user is never overwritten.
TEST(MutationsTest, ExplicitFalseIsKept) {
  const json object = pod({{"securityContext", {{"runAsNonRoot", false}}},
                           {"containers", {{{"name", "app"},
                                            {"securityContext", {{"allowPrivilegeEscalation", true}}}}}}});
  const json out = mutate(all(), object);
  EXPECT_EQ(out["spec"]["securityContext"]["runAsNonRoot"], false);
  EXPECT_EQ(out["spec"]["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(out["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"], true);
}

// Verifies that an existing drop list gets ALL appended once, keeping what was there.
TEST(MutationsTest, DropListIsAppendedOnlyWhenAbsent) {
  api::Mutations m;
  m.dropAllCapabilities = true;
  const json object = pod(json::parse(R"({"containers": [
      {"name": "a", "securityContext": {"capabilities": {"drop": ["NET_RAW"], "add": ["NET_BIND_SERVICE"]}}},
      {"name": "b", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]})"));
  json patch;
  const json out = mutate(m, object, &patch);
  EXPECT_EQ(out["spec"]["containers"][0]["securityContext"]["capabilities"],
            (json{{"drop", {"NET_RAW", "ALL"}}, {"add", {"NET_BIND_SERVICE"}}}));
  ASSERT_EQ(patch.size(), 1u);
  EXPECT_EQ(patch[0]["path"], "/spec/containers/0/securityContext/capabilities/drop/-");
}

// Verifies that a user's seccomp profile and the legacy seccomp annotation are respected.
TEST(MutationsTest, SeccompRespectsUserChoice) {
  api::Mutations m;
  m.seccompRuntimeDefault = true;
  const json localhost = pod(json::parse(R"({"containers": [],
      "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}})"));
  EXPECT_TRUE(build_mutation_patch(m, localhost["metadata"], localhost["spec"], "/spec").empty());
  const json annotated = pod({{"containers", json::array()}},
                             {{"annotations", {{"seccomp.security.alpha.kubernetes.io/pod", "unconfined"}}}});
  EXPECT_TRUE(build_mutation_patch(m, annotated["metadata"], annotated["spec"], "/spec").empty());
}

// Verifies that privileged and SYS_ADMIN containers do not get allowPrivilegeEscalation: false,
// which the API server would refuse.
TEST(MutationsTest, PrivilegedContainersKeepEscalation) {
  api::Mutations m;
  m.disallowPrivilegeEscalation = true;
  const json object = pod(json::parse(R"({"containers": [
      {"name": "p", "securityContext": {"privileged": true}},
      {"name": "s", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}},
      {"name": "ok"}]})"));
  json patch;
  mutate(m, object, &patch);
  ASSERT_EQ(patch.size(), 1u);
  EXPECT_EQ(patch[0]["path"], "/spec/containers/2/securityContext");
}

// Verifies that init and ephemeral containers are mutated and that template pointers are used.
TEST(MutationsTest, EveryContainerListUnderATemplate) {
  api::Mutations m;
  m.dropAllCapabilities = true;
  const json deployment = json::parse(R"({"kind": "Deployment", "spec": {"template": {"spec": {
      "containers": [{"name": "a"}],
      "initContainers": [{"name": "i", "securityContext": null}],
      "ephemeralContainers": [{"name": "e", "securityContext": {}}]}}}})");
  const json& spec = deployment["spec"]["template"]["spec"];
  const json patch = build_mutation_patch(m, json::object(), spec, "/spec/template/spec");
  const auto out = apply_json_patch(deployment, patch);
  ASSERT_TRUE(out.ok()) << out.error().message;
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    EXPECT_EQ((*out)["spec"]["template"]["spec"][list][0]["securityContext"]["capabilities"]["drop"],
              json({"ALL"}))
        << list;
  }
  EXPECT_EQ(patch[2]["path"], "/spec/template/spec/ephemeralContainers/0/securityContext/capabilities");
}

// Verifies that applying the patch twice is not needed: a mutated pod yields an empty patch.
TEST(MutationsTest, IdempotentOnMutatedPod) {
  const json object = pod({{"containers", {{{"name", "app"}}}}, {"initContainers", {{{"name", "i"}}}}});
  const json out = mutate(all(), object);
  EXPECT_TRUE(build_mutation_patch(all(), out["metadata"], out["spec"], "/spec").empty());
}

// Verifies that mistyped fields are left alone rather than overwritten or crashed on.
TEST(MutationsTest, MistypedFieldsAreNotOverwritten) {
  const json object = pod({{"securityContext", "oops"}, {"containers", {{{"name", "a"}, {"securityContext", 3}}, "junk"}}});
  EXPECT_TRUE(build_mutation_patch(all(), object["metadata"], object["spec"], "/spec").empty());
}

}  // namespace
}  // namespace castellan::policy
