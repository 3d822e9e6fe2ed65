#include "policy/image_reference.h"

#include <gtest/gtest.h>

namespace castellan::policy {
namespace {

const std::string kSha = "sha256:" + std::string(64, 'a');

struct Good {
  std::string input;
  std::string registry;
  std::string repository;
  std::string tag;     // empty = none
  std::string digest;  // empty = none
  std::string canonical;
};

class ValidReferenceTest : public ::testing::TestWithParam<Good> {};

// Verifies that valid references normalize the way Docker and containerd resolve them.
TEST_P(ValidReferenceTest, Normalizes) {
  const Good& c = GetParam();
  const auto ref = parse_image_reference(c.input);
  ASSERT_TRUE(ref.ok()) << c.input << ": " << ref.error().message;
  EXPECT_EQ(ref->registry, c.registry);
  EXPECT_EQ(ref->repository, c.repository);
  EXPECT_EQ(ref->tag.value_or(""), c.tag);
  EXPECT_EQ(ref->digest.value_or(""), c.digest);
  EXPECT_EQ(ref->canonical(), c.canonical);
}

INSTANTIATE_TEST_SUITE_P(
    References, ValidReferenceTest,
    ::testing::Values(
        Good{"nginx", "docker.io", "library/nginx", "", "", "docker.io/library/nginx:latest"},
        Good{"nginx:1.25", "docker.io", "library/nginx", "1.25", "", "docker.io/library/nginx:1.25"},
        Good{"bitnami/redis:7", "docker.io", "bitnami/redis", "7", "", "docker.io/bitnami/redis:7"},
        Good{"docker.io/nginx", "docker.io", "library/nginx", "", "", "docker.io/library/nginx:latest"},
        Good{"index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", "",
             "docker.io/library/nginx:1"},
        Good{"registry.example.com/team/app:v1.2.3", "registry.example.com", "team/app", "v1.2.3",
             "", "registry.example.com/team/app:v1.2.3"},
        Good{"localhost/app", "localhost", "app", "", "", "localhost/app:latest"},
        Good{"localhost:5000/a/b@" + kSha, "localhost:5000", "a/b", "", kSha,
             "localhost:5000/a/b@" + kSha},
        Good{"quay.io/org/app:1.0@" + kSha, "quay.io", "org/app", "1.0", kSha,
             "quay.io/org/app:1.0@" + kSha},
        Good{"gcr.io/a/b/c/d", "gcr.io", "a/b/c/d", "", "", "gcr.io/a/b/c/d:latest"},
        Good{"10.0.0.1:5000/app", "10.0.0.1:5000", "app", "", "", "10.0.0.1:5000/app:latest"},
        Good{"[::1]:5000/app:x", "[::1]:5000", "app", "x", "", "[::1]:5000/app:x"},
        Good{"my-registry.local:443/a_b/c__d/e-f/g---h/i.j:Tag_1.0-rc", "my-registry.local:443",
             "a_b/c__d/e-f/g---h/i.j", "Tag_1.0-rc", "",
             "my-registry.local:443/a_b/c__d/e-f/g---h/i.j:Tag_1.0-rc"},
        Good{"Registry.Example.com/app", "Registry.Example.com", "app", "", "",
             "Registry.Example.com/app:latest"},
        Good{"app@sha512:" + std::string(128, 'f'), "docker.io", "library/app", "",
             "sha512:" + std::string(128, 'f'),
             "docker.io/library/app@sha512:" + std::string(128, 'f')},
        Good{"app:" + std::string(128, 't'), "docker.io", "library/app", std::string(128, 't'), "",
             "docker.io/library/app:" + std::string(128, 't')}));

struct Bad {
  std::string input;
  std::string why;  // a fragment of the error message
};

class MalformedReferenceTest : public ::testing::TestWithParam<Bad> {};

// Verifies that malformed references are errors that quote the reference and say what is wrong.
TEST_P(MalformedReferenceTest, IsAClearError) {
  const Bad& c = GetParam();
  const auto ref = parse_image_reference(c.input);
  ASSERT_FALSE(ref.ok()) << c.input << " parsed as " << ref->canonical();
  EXPECT_NE(ref.error().message.find("\"" + c.input + "\""), std::string::npos) << ref.error().message;
  EXPECT_NE(ref.error().message.find(c.why), std::string::npos) << ref.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    References, MalformedReferenceTest,
    ::testing::Values(
        Bad{"", "empty"},
        Bad{"Nginx", "must be lowercase"},
        Bad{"registry.example.com/Team/app", "must be lowercase"},
        Bad{"nginx:", "tag is empty"},
        Bad{"nginx:-x", "must start with"},
        Bad{"nginx:a+b", "may only hold"},
        Bad{"nginx:" + std::string(129, 't'), "longer than 128"},
        Bad{"nginx@sha256:abc", "64 lower-case hex"},
        Bad{"nginx@sha256:" + std::string(64, 'A'), "64 lower-case hex"},
        Bad{"nginx@sha256:" + std::string(63, 'a'), "64 lower-case hex"},
        Bad{"nginx@sha256:" + std::string(64, 'g'), "not hex digits"},
        Bad{"nginx@md5:" + std::string(32, 'a'), "not supported"},
        Bad{"nginx@" + std::string(64, 'a'), "algorithm:hex"},
        Bad{"nginx@sha256:" + std::string(64, 'a') + "@sha256:" + std::string(64, 'a'),
            "more than one '@'"},
        Bad{"a//b", "empty path component"},
        Bad{"registry.example.com/", "empty path component"},
        Bad{"/app", "empty path component"},
        Bad{"app/", "empty path component"},
        Bad{"-app", "path component"},
        Bad{"app-", "path component"},
        Bad{"a..b", "path component"},
        Bad{"a___b", "path component"},
        Bad{"reg_istry.io/app", "not a valid host name"},
        Bad{"localhost:port/app", "not a number"},
        Bad{"localhost:/app", "empty port"},
        Bad{"[::1/app", "unclosed"},
        Bad{"[zz]:5000/app", "IPv6"},
        Bad{"nginx latest", "may only hold"},
        Bad{"registry.example.com/" + std::string(250, 'a'), "255 characters"},
        Bad{std::string(64, 'a'), "image ID"}));

// Verifies that digests validate algorithm and length.
TEST(ValidateDigestTest, AcceptsKnownAlgorithmsOnly) {
  EXPECT_TRUE(validate_digest(kSha).ok());
  EXPECT_TRUE(validate_digest("sha384:" + std::string(96, '0')).ok());
  EXPECT_FALSE(validate_digest("sha256:" + std::string(65, 'a')).ok());
  EXPECT_FALSE(validate_digest("sha256").ok());
  EXPECT_FALSE(validate_digest("1sha:" + std::string(64, 'a')).ok());
  EXPECT_FALSE(validate_digest("sha256+:" + std::string(64, 'a')).ok());
}

// Verifies that the effective tag is latest only when neither tag nor digest is given.
TEST(ImageReferenceTest, EffectiveTag) {
  EXPECT_EQ(parse_image_reference("nginx")->effective_tag().value_or(""), "latest");
  EXPECT_EQ(parse_image_reference("nginx:1")->effective_tag().value_or(""), "1");
  EXPECT_FALSE(parse_image_reference("nginx@" + kSha)->effective_tag().has_value());
}

}  // namespace
}  // namespace castellan::policy
