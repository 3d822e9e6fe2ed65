#pragma once
// SecurityPolicy (castellan.io/v1alpha1, cluster-scoped): plain data, as DESIGN.md sketches it.
// Parsing, defaulting and validation live in api/security_policy_codec.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/object_meta.h"

namespace castellan::api {

inline constexpr const char* kGroup = "castellan.io";
inline constexpr const char* kVersion = "v1alpha1";
inline constexpr const char* kApiVersion = "castellan.io/v1alpha1";
inline constexpr const char* kSecurityPolicyKind = "SecurityPolicy";

enum class Mode { Enforce, Audit, Warn };
enum class FailurePolicy { Fail, Ignore };
enum class PodSecurityLevel { Privileged, Baseline, Restricted };

// metav1.LabelSelectorRequirement; op is one of In, NotIn, Exists, DoesNotExist.
struct LabelSelectorRequirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;
};

// metav1.LabelSelector. An empty selector matches everything.
struct LabelSelector {
  std::map<std::string, std::string> matchLabels;
  std::vector<LabelSelectorRequirement> matchExpressions;
};

// spec.match and spec.exclude share this shape.
struct ResourceFilter {
  std::vector<std::string> namespaces;  // globs (`*`, `?`); empty = all
  std::optional<LabelSelector> namespaceSelector;
  std::optional<LabelSelector> podSelector;
};

// A Pod Security Standards policy version: `latest` or v1.<minor>, as Pod Security admission's
// `pod-security.kubernetes.io/<mode>-version` labels.
struct PodSecurityVersion {
  bool latest = true;
  int minor = 0;  // when !latest

  bool operator==(const PodSecurityVersion&) const = default;
};

// Pod Security admission's exemptions: a pod matching any of them is not checked against the
// Pod Security Standards (the policy's other rules still apply).
struct PodSecurityExemptions {
  std::vector<std::string> usernames;          // the requesting user (admission only)
  std::vector<std::string> runtimeClassNames;  // spec.runtimeClassName of the pod
  std::vector<std::string> namespaces;         // exact namespace names

  bool empty() const {
    return usernames.empty() && runtimeClassNames.empty() && namespaces.empty();
  }
};

struct PodSecuritySpec {
  // Absent: no Pod Security Standards check. `privileged` checks nothing either.
  // With fromNamespaceLabels: the enforce level of namespaces without the enforce label.
  std::optional<PodSecurityLevel> level;
  // The checks as they were in that release; with fromNamespaceLabels the default of namespaces
  // without an enforce-version label.
  PodSecurityVersion version;
  // Take level and version per namespace from its pod-security.kubernetes.io/{enforce,audit,warn}
  // and -version labels, as Pod Security admission reads them.
  bool fromNamespaceLabels = false;
  PodSecurityExemptions exemptions;

  bool any() const { return level.has_value() || fromNamespaceLabels; }
};

struct ContainerRules {
  bool requireResourceLimits = false;
  bool requireReadOnlyRootFilesystem = false;
};

struct ImageRules {
  std::vector<std::string> allowedRegistries;  // globs over "registry/repository"; empty = any
  bool requireDigest = false;
  bool disallowLatestTag = false;
  std::vector<std::string> deniedDigests;  // "sha256:<64 hex>"
};

struct Mutations {
  bool runAsNonRoot = false;
  bool dropAllCapabilities = false;
  bool seccompRuntimeDefault = false;
  bool disallowPrivilegeEscalation = false;

  bool any() const {
    return runAsNonRoot || dropAllCapabilities || seccompRuntimeDefault ||
           disallowPrivilegeEscalation;
  }
};

enum class RuntimeAction { Alert, Kill };

struct ExecMatch {
  std::vector<std::string> names;  // process names (basename of the executable), exact
};

struct FileWriteMatch {
  std::vector<std::string> pathPrefixes;  // absolute path prefixes
};

struct ConnectMatch {
  std::vector<std::string> exceptCIDRs;  // destinations that do not alert
  std::vector<uint16_t> exceptPorts;     // destination ports that do not alert
};

// Exactly one of exec, fileWrite, connect is set (validation enforces it).
struct RuntimeRule {
  std::string name;
  std::optional<ExecMatch> exec;
  std::optional<FileWriteMatch> fileWrite;
  std::optional<ConnectMatch> connect;
  RuntimeAction action = RuntimeAction::Alert;  // Kill only for exec rules
};

enum class ResponseAction { DeletePod, IsolatePod, TaintNode, QuarantineImage, Notify };

struct NotifySpec {
  std::string url;
  std::string headersSecret;  // optional Secret in Castellan's namespace holding HTTP headers
};

// DeletePod refuses to delete a pod owned by a ReplicaSet or StatefulSet when fewer than
// minHealthyReplicas of the owner's pods would stay ready.
struct DeletePodSpec {
  std::optional<int64_t> minHealthyReplicas;
};

enum class TaintEffect { NoSchedule, PreferNoSchedule, NoExecute };

struct TaintNodeSpec {
  TaintEffect effect = TaintEffect::NoSchedule;
};

struct ResponseSpec {
  std::vector<std::string> rules;  // names of runtime rules of this policy
  std::vector<ResponseAction> actions;
  std::optional<NotifySpec> notify;        // required when actions contain Notify
  std::optional<DeletePodSpec> deletePod;  // only with DeletePod
  std::optional<TaintNodeSpec> taintNode;  // only with TaintNode
};

inline constexpr int64_t kDefaultMaxActionsPerMinute = 10;

struct RuntimeSpec {
  std::vector<RuntimeRule> rules;
  std::vector<ResponseSpec> responses;
  // Response actions taken per minute for this policy; beyond it actions are skipped (counted).
  int64_t maxActionsPerMinute = kDefaultMaxActionsPerMinute;
};

struct SecurityPolicySpec {
  Mode mode = Mode::Audit;
  FailurePolicy failurePolicy = FailurePolicy::Fail;
  ResourceFilter match;
  ResourceFilter exclude;  // defaulted to namespaces: [kube-system]
  PodSecuritySpec podSecurity;
  ContainerRules containers;
  ImageRules images;
  Mutations mutations;
  RuntimeSpec runtime;
};

struct AdmissionCounts {
  int64_t allowed = 0;
  int64_t denied = 0;
  int64_t warned = 0;
};

struct RuntimeCounts {
  int64_t alerts = 0;
  int64_t killed = 0;
  std::string nodesInSync = "0/0";
};

struct Violation {
  std::string time;  // RFC 3339
  std::string kind;  // resource kind, e.g. Pod, Deployment
  std::string namespace_;
  std::string name;
  std::string rule;
  std::string message;

  bool operator==(const Violation&) const = default;
};

// One response action taken (spec.runtime.responses), newest first in status.recentActions.
struct ActionRecord {
  std::string time;    // RFC 3339
  std::string action;  // DeletePod, IsolatePod, TaintNode, QuarantineImage, Notify
  std::string rule;    // the runtime rule whose alert triggered it
  std::string namespace_;
  std::string pod;
  std::string node;
  std::string image;    // for QuarantineImage: the digest-pinned image
  bool succeeded = true;
  std::string message;  // what was done, or why it failed

  bool operator==(const ActionRecord&) const = default;
};

// What spec.runtime.responses did, since the policy was created.
struct ResponseCounts {
  int64_t taken = 0;           // actions that did what they say
  int64_t failed = 0;          // actions that were tried and failed (Notify included)
  int64_t skipped = 0;         // actions not tried: the policy's maxActionsPerMinute was reached
  int64_t notifyFailures = 0;  // Notify deliveries that failed after every retry

  bool operator==(const ResponseCounts&) const = default;
};

// An image digest QuarantineImage took from a compromised pod; admission denies new pods
// that use it, whatever the policy's mode, until it is released.
struct QuarantinedDigest {
  std::string digest;  // "sha256:<64 hex>"
  std::string image;   // the image reference the pod ran
  std::string rule;    // the runtime rule whose alert caused it
  std::string namespace_;
  std::string pod;
  std::string node;
  std::string time;   // RFC 3339: when it was quarantined
  std::string alert;  // the alert's message

  bool operator==(const QuarantinedDigest&) const = default;
};

struct SecurityPolicyStatus {
  int64_t observedGeneration = 0;
  std::vector<Condition> conditions;
  AdmissionCounts admission;
  RuntimeCounts runtime;
  ResponseCounts responses;
  std::vector<Violation> recentViolations;  // newest first, at most 10
  std::vector<QuarantinedDigest> quarantinedDigests;
  std::vector<ActionRecord> recentActions;  // newest first, at most 10
};

// kubectl annotate securitypolicy NAME castellan.io/release-digests=sha256:...[,sha256:...]
// releases quarantined digests (the leader removes them from status, then the annotation).
inline constexpr const char* kReleaseDigestsAnnotation = "castellan.io/release-digests";

struct SecurityPolicy {
  ObjectMeta metadata;
  SecurityPolicySpec spec;
  SecurityPolicyStatus status;
};

const char* to_string(Mode mode);
const char* to_string(FailurePolicy policy);
const char* to_string(PodSecurityLevel level);
std::string to_string(PodSecurityVersion version);  // "latest" or "v1.29"
const char* to_string(RuntimeAction action);
const char* to_string(ResponseAction action);
const char* to_string(TaintEffect effect);

}  // namespace castellan::api
