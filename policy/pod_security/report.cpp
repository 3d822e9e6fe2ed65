#include "policy/pod_security/report.h"

namespace castellan::policy::pss {

void add_violation(std::vector<Violation>& out, const char* rule, std::string field,
                   std::string_view who, std::string_view what, std::string_view fix) {
  std::string message;
  message.reserve(who.size() + what.size() + fix.size() + 4);
  message.append(who).append(": ").append(what).append("; ").append(fix);
  out.push_back(Violation{rule, std::move(message), std::move(field)});
}

void add_malformed(std::vector<Violation>& out, const char* rule, std::string field,
                   std::string_view who, std::string_view relative_field, std::string_view expected,
                   const json& value) {
  std::string what(relative_field);
  what.append(" must be ").append(expected).append(", not ").append(describe_value(value));
  add_violation(out, rule, std::move(field), who, what,
                "correct its type: Kubernetes would reject this manifest");
}

std::string quote(std::string_view value) {
  // `replace` keeps invalid UTF-8 in user input from throwing.
  return json(std::string(value)).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace castellan::policy::pss
