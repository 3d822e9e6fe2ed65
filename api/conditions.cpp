#include "api/conditions.h"

#include <algorithm>

namespace castellan::api {

bool set_condition(std::vector<Condition>& conditions, Condition condition,
                   const std::string& now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == condition.type; });
  if (it == conditions.end()) {
    condition.lastTransitionTime = now;
    conditions.push_back(std::move(condition));
    return true;
  }
  condition.lastTransitionTime = it->status == condition.status ? it->lastTransitionTime : now;
  bool changed = it->status != condition.status || it->reason != condition.reason ||
                 it->message != condition.message ||
                 it->observedGeneration != condition.observedGeneration;
  *it = std::move(condition);
  return changed;
}

const Condition* find_condition(const std::vector<Condition>& conditions,
                                     const std::string& type) {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

bool is_condition_true(const std::vector<Condition>& conditions, const std::string& type) {
  const auto* c = find_condition(conditions, type);
  return c != nullptr && c->status == "True";
}

}  // namespace castellan::api
