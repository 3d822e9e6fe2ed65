#include "webhook/admission_review.h"

#include "common/base64.h"
#include "webhook/fast_json.h"

namespace castellan::webhook {
namespace {

using nlohmann::json;

Error bad_request(const char* reason, std::string message) {
  return Error::make(std::move(message), reason, 400);
}

// Rejects over-deep documents before the recursive parts of nlohmann (copy, dump, compare)
// ever see them. Counts brackets outside strings; cheap next to the parse itself.
bool within_depth(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (++depth > max_depth) return false;
        break;
      case '}':
      case ']':
        --depth;
        break;
      default:
        break;
    }
  }
  return true;
}

Result<json> parse(std::string_view body, const DecodeLimits& limits) {
  if (body.size() > limits.max_body_bytes) {
    return bad_request(decode_reason::kTooLarge,
                       "AdmissionReview body is " + std::to_string(body.size()) +
                           " bytes; the limit is " + std::to_string(limits.max_body_bytes));
  }
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return bad_request(decode_reason::kEmptyBody, "request body is empty; expected an AdmissionReview");
  }
  if (!within_depth(body, limits.max_depth)) {
    return bad_request(decode_reason::kTooDeep, "AdmissionReview nests deeper than " +
                                                    std::to_string(limits.max_depth) + " levels");
  }
  if (auto fast = parse_admission_body(body)) return std::move(*fast);
  try {
    return json::parse(body.begin(), body.end());
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what.erase(0, pos + 2);
    const char* reason =
        e.byte >= body.size() ? decode_reason::kTruncated : decode_reason::kMalformedJson;
    std::string prefix = e.byte >= body.size() ? "AdmissionReview body ends early: "
                                               : "AdmissionReview body is not valid JSON: ";
    return bad_request(reason, prefix + what);
  } catch (const json::exception& e) {
    // e.g. out_of_range for a number beyond a double, such as 1e999.
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what.erase(0, pos + 2);
    return bad_request(decode_reason::kMalformedJson, "AdmissionReview body is not usable JSON: " + what);
  }
}

// Reads an optional string member; an error when present with another type.
Result<std::string> string_field(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return bad_request(decode_reason::kInvalidField,
                       where + "." + key + " must be a string, not " + it->type_name());
  }
  return it->get<std::string>();
}

struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
};

Result<GroupVersionKind> gvk_field(const json& request) {
  auto it = request.find("kind");
  if (it == request.end() || !it->is_object()) {
    return bad_request(decode_reason::kInvalidField,
                       "request.kind must be an object {group, version, kind}");
  }
  GroupVersionKind gvk;
  for (auto [key, out] : {std::pair{"group", &gvk.group}, {"version", &gvk.version},
                          {"kind", &gvk.kind}}) {
    auto value = string_field(*it, key, "request.kind");
    if (!value.ok()) return value.error();
    *out = std::move(*value);
  }
  if (gvk.kind.empty()) {
    return bad_request(decode_reason::kInvalidField, "request.kind.kind is missing");
  }
  return gvk;
}

Status read_envelope(const json& doc, AdmissionVersion& version) {
  if (!doc.is_object()) {
    return bad_request(decode_reason::kWrongKind,
                       std::string("expected an AdmissionReview object, got a JSON ") +
                           doc.type_name());
  }
  auto kind = string_field(doc, "kind", "AdmissionReview");
  if (!kind.ok()) return kind.error();
  if (*kind != "AdmissionReview") {
    return bad_request(decode_reason::kWrongKind,
                       "kind is \"" + *kind + "\"; expected \"AdmissionReview\"");
  }
  auto api_version = string_field(doc, "apiVersion", "AdmissionReview");
  if (!api_version.ok()) return api_version.error();
  if (*api_version == "admission.k8s.io/v1") {
    version = AdmissionVersion::V1;
  } else if (*api_version == "admission.k8s.io/v1beta1") {
    version = AdmissionVersion::V1beta1;
  } else {
    return bad_request(decode_reason::kWrongApiVersion,
                       "apiVersion is \"" + *api_version +
                           "\"; expected \"admission.k8s.io/v1\" or \"admission.k8s.io/v1beta1\"");
  }
  return Status::Ok();
}

Status read_strings(const json& request, AdmissionRequest& out) {
  struct Field {
    const json* parent;
    const char* key;
    const char* where;
    std::string* target;
  };
  const json empty = json::object();
  auto resource = request.find("resource");
  const json& resource_object =
      resource != request.end() && resource->is_object() ? *resource : empty;
  auto user_info = request.find("userInfo");
  const json& user_object =
      user_info != request.end() && user_info->is_object() ? *user_info : empty;
  for (const Field& f :
       {Field{&request, "uid", "request", &out.uid}, Field{&request, "name", "request", &out.name},
        Field{&request, "namespace", "request", &out.namespace_},
        Field{&request, "operation", "request", &out.operation},
        Field{&request, "subResource", "request", &out.sub_resource},
        Field{&resource_object, "resource", "request.resource", &out.resource},
        Field{&user_object, "username", "request.userInfo", &out.username}}) {
    auto value = string_field(*f.parent, f.key, f.where);
    if (!value.ok()) return value.error();
    *f.target = std::move(*value);
  }
  return Status::Ok();
}

Status read_dry_run(const json& request, AdmissionRequest& out) {
  auto it = request.find("dryRun");
  if (it == request.end() || it->is_null()) return Status::Ok();
  if (!it->is_boolean()) {
    return bad_request(decode_reason::kInvalidField,
                       std::string("request.dryRun must be a boolean, not ") + it->type_name());
  }
  out.dry_run = it->get<bool>();
  return Status::Ok();
}

// Older API servers send pods/ephemeralcontainers as an EphemeralContainers object; it is
// evaluated as the pod spec it extends.
json ephemeral_containers_as_pod(json object) {
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  if (auto it = object.find("metadata"); it != object.end()) pod["metadata"] = std::move(*it);
  json spec = {{"containers", json::array()}};
  if (auto it = object.find("ephemeralContainers"); it != object.end()) {
    spec["ephemeralContainers"] = std::move(*it);
  }
  pod["spec"] = std::move(spec);
  return pod;
}

Status read_object(json& request, AdmissionRequest& out, const GroupVersionKind& gvk) {
  auto it = request.find("object");
  if (it == request.end() || it->is_null()) {
    return bad_request(decode_reason::kMissingObject,
                       "request.object is missing for " + out.operation + " of " + gvk.kind +
                           " " + out.namespace_ + "/" + out.name);
  }
  if (!it->is_object()) {
    return bad_request(decode_reason::kInvalidField,
                       std::string("request.object must be an object, not ") + it->type_name());
  }
  out.object = std::move(*it);
  if (gvk.kind == "EphemeralContainers") {
    out.object = ephemeral_containers_as_pod(std::move(out.object));
    return Status::Ok();
  }
  // The engine reads the kind from the object; fill it from the request when absent.
  if (!out.object.contains("kind")) out.object["kind"] = gvk.kind;
  if (!out.object.contains("apiVersion")) {
    out.object["apiVersion"] = gvk.group.empty() ? gvk.version : gvk.group + "/" + gvk.version;
  }
  return Status::Ok();
}

// As Pod Security Admission does: an UPDATE of a Pod that leaves its spec as it was (labels,
// annotations, finalizers, owner references) is not judged again, so relabelling a running pod
// (IsolatePod's label among others) never fails on a rule or a quarantine that came later.
// Only an object spec is compared: a malformed one is still left to the engine to refuse.
Result<bool> pod_spec_unchanged(const json& request, const json& object) {
  auto old = request.find("oldObject");
  if (old == request.end() || old->is_null()) return false;  // judged as any UPDATE would be
  if (!old->is_object()) {
    return bad_request(decode_reason::kInvalidField,
                       std::string("request.oldObject must be an object, not ") + old->type_name());
  }
  auto spec = object.find("spec");
  auto old_spec = old->find("spec");
  return spec != object.end() && spec->is_object() && old_spec != old->end() && *spec == *old_spec;
}

}  // namespace

const char* api_version_string(AdmissionVersion version) {
  return version == AdmissionVersion::V1 ? "admission.k8s.io/v1" : "admission.k8s.io/v1beta1";
}

bool is_pod_bearing(const std::string& group, const std::string& kind) {
  if (group.empty()) {
    return kind == "Pod" || kind == "ReplicationController" || kind == "PodTemplate" ||
           kind == "EphemeralContainers";
  }
  if (group == "apps") {
    return kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
           kind == "ReplicaSet";
  }
  if (group == "batch") return kind == "Job" || kind == "CronJob";
  return false;
}

Result<AdmissionRequest> decode_admission_review(std::string_view body,
                                                 const DecodeLimits& limits) {
  auto parsed = parse(body, limits);
  if (!parsed.ok()) return parsed.error();
  json& doc = *parsed;
  AdmissionRequest out;
  if (auto s = read_envelope(doc, out.version); !s.ok()) return s.error();

  auto request = doc.find("request");
  if (request == doc.end() || request->is_null()) {
    return bad_request(decode_reason::kMissingRequest,
                       "AdmissionReview has no request; the API server always sends one");
  }
  if (!request->is_object()) {
    return bad_request(decode_reason::kInvalidField,
                       std::string("request must be an object, not ") + request->type_name());
  }
  if (auto s = read_strings(*request, out); !s.ok()) return s.error();
  if (out.uid.empty()) {
    return bad_request(decode_reason::kMissingUid,
                       "request.uid is missing; the answer must echo it");
  }
  if (auto s = read_dry_run(*request, out); !s.ok()) return s.error();
  auto gvk = gvk_field(*request);
  if (!gvk.ok()) return gvk.error();
  out.group = gvk->group;
  out.kind_version = gvk->version;
  out.kind = gvk->kind;

  if (out.operation != "CREATE" && out.operation != "UPDATE") {
    if (out.operation != "DELETE" && out.operation != "CONNECT") {
      return bad_request(decode_reason::kInvalidField,
                         "request.operation is \"" + out.operation +
                             "\"; expected CREATE, UPDATE, DELETE or CONNECT");
    }
    out.needs_evaluation = false;
    return out;
  }
  if (!out.sub_resource.empty() && out.sub_resource != "ephemeralcontainers") {
    out.needs_evaluation = false;  // status, binding, scale: nothing in the pod spec changes
    return out;
  }
  if (!is_pod_bearing(out.group, out.kind)) {
    std::string full = out.group.empty() ? out.kind : out.kind + "." + out.group;
    return bad_request(decode_reason::kUnsupportedKind,
                       full + " is not a pod-bearing kind; Castellan admits Pods, "
                              "pods/ephemeralcontainers, Deployments, StatefulSets, DaemonSets, "
                              "ReplicaSets, ReplicationControllers, PodTemplates, Jobs and CronJobs");
  }
  if (auto s = read_object(*request, out, *gvk); !s.ok()) return s.error();
  if (out.group.empty() && out.kind == "Pod" && out.operation == "UPDATE" &&
      out.sub_resource.empty()) {
    auto unchanged = pod_spec_unchanged(*request, out.object);
    if (!unchanged.ok()) return unchanged.error();
    if (*unchanged) {
      out.needs_evaluation = false;
      out.object = nullptr;
    }
  }
  return out;
}

std::string encode_admission_review(AdmissionVersion version, const AdmissionResponse& response) {
  json r = {{"uid", response.uid}, {"allowed", response.allowed}};
  if (response.status) {
    const auto& st = *response.status;
    json status = {{"metadata", json::object()},
                   {"status", response.allowed ? "Success" : "Failure"},
                   {"code", st.code},
                   {"reason", st.reason},
                   {"message", st.message}};
    if (!st.causes.empty()) {
      json causes = json::array();
      for (const auto& c : st.causes) {
        json cause = {{"reason", c.reason}, {"message", c.message}};
        if (!c.field.empty()) cause["field"] = c.field;
        causes.push_back(std::move(cause));
      }
      status["details"] = {{"causes", std::move(causes)}};
    }
    r["status"] = std::move(status);
  }
  if (!response.warnings.empty()) r["warnings"] = response.warnings;
  if (!response.audit_annotations.empty()) r["auditAnnotations"] = response.audit_annotations;
  if (response.patch && response.patch->is_array() && !response.patch->empty()) {
    r["patchType"] = "JSONPatch";
    r["patch"] = base64_encode(
        response.patch->dump(-1, ' ', false, json::error_handler_t::replace));
  }
  json doc = {{"apiVersion", api_version_string(version)},
              {"kind", "AdmissionReview"},
              {"response", std::move(r)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string encode_status_error(int code, const std::string& reason, const std::string& message,
                                const std::string& cause_reason) {
  json doc = {{"kind", "Status"},          {"apiVersion", "v1"},  {"metadata", json::object()},
              {"status", "Failure"},       {"message", message},  {"reason", reason},
              {"code", code}};
  if (!cause_reason.empty()) {
    doc["details"] = {{"causes", json::array({{{"reason", cause_reason}, {"message", message}}})}};
  }
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace castellan::webhook
