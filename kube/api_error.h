#pragma once
// ApiStatus: the API server's metav1.Status, decoded from an error answer, and the Error it
// becomes (message, reason, HTTP code). Answers that are not a Status (a proxy's HTML page, an
// empty body) still give a reason derived from the HTTP code.

#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::kube {

struct StatusCause {
  std::string type;
  std::string message;
  std::string field;
};

struct ApiStatus {
  int code = 0;
  std::string reason;
  std::string message;
  // details
  std::string name;
  std::string group;
  std::string kind;
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;

  Error to_error() const { return Error::make(message, reason, code); }
};

// The reason the API uses for an HTTP code (404 NotFound, 409 Conflict, 410 Gone, ...).
std::string reason_for_http_code(int code);

// Decodes `body` (a Status, or anything else) answered with HTTP `http_code`.
ApiStatus decode_api_status(int http_code, const std::string& body);

// Shorthand: decode_api_status(...).to_error().
Error api_error(int http_code, const std::string& body);

}  // namespace castellan::kube
