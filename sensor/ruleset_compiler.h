#pragma once
// compile_ruleset(): SecurityPolicy runtime rules → CompiledRuleset. Pure.

#include <vector>

#include "api/security_policy.h"
#include "common/result.h"
#include "sensor/ruleset.h"

namespace castellan::sensor {

// Fails, listing every problem (one per line, "policy/rule: message"), when a rule is
// malformed or there are more than 64 rules. Things the kernel cannot decide alone (names
// of 15 characters or more) become warnings.
Result<CompiledRuleset> compile_ruleset(const std::vector<api::SecurityPolicy>& policies);

}  // namespace castellan::sensor
