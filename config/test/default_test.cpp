// config/default as a cluster would take it, with no kubectl and no cluster: the
// kustomizations are read directly (their resources and bases).
//  - Every workload passes the Pod Security level its own Namespace enforces, judged by
//    Castellan's engine: an API server before 1.23 has no Pod Security admission to refuse a
//    workload placed in a namespace too strict for it, so this test does.
//  - Castellan's binaries accept the arguments their containers are given.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/manifest_loader.h"
#include "api/security_policy_codec.h"
#include "e2e/command.h"
#include "policy/pod_template.h"
#include "policy/policy_snapshot.h"
#include "policy/static_namespace_labels.h"

namespace castellan {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kEnforceLabel = "pod-security.kubernetes.io/enforce";
constexpr const char* kNameLabel = "kubernetes.io/metadata.name";

const fs::path kSource = CASTELLAN_SOURCE_DIR;

// Every object a kustomization renders to, as long as it only lists resources and bases:
// anything that would change the objects (patches, images, namespace, name prefixes,
// generators) is reported instead of silently left out.
struct Rendered {
  std::vector<api::Manifest> objects;
  std::vector<std::string> errors;
};

void render(const fs::path& dir, Rendered& out) {
  const fs::path file = dir / "kustomization.yaml";
  std::istringstream no_stdin;
  auto loaded = api::load_manifests({file.string()}, no_stdin);
  if (!loaded.ok() || loaded->size() != 1) {
    out.errors.push_back(file.string() + ": " +
                         (loaded.ok() ? "not one document" : loaded.error().message));
    return;
  }
  const json& kustomization = loaded->front().object;
  static const std::set<std::string> kUnderstood = {"apiVersion", "kind", "resources", "bases"};
  for (const auto& [key, value] : kustomization.items()) {
    if (!kUnderstood.count(key)) {
      out.errors.push_back(file.string() + " uses `" + key +
                           "`, which this test does not apply: teach it before relying on it");
    }
  }
  for (const char* list : {"resources", "bases"}) {
    for (const auto& entry : kustomization.value(list, json::array())) {
      const fs::path path = (dir / entry.get<std::string>()).lexically_normal();
      if (fs::is_directory(path)) {
        render(path, out);
        continue;
      }
      auto objects = api::load_manifests({path.string()}, no_stdin);
      if (!objects.ok()) {
        out.errors.push_back(objects.error().message);
        continue;
      }
      for (auto& m : *objects) out.objects.push_back(std::move(m));
    }
  }
}

bool is_workload(const api::Manifest& m) {
  static const std::set<std::string> kinds = {"Pod",         "Deployment", "DaemonSet",
                                              "StatefulSet", "ReplicaSet", "ReplicationController",
                                              "Job",         "CronJob"};
  return kinds.count(m.kind()) != 0;
}

std::string label(const api::Manifest& m, const char* key) {
  return m.object.value("/metadata/labels"_json_pointer, json::object()).value(key, "");
}

std::string describe(const api::Manifest& m) {
  return m.kind() + " " + m.namespace_name() + "/" + m.name() + " (" + m.location() + ")";
}

// A SecurityPolicy that enforces `level` everywhere and nothing else.
policy::PolicySnapshotPtr enforcing(const std::string& level) {
  json object = {{"apiVersion", "castellan.io/v1alpha1"},
                 {"kind", "SecurityPolicy"},
                 {"metadata", {{"name", "pod-security-" + level}}},
                 {"spec",
                  {{"mode", "Enforce"},
                   {"exclude", {{"namespaces", json::array()}}},
                   {"podSecurity", {{"level", level}}}}}};
  auto policy = api::parse_security_policy(object);
  EXPECT_TRUE(policy.ok()) << policy.error().message;
  if (!policy.ok()) return nullptr;
  return policy::PolicySnapshot::compile({*policy});
}

// What the engine finds wrong with `m` under `snapshot`; empty when it passes.
std::vector<std::string> violations(const policy::PolicySnapshot& snapshot,
                                    const policy::StaticNamespaceLabels& namespaces,
                                    const api::Manifest& m) {
  auto evaluation = snapshot.evaluate(m.object, namespaces);
  if (!evaluation.error.empty()) return {evaluation.error};
  if (evaluation.results.size() != 1) return {"the policy did not apply to it"};
  std::vector<std::string> out;
  for (const auto& v : evaluation.results[0].violations) {
    out.push_back(v.rule + " at " + v.field + ": " + v.message);
  }
  return out;
}

class ConfigDefault : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rendered_ = new Rendered;
    render(kSource / "config" / "default", *rendered_);
  }
  static void TearDownTestSuite() {
    delete rendered_;
    rendered_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(rendered_->errors.empty()) << rendered_->errors.front();
    for (const auto& m : rendered_->objects) {
      if (m.kind() == "Namespace") {
        levels_[m.name()] = label(m, kEnforceLabel);
        labels_.set(
            m.name(),
            m.object.value("/metadata/labels"_json_pointer, json::object()).get<policy::Labels>());
      }
      if (is_workload(m)) workloads_.push_back(&m);
    }
  }

  static Rendered* rendered_;
  std::map<std::string, std::string> levels_;  // Namespace -> its enforce label
  policy::StaticNamespaceLabels labels_;
  std::vector<const api::Manifest*> workloads_;
};

Rendered* ConfigDefault::rendered_ = nullptr;

// Verifies that every Namespace config/default creates says which Pod Security level it
// enforces, and carries kubernetes.io/metadata.name itself, so that the webhooks'
// namespaceSelector leaves Castellan's namespaces out on API servers before 1.21 too.
TEST_F(ConfigDefault, NamespacesDeclareTheirLevelAndName) {
  ASSERT_FALSE(levels_.empty());
  for (const auto& m : rendered_->objects) {
    if (m.kind() != "Namespace") continue;
    const std::string level = label(m, kEnforceLabel);
    EXPECT_TRUE(level == "privileged" || level == "baseline" || level == "restricted")
        << describe(m) << ": " << kEnforceLabel << " is \"" << level << "\"";
    EXPECT_EQ(label(m, kNameLabel), m.name()) << describe(m);
  }
  EXPECT_EQ(levels_["castellan-system"], "restricted") << "the manager runs restricted";
}

// Verifies that every workload in config/default lives in a Namespace config/default creates,
// and passes the Pod Security level that Namespace enforces (the sensor, with hostPID, hostPath
// volumes, uid 0 and added capabilities, only in a privileged one).
TEST_F(ConfigDefault, EveryWorkloadPassesItsNamespaceLevel) {
  std::set<std::string> found;
  for (const auto* m : workloads_) {
    found.insert(m->kind() + " " + m->namespace_name() + "/" + m->name());
    auto level = levels_.find(m->namespace_name());
    ASSERT_NE(level, levels_.end())
        << describe(*m) << " is in a namespace config/default does not create";
    auto snapshot = enforcing(level->second);
    ASSERT_NE(snapshot, nullptr);
    for (const auto& v : violations(*snapshot, labels_, *m)) {
      ADD_FAILURE() << describe(*m) << " fails " << level->second << ", which namespace "
                    << m->namespace_name() << " enforces: " << v;
    }
  }
  // The evaluation above must have had Castellan's own workloads to judge.
  EXPECT_TRUE(found.count("Deployment castellan-system/castellan-manager"));
  EXPECT_TRUE(found.count("DaemonSet castellan-sensor/castellan-sensor"));
}

// Verifies that workloads in a restricted namespace also meet the container rules of
// config/test/restricted-everywhere.yaml: CPU and memory limits and a read-only root
// filesystem.
TEST_F(ConfigDefault, RestrictedWorkloadsHaveLimitsAndReadOnlyRoot) {
  std::istringstream no_stdin;
  auto loaded = api::load_manifests(
      {(kSource / "config" / "test" / "restricted-everywhere.yaml").string()}, no_stdin);
  ASSERT_TRUE(loaded.ok() && loaded->size() == 1) << (loaded.ok() ? "" : loaded.error().message);
  auto policy = api::parse_security_policy(loaded->front().object);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  auto snapshot = policy::PolicySnapshot::compile({*policy});
  size_t judged = 0;
  for (const auto* m : workloads_) {
    if (levels_[m->namespace_name()] != "restricted") continue;
    ++judged;
    for (const auto& v : violations(*snapshot, labels_, *m))
      ADD_FAILURE() << describe(*m) << ": " << v;
  }
  EXPECT_GT(judged, 0u);
}

// The built binary that runs in a container of `image` (castellan-manager:latest -> its path).
std::string binary_for(const std::string& image) {
  const std::string repository = image.substr(0, image.rfind(':'));
  const std::string name = repository.substr(repository.rfind('/') + 1);
  if (name == "castellan-manager") return CASTELLAN_MANAGER_BIN;
#ifdef CASTELLAN_SENSOR_BIN
  if (name == "castellan-sensor") return CASTELLAN_SENSOR_BIN;
#endif
  return {};
}

// Verifies that each of Castellan's binaries accepts the arguments its container is given:
// run with them and --help, which checks every flag before it, it exits 0.
TEST_F(ConfigDefault, ContainersArgsAreAccepted) {
  size_t checked = 0;
  for (const auto* m : workloads_) {
    auto pod = policy::extract_pod_template(m->object);
    ASSERT_TRUE(pod.ok()) << describe(*m) << ": " << pod.error().message;
    for (const auto& container : pod->spec->value("containers", json::array())) {
      const std::string image = container.value("image", "");
      const std::string binary = binary_for(image);
      if (binary.empty()) {
        ADD_FAILURE() << describe(*m) << ": no built binary for image " << image
                      << " (castellan-sensor is built with CASTELLAN_BUILD_SENSOR)";
        continue;
      }
      std::vector<std::string> argv = {binary};
      for (const auto& arg : container.value("args", json::array())) argv.push_back(arg);
      argv.push_back("--help");
      auto ran = e2e::run_command(argv);
      ASSERT_TRUE(ran.ok()) << ran.error().message;
      EXPECT_EQ(ran->exit_code, 0)
          << describe(*m) << ": " << binary << " refused its args: " << ran->err;
      ++checked;
    }
  }
  EXPECT_GE(checked, 2u);
}

// Verifies why the sensor has a namespace of its own: its DaemonSet fails baseline (and so
// restricted) on host namespaces, hostPath volumes and capabilities.
TEST_F(ConfigDefault, SensorNeedsPrivileged) {
  const api::Manifest* sensor = nullptr;
  for (const auto* m : workloads_) {
    if (m->kind() == "DaemonSet" && m->name() == "castellan-sensor") sensor = m;
  }
  ASSERT_NE(sensor, nullptr);
  auto snapshot = enforcing("baseline");
  ASSERT_NE(snapshot, nullptr);
  auto found = violations(*snapshot, labels_, *sensor);
  auto has = [&](const std::string& rule) {
    for (const auto& v : found) {
      if (v.rfind(rule + " ", 0) == 0) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("podSecurity.baseline.hostNamespaces"));
  EXPECT_TRUE(has("podSecurity.baseline.hostPathVolumes"));
  EXPECT_TRUE(has("podSecurity.baseline.capabilities"));
  EXPECT_EQ(levels_[sensor->namespace_name()], "privileged");
}

}  // namespace
}  // namespace castellan
