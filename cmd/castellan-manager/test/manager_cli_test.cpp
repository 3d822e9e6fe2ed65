// Runs the built castellan-manager as a user or CI would: flags, exit codes, serving, reload.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "child.h"
#include "https_client.h"

namespace castellan::webhook::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kBaselinePolicy = R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: baseline-all
spec:
  mode: MODE
  podSecurity:
    level: baseline
)";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string policy(const std::string& mode) {
  std::string text = kBaselinePolicy;
  text.replace(text.find("MODE"), 4, mode);
  return text;
}

std::string privileged_review() {
  json review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", "cli-1"},
        {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
        {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
        {"namespace", "default"},
        {"operation", "CREATE"},
        {"object",
         {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "p"}}},
          {"spec",
           {{"containers",
             {{{"name", "c"}, {"image", "nginx:1.25"},
               {"securityContext", {{"privileged", true}}}}}}}}}}}}};
  return review.dump();
}

class ManagerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/castellan-manager-cli-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::create_directories(dir_ / "policies");
  }
  void TearDown() override { fs::remove_all(dir_); }

  struct Run {
    int exit_code;
    std::string out;
    std::string err;
  };
  Run run(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {CASTELLAN_MANAGER_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    Child child(argv, (dir_ / "stderr").string());
    std::string out;
    while (auto line = child.read_line()) out += *line + "\n";
    int code = child.wait();
    return {code, out, read_file((dir_ / "stderr").string())};
  }

  fs::path dir_;
};

// Verifies that --help documents the flags and exits 0.
TEST_F(ManagerCliTest, HelpExitsZero) {
  auto r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--policies DIR"), std::string::npos);
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
}

// Verifies that a bad flag exits 2 with the flag named.
TEST_F(ManagerCliTest, BadFlagExitsTwo) {
  auto r = run({"--standalone", "--policies", "x", "--webhook-port", "http"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--webhook-port"), std::string::npos) << r.err;
}

// Verifies that an invalid policy stops startup with exit 1, naming the file and the field.
TEST_F(ManagerCliTest, InvalidPolicyExitsOne) {
  write_file(dir_ / "policies" / "bad.yaml", policy("Sometimes"));
  auto r = run({"--standalone", "--policies", (dir_ / "policies").string(), "--webhook-port", "0",
                "--cert-dir", (dir_ / "certs").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("spec.mode"), std::string::npos) << r.err;
}

// Verifies that a missing policy directory exits 1 and says so.
TEST_F(ManagerCliTest, MissingDirectoryExitsOne) {
  auto r = run({"--standalone", "--policies", (dir_ / "nowhere").string(), "--webhook-port", "0",
                "--cert-dir", (dir_ / "certs").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nowhere"), std::string::npos) << r.err;
}

// Verifies the whole standalone life: a generated certificate with the loopback SAN, a
// denial, a policy edit picked up without restart, a bad edit ignored, and SIGTERM exiting 0.
TEST_F(ManagerCliTest, ServesReloadsAndStops) {
  write_file(dir_ / "policies" / "baseline.yaml", policy("Enforce"));
  Child child({CASTELLAN_MANAGER_BIN, "--standalone", "--policies", (dir_ / "policies").string(),
               "--webhook-port", "0", "--cert-dir", (dir_ / "certs").string(),
               "--reload-interval-ms", "50"},
              (dir_ / "stderr").string());
  auto cert_line = child.read_line();
  ASSERT_TRUE(cert_line.has_value()) << read_file((dir_ / "stderr").string());
  ASSERT_EQ(cert_line->rfind("certificate ", 0), 0u) << *cert_line;
  std::string ca = read_file(cert_line->substr(12));
  auto serving = child.read_line();
  ASSERT_TRUE(serving.has_value()) << read_file((dir_ / "stderr").string());
  auto port = static_cast<uint16_t>(std::stoi(serving->substr(serving->rfind(':') + 1)));

  HttpsClient client(port, ca);  // verifies the chain and IP SAN 127.0.0.1
  ASSERT_TRUE(client.connect().ok());
  auto ready = client.request("GET", "/readyz");
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  EXPECT_EQ(ready->status, 200);
  auto denied = client.request("POST", "/validate", privileged_review());
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(json::parse(denied->body)["response"]["allowed"], false);

  write_file(dir_ / "policies" / "baseline.yaml", policy("Audit"));
  bool allowed = false;
  for (int i = 0; i < 200 && !allowed; ++i) {
    auto r = client.request("POST", "/validate", privileged_review());
    ASSERT_TRUE(r.ok());
    allowed = json::parse(r->body)["response"]["allowed"] == true;
    if (!allowed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(allowed) << "the Audit edit was not picked up";

  write_file(dir_ / "policies" / "baseline.yaml", policy("Never"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto still = client.request("POST", "/validate", privileged_review());
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(json::parse(still->body)["response"]["allowed"], true)
      << "a bad edit must leave the last good policies serving";
  EXPECT_NE(read_file((dir_ / "stderr").string()).find("spec.mode"), std::string::npos);

  EXPECT_EQ(child.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace castellan::webhook::testing
