#include "kube/lease.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace castellan::kube {

std::string format_micro_time(WallTime time) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch());
  auto secs = std::chrono::floor<std::chrono::seconds>(micros);
  std::time_t t = secs.count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>((micros - secs).count()));
  return buf;
}

Result<WallTime> parse_micro_time(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return Error::make("invalid time \"" + text + "\": want RFC 3339", "Invalid");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::string rest = text.substr(static_cast<std::size_t>(consumed));
  long long micros = 0;
  if (!rest.empty() && rest[0] == '.') {
    std::size_t digits = 1;
    long long scale = 100000;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      if (scale > 0) micros += (rest[digits] - '0') * scale;
      scale /= 10;
      ++digits;
    }
    rest = rest.substr(digits);
  }
  if (rest != "Z") {
    return Error::make("invalid time \"" + text + "\": want UTC with a final Z", "Invalid");
  }
  std::time_t secs = timegm(&tm);
  return WallTime{} + std::chrono::duration_cast<WallTime::duration>(
                          std::chrono::seconds(secs) + std::chrono::microseconds(micros));
}

Result<LeaseRecord> lease_record_from_json(const nlohmann::json& lease) {
  LeaseRecord record;
  if (!lease.is_object()) return Error::make("Lease is not an object", "Invalid");
  auto spec = lease.find("spec");
  if (spec == lease.end() || spec->is_null()) return record;
  if (!spec->is_object()) return Error::make("Lease spec is not an object", "Invalid");
  auto field = [&](const char* name) -> const nlohmann::json* {
    auto it = spec->find(name);
    return it == spec->end() || it->is_null() ? nullptr : &*it;
  };
  if (auto* v = field("holderIdentity")) {
    if (!v->is_string()) return Error::make("Lease spec.holderIdentity is not a string", "Invalid");
    record.holder_identity = v->get<std::string>();
  }
  if (auto* v = field("leaseDurationSeconds")) {
    if (!v->is_number_integer()) {
      return Error::make("Lease spec.leaseDurationSeconds is not an integer", "Invalid");
    }
    record.lease_duration_seconds = v->get<int>();
  }
  if (auto* v = field("leaseTransitions")) {
    if (!v->is_number_integer()) {
      return Error::make("Lease spec.leaseTransitions is not an integer", "Invalid");
    }
    record.lease_transitions = v->get<int>();
  }
  for (auto [name, target] : {std::pair{"acquireTime", &record.acquire_time},
                              std::pair{"renewTime", &record.renew_time}}) {
    if (auto* v = field(name)) {
      if (!v->is_string()) return Error::make(std::string("Lease spec.") + name + " is not a string", "Invalid");
      auto time = parse_micro_time(v->get<std::string>());
      if (!time.ok()) return Error::make(std::string("Lease spec.") + name + ": " + time.error().message, "Invalid");
      *target = time.value();
    }
  }
  return record;
}

void write_lease_record(nlohmann::json& lease, const LeaseRecord& record) {
  nlohmann::json& spec = lease["spec"];
  spec["holderIdentity"] = record.holder_identity;
  spec["leaseDurationSeconds"] = record.lease_duration_seconds;
  spec["acquireTime"] = format_micro_time(record.acquire_time);
  spec["renewTime"] = format_micro_time(record.renew_time);
  spec["leaseTransitions"] = record.lease_transitions;
}

}  // namespace castellan::kube
