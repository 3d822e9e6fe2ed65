#pragma once
// What the Notify response sends: the JSON body (a Slack-compatible `text` line plus the
// structured alert), the HTTP headers read from spec.runtime.responses[].notify.headersSecret,
// and where the POST goes. Pure functions on plain data; the I/O is in notifier.h.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "api/runtime_violation.h"
#include "common/result.h"
#include "kube/http_connection.h"

namespace castellan::controller {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// {"text": one human line, "alert": {...}, "actions": [...]}. `new_alerts` is how many
// alerts arrived since the last notification; alert.count is the Event's total. `actions`
// are the other actions of the same response ("Notify" itself is left out).
std::string notify_body(const api::RuntimeViolationEvent& alert, int64_t new_alerts,
                        const std::vector<std::string>& actions);

// Refuses a header the notifier must not send: a name that is not an RFC 7230 token, one the
// notifier sets itself (Host, Content-Length, Content-Type, Transfer-Encoding, Connection), or
// a value with CR, LF, NUL or another control character. The error names the header, never
// its value.
Status check_notify_header(const std::string& name, const std::string& value);

// Headers from a Secret object as read from the API: each `data` key is a header name, its
// base64-decoded value the header value. Errors name the Secret and the key.
Result<HttpHeaders> notify_headers(const nlohmann::json& secret);

struct NotifyTarget {
  kube::Endpoint endpoint;
  std::string target;       // path and query for the request line, "/" at least
  std::string host_header;  // host[:port] (IPv6 in brackets; default port left out)
  // scheme://host[:port]: how messages and logs name the destination, since the path and query
  // of webhook URLs (Slack's, for one) often carry the token.
  std::string origin;
};

// Accepts http:// and https:// URLs with a host (IPv6 in brackets), an optional port
// (default 80 / 443), path and query; refuses userinfo (credentials belong in headersSecret).
Result<NotifyTarget> parse_notify_url(const std::string& url);

}  // namespace castellan::controller
