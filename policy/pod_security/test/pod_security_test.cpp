#include "policy/pod_security/pod_security.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace castellan::policy {
namespace {

using api::PodSecurityLevel;
using nlohmann::json;
namespace rules = pss_rules;

std::vector<Violation> check(PodSecurityLevel level, const json& spec,
                             const json& metadata = json::object()) {
  return check_pod_security(pss::Profile::of(level, {}), metadata, spec);
}

const Violation* find_rule(const std::vector<Violation>& violations, const std::string& rule) {
  for (const Violation& v : violations) {
    if (v.rule == rule) return &v;
  }
  return nullptr;
}

json restricted_container(const std::string& name) {
  return {{"name", name},
          {"image", "registry.example.com/app@sha256:0123"},
          {"securityContext",
           {{"allowPrivilegeEscalation", false},
            {"runAsNonRoot", true},
            {"runAsUser", 10001},
            {"readOnlyRootFilesystem", true},
            {"seccompProfile", {{"type", "RuntimeDefault"}}},
            {"capabilities", {{"drop", {"ALL"}}, {"add", {"NET_BIND_SERVICE"}}}}}}};
}

// Verifies that a pod following every restricted control yields no violation at any level.
TEST(PodSecurity, RestrictedCompliantPodYieldsNothing) {
  const json spec = {
      {"securityContext",
       {{"runAsNonRoot", true},
        {"seccompProfile", {{"type", "RuntimeDefault"}}},
        {"sysctls", {{{"name", "net.ipv4.ip_unprivileged_port_start"}, {"value", "0"}}}}}},
      {"initContainers", {restricted_container("setup")}},
      {"containers", {restricted_container("app"), restricted_container("sidecar")}},
      {"volumes",
       {{{"name", "config"}, {"configMap", {{"name", "app"}}}},
        {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data"}}}}}}};
  const json metadata = {
      {"annotations", {{"container.apparmor.security.beta.kubernetes.io/app", "runtime/default"}}}};
  EXPECT_TRUE(check(PodSecurityLevel::Restricted, spec, metadata).empty());
  EXPECT_TRUE(check(PodSecurityLevel::Baseline, spec, metadata).empty());
}

// Verifies that the privileged level checks nothing, even on a pod that breaks every control.
TEST(PodSecurity, PrivilegedLevelReportsNothing) {
  const json spec = {
      {"hostNetwork", true},
      {"containers", {{{"name", "app"}, {"securityContext", {{"privileged", true}}}}}}};
  EXPECT_TRUE(check(PodSecurityLevel::Privileged, spec).empty());
  EXPECT_TRUE(check(PodSecurityLevel::Privileged, "not a spec").empty());
}

// Verifies that a minimal pod passes baseline but fails restricted on the controls that need
// explicit settings.
TEST(PodSecurity, MinimalPodPassesBaselineButNotRestricted) {
  const json spec = {{"containers", {{{"name", "app"}, {"image", "nginx"}}}}};
  EXPECT_TRUE(check(PodSecurityLevel::Baseline, spec).empty());
  const auto violations = check(PodSecurityLevel::Restricted, spec);
  EXPECT_NE(find_rule(violations, rules::kAllowPrivilegeEscalation), nullptr);
  EXPECT_NE(find_rule(violations, rules::kRunAsNonRoot), nullptr);
  EXPECT_NE(find_rule(violations, rules::kRestrictedSeccomp), nullptr);
  EXPECT_NE(find_rule(violations, rules::kRestrictedCapabilities), nullptr);
  EXPECT_EQ(violations.size(), 4u);
}

// Verifies that a privileged container is named, located and told what to change.
TEST(PodSecurity, PrivilegedMessageNamesContainerAndField) {
  const json spec = {
      {"containers", {{{"name", "app"}, {"securityContext", {{"privileged", true}}}}}}};
  const auto violations = check(PodSecurityLevel::Baseline, spec);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, "podSecurity.baseline.privileged");
  EXPECT_EQ(violations[0].field, "spec.containers[0].securityContext.privileged");
  EXPECT_EQ(violations[0].message,
            "container \"app\": securityContext.privileged is true; set it to false or remove it");
}

// Verifies that init and ephemeral containers are named by their kind and located in their list.
TEST(PodSecurity, InitAndEphemeralContainersAreNamedByKind) {
  const json spec = {
      {"initContainers",
       {{{"name", "first"}},
        {{"name", "setup"}, {"securityContext", {{"capabilities", {{"add", {"SYS_ADMIN"}}}}}}}}},
      {"containers", {{{"name", "app"}}}},
      {"ephemeralContainers",
       {{{"name", "debug"}, {"securityContext", {{"procMount", "Unmasked"}}}}}}};
  const auto violations = check(PodSecurityLevel::Baseline, spec);
  const Violation* capability = find_rule(violations, rules::kBaselineCapabilities);
  ASSERT_NE(capability, nullptr);
  EXPECT_EQ(capability->field, "spec.initContainers[1].securityContext.capabilities.add[0]");
  EXPECT_EQ(capability->message.rfind("initContainer \"setup\": ", 0), 0u) << capability->message;
  EXPECT_NE(capability->message.find("\"SYS_ADMIN\""), std::string::npos);
  const Violation* proc_mount = find_rule(violations, rules::kProcMount);
  ASSERT_NE(proc_mount, nullptr);
  EXPECT_EQ(proc_mount->field, "spec.ephemeralContainers[0].securityContext.procMount");
  EXPECT_EQ(proc_mount->message.rfind("ephemeralContainer \"debug\": ", 0), 0u);
}

// Verifies that every offending container gets its own violation.
TEST(PodSecurity, EachOffendingContainerIsReported) {
  const json bad = {{"privileged", true}};
  const json spec = {{"containers",
                      {{{"name", "a"}, {"securityContext", bad}},
                       {{"name", "b"}},
                       {{"name", "c"}, {"securityContext", bad}}}}};
  const auto violations = check(PodSecurityLevel::Baseline, spec);
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].field, "spec.containers[0].securityContext.privileged");
  EXPECT_EQ(violations[1].field, "spec.containers[2].securityContext.privileged");
}

// Verifies that pod-level fields are reported with their pod path.
TEST(PodSecurity, PodLevelFieldsUsePodPaths) {
  const json spec = {{"securityContext", {{"runAsUser", 0}, {"runAsNonRoot", true}}},
                     {"hostPID", true},
                     {"containers", {restricted_container("app")}}};
  const auto violations = check(PodSecurityLevel::Restricted, spec);
  const Violation* user = find_rule(violations, rules::kRunAsUser);
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->field, "spec.securityContext.runAsUser");
  EXPECT_EQ(user->message.rfind("pod: spec.securityContext.runAsUser is 0", 0), 0u)
      << user->message;
  const Violation* pid = find_rule(violations, rules::kHostNamespaces);
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(pid->field, "spec.hostPID");
}

// Verifies that AppArmor annotations are located under metadata.annotations by key.
TEST(PodSecurity, AppArmorAnnotationIsLocatedByKey) {
  const json metadata = {
      {"annotations", {{"container.apparmor.security.beta.kubernetes.io/app", "unconfined"}}}};
  const auto violations =
      check(PodSecurityLevel::Baseline, {{"containers", {{{"name", "app"}}}}}, metadata);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, rules::kAppArmor);
  EXPECT_EQ(violations[0].field,
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]");
  EXPECT_NE(violations[0].message.find("\"unconfined\""), std::string::npos);
}

// Verifies that restricted reports a hostPath volume as a volume type, not twice.
TEST(PodSecurity, RestrictedReportsHostPathOnceAsVolumeType) {
  json spec = {{"securityContext",
                {{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
               {"containers", {restricted_container("app")}},
               {"volumes",
                {{{"name", "ok"}, {"emptyDir", json::object()}},
                 {{"name", "host"}, {"hostPath", {{"path", "/var/run"}}}}}}};
  const auto restricted = check(PodSecurityLevel::Restricted, spec);
  ASSERT_EQ(restricted.size(), 1u);
  EXPECT_EQ(restricted[0].rule, rules::kVolumeTypes);
  EXPECT_EQ(restricted[0].field, "spec.volumes[1].hostPath");
  EXPECT_EQ(restricted[0].message.rfind("volume \"host\": ", 0), 0u);
  const auto baseline = check(PodSecurityLevel::Baseline, spec);
  ASSERT_EQ(baseline.size(), 1u);
  EXPECT_EQ(baseline[0].rule, rules::kHostPathVolumes);
  EXPECT_EQ(baseline[0].field, "spec.volumes[1].hostPath");
}

// Verifies that a container without runAsNonRoot is told it may set it on itself or the pod.
TEST(PodSecurity, ImplicitRunAsNonRootNamesBothPlaces) {
  json container = restricted_container("app");
  container["securityContext"].erase("runAsNonRoot");
  const json spec = {{"securityContext", {{"seccompProfile", {{"type", "RuntimeDefault"}}}}},
                     {"containers", {container}}};
  const auto violations = check(PodSecurityLevel::Restricted, spec);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "spec.containers[0].securityContext.runAsNonRoot");
  EXPECT_NE(violations[0].message.find("on the container or on the pod"), std::string::npos);
}

// Verifies that a container without a name is identified by its index.
TEST(PodSecurity, UnnamedContainerIsIdentifiedByIndex) {
  const json spec = {{"containers", {{{"securityContext", {{"privileged", true}}}}}}};
  const auto violations = check(PodSecurityLevel::Baseline, spec);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].message.rfind("container [0]: ", 0), 0u) << violations[0].message;
}

// Verifies that a field of the wrong type is a violation of its control that says so.
TEST(PodSecurity, WrongFieldTypeIsAViolationOfItsControl) {
  const json spec = {
      {"containers", {{{"name", "app"}, {"securityContext", {{"privileged", "true"}}}}}}};
  const auto violations = check(PodSecurityLevel::Baseline, spec);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, rules::kPrivileged);
  EXPECT_EQ(violations[0].field, "spec.containers[0].securityContext.privileged");
  EXPECT_NE(violations[0].message.find("must be a boolean, not a string (\"true\")"),
            std::string::npos)
      << violations[0].message;
}

// Verifies that a fractional runAsUser is rejected as malformed, as the API server would.
TEST(PodSecurity, FractionalRunAsUserIsMalformed) {
  json container = restricted_container("app");
  container["securityContext"]["runAsUser"] = 0.0;
  const json spec = {{"containers", {container}}};
  const auto violations = check(PodSecurityLevel::Restricted, spec);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, rules::kRunAsUser);
  EXPECT_NE(violations[0].message.find("must be an integer"), std::string::npos);
}

// Verifies that an allowPrivilegeEscalation given as a string does not count as false.
TEST(PodSecurity, StringFalseDoesNotSatisfyAllowPrivilegeEscalation) {
  json container = restricted_container("app");
  container["securityContext"]["allowPrivilegeEscalation"] = "false";
  const auto violations = check(PodSecurityLevel::Restricted, {{"containers", {container}}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, rules::kAllowPrivilegeEscalation);
}

// Verifies that a spec whose structure is wrong is reported precisely instead of ignored.
TEST(PodSecurity, MalformedStructureIsReported) {
  struct Case {
    json metadata;
    json spec;
    std::string field;
  };
  const std::vector<Case> cases = {
      {json::object(), "spec", "spec"},
      {json::object(), {{"containers", "app"}}, "spec.containers"},
      {json::object(), {{"initContainers", {1}}}, "spec.initContainers[0]"},
      {json::object(), {{"containers", {{{"name", 7}}}}}, "spec.containers[0].name"},
      {json::object(),
       {{"containers", {{{"name", "a"}, {"securityContext", "x"}}}}},
       "spec.containers[0].securityContext"},
      {json::object(), {{"securityContext", {1, 2}}}, "spec.securityContext"},
      {json::object(), {{"os", {{"name", 1}}}}, "spec.os.name"},
      {json::object(), {{"hostUsers", "false"}}, "spec.hostUsers"},
      {"meta", json::object(), "metadata"},
  };
  for (const Case& c : cases) {
    const auto violations =
        check_pod_security(pss::Profile::of(PodSecurityLevel::Baseline, {}), c.metadata, c.spec);
    const Violation* v = find_rule(violations, rules::kMalformedSpec);
    ASSERT_NE(v, nullptr) << c.spec.dump();
    EXPECT_EQ(v->field, c.field);
  }
}

// Verifies that wrong types anywhere a control reads never throw and never pass silently.
TEST(PodSecurity, WrongTypesEverywhereNeverThrowAndNeverPass) {
  enum class Kind { Bool, String, Int, Object, Array };
  struct Target {
    std::string pointer;
    Kind kind;
    bool restricted_only = false;  // read only by restricted controls
  };
  const std::vector<Target> container_targets = {
      {"/securityContext/privileged", Kind::Bool},
      {"/securityContext/allowPrivilegeEscalation", Kind::Bool, true},
      {"/securityContext/runAsNonRoot", Kind::Bool, true},
      {"/securityContext/runAsUser", Kind::Int, true},
      {"/securityContext/procMount", Kind::String},
      {"/securityContext/capabilities", Kind::Object},
      {"/securityContext/capabilities/add", Kind::Array},
      {"/securityContext/capabilities/drop", Kind::Array, true},
      {"/securityContext/seccompProfile", Kind::Object},
      {"/securityContext/seccompProfile/type", Kind::String},
      {"/securityContext/appArmorProfile", Kind::Object},
      {"/securityContext/appArmorProfile/type", Kind::String},
      {"/securityContext/seLinuxOptions", Kind::Object},
      {"/securityContext/seLinuxOptions/type", Kind::String},
      {"/securityContext/seLinuxOptions/user", Kind::String},
      {"/securityContext/windowsOptions", Kind::Object},
      {"/securityContext/windowsOptions/hostProcess", Kind::Bool},
      {"/ports", Kind::Array},
      {"/livenessProbe", Kind::Object},
      {"/livenessProbe/httpGet", Kind::Object},
      {"/livenessProbe/httpGet/host", Kind::String},
      {"/lifecycle", Kind::Object},
      {"/lifecycle/preStop", Kind::Object},
  };
  std::vector<Target> targets = {
      {"/spec/hostNetwork", Kind::Bool},
      {"/spec/volumes", Kind::Array},
      {"/spec/securityContext/sysctls", Kind::Array},
      {"/spec/securityContext/runAsNonRoot", Kind::Bool, true},
      {"/spec/securityContext/runAsUser", Kind::Int, true},
      {"/spec/securityContext/seccompProfile", Kind::Object},
      {"/spec/securityContext/seLinuxOptions", Kind::Object},
      {"/spec/securityContext/appArmorProfile", Kind::Object},
      {"/spec/securityContext/windowsOptions", Kind::Object},
      {"/metadata/annotations", Kind::Object},
  };
  for (const Target& t : container_targets) {
    targets.push_back({"/spec/containers/0" + t.pointer, t.kind, t.restricted_only});
  }
  const auto fits = [](const json& value, Kind kind) {
    switch (kind) {
      case Kind::Bool:
        return value.is_boolean();
      case Kind::String:
        return value.is_string();
      case Kind::Int:
        return value.is_number_integer();
      case Kind::Object:
        return value.is_object();
      case Kind::Array:
        return value.is_array();
    }
    return false;
  };
  const std::vector<json> values = {json("x"), json(1.5), json::array({json::object()}), json(true),
                                    json::object({{"k", 1}})};
  const json base = {{"metadata", json::object()},
                     {"spec",
                      {{"securityContext",
                        {{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
                       {"containers", {restricted_container("app")}}}}};

  for (const Target& target : targets) {
    for (const json& value : values) {
      if (fits(value, target.kind)) continue;
      json pod = base;
      pod[json::json_pointer(target.pointer)] = value;
      for (PodSecurityLevel level : {PodSecurityLevel::Baseline, PodSecurityLevel::Restricted}) {
        std::vector<Violation> violations;
        EXPECT_NO_THROW(violations = check_pod_security(pss::Profile::of(level, {}),
                                                        pod["metadata"], pod["spec"]));
        if (target.restricted_only && level == PodSecurityLevel::Baseline) continue;
        EXPECT_FALSE(violations.empty()) << target.pointer << " = " << value.dump()
                                         << " passed level " << static_cast<int>(level);
      }
    }
  }
}

// Verifies that invalid UTF-8 in user input is quoted in the message instead of throwing.
TEST(PodSecurity, InvalidUtf8InValuesDoesNotThrow) {
  const json spec = {{"containers",
                      {{{"name", std::string("a\xff")},
                        {"securityContext", {{"procMount", std::string("\xfe")}}}}}}};
  std::vector<Violation> violations;
  EXPECT_NO_THROW(violations = check(PodSecurityLevel::Baseline, spec));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, rules::kProcMount);
}

// Verifies that restricted keeps the default /proc masks for a pod in a user namespace, which
// baseline allows.
TEST(PodSecurity, UserNamespaceRelaxesOnlyBaselineProcMount) {
  json container = restricted_container("app");
  container["securityContext"]["procMount"] = "Unmasked";
  const json spec = {{"hostUsers", false}, {"containers", {container}}};
  EXPECT_TRUE(check(PodSecurityLevel::Baseline, spec).empty());
  const auto violations = check(PodSecurityLevel::Restricted, spec);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, rules::kProcMount);
}

// Verifies that a probe host is reported with the probe's field path.
TEST(PodSecurity, ProbeHostIsLocated) {
  const json spec = {
      {"containers",
       {{{"name", "app"},
         {"lifecycle",
          {{"postStart", {{"httpGet", {{"host", "169.254.169.254"}, {"port", 80}}}}}}}}}}};
  const auto violations = check(PodSecurityLevel::Baseline, spec);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, rules::kHostProbesAndLifecycleHooks);
  EXPECT_EQ(violations[0].field, "spec.containers[0].lifecycle.postStart.httpGet.host");
  EXPECT_NE(violations[0].message.find("\"169.254.169.254\""), std::string::npos);
}

// Verifies that each unsafe sysctl is reported at its own entry.
TEST(PodSecurity, EachUnsafeSysctlIsLocated) {
  const json spec = {{"securityContext",
                      {{"sysctls",
                        {{{"name", "kernel.shm_rmid_forced"}},
                         {{"name", "vm.swappiness"}},
                         {{"name", "kernel.msgmax"}}}}}},
                     {"containers", {{{"name", "app"}}}}};
  const auto violations = check(PodSecurityLevel::Baseline, spec);
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].field, "spec.securityContext.sysctls[1].name");
  EXPECT_EQ(violations[1].field, "spec.securityContext.sysctls[2].name");
  EXPECT_NE(violations[0].message.find("\"vm.swappiness\""), std::string::npos);
}

}  // namespace
}  // namespace castellan::policy
