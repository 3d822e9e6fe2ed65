#pragma once
// CompiledPolicy: one SecurityPolicy with its globs, selectors and image rules precompiled
// (status.quarantinedDigests included: a hash lookup per digest-pinned image).
//
// match: every criterion that is set must hold (namespaces empty = any namespace).
// exclude: the resource is excluded when any criterion it sets holds (a namespace glob, the
// namespaceSelector or the podSelector); empty selectors exclude nothing.
// A resource without a namespace is matched as namespace "" with no labels: "*" matches it,
// "prod-*" does not, and exclude namespace criteria never exclude it.
// Namespace labels always include kubernetes.io/metadata.name, as the API server sets it.

#include <optional>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"
#include "policy/glob.h"
#include "policy/image_rules.h"
#include "policy/label_selector.h"
#include "policy/pod_security/profile.h"

namespace castellan::policy {

// What matching looks at: the namespace, its labels and the pod template's labels.
struct MatchTarget {
  std::string namespace_name;
  const Labels* namespace_labels = nullptr;  // never null
  const Labels* pod_labels = nullptr;        // never null
};

class CompiledPolicy {
 public:
  static Result<CompiledPolicy> compile(const api::SecurityPolicy& policy);

  bool applies_to(const MatchTarget& target) const;
  const api::SecurityPolicy& source() const { return source_; }
  const ImageRuleSet& images() const { return images_; }
  // The Pod Security Standards profile of spec.podSecurity.level and version, resolved once;
  // nullptr when the policy checks none or reads them from namespace labels.
  const pss::Profile* pod_security() const { return pod_security_; }

 private:
  struct Filter {
    std::vector<Glob> namespaces;
    std::optional<LabelSelectorMatcher> namespace_selector;
    std::optional<LabelSelectorMatcher> pod_selector;
  };

  static Result<Filter> compile_filter(const api::ResourceFilter& filter, const std::string& field,
                                       bool drop_empty_selectors);
  static bool filter_matches(const Filter& filter, const MatchTarget& target);

  api::SecurityPolicy source_;
  Filter match_;
  Filter exclude_;
  ImageRuleSet images_;
  const pss::Profile* pod_security_ = nullptr;
};

}  // namespace castellan::policy
