#include "controller/admission_tally.h"

#include <algorithm>
#include <vector>

#include "controller/time_format.h"

namespace castellan::controller {
namespace {

enum class Count { None, Allowed, Denied, Warned };

Count count_of(const std::string& verdict) {
  if (verdict == "passed") return Count::Allowed;
  if (verdict == "denied") return Count::Denied;
  if (verdict == "warned" || verdict == "audited") return Count::Warned;
  return Count::None;
}

// Objects created with generateName have no name yet: show the prefix instead.
std::string object_name(const webhook::AdmissionRequest& request) {
  if (!request.name.empty()) return request.name;
  if (request.object.is_object()) {
    auto meta = request.object.find("metadata");
    if (meta != request.object.end() && meta->is_object()) {
      auto generate = meta->find("generateName");
      if (generate != meta->end() && generate->is_string()) {
        return generate->get<std::string>() + "*";
      }
    }
  }
  return "";
}

std::string message_for(const webhook::AdmissionRequest& request, const std::string& verdict,
                        const std::string& rule) {
  std::string message = request.operation.empty() ? "request" : request.operation;
  message += " " + verdict;
  if (!rule.empty()) message += " by rule " + rule;
  return message;
}

struct Observed {
  std::string policy;
  Count count;
  std::vector<api::Violation> violations;  // in rule order
};

}  // namespace

AdmissionTally::AdmissionTally(kube::ClockPtr clock) : clock_(std::move(clock)) {}

void AdmissionTally::observe(const webhook::AdmissionRequest& request,
                             const webhook::AdmissionOutcome& outcome) {
  std::vector<Observed> observed;
  std::string time;
  for (const auto& p : outcome.policies) {
    Count count = count_of(p.verdict);
    if (count == Count::None) continue;
    Observed o{p.policy, count, {}};
    if (count != Count::Allowed) {
      if (time.empty()) time = format_rfc3339(clock_->wall_now());
      std::string name = object_name(request);
      std::vector<std::string> rules = p.rules.empty() ? std::vector<std::string>{""} : p.rules;
      for (const auto& rule : rules) {
        o.violations.push_back({time, request.kind, request.namespace_, name, rule,
                                message_for(request, p.verdict, rule)});
      }
    }
    observed.push_back(std::move(o));
  }
  if (observed.empty()) return;

  std::lock_guard<std::mutex> lock(mu_);
  for (auto& o : observed) {
    PolicyTally& tally = tallies_[o.policy];
    switch (o.count) {
      case Count::Allowed:
        ++tally.counts.allowed;
        break;
      case Count::Denied:
        ++tally.counts.denied;
        break;
      case Count::Warned:
        ++tally.counts.warned;
        break;
      case Count::None:
        break;
    }
    if (o.violations.empty()) continue;
    // Newest first; a request's own rules keep their order.
    size_t fresh = std::min(o.violations.size(), kRecentViolations);
    auto& recent = tally.recent;
    recent.insert(recent.begin(), std::make_move_iterator(o.violations.begin()),
                  std::make_move_iterator(o.violations.begin() + static_cast<long>(fresh)));
    if (recent.size() > kRecentViolations) recent.resize(kRecentViolations);
  }
}

AdmissionReport AdmissionTally::snapshot(const std::string& replica,
                                         std::chrono::system_clock::time_point now) const {
  AdmissionReport report;
  report.replica = replica;
  report.heartbeat = now;
  std::lock_guard<std::mutex> lock(mu_);
  report.policies = tallies_;
  return report;
}

}  // namespace castellan::controller
