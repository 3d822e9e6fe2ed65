// The shipped sample policies are valid, and every field they use is in the CRD schema.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "api/manifest_loader.h"
#include "api/security_policy_codec.h"

namespace castellan::api {
namespace {

std::vector<Manifest> load(const std::string& relative) {
  std::istringstream no_stdin;
  auto loaded = load_manifests({std::string(CASTELLAN_SOURCE_DIR) + "/" + relative}, no_stdin);
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  return loaded.ok() ? *loaded : std::vector<Manifest>{};
}

// Verifies every sample SecurityPolicy decodes and validates without a single error.
TEST(Samples, EveryPolicyIsValid) {
  int policies = 0;
  for (const auto& m : load("config/samples")) {
    if (m.kind() == "Kustomization") continue;
    auto decoded = decode_security_policy(m.object);
    EXPECT_TRUE(decoded.ok()) << m.location() << "\n" << join(decoded.errors);
    ++policies;
  }
  EXPECT_GE(policies, 4);
}

// Verifies the samples cover the three modes and a runtime section with responses.
TEST(Samples, CoverModesAndRuntime) {
  std::set<Mode> modes;
  bool runtime_with_responses = false;
  for (const auto& m : load("config/samples")) {
    if (m.kind() == "Kustomization") continue;
    auto decoded = decode_security_policy(m.object);
    if (!decoded.ok()) continue;
    modes.insert(decoded.value.spec.mode);
    const auto& runtime = decoded.value.spec.runtime;
    runtime_with_responses =
        runtime_with_responses || (!runtime.rules.empty() && !runtime.responses.empty());
  }
  EXPECT_TRUE(modes.count(Mode::Enforce));
  EXPECT_TRUE(modes.count(Mode::Audit));
  EXPECT_TRUE(runtime_with_responses);
}

}  // namespace
}  // namespace castellan::api
