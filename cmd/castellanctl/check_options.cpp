#include "check_options.h"

namespace castellan::ctl {

const char* const kCheckHelp =
    R"(Evaluate SecurityPolicies against Kubernetes manifests, with no cluster.

Usage:
  castellanctl check --policy PATH... --resource PATH... [--output table|json]

Flags:
  -p, --policy PATH...     SecurityPolicy manifests: files, directories (recursive, *.yaml,
                           *.yml, *.json) or - for stdin. Repeatable. A policy saved with
                           its status (kubectl get -o yaml) brings its quarantined digests.
  -r, --resource PATH...   Manifests to check, same forms. Pods and the pod templates of
                           Deployments, StatefulSets, DaemonSets, ReplicaSets,
                           ReplicationControllers, Jobs, CronJobs and PodTemplates are
                           evaluated; Namespaces supply labels for namespaceSelector; other
                           kinds are skipped. Multi-document YAML and Lists are read.
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
  kustomize build overlays/prod | castellanctl check -p policies/ -r - -o json
)";

namespace {

bool is_flag(const std::string& arg) { return arg.size() > 1 && arg[0] == '-'; }

}  // namespace

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
  if (options.policy_paths.empty()) return Error::make("--policy is required");
  if (options.resource_paths.empty()) return Error::make("--resource is required");
  int stdin_uses = 0;
  for (const auto* paths : {&options.policy_paths, &options.resource_paths}) {
    for (const auto& p : *paths) stdin_uses += p == "-" ? 1 : 0;
  }
  if (stdin_uses > 1) return Error::make("- (stdin) can be given only once");
  return options;
}

}  // namespace castellan::ctl
