#include "policy/compiled_policy.h"

#include <algorithm>

namespace castellan::policy {

Result<CompiledPolicy::Filter> CompiledPolicy::compile_filter(const api::ResourceFilter& filter,
                                                              const std::string& field,
                                                              bool drop_empty_selectors) {
  Filter out;
  for (const auto& pattern : filter.namespaces) out.namespaces.emplace_back(pattern);
  if (filter.namespaceSelector) {
    auto m = LabelSelectorMatcher::compile(*filter.namespaceSelector, field + ".namespaceSelector");
    if (!m) return m.error();
    if (!(drop_empty_selectors && m->empty())) out.namespace_selector = std::move(*m);
  }
  if (filter.podSelector) {
    auto m = LabelSelectorMatcher::compile(*filter.podSelector, field + ".podSelector");
    if (!m) return m.error();
    if (!(drop_empty_selectors && m->empty())) out.pod_selector = std::move(*m);
  }
  return out;
}

Result<CompiledPolicy> CompiledPolicy::compile(const api::SecurityPolicy& policy) {
  CompiledPolicy out;
  out.source_ = policy;
  auto match = compile_filter(policy.spec.match, "spec.match", false);
  if (!match) return Error::make("SecurityPolicy " + policy.metadata.name + ": " + match.error().message, "Invalid");
  auto exclude = compile_filter(policy.spec.exclude, "spec.exclude", true);
  if (!exclude) return Error::make("SecurityPolicy " + policy.metadata.name + ": " + exclude.error().message, "Invalid");
  out.match_ = std::move(*match);
  out.exclude_ = std::move(*exclude);
  out.images_ =
      ImageRuleSet(policy.spec.images, policy.metadata.name, policy.status.quarantinedDigests);
  const auto& pod_security = policy.spec.podSecurity;
  if (pod_security.level && !pod_security.fromNamespaceLabels &&
      *pod_security.level != api::PodSecurityLevel::Privileged) {
    out.pod_security_ = &pss::Profile::of(*pod_security.level, pod_security.version);
  }
  return out;
}

bool CompiledPolicy::filter_matches(const Filter& filter, const MatchTarget& target) {
  if (!filter.namespaces.empty() &&
      std::none_of(filter.namespaces.begin(), filter.namespaces.end(),
                   [&](const Glob& g) { return g.matches(target.namespace_name); })) {
    return false;
  }
  if (filter.namespace_selector && !filter.namespace_selector->matches(*target.namespace_labels)) {
    return false;
  }
  if (filter.pod_selector && !filter.pod_selector->matches(*target.pod_labels)) return false;
  return true;
}

bool CompiledPolicy::applies_to(const MatchTarget& target) const {
  if (!filter_matches(match_, target)) return false;
  // Each exclude criterion is a reason on its own: the defaulted kube-system entry must not
  // narrow a podSelector the user adds next to it.
  const auto& ex = exclude_;
  if (!target.namespace_name.empty() &&
      std::any_of(ex.namespaces.begin(), ex.namespaces.end(),
                  [&](const Glob& g) { return g.matches(target.namespace_name); })) {
    return false;
  }
  if (ex.namespace_selector && !target.namespace_name.empty() &&
      ex.namespace_selector->matches(*target.namespace_labels)) {
    return false;
  }
  return !(ex.pod_selector && ex.pod_selector->matches(*target.pod_labels));
}

}  // namespace castellan::policy
