#pragma once
// RuleScope: which compiled rules apply to a Pod, from each policy's match and exclude
// (namespace globs, namespaceSelector, podSelector), as admission decides it. Pure.

#include <cstdint>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"
#include "policy/compiled_policy.h"
#include "sensor/ruleset.h"

namespace castellan::sensor {

class RuleScope {
 public:
  // `ruleset` is compile_ruleset(policies): rules name their policy.
  static Result<RuleScope> compile(const std::vector<api::SecurityPolicy>& policies,
                                   const CompiledRuleset& ruleset);

  // Bits of the rules whose policy applies to a Pod in `target`.
  uint64_t rules_for(const policy::MatchTarget& target) const;

 private:
  struct Entry {
    policy::CompiledPolicy policy;
    uint64_t rule_mask = 0;
  };
  std::vector<Entry> entries_;
};

}  // namespace castellan::sensor
