#include "controller/admission_report_store.h"

#include <cstdint>
#include <cstdio>

#include "common/log.h"
#include "kube/resources.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

constexpr const char* kPrefix = "castellan-admission-";
constexpr const char* kRetiredName = "castellan-admission-retired";
constexpr const char* kReportKey = "report.json";
constexpr size_t kMaxNameLength = 253;

std::string fnv1a_hex(const std::string& text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  char out[9];
  std::snprintf(out, sizeof out, "%08x", hash);
  return out;
}

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

void trim_dashes(std::string& s) {
  while (!s.empty() && s.back() == '-') s.pop_back();
  size_t first = s.find_first_not_of('-');
  s.erase(0, first == std::string::npos ? s.size() : first);
}

json config_map(const std::string& namespace_, const std::string& name, json labels,
                const std::string& key, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", namespace_}, {"labels", std::move(labels)}}},
          {"data", {{key, value}}}};
}

// The JSON under data[key]; errors name the ConfigMap.
Result<json> data_json(const json& object, const std::string& key) {
  std::string name = object.value("/metadata/name"_json_pointer, std::string());
  auto text = object.value("/data"_json_pointer, json::object()).value(key, std::string());
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Error::make("ConfigMap " + name + ": " + key + " is not a JSON object", "Invalid");
  }
  return parsed;
}

}  // namespace

AdmissionReportStore::AdmissionReportStore(kube::ApiClientPtr api, std::string namespace_)
    : api_(std::move(api)), namespace_(std::move(namespace_)) {}

const char* AdmissionReportStore::retired_config_map_name() { return kRetiredName; }

std::string AdmissionReportStore::config_map_name(const std::string& replica) {
  std::string base;
  base.reserve(replica.size());
  for (char c : replica) {
    char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    base += is_name_char(lower) ? lower : '-';
  }
  trim_dashes(base);
  const std::string prefix = kPrefix;
  const size_t room = kMaxNameLength - prefix.size() - 9;  // 9: "-" and the hash
  if (base.size() > room) base.resize(room);
  trim_dashes(base);
  // The retired totals' name is taken; a changed id could collide with another replica's.
  if (base.empty() || base != replica || base == "retired") {
    base = base.empty() ? fnv1a_hex(replica) : base + "-" + fnv1a_hex(replica);
  }
  return prefix + base;
}

Status AdmissionReportStore::write(const AdmissionReport& report) {
  const std::string name = config_map_name(report.replica);
  json object = config_map(namespace_, name, {{kAdmissionReportLabel, "true"}}, kReportKey,
                           to_json(report).dump());
  // An update with no resourceVersion replaces the report unconditionally: one request.
  auto updated = api_->update(kube::kConfigMaps, namespace_, object);
  if (updated) return Status::Ok();
  if (updated.error().code != 404) return updated.error();
  auto created = api_->create(kube::kConfigMaps, namespace_, object);
  if (!created) return created.error();
  log::info("Created admission report ConfigMap",
            {{"namespace", namespace_}, {"name", name}, {"replica", report.replica}});
  return Status::Ok();
}

Result<std::vector<AdmissionReport>> AdmissionReportStore::list_reports() {
  kube::ListOptions options;
  options.labelSelector = std::string(kAdmissionReportLabel) + "=true";
  auto listed = api_->list(kube::kConfigMaps, namespace_, options);
  if (!listed) return listed.error();
  std::vector<AdmissionReport> reports;
  for (const auto& item : listed->value("items", json::array())) {
    auto parsed = data_json(item, kReportKey);
    Result<AdmissionReport> report =
        parsed ? admission_report_from_json(*parsed) : Result<AdmissionReport>(parsed.error());
    if (!report) {
      log::warn("Skipped undecodable admission report ConfigMap",
                {{"namespace", namespace_},
                 {"name", item.value("/metadata/name"_json_pointer, std::string())},
                 {"error", report.error().message}});
      continue;
    }
    reports.push_back(std::move(report).value());
  }
  return reports;
}

Status AdmissionReportStore::remove_report(const std::string& replica) {
  auto removed = api_->remove(kube::kConfigMaps, namespace_, config_map_name(replica));
  if (!removed && removed.error().code != 404) return removed.error();
  return Status::Ok();
}

Result<RetiredTotals> AdmissionReportStore::load_retired() {
  auto got = api_->get(kube::kConfigMaps, namespace_, kRetiredName);
  if (!got) {
    if (got.error().code != 404) return got.error();
    retired_version_.clear();
    return RetiredTotals{};
  }
  retired_version_ = got->value("/metadata/resourceVersion"_json_pointer, std::string());
  auto parsed = data_json(*got, kReportKey);
  if (!parsed) return parsed.error();
  return retired_totals_from_json(*parsed);
}

Status AdmissionReportStore::save_retired(const RetiredTotals& retired) {
  json object =
      config_map(namespace_, kRetiredName, json::object(), kReportKey, to_json(retired).dump());
  Result<json> stored = Error{};
  if (retired_version_.empty()) {
    stored = api_->create(kube::kConfigMaps, namespace_, object);
  } else {
    object["metadata"]["resourceVersion"] = retired_version_;
    stored = api_->update(kube::kConfigMaps, namespace_, object);
  }
  if (!stored) return stored.error();
  retired_version_ = stored->value("/metadata/resourceVersion"_json_pointer, std::string());
  return Status::Ok();
}

Result<PolicyTallies> AdmissionReportStore::collect(std::chrono::system_clock::time_point now,
                                                    std::chrono::seconds stale_after) {
  auto reports = list_reports();
  if (!reports) return reports.error();
  auto retired = load_retired();
  if (!retired) return retired.error();

  FoldPlan plan = fold_stale_reports(*retired, *reports, now, stale_after);
  if (plan.changed) {
    // Totals first: a crash before the deletes leaves reports that are already folded, which
    // sum_admission skips and the next collect deletes.
    if (auto saved = save_retired(plan.retired); !saved) return saved.error();
  }
  for (const auto& replica : plan.reports_to_delete) {
    if (auto removed = remove_report(replica); !removed) {
      log::warn(
          "Failed to delete folded admission report ConfigMap",
          {{"namespace", namespace_}, {"replica", replica}, {"error", removed.error().message}});
      continue;
    }
    log::info("Deleted folded admission report ConfigMap",
              {{"namespace", namespace_}, {"replica", replica}});
  }
  return sum_admission(plan.retired, *reports);
}

}  // namespace castellan::controller
