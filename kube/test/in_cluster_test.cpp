#include "kube/in_cluster.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "kube/transport_auth.h"

namespace castellan::kube {
namespace {

namespace fs = std::filesystem;

class InClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/in-cluster-test-XXXXXX";
    root_ = mkdtemp(pattern);
    env_ = {root_, "10.96.0.1", "443"};
    fs::create_directories(env_.service_account_dir());
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(env_.service_account_dir() + "/" + name) << text;
  }

  std::string root_;
  InClusterEnvironment env_;
};

// Verifies that the service address, CA, token file and namespace come from the pod's files.
TEST_F(InClusterTest, ReadsServiceAccountFiles) {
  write("token", "sa-token\n");
  write("ca.crt", "CA PEM");
  write("namespace", "castellan-system");
  EXPECT_TRUE(in_cluster_available(env_));
  auto config = in_cluster_config(env_);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ca_pem, "CA PEM");
  EXPECT_EQ(config->token_file, env_.service_account_dir() + "/token");
  EXPECT_EQ(config->default_namespace, "castellan-system");
}

// Verifies that an IPv6 service host is bracketed in the URL.
TEST_F(InClusterTest, Ipv6HostIsBracketed) {
  write("token", "t");
  write("ca.crt", "CA");
  env_.host = "fd00::1";
  auto config = in_cluster_config(env_);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
}

// Verifies that missing variables or files give errors saying what is missing.
TEST_F(InClusterTest, MissingPiecesAreErrors) {
  InClusterEnvironment no_host{root_, "", ""};
  EXPECT_FALSE(in_cluster_available(no_host));
  auto a = in_cluster_config(no_host);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);

  EXPECT_FALSE(in_cluster_available(env_));
  auto b = in_cluster_config(env_);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find(env_.service_account_dir() + "/token"), std::string::npos);

  write("token", "t");
  auto c = in_cluster_config(env_);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("ca.crt"), std::string::npos);
}

// Verifies that a rotated token file is picked up by the token source.
TEST_F(InClusterTest, RotatedTokenIsReRead) {
  write("token", "first");
  FileTokenSource source(env_.service_account_dir() + "/token");
  auto first = source.token();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "first");
  // Rotation writes a new file (kubelet swaps a symlink); size differs, so no mtime race.
  write("token", "second-token");
  auto second = source.token();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, "second-token");
}

}  // namespace
}  // namespace castellan::kube
