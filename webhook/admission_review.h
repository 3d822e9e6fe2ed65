#pragma once
// AdmissionReview (admission.k8s.io/v1 and v1beta1): decoding a request body into an
// AdmissionRequest and encoding an AdmissionResponse in the request's version. Pure.

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace castellan::webhook {

enum class AdmissionVersion { V1, V1beta1 };

const char* api_version_string(AdmissionVersion version);

// Reasons a body is refused, as reported in the 400 answer and the decode error metric.
namespace decode_reason {
inline constexpr const char* kEmptyBody = "EmptyBody";
inline constexpr const char* kMalformedJson = "MalformedJSON";
inline constexpr const char* kTruncated = "TruncatedBody";
inline constexpr const char* kTooDeep = "NestingTooDeep";
inline constexpr const char* kTooLarge = "BodyTooLarge";
inline constexpr const char* kWrongApiVersion = "WrongAPIVersion";
inline constexpr const char* kWrongKind = "WrongKind";
inline constexpr const char* kMissingRequest = "MissingRequest";
inline constexpr const char* kMissingUid = "MissingUID";
inline constexpr const char* kMissingObject = "MissingObject";
inline constexpr const char* kUnsupportedKind = "UnsupportedKind";
inline constexpr const char* kInvalidField = "InvalidField";
}  // namespace decode_reason

struct DecodeLimits {
  size_t max_body_bytes = 3 * 1024 * 1024;  // the API server's own request limit
  int max_depth = 100;                      // a Pod is about 15 levels deep
};

struct AdmissionRequest {
  AdmissionVersion version = AdmissionVersion::V1;
  std::string uid;
  std::string group;  // request.kind
  std::string kind_version;
  std::string kind;
  std::string resource;  // request.resource.resource
  std::string sub_resource;
  std::string name;
  std::string namespace_;
  std::string operation;  // CREATE, UPDATE, DELETE, CONNECT
  std::string username;   // request.userInfo.username, for podSecurity.exemptions.usernames
  bool dry_run = false;
  // False when the request is answered without looking at an object: DELETE, CONNECT,
  // subresources other than pods/ephemeralcontainers, and a Pod UPDATE whose spec equals
  // request.oldObject.spec (a change of labels, annotations, finalizers or owner references
  // only; as Pod Security Admission, it is not judged again). Such requests are "skipped".
  bool needs_evaluation = true;
  nlohmann::json object;  // the pod-bearing object; null when !needs_evaluation
};

// Decodes a whole AdmissionReview body. Errors carry reason (decode_reason::*) and code 400.
// request.oldObject is read only for a Pod UPDATE without subresource: when present and not
// null it must be an object (InvalidField); when absent the UPDATE is evaluated.
Result<AdmissionRequest> decode_admission_review(std::string_view body,
                                                 const DecodeLimits& limits = {});

// The kinds admission gates: Pod, the workload kinds with a pod template, and the
// EphemeralContainers object older API servers send for pods/ephemeralcontainers.
bool is_pod_bearing(const std::string& group, const std::string& kind);

struct AdmissionStatus {
  int code = 403;
  std::string reason;
  std::string message;
  struct Cause {
    std::string reason;
    std::string message;
    std::string field;
  };
  std::vector<Cause> causes;
};

struct AdmissionResponse {
  std::string uid;
  bool allowed = true;
  std::optional<AdmissionStatus> status;  // set on denial
  std::vector<std::string> warnings;
  std::map<std::string, std::string> audit_annotations;
  std::optional<nlohmann::json> patch;  // RFC 6902 array; sent base64-encoded as JSONPatch
};

// The AdmissionReview body answering a request of `version`.
std::string encode_admission_review(AdmissionVersion version, const AdmissionResponse& response);

// A metav1.Status body for answers that are not an AdmissionReview (400, 404, 413, ...).
std::string encode_status_error(int code, const std::string& reason, const std::string& message,
                                const std::string& cause_reason = {});

}  // namespace castellan::webhook
