#include "webhook/fast_json.h"

#include <simdjson.h>

namespace castellan::webhook {
namespace {

using nlohmann::json;
namespace dom = simdjson::dom;

constexpr size_t kReusedCapacity = 256 * 1024;

json convert(dom::element e);

// Duplicate keys keep the last value, as nlohmann's parser does.
json convert_object(dom::object object, std::string_view skip = {}) {
  json out = json::object();
  for (auto field : object) {
    if (!skip.empty() && field.key == skip) continue;
    out[std::string(field.key)] = convert(field.value);
  }
  return out;
}

json convert(dom::element e) {
  switch (e.type()) {
    case dom::element_type::OBJECT:
      return convert_object(dom::object(e));
    case dom::element_type::ARRAY: {
      json out = json::array();
      for (auto v : dom::array(e)) out.push_back(convert(v));
      return out;
    }
    case dom::element_type::STRING:
      return std::string(std::string_view(e));
    case dom::element_type::INT64:
      return int64_t(e);
    case dom::element_type::UINT64:
      return uint64_t(e);
    case dom::element_type::DOUBLE:
      return double(e);
    case dom::element_type::BOOL:
      return bool(e);
    case dom::element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

// The member `key` of `object`: the last one, as in convert_object.
bool last_member(dom::object object, std::string_view key, dom::element& value) {
  bool found = false;
  for (auto field : object) {
    if (field.key == key) {
      value = field.value;
      found = true;
    }
  }
  return found;
}

// request.kind is {group: "", kind: Pod}: the only kind whose UPDATE reads oldObject.
bool is_pod_request(dom::object request) {
  dom::element kind;
  if (!last_member(request, "kind", kind) || !kind.is_object()) return false;
  dom::element name;
  if (!last_member(dom::object(kind), "kind", name) || !name.is_string() ||
      std::string_view(name) != "Pod") {
    return false;
  }
  dom::element group;
  if (!last_member(dom::object(kind), "group", group) || group.is_null()) return true;
  return group.is_string() && std::string_view(group).empty();
}

// request.object with metadata.managedFields left out, request.oldObject reduced to the spec
// of a Pod (the decoder compares it, and reads nothing else of oldObject); everything else as
// it came.
json convert_review(dom::object review) {
  json out = json::object();
  for (auto top : review) {
    if (top.key != "request" || !top.value.is_object()) {
      out[std::string(top.key)] = convert(top.value);
      continue;
    }
    const dom::object request_object(top.value);
    const bool pod = is_pod_request(request_object);
    json request = json::object();
    for (auto field : request_object) {
      if (field.key == "oldObject" && field.value.is_object()) {
        json old = json::object();
        dom::element spec;
        if (pod && last_member(dom::object(field.value), "spec", spec)) old["spec"] = convert(spec);
        request["oldObject"] = std::move(old);
        continue;
      }
      if (field.key != "object" || !field.value.is_object()) {
        request[std::string(field.key)] = convert(field.value);
        continue;
      }
      json object = json::object();
      for (auto member : dom::object(field.value)) {
        object[std::string(member.key)] =
            member.key == "metadata" && member.value.is_object()
                ? convert_object(dom::object(member.value), "managedFields")
                : convert(member.value);
      }
      request["object"] = std::move(object);
    }
    out["request"] = std::move(request);
  }
  return out;
}

}  // namespace

std::optional<json> parse_admission_body(std::string_view body) {
  // A reused parser keeps its buffers (the point of simdjson) for ordinary bodies; a rare
  // huge one gets a parser of its own so its memory is given back at once.
  thread_local dom::parser reused;
  std::optional<dom::parser> own;
  dom::parser& parser = body.size() <= kReusedCapacity ? reused : own.emplace();
  dom::element doc;
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  if (doc.is_object()) return convert_review(dom::object(doc));
  return convert(doc);
}

}  // namespace castellan::webhook
