#pragma once
// metav1.Condition bookkeeping: lastTransitionTime moves only when status changes.

#include <optional>
#include <string>
#include <vector>

#include "api/object_meta.h"

namespace castellan::api {

// Inserts or updates `condition` (matched by type). `now` (RFC 3339) becomes
// lastTransitionTime when the type is new or its status changed; otherwise the old one stays.
// Returns true when anything changed.
bool set_condition(std::vector<Condition>& conditions, Condition condition,
                   const std::string& now);

const Condition* find_condition(const std::vector<Condition>& conditions,
                                     const std::string& type);

bool is_condition_true(const std::vector<Condition>& conditions, const std::string& type);

}  // namespace castellan::api
