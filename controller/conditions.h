#pragma once
// metav1.Condition bookkeeping: lastTransitionTime moves only when status changes.

#include <optional>
#include <string>
#include <vector>

#include "api/object_meta.h"

namespace castellan::controller {

// Inserts or updates `condition` (matched by type). `now` (RFC 3339) becomes
// lastTransitionTime when the type is new or its status changed; otherwise the old one stays.
// Returns true when anything changed.
bool set_condition(std::vector<api::Condition>& conditions, api::Condition condition,
                   const std::string& now);

const api::Condition* find_condition(const std::vector<api::Condition>& conditions,
                                     const std::string& type);

bool is_condition_true(const std::vector<api::Condition>& conditions, const std::string& type);

}  // namespace castellan::controller
