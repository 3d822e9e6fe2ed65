#pragma once
// RuntimeViolation Events: what a sensor writes for an alert on a Pod (core/v1 Event, reason
// RuntimeViolation, involvedObject the Pod, related the SecurityPolicy) and what the controller
// reads back to count alerts and run responses. The annotations are the contract; the message
// is for people. Repeats of one alert become one Event whose count rises.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace castellan::api {

inline constexpr const char* kRuntimeViolationReason = "RuntimeViolation";
inline constexpr const char* kViolationPolicyAnnotation = "castellan.io/policy";
inline constexpr const char* kViolationRuleAnnotation = "castellan.io/rule";
inline constexpr const char* kViolationActionAnnotation = "castellan.io/action";  // Alert | Kill
inline constexpr const char* kViolationNodeAnnotation = "castellan.io/node";
inline constexpr const char* kViolationContainerAnnotation = "castellan.io/container-id";

struct RuntimeViolationEvent {
  std::string uid;  // of the Event
  std::string event_namespace;
  std::string event_name;
  std::string pod_namespace;
  std::string pod;
  std::string pod_uid;
  std::string policy;
  std::string rule;
  bool killed = false;
  std::string node;
  std::string container_id;  // runtime-less id, as in the Pod's containerStatuses
  std::string message;
  int64_t count = 1;
  std::string last_time;  // RFC 3339: lastTimestamp, else eventTime, else firstTimestamp
};

// What happened, from the message without the "SecurityPolicy <policy> rule <rule>: " the
// sensor starts it with (for texts that name the policy and rule already).
std::string violation_detail(const RuntimeViolationEvent& event);

// Reads an Event written by a sensor. Errors name what is missing (an Event that is not a
// RuntimeViolation, or lacks the policy or rule annotation, is not one of ours).
Result<RuntimeViolationEvent> decode_runtime_violation(const nlohmann::json& event);

}  // namespace castellan::api
