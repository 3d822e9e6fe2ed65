#include "kube/kubeconfig.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "common/base64.h"
#include "kube/client_config.h"

namespace castellan::kube {
namespace {

namespace fs = std::filesystem;

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kubeconfig-test-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_;
};

const char* kBasic = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: pki/ca.crt
- name: prod-cluster
  cluster:
    server: https://prod.example.com
    insecure-skip-tls-verify: true
    tls-server-name: api.prod.example.com
users:
- name: dev-user
  user:
    token: dev-token
- name: prod-user
  user:
    tokenFile: secrets/token
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
)";

// Verifies that the current context's cluster, CA file (relative to the kubeconfig), token and
// namespace end up in the client configuration.
TEST_F(KubeconfigTest, CurrentContextGivesServerCaTokenAndNamespace) {
  write("pki/ca.crt", "CA PEM");
  std::string path = write("config", kBasic);
  auto kubeconfig = load_kubeconfig({path}, true);
  ASSERT_TRUE(kubeconfig.ok()) << kubeconfig.error().message;
  auto config = client_config_from_kubeconfig(*kubeconfig);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, "CA PEM");
  EXPECT_EQ(config->bearer_token, "dev-token");
  EXPECT_EQ(config->default_namespace, "team-a");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
}

// Verifies that a named context is used instead of current-context, with tokenFile resolved
// against the kubeconfig's folder.
TEST_F(KubeconfigTest, NamedContextWithTokenFileAndInsecure) {
  std::string path = write("config", kBasic);
  auto kubeconfig = load_kubeconfig({path}, true);
  ASSERT_TRUE(kubeconfig.ok());
  auto config = client_config_from_kubeconfig(*kubeconfig, "prod");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server, "https://prod.example.com");
  EXPECT_TRUE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->tls_server_name, "api.prod.example.com");
  EXPECT_EQ(config->token_file, dir_ + "/secrets/token");
  EXPECT_EQ(config->default_namespace, "default");
}

// Verifies that the -data forms are base64-decoded and win over file paths.
TEST_F(KubeconfigTest, DataFieldsAreDecoded) {
  std::string text =
      "current-context: c\nclusters:\n- name: k\n  cluster:\n    server: https://h\n"
      "    certificate-authority-data: " +
      base64_encode("CA") +
      "\n    certificate-authority: /nonexistent\nusers:\n- name: u\n  user:\n"
      "    client-certificate-data: " +
      base64_encode("CERT") + "\n    client-key-data: " + base64_encode("KEY") +
      "\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n";
  auto kubeconfig = parse_kubeconfig(text, "/x/config");
  ASSERT_TRUE(kubeconfig.ok()) << kubeconfig.error().message;
  auto config = client_config_from_kubeconfig(*kubeconfig);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->ca_pem, "CA");
  EXPECT_EQ(config->client_cert_pem, "CERT");
  EXPECT_EQ(config->client_key_pem, "KEY");
}

// Verifies that invalid base64 is reported with the file and the field path.
TEST_F(KubeconfigTest, BadBase64NamesFileAndField) {
  std::string text = "users:\n- name: u\n  user:\n    client-key-data: '!!not base64!!'\n";
  auto kubeconfig = parse_kubeconfig(text, "/etc/kube/config");
  ASSERT_FALSE(kubeconfig.ok());
  EXPECT_EQ(kubeconfig.error().message,
            "kubeconfig /etc/kube/config: users[0].user.client-key-data: not valid base64");
}

// Verifies that malformed YAML is reported with the file and line.
TEST_F(KubeconfigTest, MalformedYamlNamesFileAndLine) {
  auto kubeconfig = parse_kubeconfig("clusters:\n- name: a\n  cluster: [unclosed\n", "/k/config");
  ASSERT_FALSE(kubeconfig.ok());
  EXPECT_NE(kubeconfig.error().message.find("kubeconfig /k/config: line "), std::string::npos)
      << kubeconfig.error().message;
}

// Verifies that wrong shapes name the field: a list that is a map, a bool that is not one.
TEST_F(KubeconfigTest, WrongTypesNameTheField) {
  auto a = parse_kubeconfig("clusters: {a: b}\n", "/k");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message, "kubeconfig /k: clusters: expected a list");
  auto b = parse_kubeconfig(
      "clusters:\n- name: a\n  cluster: {server: https://x, insecure-skip-tls-verify: maybe}\n",
      "/k");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("clusters[0].cluster.insecure-skip-tls-verify"),
            std::string::npos)
      << b.error().message;
  auto c = parse_kubeconfig("users:\n- user: {token: t}\n", "/k");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "kubeconfig /k: users[0].name: missing");
}

// Verifies that references to undefined contexts, clusters and users are errors naming them.
TEST_F(KubeconfigTest, UndefinedReferencesAreErrors) {
  std::string path = write("config", kBasic);
  auto kubeconfig = load_kubeconfig({path}, true);
  ASSERT_TRUE(kubeconfig.ok());
  auto missing = client_config_from_kubeconfig(*kubeconfig, "staging");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("context \"staging\" is not defined"), std::string::npos);

  auto dangling = parse_kubeconfig(
      "current-context: c\ncontexts:\n- name: c\n  context: {cluster: gone}\n", "/k");
  ASSERT_TRUE(dangling.ok());
  auto result = client_config_from_kubeconfig(*dangling);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "kubeconfig /k: contexts[\"c\"].context.cluster: cluster \"gone\" is not defined");
}

// Verifies that a certificate-authority file that cannot be read names the field and the path.
TEST_F(KubeconfigTest, UnreadableCaFileNamesFieldAndPath) {
  std::string path = write("config", kBasic);  // pki/ca.crt not written
  auto kubeconfig = load_kubeconfig({path}, true);
  ASSERT_TRUE(kubeconfig.ok());
  auto config = client_config_from_kubeconfig(*kubeconfig);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("clusters[\"dev-cluster\"].cluster.certificate-authority: "
                                        "cannot read " +
                                        dir_ + "/pki/ca.crt"),
            std::string::npos)
      << config.error().message;
}

// Verifies kubectl's merge rules: the first file to define a name wins, the first
// current-context wins, and missing files in the list are skipped.
TEST_F(KubeconfigTest, MergesListsLikeKubectl) {
  std::string first = write("a", R"(current-context: from-a
clusters:
- name: shared
  cluster: {server: https://a.example}
contexts:
- name: from-a
  context: {cluster: shared}
)");
  std::string second = write("b", R"(current-context: from-b
clusters:
- name: shared
  cluster: {server: https://b.example}
- name: only-b
  cluster: {server: https://only-b.example}
contexts:
- name: from-b
  context: {cluster: only-b}
)");
  auto paths = split_kubeconfig_paths(dir_ + "/missing:" + first + "::" + second);
  ASSERT_EQ(paths.size(), 3u);
  auto kubeconfig = load_kubeconfig(paths, false);
  ASSERT_TRUE(kubeconfig.ok()) << kubeconfig.error().message;
  EXPECT_EQ(kubeconfig->current_context, "from-a");
  EXPECT_EQ(kubeconfig->clusters.at("shared").server, "https://a.example");
  auto config_b = client_config_from_kubeconfig(*kubeconfig, "from-b");
  ASSERT_TRUE(config_b.ok());
  EXPECT_EQ(config_b->server, "https://only-b.example");

  auto none = load_kubeconfig({dir_ + "/nope1", dir_ + "/nope2"}, false);
  EXPECT_FALSE(none.ok());
  auto required = load_kubeconfig({dir_ + "/nope1"}, true);
  ASSERT_FALSE(required.ok());
  EXPECT_EQ(required.error().message, "kubeconfig " + dir_ + "/nope1: file does not exist");
}

// Verifies that an exec plugin's command, args and env are read, a relative command is
// resolved against the kubeconfig, and a bare command name is left for PATH.
TEST_F(KubeconfigTest, ExecPluginIsParsed) {
  auto kubeconfig = parse_kubeconfig(R"(users:
- name: a
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, dev]
      env: [{name: REGION, value: eu}]
      installHint: install get-token
      provideClusterInfo: true
- name: b
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}
- name: c
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1}
)",
                                     "/home/me/.kube/config");
  ASSERT_FALSE(kubeconfig.ok());
  EXPECT_EQ(kubeconfig.error().message,
            "kubeconfig /home/me/.kube/config: users[2].user.exec.command: missing");

  auto good = parse_kubeconfig(R"(users:
- name: a
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, dev]
      env: [{name: REGION, value: eu}]
      provideClusterInfo: true
- name: b
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}
)",
                               "/home/me/.kube/config");
  ASSERT_TRUE(good.ok()) << good.error().message;
  const auto& a = *good->users.at("a").exec;
  EXPECT_EQ(a.command, "/home/me/.kube/bin/get-token");
  EXPECT_EQ(a.args, (std::vector<std::string>{"--cluster", "dev"}));
  ASSERT_EQ(a.env.size(), 1u);
  EXPECT_EQ(a.env[0].first, "REGION");
  EXPECT_TRUE(a.provide_cluster_info);
  EXPECT_EQ(good->users.at("b").exec->command, "aws");
}

// Verifies that an auth-provider user is refused with a message saying what to use instead.
TEST_F(KubeconfigTest, AuthProviderIsRefused) {
  auto kubeconfig = parse_kubeconfig(R"(current-context: c
clusters: [{name: k, cluster: {server: https://h}}]
users: [{name: u, user: {auth-provider: {name: gcp}}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
)",
                                     "/k");
  ASSERT_TRUE(kubeconfig.ok());
  auto config = client_config_from_kubeconfig(*kubeconfig);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("auth-provider: auth provider plugins are not supported"),
            std::string::npos);
}

// Verifies that load_client_config honours $KUBECONFIG lists and an explicit path first.
TEST_F(KubeconfigTest, LoadClientConfigUsesKubeconfigEnvironment) {
  write("pki/ca.crt", "CA");
  std::string path = write("config", kBasic);
  setenv("KUBECONFIG", (dir_ + "/absent:" + path).c_str(), 1);
  auto config = load_client_config({});
  unsetenv("KUBECONFIG");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");

  auto explicit_missing = load_client_config({dir_ + "/absent", "", ""});
  ASSERT_FALSE(explicit_missing.ok());
  EXPECT_NE(explicit_missing.error().message.find("file does not exist"), std::string::npos);

  auto named = load_client_config({path, "prod", ""});
  ASSERT_TRUE(named.ok()) << named.error().message;
  EXPECT_EQ(named->server, "https://prod.example.com");
}

}  // namespace
}  // namespace castellan::kube
