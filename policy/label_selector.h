#pragma once
// LabelSelectorMatcher: a metav1.LabelSelector compiled for matching.
// matchLabels and matchExpressions are ANDed; an empty selector matches everything.
// NotIn and DoesNotExist match when the key is absent, as in Kubernetes.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"

namespace castellan::policy {

using Labels = std::map<std::string, std::string>;

class LabelSelectorMatcher {
 public:
  // Fails on an unknown operator, on In/NotIn without values and on Exists/DoesNotExist with
  // values; `field` (e.g. spec.match.podSelector) prefixes the error message.
  static Result<LabelSelectorMatcher> compile(const api::LabelSelector& selector,
                                              const std::string& field);

  bool matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { In, NotIn, Exists, DoesNotExist };
  struct Requirement {
    std::string key;
    Op op;
    std::set<std::string> values;
  };

  std::vector<Requirement> requirements_;
};

}  // namespace castellan::policy
