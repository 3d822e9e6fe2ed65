#include "check_options.h"

#include <algorithm>

#include "api/security_policy_codec.h"

namespace castellan::ctl {

const char* const kCheckHelp =
    R"(Evaluate SecurityPolicies against Kubernetes manifests, with no cluster.

Usage:
  castellanctl check --policy PATH... --resource PATH... [--output table|json]
  castellanctl check --pod-security LEVEL[:VERSION] --resource PATH...

Flags:
  -p, --policy PATH...     SecurityPolicy manifests: files, directories (recursive, *.yaml,
                           *.yml, *.json) or - for stdin. Repeatable. A policy saved with
                           its status (kubectl get -o yaml) brings its quarantined digests.
  -r, --resource PATH...   Manifests to check, same forms. Pods and the pod templates of
                           Deployments, StatefulSets, DaemonSets, ReplicaSets,
                           ReplicationControllers, Jobs, CronJobs and PodTemplates are
                           evaluated; Namespaces supply labels for namespaceSelector; other
                           kinds are skipped. Multi-document YAML and Lists are read.
      --pod-security LEVEL[:VERSION]
                           Also check the Pod Security Standards with no policy file: LEVEL
                           privileged, baseline or restricted, VERSION latest (default) or
                           v1.N, the release whose checks apply (as Pod Security admission's
                           enforce-version label). `namespace-labels` applies each Namespace's
                           pod-security.kubernetes.io/{enforce,audit,warn}[-version] labels
                           instead. In Enforce mode; repeatable.
      --user NAME          The requesting user, for podSecurity.exemptions.usernames.
  -o, --output FORMAT      table (default) or json (one JSON object on stdout).
      --color WHEN         auto (default: colour on a terminal, unless NO_COLOR is set),
                           always or never.
  -h, --help               Show this help.

Exit codes:
  0  nothing was denied (Audit and Warn findings do not fail the check)
  1  a policy in Enforce mode denied at least one resource, or a policy in any mode found an
     image whose digest its status quarantines
  2  bad input: unreadable path, YAML/JSON that does not parse, an invalid policy, a malformed
     resource, or bad flags; the error names the file, the document and the field

Example:
  castellanctl check --policy config/samples --resource examples
  castellanctl check --pod-security restricted:v1.29 --resource k8s/
  kustomize build overlays/prod | castellanctl check -p policies/ -r - -o json
)";

namespace {

bool is_flag(const std::string& arg) { return arg.size() > 1 && arg[0] == '-'; }

}  // namespace

Result<api::SecurityPolicy> pod_security_policy(const std::string& value) {
  api::SecurityPolicy policy;
  policy.spec.mode = api::Mode::Enforce;
  policy.spec.exclude.namespaces.clear();
  if (value == "namespace-labels") {
    policy.metadata.name = "pod-security-namespace-labels";
    policy.spec.podSecurity.fromNamespaceLabels = true;
    return policy;
  }
  const auto colon = value.find(':');
  const std::string level_text = value.substr(0, colon);
  const std::string version_text = colon == std::string::npos ? "latest" : value.substr(colon + 1);
  const auto level = api::parse_pod_security_level(level_text);
  if (!level) {
    return Error::make("--pod-security: level \"" + level_text +
                       "\" is not privileged, baseline or restricted (or use namespace-labels)");
  }
  const auto version = api::parse_pod_security_version(version_text);
  if (!version) {
    return Error::make("--pod-security: version \"" + version_text +
                       "\" is not latest or a release v1.N (e.g. v1.29)");
  }
  policy.spec.podSecurity.level = *level;
  policy.spec.podSecurity.version = *version;
  std::string name = "pod-security-" + level_text + "-" + api::to_string(*version);
  std::replace(name.begin(), name.end(), '.', '-');
  policy.metadata.name = name;
  return policy;
}

Result<CheckOptions> parse_check_options(const std::vector<std::string>& args) {
  CheckOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0) {
      auto eq = arg.find('=');
      if (eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline = true;
      }
    }
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      continue;
    }
    if (arg == "-p" || arg == "--policy" || arg == "-r" || arg == "--resource") {
      auto& paths =
          (arg == "-p" || arg == "--policy") ? options.policy_paths : options.resource_paths;
      size_t before = paths.size();
      if (has_inline) {
        if (!inline_value.empty()) paths.push_back(inline_value);
      } else {
        while (i + 1 < args.size() && !is_flag(args[i + 1])) paths.push_back(args[++i]);
      }
      if (paths.size() == before) return Error::make(arg + " needs at least one path");
      continue;
    }
    if (arg == "--pod-security" || arg == "--user") {
      std::string value = inline_value;
      if (!has_inline) {
        if (i + 1 >= args.size()) return Error::make(arg + " needs a value");
        value = args[++i];
      }
      if (arg == "--user") {
        options.user = value;
        continue;
      }
      auto policy = pod_security_policy(value);
      if (!policy.ok()) return policy.error();
      options.pod_security.push_back(std::move(*policy));
      continue;
    }
    if (arg == "-o" || arg == "--output" || arg == "--color") {
      std::string value = inline_value;
      if (!has_inline) {
        if (i + 1 >= args.size()) return Error::make(arg + " needs a value");
        value = args[++i];
      }
      if (arg == "--color") {
        if (value == "auto")
          options.color = ColorMode::Auto;
        else if (value == "always")
          options.color = ColorMode::Always;
        else if (value == "never")
          options.color = ColorMode::Never;
        else
          return Error::make("--color must be auto, always or never, got \"" + value + "\"");
      } else if (value == "table") {
        options.output = OutputFormat::Table;
      } else if (value == "json") {
        options.output = OutputFormat::Json;
      } else {
        return Error::make(arg + " must be table or json, got \"" + value + "\"");
      }
      continue;
    }
    if (is_flag(arg)) return Error::make("unknown flag " + arg);
    return Error::make("unexpected argument \"" + arg + "\" (paths follow --policy or --resource)");
  }
  if (options.help) return options;
  if (options.policy_paths.empty() && options.pod_security.empty()) {
    return Error::make("--policy or --pod-security is required");
  }
  if (options.resource_paths.empty()) return Error::make("--resource is required");
  int stdin_uses = 0;
  for (const auto* paths : {&options.policy_paths, &options.resource_paths}) {
    for (const auto& p : *paths) stdin_uses += p == "-" ? 1 : 0;
  }
  if (stdin_uses > 1) return Error::make("- (stdin) can be given only once");
  return options;
}

}  // namespace castellan::ctl
