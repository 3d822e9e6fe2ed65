#include "kube/api_error.h"

#include <nlohmann/json.hpp>

namespace castellan::kube {
namespace {

std::string string_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// A short, printable excerpt of a non-Status body for the error message.
std::string excerpt(const std::string& body) {
  constexpr std::size_t kMax = 200;
  std::string out;
  for (char c : body.substr(0, kMax)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (body.size() > kMax) out += "...";
  return out;
}

}  // namespace

std::string reason_for_http_code(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

ApiStatus decode_api_status(int http_code, const std::string& body) {
  ApiStatus status;
  status.code = http_code;
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_discarded() && json.is_object() && string_field(json, "kind") == "Status") {
    status.reason = string_field(json, "reason");
    status.message = string_field(json, "message");
    if (auto c = json.find("code"); c != json.end() && c->is_number_integer() && c->get<int>())
      status.code = c->get<int>();
    if (auto d = json.find("details"); d != json.end() && d->is_object()) {
      status.name = string_field(*d, "name");
      status.group = string_field(*d, "group");
      status.kind = string_field(*d, "kind");
      if (auto r = d->find("retryAfterSeconds"); r != d->end() && r->is_number_integer())
        status.retry_after_seconds = r->get<int>();
      if (auto causes = d->find("causes"); causes != d->end() && causes->is_array()) {
        for (const auto& cause : *causes) {
          if (!cause.is_object()) continue;
          status.causes.push_back({string_field(cause, "reason"), string_field(cause, "message"),
                                   string_field(cause, "field")});
        }
      }
    }
  } else {
    status.message = body.empty() ? "the server answered HTTP " + std::to_string(http_code)
                                  : "the server answered HTTP " + std::to_string(http_code) + ": " +
                                        excerpt(body);
  }
  if (status.reason.empty()) status.reason = reason_for_http_code(status.code);
  if (status.message.empty())
    status.message = status.reason + " (HTTP " + std::to_string(status.code) + ")";
  return status;
}

Error api_error(int http_code, const std::string& body) {
  return decode_api_status(http_code, body).to_error();
}

}  // namespace castellan::kube
