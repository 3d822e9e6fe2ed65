#pragma once
// The parts of metav1.ObjectMeta and metav1.Condition that Castellan's types carry.

#include <cstdint>
#include <map>
#include <string>

namespace castellan::api {

struct ObjectMeta {
  std::string name;
  std::string namespace_;  // empty for cluster-scoped objects
  std::string uid;
  std::string resourceVersion;
  int64_t generation = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string creationTimestamp;
};

// metav1.Condition.
struct Condition {
  std::string type;    // Ready, WebhookConfigured, SensorsSynced, Degraded
  std::string status;  // "True", "False", "Unknown"
  std::string reason;  // CamelCase
  std::string message;
  std::string lastTransitionTime;  // RFC 3339
  int64_t observedGeneration = 0;
};

}  // namespace castellan::api
