#include "runtime_fixture.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <random>

#include "bench/policy/admission_fixture.h"
#include "controller/time_format.h"

namespace castellan::bench {
namespace {

using nlohmann::json;

constexpr int kNamespaces = 20;
constexpr int kNodes = 50;
constexpr int kEventsPerPod = 4;

const char* const kApps[] = {"payments-api", "checkout",      "ledger-worker", "search-indexer",
                             "web-frontend", "image-resizer", "auth-gateway",  "report-builder"};
const char* const kContainers[] = {"api", "worker", "metrics"};

struct RuntimeRule {
  const char* name;
  const char* what;  // the message after the sensor's "SecurityPolicy P rule R: "
};
const RuntimeRule kRules[] = {
    {"shell-in-container", "exec of /bin/sh"},
    {"write-below-etc", "write to /etc/passwd by /usr/bin/python3"},
    {"outbound-to-unknown", "connect to 203.0.113.7:4444 by /usr/bin/curl"},
    {"crypto-miner", "exec of /tmp/.x/xmrig"},
};

std::string hex(std::mt19937_64& rng, size_t digits) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(digits, '0');
  for (auto& c : out) c = kDigits[rng() % 16];
  return out;
}

std::string uuid(std::mt19937_64& rng) {
  return hex(rng, 8) + "-" + hex(rng, 4) + "-4" + hex(rng, 3) + "-a" + hex(rng, 3) + "-" +
         hex(rng, 12);
}

std::string policy_name(int i) { return "policy-" + std::to_string(1000 + i); }

std::string node_name(int i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "ip-10-0-%d-%d.eu-west-1.compute.internal", i / 8, 10 + i % 8);
  return buf;
}

std::chrono::system_clock::time_point hour_start() {
  using namespace std::chrono;
  return sys_days{year{2026} / 11 / 23} + hours{9};
}

// The fields castellan-sensor's Event create and count patches own, as the API server records.
json managed_fields(const std::string& time) {
  json annotations = {{".", json::object()}};
  for (const char* key : {api::kViolationActionAnnotation, api::kViolationContainerAnnotation,
                          api::kViolationNodeAnnotation, api::kViolationPolicyAnnotation,
                          api::kViolationRuleAnnotation}) {
    annotations[std::string("f:") + key] = json::object();
  }
  json fields = {{"f:count", json::object()},
                 {"f:firstTimestamp", json::object()},
                 {"f:involvedObject", json::object()},
                 {"f:lastTimestamp", json::object()},
                 {"f:message", json::object()},
                 {"f:metadata", {{"f:annotations", annotations}}},
                 {"f:reason", json::object()},
                 {"f:related", json::object()},
                 {"f:reportingComponent", json::object()},
                 {"f:reportingInstance", json::object()},
                 {"f:source", {{"f:component", json::object()}, {"f:host", json::object()}}},
                 {"f:type", json::object()}};
  return json::array({{{"manager", "castellan-sensor"},
                       {"operation", "Update"},
                       {"apiVersion", "v1"},
                       {"time", time},
                       {"fieldsType", "FieldsV1"},
                       {"fieldsV1", fields}}});
}

}  // namespace

std::vector<json> runtime_violation_events(int count) {
  std::mt19937_64 rng(20261123);
  const int pods = std::max(1, count / kEventsPerPod);
  std::vector<std::pair<std::string, std::string>> pod_names_and_uids;
  for (int p = 0; p < pods; ++p) {
    pod_names_and_uids.emplace_back(
        std::string(kApps[p % std::size(kApps)]) + "-" + hex(rng, 9) + "-" + hex(rng, 5),
        uuid(rng));
  }
  std::vector<json> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    const int p = static_cast<int>(rng() % pods);
    const auto& [pod, pod_uid] = pod_names_and_uids[p];
    const std::string ns = "team-" + std::to_string(p % kNamespaces);
    const std::string node = node_name(p % kNodes);
    const std::string policy = policy_name(i % kRuntimePolicies);
    const RuntimeRule& rule = kRules[rng() % std::size(kRules)];
    const bool kill = rng() % 4 == 0;
    const char* container = kContainers[rng() % std::size(kContainers)];
    const auto last = hour_start() + std::chrono::seconds(rng() % 3600);
    const auto first = last - std::chrono::seconds(rng() % 600);
    const std::string last_text = controller::format_rfc3339(last);
    const long long nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(first.time_since_epoch()).count();
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".%llx", nanos + i);
    std::string message = "SecurityPolicy " + policy + " rule " + rule.name + ": " + rule.what +
                          " in container " + container + (kill ? "; process killed" : "");
    out.push_back({
        {"apiVersion", "v1"},
        {"kind", "Event"},
        {"metadata",
         {{"name", pod + suffix},
          {"namespace", ns},
          {"uid", uuid(rng)},
          {"resourceVersion", std::to_string(1000000 + i)},
          {"creationTimestamp", controller::format_rfc3339(first)},
          {"annotations",
           {{api::kViolationPolicyAnnotation, policy},
            {api::kViolationRuleAnnotation, rule.name},
            {api::kViolationActionAnnotation, kill ? "Kill" : "Alert"},
            {api::kViolationNodeAnnotation, node},
            {api::kViolationContainerAnnotation, hex(rng, 64)}}},
          {"managedFields", managed_fields(last_text)}}},
        {"involvedObject",
         {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"namespace", ns},
          {"name", pod},
          {"uid", pod_uid}}},
        {"related",
         {{"apiVersion", api::kApiVersion}, {"kind", api::kSecurityPolicyKind}, {"name", policy}}},
        {"type", "Warning"},
        {"reason", api::kRuntimeViolationReason},
        {"message", std::move(message)},
        {"count", 1 + static_cast<int64_t>(rng() % 40)},
        {"firstTimestamp", controller::format_rfc3339(first)},
        {"lastTimestamp", last_text},
        {"eventTime", nullptr},
        {"source", {{"component", "castellan-sensor"}, {"host", node}}},
        {"reportingComponent", "castellan-sensor"},
        {"reportingInstance", node},
    });
  }
  return out;
}

controller::PolicyUids runtime_policy_uids() {
  std::mt19937_64 rng(7);
  controller::PolicyUids out;
  for (int i = 0; i < kRuntimePolicies; ++i) out[policy_name(i)] = uuid(rng);
  return out;
}

controller::RuntimeLedger counted_ledger(const std::vector<api::RuntimeViolationEvent>& events) {
  controller::RuntimeLedger ledger;
  const auto uids = runtime_policy_uids();
  controller::count_new_alerts(ledger, events, uids, true);
  const std::string now = controller::format_rfc3339(hour_start() + std::chrono::hours(1));
  for (auto& [name, record] : ledger.policies) {
    for (const auto& v : record.recentViolations) {
      const bool quarantine = v.rule == "crypto-miner";
      api::ActionRecord action;
      action.time = now;
      action.action = quarantine ? "QuarantineImage" : "IsolatePod";
      action.rule = v.rule;
      action.namespace_ = v.namespace_;
      action.pod = v.name;
      action.node = node_name(0);
      if (quarantine) {
        action.image = "registry.example.com/team/app:1.0@sha256:" + std::string(64, 'e');
        action.message = "quarantined the image's digest";
      } else {
        action.message = "applied NetworkPolicy castellan-isolate-" + v.name;
      }
      controller::add_action(record, std::move(action));
    }
    record.responses.taken = record.alerts;
  }
  return ledger;
}

std::vector<api::SecurityPolicy> quarantining_policies(int per_policy) {
  std::mt19937_64 rng(42);
  auto policies = benchmark_policies(kRuntimePolicies);
  for (auto& policy : policies) {
    auto& quarantined = policy.status.quarantinedDigests;
    quarantined.reserve(per_policy);
    for (int q = 0; q < per_policy; ++q) {
      const char* app = kApps[q % std::size(kApps)];
      api::QuarantinedDigest record;
      record.digest = "sha256:" + hex(rng, 64);
      record.image = "registry.example.com/team/" + std::string(app) + ":1." +
                     std::to_string(q % 50) + ".0@" + record.digest;
      record.rule = "crypto-miner";
      record.namespace_ = "team-" + std::to_string(q % kNamespaces);
      record.pod = std::string(app) + "-" + hex(rng, 9) + "-" + hex(rng, 5);
      record.node = node_name(q % kNodes);
      record.time = controller::format_rfc3339(hour_start() + std::chrono::seconds(q % 3600));
      record.alert = "SecurityPolicy " + policy.metadata.name +
                     " rule crypto-miner: exec of /tmp/.x/xmrig in container worker";
      quarantined.push_back(std::move(record));
    }
  }
  return policies;
}

}  // namespace castellan::bench
