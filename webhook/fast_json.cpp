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

// request.object with metadata.managedFields left out; everything else as it came.
json convert_review(dom::object review) {
  json out = json::object();
  for (auto top : review) {
    if (top.key != "request" || !top.value.is_object()) {
      out[std::string(top.key)] = convert(top.value);
      continue;
    }
    json request = json::object();
    for (auto field : dom::object(top.value)) {
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
