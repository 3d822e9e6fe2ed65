#include "sensor/rule_scope.h"

namespace castellan::sensor {

Result<RuleScope> RuleScope::compile(const std::vector<api::SecurityPolicy>& policies,
                                     const CompiledRuleset& ruleset) {
  RuleScope scope;
  for (const auto& source : policies) {
    uint64_t mask = 0;
    for (const auto& rule : ruleset.rules) {
      if (rule.policy == source.metadata.name) mask |= uint64_t{1} << rule.index;
    }
    if (mask == 0) continue;
    auto compiled = policy::CompiledPolicy::compile(source);
    if (!compiled.ok()) {
      return Error::make("policy " + source.metadata.name + ": " + compiled.error().message,
                         "Invalid");
    }
    scope.entries_.push_back(Entry{std::move(*compiled), mask});
  }
  return scope;
}

uint64_t RuleScope::rules_for(const policy::MatchTarget& target) const {
  uint64_t mask = 0;
  for (const auto& entry : entries_) {
    if (entry.policy.applies_to(target)) mask |= entry.rule_mask;
  }
  return mask;
}

}  // namespace castellan::sensor
