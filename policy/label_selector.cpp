#include "policy/label_selector.h"

namespace castellan::policy {

Result<LabelSelectorMatcher> LabelSelectorMatcher::compile(const api::LabelSelector& selector,
                                                           const std::string& field) {
  LabelSelectorMatcher matcher;
  for (const auto& [key, value] : selector.matchLabels) {
    matcher.requirements_.push_back({key, Op::In, {value}});
  }
  for (size_t i = 0; i < selector.matchExpressions.size(); ++i) {
    const auto& expr = selector.matchExpressions[i];
    const std::string where = field + ".matchExpressions[" + std::to_string(i) + "]";
    if (expr.key.empty()) {
      return Error::make(where + ".key: must not be empty", "Invalid");
    }
    Requirement req{expr.key, Op::In, {expr.values.begin(), expr.values.end()}};
    if (expr.op == "In" || expr.op == "NotIn") {
      req.op = expr.op == "In" ? Op::In : Op::NotIn;
      if (expr.values.empty()) {
        return Error::make(where + ".values: operator " + expr.op + " needs at least one value",
                           "Invalid");
      }
    } else if (expr.op == "Exists" || expr.op == "DoesNotExist") {
      req.op = expr.op == "Exists" ? Op::Exists : Op::DoesNotExist;
      if (!expr.values.empty()) {
        return Error::make(where + ".values: operator " + expr.op + " takes no values",
                           "Invalid");
      }
    } else {
      return Error::make(where + ".operator: \"" + expr.op +
                             "\" is not one of In, NotIn, Exists, DoesNotExist",
                         "Invalid");
    }
    matcher.requirements_.push_back(std::move(req));
  }
  return matcher;
}

bool LabelSelectorMatcher::matches(const Labels& labels) const {
  for (const auto& req : requirements_) {
    const auto it = labels.find(req.key);
    const bool present = it != labels.end();
    bool ok = false;
    switch (req.op) {
      case Op::In: ok = present && req.values.count(it->second) > 0; break;
      case Op::NotIn: ok = !present || req.values.count(it->second) == 0; break;
      case Op::Exists: ok = present; break;
      case Op::DoesNotExist: ok = !present; break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace castellan::policy
