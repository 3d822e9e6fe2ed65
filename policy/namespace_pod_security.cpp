#include "policy/namespace_pod_security.h"

#include "api/security_policy_codec.h"

namespace castellan::policy {
namespace {

const std::string* label(const std::map<std::string, std::string>& labels, std::string_view key) {
  const auto it = labels.find(std::string(kPodSecurityLabelPrefix) + std::string(key));
  return it == labels.end() ? nullptr : &it->second;
}

const pss::Profile* resolve(const std::map<std::string, std::string>& labels, std::string_view mode,
                            api::PodSecurityLevel default_level,
                            api::PodSecurityVersion default_version,
                            api::PodSecurityLevel invalid_level) {
  api::PodSecurityLevel level = default_level;
  if (const std::string* value = label(labels, mode)) {
    level = api::parse_pod_security_level(*value).value_or(invalid_level);
  }
  api::PodSecurityVersion version = default_version;
  if (const std::string* value = label(labels, std::string(mode) + "-version")) {
    version = api::parse_pod_security_version(*value).value_or(api::PodSecurityVersion{});
  }
  return &pss::Profile::of(level, version);
}

}  // namespace

NamespacePodSecurity namespace_pod_security(const std::map<std::string, std::string>& labels,
                                            const api::PodSecuritySpec& defaults) {
  using api::PodSecurityLevel;
  NamespacePodSecurity out;
  // An unreadable enforce label fails closed, audit and warn fail open, as the reference does.
  out.enforce = resolve(labels, "enforce", defaults.level.value_or(PodSecurityLevel::Privileged),
                        defaults.version, PodSecurityLevel::Restricted);
  out.audit =
      resolve(labels, "audit", PodSecurityLevel::Privileged, {}, PodSecurityLevel::Privileged);
  out.warn =
      resolve(labels, "warn", PodSecurityLevel::Privileged, {}, PodSecurityLevel::Privileged);
  return out;
}

}  // namespace castellan::policy
