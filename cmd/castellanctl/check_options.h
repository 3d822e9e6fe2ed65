#pragma once
// Flags of `castellanctl check`, parsed without side effects.

#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"

namespace castellan::ctl {

enum class OutputFormat { Table, Json };
enum class ColorMode { Auto, Always, Never };

struct CheckOptions {
  std::vector<std::string> policy_paths;
  std::vector<std::string> resource_paths;
  // --pod-security: policies made from the flag, checked with those of --policy.
  std::vector<api::SecurityPolicy> pod_security;
  std::string user;  // --user: the requesting user, for podSecurity.exemptions.usernames
  OutputFormat output = OutputFormat::Table;
  ColorMode color = ColorMode::Auto;
  bool help = false;
};

// Parses the arguments after `check`. `--policy` and `--resource` take one or more paths (up to
// the next flag; `-` is stdin) and may be repeated; `--flag=value` works too.
Result<CheckOptions> parse_check_options(const std::vector<std::string>& args);

// The Enforce policy of `--pod-security LEVEL[:VERSION]` (VERSION latest by default), or of
// `--pod-security namespace-labels` (each Namespace's pod-security.kubernetes.io labels),
// named pod-security-<level>-<version> or pod-security-namespace-labels; it matches every
// namespace, kube-system included.
Result<api::SecurityPolicy> pod_security_policy(const std::string& value);

extern const char* const kCheckHelp;

}  // namespace castellan::ctl
