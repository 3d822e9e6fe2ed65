#pragma once
// The webhook's HTTP surface without the transport: routes a whole request to its answer,
// counts it in metrics. Shared by the HTTPS server and by tests that call it directly.

#include <atomic>
#include <string>
#include <string_view>

#include "webhook/admission_handler.h"
#include "webhook/admission_observer.h"
#include "webhook/metrics.h"
#include "webhook/policy_store.h"

namespace castellan::webhook {

struct HttpRequestView {
  std::string_view method;
  std::string_view target;  // path, with any query string
  std::string_view content_type;
  std::string_view body;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class WebhookService {
 public:
  WebhookService(const PolicyStore& store, Metrics& metrics, AdmissionObserver* observer = nullptr,
                 DecodeLimits limits = {});

  HttpReply handle(const HttpRequestView& request) const;

  // An error answer decided by the transport (413, 408, 400 for a broken message), counted
  // like the others. `decode_reason` is also counted as a decode error when not empty.
  HttpReply error(int status, const std::string& reason, const std::string& message,
                  const std::string& decode_reason = {}) const;

  bool ready() const { return store_.snapshot() != nullptr; }

  // From now on /readyz answers 503 and every answer closes its connection, so that clients
  // move to other replicas while this one still serves (the manager's --shutdown-delay).
  void begin_shutdown() { shutting_down_ = true; }
  bool shutting_down() const { return shutting_down_; }

 private:
  HttpReply admit(Endpoint endpoint, const HttpRequestView& request) const;
  HttpReply metrics_reply() const;

  const PolicyStore& store_;
  Metrics& metrics_;
  AdmissionObserver* observer_;
  DecodeLimits limits_;
  AdmissionHandler handler_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace castellan::webhook
