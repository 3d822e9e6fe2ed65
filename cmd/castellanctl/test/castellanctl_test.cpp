// Runs the built castellanctl binary, as a CI pipeline would, and checks exit codes and output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "castellanctl-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& relative, const std::string& text) const {
    fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path(const std::string& relative = {}) const { return (path_ / relative).string(); }

 private:
  fs::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs castellanctl with `args`, stdin from `input`, in the source directory.
CliRun castellanctl(const std::vector<std::string>& args, const std::string& input = {}) {
  TempDir io;
  const std::string in_path = io.write("stdin", input);
  const std::string out_path = io.path("stdout"), err_path = io.path("stderr");
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(CASTELLAN_SOURCE_DIR) != 0) _exit(127);
    if (!freopen(in_path.c_str(), "r", stdin) || !freopen(out_path.c_str(), "w", stdout) ||
        !freopen(err_path.c_str(), "w", stderr)) {
      _exit(127);
    }
    std::vector<char*> argv{const_cast<char*>(CASTELLANCTL_BIN)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(CASTELLANCTL_BIN, argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(out_path);
  run.err = slurp(err_path);
  return run;
}

const char* kEnforcePolicy = R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: no-privileged}
spec:
  mode: Enforce
  podSecurity: {level: baseline}
  mutations: {runAsNonRoot: true}
)";

const char* kAuditPolicy = R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: audit-latest}
spec:
  mode: Audit
  images: {disallowLatestTag: true}
)";

const char* kPrivilegedPod = R"(apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
  - name: app
    image: nginx:1.25
    securityContext: {privileged: true}
)";

const char* kPlainPod = R"(apiVersion: v1
kind: Pod
metadata: {name: plain}
spec:
  containers:
  - {name: app, image: "nginx:latest"}
)";

// Verifies that an Enforce denial exits 1 and the JSON has the documented shape.
TEST(Castellanctl, EnforceDenialExitsOneWithJsonShape) {
  TempDir dir;
  auto policy = dir.write("policy.yaml", kEnforcePolicy);
  auto pod = dir.write("k8s/web.yaml", kPrivilegedPod);
  CliRun run = castellanctl({"check", "--policy", policy, "--resource", pod, "--output", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  json out = json::parse(run.out);
  ASSERT_EQ(out["results"].size(), 1u);
  const json& r = out["results"][0];
  EXPECT_EQ(r["resource"], json({{"apiVersion", "v1"},
                                 {"kind", "Pod"},
                                 {"namespace", "shop"},
                                 {"name", "web"},
                                 {"source", pod}}));
  EXPECT_EQ(r["policy"], "no-privileged");
  EXPECT_EQ(r["mode"], "Enforce");
  EXPECT_EQ(r["allowed"], false);
  ASSERT_FALSE(r["violations"].empty());
  EXPECT_EQ(r["violations"][0]["rule"], "podSecurity.baseline.privileged");
  EXPECT_THAT(r["violations"][0]["message"].get<std::string>(), HasSubstr("app"));
  EXPECT_EQ(r["violations"][0]["podSecurity"], "baseline:latest");
  EXPECT_EQ(r["violations"][0].size(), 3u);
  ASSERT_TRUE(r.contains("patch"));
  EXPECT_TRUE(r["patch"].is_array());
  EXPECT_EQ(out["summary"],
            json({{"resources", 1}, {"evaluations", 1}, {"denied", 1}, {"warned", 0}}));
}

// Verifies that Audit findings exit 0, count as warned, and carry no patch without mutations.
TEST(Castellanctl, AuditFindingsExitZero) {
  TempDir dir;
  auto policy = dir.write("policy.yaml", kAuditPolicy);
  auto pod = dir.write("pod.yaml", kPlainPod);
  CliRun run = castellanctl({"check", "-p", policy, "-r", pod, "-o", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  json out = json::parse(run.out);
  ASSERT_EQ(out["results"].size(), 1u);
  EXPECT_EQ(out["results"][0]["allowed"], true);
  EXPECT_EQ(out["results"][0]["resource"]["namespace"], "default");
  EXPECT_FALSE(out["results"][0].contains("patch"));
  EXPECT_EQ(out["summary"]["warned"], 1);
  EXPECT_EQ(out["summary"]["denied"], 0);
}

// Verifies one result per (resource, matching policy), across multi-document and List input.
TEST(Castellanctl, OneResultPerResourceAndMatchingPolicy) {
  TempDir dir;
  dir.write("policies/a.yaml", std::string(kEnforcePolicy) + "---\n" + kAuditPolicy);
  auto list = dir.write("list.json", R"({"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "x"},
     "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}},
    {"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "metadata": {"name": "vj"},
     "spec": {"tasks": []}}]})");
  CliRun run = castellanctl({"check", "--policy", dir.path("policies"), "--resource", list,
                             dir.write("pod.yaml", kPlainPod), "-o", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  json out = json::parse(run.out);
  EXPECT_EQ(out["summary"]["resources"], 2);
  EXPECT_EQ(out["summary"]["evaluations"], 4);
  EXPECT_EQ(out["results"][0]["resource"]["kind"], "Deployment");
  EXPECT_EQ(out["results"][0]["policy"], "audit-latest");
  EXPECT_EQ(out["results"][1]["policy"], "no-privileged");
}

// Verifies Namespace objects among the resources feed namespaceSelector.
TEST(Castellanctl, NamespaceLabelsDriveNamespaceSelector) {
  TempDir dir;
  auto policy = dir.write("p.yaml", R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: prod-only}
spec:
  mode: Enforce
  match: {namespaceSelector: {matchLabels: {env: production}}}
  podSecurity: {level: baseline}
)");
  auto resources = dir.write("r.yaml", std::string(R"(apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {env: production}}
---
)") + kPrivilegedPod);
  CliRun labelled = castellanctl({"check", "-p", policy, "-r", resources, "-o", "json"});
  EXPECT_EQ(labelled.exit_code, 1) << labelled.err;
  CliRun unlabelled = castellanctl(
      {"check", "-p", policy, "-r", dir.write("pod.yaml", kPrivilegedPod), "-o", "json"});
  EXPECT_EQ(unlabelled.exit_code, 0) << unlabelled.err;
  EXPECT_EQ(json::parse(unlabelled.out)["summary"]["evaluations"], 0);
}

// Verifies an invalid policy exits 2 naming file, document and field.
TEST(Castellanctl, InvalidPolicyExitsTwoNamingFileDocumentAndField) {
  TempDir dir;
  auto policy = dir.write("bad.yaml", std::string(kAuditPolicy) + R"(---
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: bad}
spec:
  images: {allowedRegistries: [a.io/*, "reg istry/*"]}
)");
  CliRun run = castellanctl({"check", "-p", policy, "-r", dir.write("pod.yaml", kPlainPod)});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr(policy + ", document 2: SecurityPolicy \"bad\": "
                                          "spec.images.allowedRegistries[1]: \"reg istry/*\" is "
                                          "not a valid registry pattern"));
}

// Verifies YAML that does not parse exits 2 naming file, document and line.
TEST(Castellanctl, BrokenYamlExitsTwo) {
  TempDir dir;
  auto resource = dir.write("broken.yaml", std::string(kPlainPod) + "---\nkind: [Pod\n");
  CliRun run = castellanctl({"check", "-p", dir.write("p.yaml", kAuditPolicy), "-r", resource});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(resource + ": document 2: line "));
}

// Verifies missing paths, bad flags and wrong kinds in --policy are bad input.
TEST(Castellanctl, BadInvocationsExitTwo) {
  CliRun missing = castellanctl({"check", "-p", "/nonexistent/p.yaml", "-r", "examples"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/p.yaml: no such file or directory"));

  CliRun no_resource = castellanctl({"check", "-p", "config/samples"});
  EXPECT_EQ(no_resource.exit_code, 2);
  EXPECT_THAT(no_resource.err, HasSubstr("--resource is required"));

  CliRun bad_output =
      castellanctl({"check", "-p", "config/samples", "-r", "examples", "-o", "xml"});
  EXPECT_EQ(bad_output.exit_code, 2);
  EXPECT_THAT(bad_output.err, HasSubstr("must be table or json"));

  TempDir dir;
  auto pod = dir.write("pod.yaml", kPlainPod);
  CliRun wrong_kind = castellanctl({"check", "-p", pod, "-r", pod});
  EXPECT_EQ(wrong_kind.exit_code, 2);
  EXPECT_THAT(wrong_kind.err, HasSubstr(pod + ", document 1: expected a SecurityPolicy"));

  EXPECT_EQ(castellanctl({"frobnicate"}).exit_code, 2);

  CliRun empty_stdin = castellanctl({"check", "-p", "config/samples", "-r", "-"}, "");
  EXPECT_EQ(empty_stdin.exit_code, 2);
  EXPECT_THAT(empty_stdin.err, HasSubstr("no manifests found in the --resource paths"));
}

// Verifies a malformed pod-bearing resource is bad input naming where it came from.
TEST(Castellanctl, MalformedResourceExitsTwo) {
  TempDir dir;
  auto resource = dir.write("d.yaml",
                            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
                            "spec: {template: 5}\n");
  CliRun run = castellanctl({"check", "-p", dir.write("p.yaml", kEnforcePolicy), "-r", resource});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(resource + ", document 1: Deployment d: "));
  EXPECT_THAT(run.err, HasSubstr("spec.template"));
}

// Verifies resources can come from stdin.
TEST(Castellanctl, ReadsResourcesFromStdin) {
  TempDir dir;
  CliRun run =
      castellanctl({"check", "-p", dir.write("p.yaml", kEnforcePolicy), "-r", "-", "-o", "json"},
                   kPrivilegedPod);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(json::parse(run.out)["results"][0]["resource"]["source"], "<stdin>");
}

// Verifies the table is aligned, uncoloured off a terminal, and ends with the summary line.
TEST(Castellanctl, TablePrintsRowsViolationsAndSummary) {
  TempDir dir;
  CliRun run = castellanctl({"check", "-p", dir.write("p.yaml", kEnforcePolicy), "-r",
                             dir.write("pod.yaml", kPrivilegedPod)});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out.find('\033'), std::string::npos);
  std::istringstream lines(run.out);
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_EQ(header.find("POLICY"), row.find("no-privileged"));
  EXPECT_EQ(header.find("RESULT"), row.find("DENIED"));
  EXPECT_THAT(run.out, HasSubstr("- podSecurity.baseline.privileged: "));
  EXPECT_THAT(run.out,
              ::testing::EndsWith("Checked 1 resource against 1 policy: 1 evaluation, 1 denied, 0 "
                                  "warned, 0 allowed\n"));
  CliRun colored = castellanctl(
      {"check", "--color=always", "-p", dir.path("p.yaml"), "-r", dir.path("pod.yaml")});
  EXPECT_THAT(colored.out, HasSubstr("\033[1;31mDENIED\033[0m"));
}

const std::string kQuarantinedDigest = "sha256:" + std::string(64, 'e');

// An Audit policy as `kubectl get securitypolicy -o yaml` prints it, status included.
std::string quarantine_policy(bool with_status) {
  std::string out = R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: runtime-threats
  uid: 0b7f6f7c-3a0e-4d5b-9a77-5e1c2f0c9a11
  resourceVersion: "4242"
  generation: 3
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  mode: Audit
  images: {disallowLatestTag: true}
)";
  if (with_status) {
    out += "status:\n  observedGeneration: 3\n  quarantinedDigests:\n  - digest: " +
           kQuarantinedDigest + "\n    image: registry.example.com/app@" + kQuarantinedDigest +
           "\n    rule: shell-in-container\n    namespace: shop\n    pod: web-1\n"
           "    node: node-a\n    time: \"2026-01-05T10:00:00Z\"\n"
           "    alert: sh ran in container app\n";
  }
  return out;
}

// Verifies that a policy file carrying a status denies an image whose digest it quarantines,
// although the policy is in Audit mode, and that the same policy without status only audits.
TEST(Castellanctl, QuarantinedDigestFromStatusDenies) {
  TempDir dir;
  std::string manifest = R"(apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
  - {name: app, image: "IMAGE"}
  - {name: sidecar, image: "registry.example.com/proxy:latest"}
)";
  manifest.replace(manifest.find("IMAGE"), 5, "registry.example.com/app@" + kQuarantinedDigest);
  const std::string pod = dir.write("pod.yaml", manifest);
  CliRun run =
      castellanctl({"check", "-p", dir.write("with-status/p.yaml", quarantine_policy(true)), "-r",
                    pod, "-o", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  json out = json::parse(run.out);
  ASSERT_EQ(out["results"].size(), 1u) << run.out;
  const json& r = out["results"][0];
  EXPECT_EQ(r["mode"], "Audit");
  EXPECT_EQ(r["allowed"], false);
  ASSERT_EQ(r["violations"].size(), 2u) << r.dump();
  EXPECT_EQ(r["violations"][0]["rule"], "images.quarantinedDigest");
  EXPECT_THAT(r["violations"][0]["message"].get<std::string>(),
              HasSubstr("castellan.io/release-digests=" + kQuarantinedDigest));
  EXPECT_EQ(out["summary"]["denied"], 1);
  EXPECT_EQ(out["summary"]["warned"], 0);

  CliRun table = castellanctl({"check", "-p", dir.path("with-status/p.yaml"), "-r", pod});
  EXPECT_EQ(table.exit_code, 1);
  EXPECT_THAT(table.out, HasSubstr("DENIED (quarantined image)"));
  EXPECT_THAT(table.out, HasSubstr("- images.quarantinedDigest: container \"app\""));

  CliRun spec_only =
      castellanctl({"check", "-p", dir.write("spec-only/p.yaml", quarantine_policy(false)), "-r",
                    pod, "-o", "json"});
  EXPECT_EQ(spec_only.exit_code, 0) << spec_only.err;
  json audit = json::parse(spec_only.out);
  EXPECT_EQ(audit["results"][0]["allowed"], true);
  EXPECT_EQ(audit["summary"]["warned"], 1);
}

// Verifies the README's main command: the samples against the examples, both verdicts shown.
TEST(Castellanctl, SamplesAgainstExamplesShowAllowedAndDenied) {
  CliRun run = castellanctl(
      {"check", "--policy", "config/samples", "--resource", "examples", "--output", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  json out = json::parse(run.out);
  int allowed = 0, denied = 0;
  for (const auto& r : out["results"]) (r["allowed"] == true ? allowed : denied)++;
  EXPECT_GT(allowed, 0);
  EXPECT_GT(denied, 0);
}

// Verifies --help on every command and version.
TEST(Castellanctl, HelpAndVersion) {
  CliRun help = castellanctl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("castellanctl check"));
  CliRun check_help = castellanctl({"check", "--help"});
  EXPECT_EQ(check_help.exit_code, 0);
  EXPECT_THAT(check_help.out, HasSubstr("Exit codes:"));
  CliRun version = castellanctl({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, ::testing::StartsWith("castellanctl "));
}

}  // namespace

namespace {

const char* kKeepalivePod = R"(apiVersion: v1
kind: Pod
metadata: {name: tuned, namespace: shop}
spec:
  securityContext:
    sysctls: [{name: net.ipv4.tcp_keepalive_time, value: "600"}]
  containers:
  - name: app
    image: nginx:1.27
)";

// Verifies --pod-security reaches every level and version with no policy file, naming the version.
TEST(Castellanctl, PodSecurityFlagPinsLevelAndVersion) {
  TempDir dir;
  const auto pod = dir.write("pod.yaml", kKeepalivePod);
  CliRun old = castellanctl({"check", "--pod-security", "baseline:v1.28", "-r", pod});
  EXPECT_EQ(old.exit_code, 1) << old.err;
  EXPECT_THAT(old.out, HasSubstr("pod-security-baseline-v1-28"));
  EXPECT_THAT(old.out, HasSubstr("podSecurity.baseline.sysctls [baseline:v1.28]"));

  CliRun newer = castellanctl({"check", "--pod-security=baseline:v1.29", "-r", pod, "-o", "json"});
  EXPECT_EQ(newer.exit_code, 0) << newer.err;
  CliRun restricted =
      castellanctl({"check", "--pod-security", "restricted", "-r", pod, "-o", "json"});
  EXPECT_EQ(restricted.exit_code, 1);
  const json out = json::parse(restricted.out);
  EXPECT_EQ(out["results"][0]["violations"][0]["podSecurity"], "restricted:latest");

  CliRun bad = castellanctl({"check", "--pod-security", "restricted:1.29", "-r", pod});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("version \"1.29\" is not latest or a release v1.N"));
}

// Verifies --pod-security namespace-labels applies the Namespace's Pod Security admission labels
// and --user reaches the exemptions of a policy.
TEST(Castellanctl, NamespaceLabelsAndExemptUser) {
  TempDir dir;
  const auto resources = dir.write("all.yaml", std::string(R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.28
    pod-security.kubernetes.io/warn: restricted
---
)") + kKeepalivePod);
  CliRun labels = castellanctl({"check", "--pod-security", "namespace-labels", "-r", resources});
  EXPECT_EQ(labels.exit_code, 1) << labels.out << labels.err;
  EXPECT_THAT(labels.out, HasSubstr("podSecurity.baseline.sysctls [baseline:v1.28, Enforce]"));
  EXPECT_THAT(labels.out,
              HasSubstr("podSecurity.restricted.runAsNonRoot [restricted:latest, Warn]"));

  const auto policy = dir.write("policy.yaml", R"(apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: baseline-except-ci}
spec:
  mode: Enforce
  podSecurity:
    level: baseline
    version: v1.28
    exemptions: {usernames: [ci-bot]}
)");
  EXPECT_EQ(castellanctl({"check", "-p", policy, "-r", resources}).exit_code, 1);
  EXPECT_EQ(castellanctl({"check", "-p", policy, "-r", resources, "--user", "ci-bot"}).exit_code,
            0);
}

}  // namespace
