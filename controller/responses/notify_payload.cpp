#include "controller/responses/notify_payload.h"

#include <algorithm>
#include <boost/asio/ip/address_v6.hpp>
#include <cctype>

#include "common/base64.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

// Slack reads <...> as links and mentions (<!channel>); its docs ask for these three escaped.
std::string slack_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\r':
      case '\n':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string summary_line(const api::RuntimeViolationEvent& alert, int64_t new_alerts,
                         const std::vector<std::string>& actions) {
  std::string line = "Castellan: SecurityPolicy " + alert.policy + " rule " + alert.rule;
  line += new_alerts <= 1 ? " fired once" : " fired " + std::to_string(new_alerts) + " times";
  if (!alert.pod.empty()) {
    line += " in Pod ";
    line += alert.pod_namespace.empty() ? alert.pod : alert.pod_namespace + "/" + alert.pod;
  }
  if (!alert.node.empty()) line += " on " + alert.node;
  const std::string detail = api::violation_detail(alert);
  if (!detail.empty()) line += ": " + detail;
  if (alert.killed && detail.find("process killed") == std::string::npos)
    line += " (process killed)";
  if (!actions.empty()) {
    line += "; responses: ";
    for (size_t i = 0; i < actions.size(); ++i) line += (i ? ", " : "") + actions[i];
  }
  return slack_escape(line);
}

bool is_tchar(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool starts_with_icase(const std::string& text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         iequals(std::string_view(text).substr(0, prefix.size()), prefix);
}

// The URL itself is not quoted: its path, query or userinfo may hold a token.
Error url_error(const std::string& why) { return Error::make("notify URL " + why, "Invalid"); }

bool is_reg_name_char(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string notify_body(const api::RuntimeViolationEvent& alert, int64_t new_alerts,
                        const std::vector<std::string>& actions) {
  std::vector<std::string> others;
  for (const auto& action : actions)
    if (action != "Notify") others.push_back(action);
  json body = {
      {"text", summary_line(alert, new_alerts, others)},
      {"alert",
       {{"policy", alert.policy},
        {"rule", alert.rule},
        {"namespace", alert.pod_namespace},
        {"pod", alert.pod},
        {"podUID", alert.pod_uid},
        {"node", alert.node},
        {"containerID", alert.container_id},
        {"killed", alert.killed},
        {"message", alert.message},
        {"count", new_alerts},
        {"totalCount", alert.count},
        {"time", alert.last_time},
        {"event", alert.event_namespace + "/" + alert.event_name}}},
      {"actions", others},
  };
  // Alert messages quote what ran in the container, which need not be valid UTF-8.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Status check_notify_header(const std::string& name, const std::string& value) {
  if (name.empty()) return Error::make("a header name is empty", "Invalid");
  if (!std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(c); }))
    return Error::make("header name \"" + name + "\" is not an HTTP token (RFC 7230)", "Invalid");
  for (const char* own :
       {"Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection"}) {
    if (iequals(name, own))
      return Error::make("header \"" + name + "\" is set by the notifier and cannot be given",
                         "Invalid");
  }
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n')
      return Error::make("the value of header \"" + name +
                             "\" contains a line break (a trailing newline from a file?)",
                         "Invalid");
    if (c == '\0')
      return Error::make("the value of header \"" + name + "\" contains a NUL byte", "Invalid");
    if ((u < 0x20 && c != '\t') || u == 0x7f)
      return Error::make("the value of header \"" + name + "\" contains a control character",
                         "Invalid");
  }
  return Status::Ok();
}

Result<HttpHeaders> notify_headers(const nlohmann::json& secret) {
  std::string what = "Secret";
  if (secret.is_object()) {
    auto meta = secret.find("metadata");
    if (meta != secret.end() && meta->is_object()) {
      auto name = meta->find("name");
      if (name != meta->end() && name->is_string()) what += " \"" + name->get<std::string>() + "\"";
    }
  }
  if (!secret.is_object()) return Error::make(what + " is not a JSON object", "Invalid");
  HttpHeaders headers;
  auto data = secret.find("data");
  if (data == secret.end() || data->is_null()) return headers;
  if (!data->is_object()) return Error::make(what + ": data is not an object", "Invalid");
  for (const auto& [key, encoded] : data->items()) {
    if (!encoded.is_string())
      return Error::make(what + ": data key \"" + key + "\" is not a string", "Invalid");
    auto value = base64_decode(encoded.get<std::string>());
    if (!value) return Error::make(what + ": data key \"" + key + "\" is not base64", "Invalid");
    if (auto status = check_notify_header(key, *value); !status.ok())
      return Error::make(what + ": " + status.error().message, "Invalid");
    headers.emplace_back(key, std::move(*value));
  }
  return headers;
}

Result<NotifyTarget> parse_notify_url(const std::string& url) {
  NotifyTarget out;
  std::string rest;
  std::string scheme;
  if (starts_with_icase(url, "https://")) {
    scheme = "https";
    rest = url.substr(8);
  } else if (starts_with_icase(url, "http://")) {
    scheme = "http";
    out.endpoint.tls = false;
    rest = url.substr(7);
  } else {
    return url_error("must start with https:// or http://");
  }
  if (auto hash = rest.find('#'); hash != std::string::npos) rest.erase(hash);
  auto authority_end = rest.find_first_of("/?");
  std::string authority = rest.substr(0, authority_end);
  std::string target = authority_end == std::string::npos ? "" : rest.substr(authority_end);
  if (authority.find('@') != std::string::npos)
    return url_error("has user credentials; put them in a header of headersSecret instead");
  if (authority.empty()) return url_error("has no host");

  std::string host;
  std::string host_in_url;  // with brackets for IPv6
  std::string port;
  bool has_port = false;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return url_error("has an unclosed '[' in its host");
    host = authority.substr(1, close - 1);
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(host, ec);
    if (ec) return url_error("has an invalid IPv6 address \"" + host + "\"");
    host_in_url = "[" + host + "]";
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return url_error("has text after the IPv6 address");
      port = authority.substr(close + 2);
      has_port = true;
    }
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
      if (port.find(':') != std::string::npos)
        return url_error("has more than one ':' in its host; put IPv6 addresses in brackets");
    }
    if (host.empty()) return url_error("has no host");
    if (!std::all_of(host.begin(), host.end(), [](char c) { return is_reg_name_char(c); }))
      return url_error("has an invalid host \"" + host + "\"");
    host_in_url = host;
  }
  if (has_port) {
    bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    int number = digits ? std::stoi(port) : 0;
    if (number < 1 || number > 65535) return url_error("has an invalid port \"" + port + "\"");
    port = std::to_string(number);
  }
  std::string default_port = out.endpoint.tls ? "443" : "80";
  if (!has_port) port = default_port;

  if (target.empty() || target.front() == '?') target = "/" + target;
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
      return url_error(
          "has a space, control or non-ASCII character in its path or query; "
          "percent-encode it");
  }

  out.endpoint.host = host;
  out.endpoint.port = port;
  out.endpoint.server_name = host;
  out.target = target;
  out.host_header = port == default_port ? host_in_url : host_in_url + ":" + port;
  out.origin = scheme + "://" + out.host_header;
  return out;
}

}  // namespace castellan::controller
