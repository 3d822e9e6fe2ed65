#include "policy/image_rules.h"

#include <gtest/gtest.h>

namespace castellan::policy {
namespace {

using nlohmann::json;

const std::string kSha = "sha256:" + std::string(64, 'b');

std::vector<Violation> check(const api::ImageRules& rules, const std::string& image) {
  const json spec = {{"containers", {{{"name", "app"}, {"image", image}}}}};
  return ImageRuleSet(rules).check(spec, "");
}

std::vector<std::string> rules_of(const std::vector<Violation>& vs) {
  std::vector<std::string> out;
  for (const auto& v : vs) out.push_back(v.rule);
  return out;
}

api::ImageRules allowed(std::vector<std::string> patterns) {
  api::ImageRules r;
  r.allowedRegistries = std::move(patterns);
  return r;
}

// Verifies that "registry/*" allows nested repositories and nothing outside the registry.
TEST(ImageRulesTest, RegistryStarMatchesNestedPaths) {
  const auto rules = allowed({"registry.example.com/*"});
  EXPECT_TRUE(check(rules, "registry.example.com/app:1").empty());
  EXPECT_TRUE(check(rules, "registry.example.com/team/sub/app:1").empty());
  EXPECT_FALSE(check(rules, "registry.example.com.evil.io/app:1").empty());
  EXPECT_FALSE(check(rules, "evil.io/registry.example.com/app:1").empty());
  EXPECT_FALSE(check(rules, "nginx:1").empty());
}

// Verifies that a pattern without a slash is matched against the registry host alone.
TEST(ImageRulesTest, RegistryOnlyPattern) {
  const auto rules = allowed({"*.example.com", "localhost:5000"});
  EXPECT_TRUE(check(rules, "eu.example.com/a/b:1").empty());
  EXPECT_TRUE(check(rules, "localhost:5000/app:1").empty());
  EXPECT_FALSE(check(rules, "localhost:5001/app:1").empty());
  EXPECT_FALSE(check(rules, "example.com/app:1").empty());
}

// Verifies that short Docker Hub names match patterns written in the normalized form.
TEST(ImageRulesTest, DockerHubNamesAreNormalized) {
  EXPECT_TRUE(check(allowed({"docker.io/library/*"}), "nginx:1").empty());
  EXPECT_TRUE(check(allowed({"docker.io/nginx"}), "nginx:1").empty());
  EXPECT_TRUE(check(allowed({"docker.io/bitnami/*"}), "bitnami/redis:7").empty());
  EXPECT_FALSE(check(allowed({"docker.io/bitnami/*"}), "nginx:1").empty());
}

// Verifies that a disallowed image names the container, the image, the field and the allowed list.
TEST(ImageRulesTest, AllowedRegistriesMessage) {
  const auto vs = check(allowed({"registry.example.com/*"}), "evil.io/x:1");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0].rule, "images.allowedRegistries");
  EXPECT_EQ(vs[0].field, "spec.containers[0].image");
  EXPECT_NE(vs[0].message.find("container \"app\""), std::string::npos);
  EXPECT_NE(vs[0].message.find("\"evil.io/x:1\""), std::string::npos);
  EXPECT_NE(vs[0].message.find("registry.example.com/*"), std::string::npos);
}

// Verifies that requireDigest refuses tags alone and accepts tag plus digest.
TEST(ImageRulesTest, RequireDigest) {
  api::ImageRules r;
  r.requireDigest = true;
  EXPECT_EQ(rules_of(check(r, "nginx:1.25")), std::vector<std::string>{"images.requireDigest"});
  EXPECT_TRUE(check(r, "nginx@" + kSha).empty());
  EXPECT_TRUE(check(r, "nginx:1.25@" + kSha).empty());
}

// Verifies that disallowLatestTag refuses :latest and a missing tag, but not a digest alone.
TEST(ImageRulesTest, DisallowLatestTag) {
  api::ImageRules r;
  r.disallowLatestTag = true;
  EXPECT_EQ(rules_of(check(r, "nginx:latest")), std::vector<std::string>{"images.disallowLatestTag"});
  const auto untagged = check(r, "nginx");
  ASSERT_EQ(untagged.size(), 1u);
  EXPECT_NE(untagged[0].message.find("no tag"), std::string::npos);
  EXPECT_TRUE(check(r, "nginx:1.25").empty());
  EXPECT_TRUE(check(r, "nginx@" + kSha).empty());
  EXPECT_FALSE(check(r, "nginx:latest@" + kSha).empty());
}

// Verifies that a denied digest is refused whatever the tag or registry.
TEST(ImageRulesTest, DeniedDigests) {
  api::ImageRules r;
  r.deniedDigests = {kSha};
  EXPECT_EQ(rules_of(check(r, "registry.example.com/app:1@" + kSha)),
            std::vector<std::string>{"images.deniedDigests"});
  EXPECT_TRUE(check(r, "registry.example.com/app@sha256:" + std::string(64, 'c')).empty());
  EXPECT_TRUE(check(r, "registry.example.com/app:1").empty());
}

// Verifies that a malformed or missing image is a violation, not a crash or a silent pass.
TEST(ImageRulesTest, MalformedReferenceIsAViolation) {
  api::ImageRules r;
  r.requireDigest = true;
  const auto vs = check(r, "Registry.example.com/App");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0].rule, "images.validReference");
  EXPECT_NE(vs[0].message.find("lowercase"), std::string::npos);
  const json spec = {{"containers", {{{"name", "a"}}, {{"name", "b"}, {"image", 7}}, "junk"}}};
  EXPECT_EQ(ImageRuleSet(r).check(spec, "").size(), 3u);
}

// Verifies that init and ephemeral container images are checked, with full field paths.
TEST(ImageRulesTest, ChecksEveryContainerList) {
  api::ImageRules r;
  r.disallowLatestTag = true;
  const json spec = {{"containers", {{{"name", "app"}, {"image", "nginx:1"}}}},
                     {"initContainers", {{{"name", "init"}, {"image", "busybox"}}}},
                     {"ephemeralContainers", {{{"name", "debug"}, {"image", "alpine:latest"}}}}};
  const auto vs = ImageRuleSet(r).check(spec, "spec.template.");
  ASSERT_EQ(vs.size(), 2u);
  EXPECT_EQ(vs[0].field, "spec.template.spec.initContainers[0].image");
  EXPECT_EQ(vs[1].field, "spec.template.spec.ephemeralContainers[0].image");
  EXPECT_NE(vs[1].message.find("\"debug\""), std::string::npos);
}

// Verifies that a rule set with no rules checks nothing, even malformed images.
TEST(ImageRulesTest, InactiveRulesCheckNothing) {
  EXPECT_FALSE(ImageRuleSet(api::ImageRules{}).active());
  EXPECT_TRUE(check(api::ImageRules{}, "Not A Reference").empty());
}

// Verifies that a quarantine alone makes the rule set active, and that a record holding only
// its digest still gives a readable message with the release command.
TEST(ImageRulesTest, QuarantineWithOnlyADigest) {
  api::QuarantinedDigest q;
  q.digest = kSha;
  const ImageRuleSet rules(api::ImageRules{}, "runtime-threats", {q});
  EXPECT_TRUE(rules.active());
  const json spec = {{"containers", {{{"name", "app"}, {"image", "quay.io/app@" + kSha}}}}};
  const auto vs = rules.check(spec, "");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0].rule, "images.quarantinedDigest");
  EXPECT_EQ(vs[0].message, "container \"app\" image \"quay.io/app@" + kSha +
                               "\" is quarantined by SecurityPolicy runtime-threats. Release it "
                               "with: kubectl annotate securitypolicy runtime-threats "
                               "castellan.io/release-digests=" +
                               kSha);
  EXPECT_TRUE(
      rules.check({{"containers", {{{"name", "app"}, {"image", "Not A Reference"}}}}}, "").size() ==
      1u)
      << "an active rule set reports a malformed reference";
}

}  // namespace
}  // namespace castellan::policy
