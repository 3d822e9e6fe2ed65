#include "api/validation_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace castellan::api {
namespace {

// Verifies label keys and values follow the Kubernetes syntax.
TEST(ValidationRules, LabelKeysAndValues) {
  EXPECT_TRUE(is_label_key("app"));
  EXPECT_TRUE(is_label_key("app.kubernetes.io/name"));
  EXPECT_TRUE(is_label_key("kubernetes.io/metadata.name"));
  EXPECT_FALSE(is_label_key(""));
  EXPECT_FALSE(is_label_key("-app"));
  EXPECT_FALSE(is_label_key("Example.com/app"));
  EXPECT_FALSE(is_label_key("a/b/c"));
  EXPECT_FALSE(is_label_key(std::string(64, 'a')));
  EXPECT_TRUE(is_label_value(""));
  EXPECT_TRUE(is_label_value("v1.2_3-x"));
  EXPECT_FALSE(is_label_value("has space"));
  EXPECT_FALSE(is_label_value("trailing-"));
}

// Verifies namespace globs allow only namespace characters plus * and ?.
TEST(ValidationRules, NamespaceGlobs) {
  EXPECT_TRUE(is_namespace_glob("prod-*"));
  EXPECT_TRUE(is_namespace_glob("team-?"));
  EXPECT_TRUE(is_namespace_glob("*"));
  EXPECT_FALSE(is_namespace_glob(""));
  EXPECT_FALSE(is_namespace_glob("Prod"));
  EXPECT_FALSE(is_namespace_glob("prod_*"));
  EXPECT_FALSE(is_namespace_glob("[a-z]*"));
}

// Verifies registry patterns: host, port, path and globs, no spaces or empty segments.
TEST(ValidationRules, RegistryPatterns) {
  EXPECT_TRUE(is_registry_pattern("registry.example.com/*"));
  EXPECT_TRUE(is_registry_pattern("localhost:5000/team/app"));
  EXPECT_TRUE(is_registry_pattern("docker.io/library/*"));
  EXPECT_FALSE(is_registry_pattern("reg istry/*"));
  EXPECT_FALSE(is_registry_pattern("a.io//b"));
  EXPECT_FALSE(is_registry_pattern("/a"));
  EXPECT_FALSE(is_registry_pattern("a.io/b@sha256"));
  EXPECT_FALSE(is_registry_pattern(""));
}

// Verifies digests must be sha256 with 64 lower-case hex digits.
TEST(ValidationRules, Digests) {
  EXPECT_TRUE(is_sha256_digest("sha256:" + std::string(64, 'f')));
  EXPECT_FALSE(is_sha256_digest("sha256:" + std::string(64, 'F')));
  EXPECT_FALSE(is_sha256_digest("sha256:" + std::string(63, 'a')));
  EXPECT_FALSE(is_sha256_digest("sha512:" + std::string(64, 'a')));
  EXPECT_FALSE(is_sha256_digest(std::string(64, 'a')));
}

// Verifies IPv4 and IPv6 CIDRs, with prefix bounds.
TEST(ValidationRules, Cidrs) {
  EXPECT_TRUE(is_cidr("10.0.0.0/8"));
  EXPECT_TRUE(is_cidr("192.168.1.1/32"));
  EXPECT_FALSE(is_cidr("192.168.1.1"));
  EXPECT_TRUE(is_cidr("fd00::/8"));
  EXPECT_TRUE(is_cidr("::1/128"));
  EXPECT_FALSE(is_cidr("10.0.0.0/33"));
  EXPECT_FALSE(is_cidr("::/129"));
  EXPECT_FALSE(is_cidr("10.0.0/8"));
  EXPECT_FALSE(is_cidr("10.0.0.0/"));
  EXPECT_FALSE(is_cidr("10.0.0.0/-1"));
  EXPECT_FALSE(is_cidr("example.com/8"));
}

// Verifies URLs and absolute paths.
TEST(ValidationRules, UrlsAndPaths) {
  EXPECT_TRUE(is_http_url("https://hooks.example.com/x"));
  EXPECT_TRUE(is_http_url("http://127.0.0.1:8080"));
  EXPECT_FALSE(is_http_url("https://"));
  EXPECT_FALSE(is_http_url("ftp://x"));
  EXPECT_FALSE(is_http_url("https://a b"));
  EXPECT_TRUE(is_absolute_path("/etc"));
  EXPECT_TRUE(is_absolute_path("/usr/local/bin/"));
  EXPECT_FALSE(is_absolute_path("etc"));
  EXPECT_FALSE(is_absolute_path("/usr/../bin"));
  EXPECT_FALSE(is_absolute_path("/./x"));
}

}  // namespace
}  // namespace castellan::api
