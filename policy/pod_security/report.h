#pragma once
// Builds the violations of the Pod Security Standards checks: one message shape for all.

#include <string>
#include <string_view>
#include <vector>

#include "policy/pod_security/json_field.h"
#include "policy/violation.h"

namespace castellan::policy::pss {

// Appends `<who>: <what>; <fix>` located at `field`.
void add_violation(std::vector<Violation>& out, const char* rule, std::string field,
                   std::string_view who, std::string_view what, std::string_view fix);

// Appends `<who>: <relative_field> must be <expected>, not <value>; ...` located at `field`.
void add_malformed(std::vector<Violation>& out, const char* rule, std::string field,
                   std::string_view who, std::string_view relative_field, std::string_view expected,
                   const json& value);

// `"<value>"` with JSON escaping, for quoting user input in messages.
std::string quote(std::string_view value);

}  // namespace castellan::policy::pss
