#include "kube/exec_credential.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace castellan::kube {
namespace {

namespace fs = std::filesystem;
using SystemClock = std::chrono::system_clock;

class ExecCredentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/exec-credential-test-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A plugin that records its args, env and KUBERNETES_EXEC_INFO, and prints `output`.
  std::string plugin(const std::string& output, int exit_code = 0) {
    std::string path = dir_ + "/plugin.sh";
    std::ofstream(path) << "#!/bin/sh\n"
                        << "echo \"$@\" > " << dir_ << "/args\n"
                        << "echo \"$REGION\" > " << dir_ << "/env\n"
                        << "echo \"$KUBERNETES_EXEC_INFO\" > " << dir_ << "/info\n"
                        << "echo run >> " << dir_ << "/runs\n"
                        << "cat <<'JSON'\n"
                        << output << "\nJSON\n"
                        << "echo 'plugin says no' >&2\n"
                        << "exit " << exit_code << "\n";
    chmod(path.c_str(), 0755);
    return path;
  }

  std::string read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  ExecConfig exec(const std::string& command,
                  const std::string& api_version = "client.authentication.k8s.io/v1") {
    ExecConfig config;
    config.api_version = api_version;
    config.command = command;
    config.args = {"--cluster", "dev"};
    config.env = {{"REGION", "eu-west"}};
    config.install_hint = "install the plugin";
    return config;
  }

  std::string dir_;
};

std::string credential(const std::string& token, const std::string& expiry,
                       const std::string& api_version = "client.authentication.k8s.io/v1") {
  std::string status = "\"token\":\"" + token + "\"";
  if (!expiry.empty()) status += ",\"expirationTimestamp\":\"" + expiry + "\"";
  return "{\"apiVersion\":\"" + api_version + "\",\"kind\":\"ExecCredential\",\"status\":{" +
         status + "}}";
}

// Verifies that the plugin runs with its args, env and KUBERNETES_EXEC_INFO, and its token is
// used.
TEST_F(ExecCredentialTest, RunsPluginWithArgsEnvAndExecInfo) {
  ClientConfig cluster;
  cluster.server = "https://10.0.0.1:6443";
  auto config = exec(plugin(credential("tok-1", "")));
  config.provide_cluster_info = true;
  ExecCredentialSource source(config, cluster);
  auto token = source.token();
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(*token, "tok-1");
  EXPECT_EQ(read("args"), "--cluster dev");
  EXPECT_EQ(read("env"), "eu-west");
  auto info = nlohmann::json::parse(read("info"));
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["apiVersion"], "client.authentication.k8s.io/v1");
  EXPECT_EQ(info["spec"]["interactive"], false);
  EXPECT_EQ(info["spec"]["cluster"]["server"], "https://10.0.0.1:6443");
}

// Verifies that the token is cached until shortly before expirationTimestamp, then the plugin
// runs again.
TEST_F(ExecCredentialTest, CachesTokenUntilExpiry) {
  auto now = SystemClock::from_time_t(1893456000);  // 2030-01-01T00:00:00Z
  auto config = exec(plugin(credential("tok", "2030-01-01T00:10:00Z")));
  ExecCredentialSource source(config, ClientConfig{}, [&] { return now; });
  ASSERT_TRUE(source.token().ok());
  now += std::chrono::minutes(5);
  ASSERT_TRUE(source.token().ok());
  EXPECT_EQ(source.runs(), 1);
  now += std::chrono::minutes(5);
  ASSERT_TRUE(source.token().ok());
  EXPECT_EQ(source.runs(), 2);
}

// Verifies that a token without expiry is kept until invalidated (after a 401).
TEST_F(ExecCredentialTest, InvalidateForcesARerun) {
  ExecCredentialSource source(exec(plugin(credential("tok", ""))), ClientConfig{});
  ASSERT_TRUE(source.token().ok());
  ASSERT_TRUE(source.token().ok());
  EXPECT_EQ(source.runs(), 1);
  EXPECT_TRUE(source.invalidate());
  ASSERT_TRUE(source.token().ok());
  EXPECT_EQ(source.runs(), 2);
}

// Verifies that v1beta1 plugins work and that an apiVersion mismatch is reported.
TEST_F(ExecCredentialTest, V1beta1AndVersionMismatch) {
  const std::string beta = "client.authentication.k8s.io/v1beta1";
  ExecCredentialSource ok_source(exec(plugin(credential("b", "", beta)), beta), ClientConfig{});
  auto token = ok_source.token();
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(*token, "b");

  ExecCredentialSource mismatch(exec(plugin(credential("b", "", beta))), ClientConfig{});
  auto bad = mismatch.token();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("apiVersion \"client.authentication.k8s.io/v1beta1\""),
            std::string::npos)
      << bad.error().message;
}

// Verifies that a failing plugin's exit code, stderr and install hint are in the error.
TEST_F(ExecCredentialTest, FailingPluginReportsStderrAndHint) {
  ExecCredentialSource source(exec(plugin("{}", 3)), ClientConfig{});
  auto token = source.token();
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find("exit code 3: plugin says no; install the plugin"),
            std::string::npos)
      << token.error().message;
}

// Verifies that a missing executable is reported with the install hint.
TEST_F(ExecCredentialTest, MissingExecutableIsReported) {
  ExecCredentialSource source(exec(dir_ + "/no-such-plugin"), ClientConfig{});
  auto token = source.token();
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find("cannot run exec plugin"), std::string::npos)
      << token.error().message;
  EXPECT_NE(token.error().message.find("install the plugin"), std::string::npos);
}

// Verifies that malformed plugin output is refused with a reason.
TEST_F(ExecCredentialTest, MalformedOutputIsRefused) {
  const std::string v1 = "client.authentication.k8s.io/v1";
  EXPECT_FALSE(parse_exec_credential("not json", v1).ok());
  EXPECT_FALSE(parse_exec_credential(R"({"kind":"Other","apiVersion":")" + v1 + R"("})", v1).ok());
  auto no_token = parse_exec_credential(
      R"({"kind":"ExecCredential","apiVersion":")" + v1 + R"(","status":{}})", v1);
  ASSERT_FALSE(no_token.ok());
  EXPECT_NE(no_token.error().message.find("neither status.token"), std::string::npos);
  auto bad_time = parse_exec_credential(credential("t", "tomorrow"), v1);
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.error().message.find("expirationTimestamp"), std::string::npos);
}

// Verifies RFC 3339 parsing with fractions and offsets.
TEST(Rfc3339Test, ParsesFractionsAndOffsets) {
  auto base = SystemClock::from_time_t(1893456000);
  EXPECT_EQ(parse_rfc3339("2030-01-01T00:00:00Z"), base);
  EXPECT_EQ(parse_rfc3339("2030-01-01T01:00:00+01:00"), base);
  EXPECT_EQ(parse_rfc3339("2030-01-01T00:00:00.5Z"), base + std::chrono::milliseconds(500));
  EXPECT_FALSE(parse_rfc3339("2030-01-01 00:00:00"));
  EXPECT_FALSE(parse_rfc3339("2030-13-01T00:00:00Z"));
}

}  // namespace
}  // namespace castellan::kube
