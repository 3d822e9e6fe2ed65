#include "check_output.h"

#include <algorithm>

namespace castellan::ctl {
namespace {

using nlohmann::ordered_json;

const char* kRed = "\033[1;31m";
const char* kYellow = "\033[33m";
const char* kGreen = "\033[32m";
const char* kDim = "\033[2m";
const char* kReset = "\033[0m";

struct Row {
  std::vector<std::string> cells;
  const char* verdict_color = nullptr;
  std::vector<std::string> details;  // violation lines under the row
};

std::string verdict(const policy::PolicyEvaluation& e, const char*& color) {
  const auto any = [&](auto predicate) {
    return std::any_of(e.violations.begin(), e.violations.end(), predicate);
  };
  if (!e.allowed) {
    color = kRed;
    // Outside Enforce only a quarantined image denies.
    const bool enforced = any([&](const policy::Violation& v) {
      return !v.denies_in_every_mode && policy::denies(e, v);
    });
    return enforced ? "DENIED" : "DENIED (quarantined image)";
  }
  if (e.violations.empty()) {
    color = kGreen;
    return "allowed";
  }
  color = kYellow;
  const bool warn =
      any([&](const policy::Violation& v) { return policy::mode_of(e, v) == api::Mode::Warn; });
  return warn ? "warn" : "audit";
}

// "rule", or "rule [restricted:v1.29, Warn]" for Pod Security at a pinned version or from
// namespace labels: the profile, and the mode a namespace label sets.
std::string rule_with_profile(const policy::PolicyEvaluation& e, const policy::Violation& v) {
  if (v.profile == nullptr || (!v.mode && std::string_view(v.profile).ends_with(":latest"))) {
    return v.rule;
  }
  std::string out = v.rule + " [" + v.profile;
  if (v.mode) out += std::string(", ") + api::to_string(policy::mode_of(e, v));
  return out + "]";
}

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

ordered_json report_json(const CheckReport& report) {
  ordered_json results = ordered_json::array();
  for (const auto& r : report.results) {
    ordered_json violations = ordered_json::array();
    for (const auto& v : r.evaluation.violations) {
      ordered_json violation = {{"rule", v.rule}, {"message", v.message}};
      if (v.profile) violation["podSecurity"] = v.profile;  // "restricted:v1.29"
      if (v.mode) violation["mode"] = api::to_string(*v.mode);
      violations.push_back(std::move(violation));
    }
    ordered_json result = {{"resource",
                            {{"apiVersion", r.resource.apiVersion},
                             {"kind", r.resource.kind},
                             {"namespace", r.resource.namespace_},
                             {"name", r.resource.name},
                             {"source", r.source}}},
                           {"policy", r.evaluation.policy},
                           {"mode", api::to_string(r.evaluation.mode)},
                           {"allowed", r.evaluation.allowed},
                           {"violations", std::move(violations)}};
    if (r.evaluation.patch) result["patch"] = ordered_json::parse(r.evaluation.patch->dump());
    results.push_back(std::move(result));
  }
  return {{"results", std::move(results)},
          {"summary",
           {{"resources", report.resources},
            {"evaluations", report.results.size()},
            {"denied", report.denied},
            {"warned", report.warned}}}};
}

std::string report_table(const CheckReport& report, bool color) {
  std::vector<Row> rows;
  rows.push_back({{"RESOURCE", "NAMESPACE", "POLICY", "MODE", "RESULT", "SOURCE"}, nullptr, {}});
  for (const auto& r : report.results) {
    Row row;
    const std::string result = verdict(r.evaluation, row.verdict_color);
    row.cells = {r.resource.kind + "/" + r.resource.name,
                 r.resource.namespace_,
                 r.evaluation.policy,
                 api::to_string(r.evaluation.mode),
                 result,
                 r.source};
    for (const auto& v : r.evaluation.violations) {
      row.details.push_back("- " + rule_with_profile(r.evaluation, v) + ": " + v.message);
    }
    rows.push_back(std::move(row));
  }
  for (const auto& u : report.unmatched) {
    rows.push_back({{u.resource.kind + "/" + u.resource.name, u.resource.namespace_,
                     "(no matching policy)", "-", "allowed", u.source},
                    kGreen,
                    {}});
  }

  std::vector<size_t> widths(rows[0].cells.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.cells.size(); ++i)
      widths[i] = std::max(widths[i], row.cells[i].size());
  }
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    std::string line;
    for (size_t i = 0; i < row.cells.size(); ++i) {
      std::string cell = row.cells[i];
      const bool last = i + 1 == row.cells.size();
      std::string padding = last ? "" : std::string(widths[i] - cell.size() + 2, ' ');
      // The RESULT column (index 4) carries the verdict colour; padding stays outside it.
      if (color && i == 4 && row.verdict_color) cell = row.verdict_color + cell + kReset;
      line += cell + padding;
    }
    if (color && r == 0) line = std::string("\033[1m") + line + kReset;
    out += line + "\n";
    for (const auto& d : row.details) {
      out += color ? std::string("    ") + kDim + d + kReset + "\n" : "    " + d + "\n";
    }
  }
  if (!report.skipped.empty()) {
    out += "\nNot evaluated (no pod spec): ";
    for (size_t i = 0; i < report.skipped.size(); ++i) {
      out += (i ? ", " : "") + report.skipped[i];
    }
    out += "\n";
  }
  const size_t allowed = report.results.size() - report.denied - report.warned;
  const std::string policies =
      std::to_string(report.policies) + (report.policies == 1 ? " policy" : " policies");
  std::string denied = std::to_string(report.denied) + " denied";
  if (color && report.denied) denied = kRed + denied + kReset;
  out += "\nChecked " + plural(report.resources, "resource") + " against " + policies + ": " +
         plural(report.results.size(), "evaluation") + ", " + denied + ", " +
         std::to_string(report.warned) + " warned, " + std::to_string(allowed) + " allowed\n";
  return out;
}

}  // namespace castellan::ctl
