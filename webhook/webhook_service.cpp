#include "webhook/webhook_service.h"

#include <chrono>

#include "common/log.h"

namespace castellan::webhook {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// "application/json" with any parameters (charset).
bool is_json(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  return iequals(media, "application/json");
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));  // the API server appends ?timeout=10s
}

std::string denied_by(const AdmissionOutcome& outcome) {
  std::string out;
  for (const auto& p : outcome.policies) {
    if (p.verdict != "denied") continue;
    if (!out.empty()) out += ",";
    out += p.policy;
  }
  return out;
}

}  // namespace

WebhookService::WebhookService(const PolicyStore& store, Metrics& metrics,
                               AdmissionObserver* observer, DecodeLimits limits)
    : store_(store), metrics_(metrics), observer_(observer), limits_(limits) {}

HttpReply WebhookService::error(int status, const std::string& reason, const std::string& message,
                                const std::string& decode_reason) const {
  metrics_.count_http_error(status);
  if (!decode_reason.empty()) metrics_.count_decode_error(decode_reason);
  return {status, "application/json", encode_status_error(status, reason, message, decode_reason)};
}

HttpReply WebhookService::handle(const HttpRequestView& request) const {
  std::string_view path = path_of(request.target);
  bool post = request.method == "POST";
  bool get = request.method == "GET";
  if (path == "/validate" || path == "/mutate") {
    if (!post) {
      return error(405, "MethodNotAllowed",
                   std::string(path) + " takes POST with an AdmissionReview, not " +
                       std::string(request.method));
    }
    return admit(path == "/validate" ? Endpoint::Validate : Endpoint::Mutate, request);
  }
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    if (!get) {
      return error(405, "MethodNotAllowed",
                   std::string(path) + " takes GET, not " + std::string(request.method));
    }
    if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
    if (path == "/metrics") return metrics_reply();
    if (shutting_down()) {
      metrics_.count_http_error(503);
      return {503, "text/plain; charset=utf-8", "not ready: shutting down\n"};
    }
    if (ready()) return {200, "text/plain; charset=utf-8", "ok\n"};
    metrics_.count_http_error(503);
    return {503, "text/plain; charset=utf-8", "not ready: no SecurityPolicy snapshot loaded yet\n"};
  }
  return error(404, "NotFound",
               "no endpoint " + std::string(path) +
                   "; the webhook serves POST /validate, POST /mutate, GET /healthz, "
                   "GET /readyz and GET /metrics");
}

HttpReply WebhookService::admit(Endpoint endpoint, const HttpRequestView& request) const {
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](HttpReply reply, const std::string& verdict) {
    metrics_.count_request(endpoint, verdict);
    metrics_.observe_latency(endpoint, std::chrono::steady_clock::now() - start);
    return reply;
  };

  if (!is_json(request.content_type)) {
    std::string got = request.content_type.empty() ? "none" : std::string(request.content_type);
    return finish(error(415, "UnsupportedMediaType",
                        "Content-Type must be application/json, got " + got,
                        "WrongContentType"),
                  "invalid");
  }
  auto decoded = decode_admission_review(request.body, limits_);
  if (!decoded.ok()) {
    const Error& e = decoded.error();
    return finish(error(400, "BadRequest", e.message, e.reason), "invalid");
  }
  const AdmissionRequest& admission = *decoded;

  auto snapshot = store_.snapshot();
  auto namespaces = store_.namespaces();
  if (!snapshot || !namespaces) {
    return finish(error(503, "ServiceUnavailable",
                        "no SecurityPolicy snapshot is loaded yet; try again shortly"),
                  "unavailable");
  }
  auto outcome = endpoint == Endpoint::Validate
                     ? handler_.validate(admission, *snapshot, *namespaces)
                     : handler_.mutate(admission, *snapshot, *namespaces);
  if (!outcome.ok()) {
    const Error& e = outcome.error();
    return finish(error(400, "BadRequest", e.message, e.reason), "invalid");
  }
  for (const auto& p : outcome->policies) metrics_.count_policy(endpoint, p.policy, p.verdict);
  if (outcome->verdict == "denied") {
    log::info("Denied admission",
              {{"kind", admission.kind}, {"namespace", admission.namespace_},
               {"name", admission.name}, {"uid", admission.uid},
               {"policies", denied_by(*outcome)}, {"dryRun", admission.dry_run ? "true" : "false"}});
  }
  if (observer_ != nullptr && !admission.dry_run) observer_->observe(admission, *outcome);
  return finish({200, "application/json",
                 encode_admission_review(admission.version, outcome->response)},
                outcome->verdict);
}

HttpReply WebhookService::metrics_reply() const {
  if (auto snapshot = store_.snapshot()) {
    metrics_.set_snapshot_generation(snapshot->generation());
    metrics_.set_snapshot_policies(snapshot->size());
  }
  return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render()};
}

}  // namespace castellan::webhook
