#pragma once
// Notifier: delivers Notify responses (a JSON POST per alert) on a few background workers, with
// a bounded queue, bounded retries and backoff, so that a slow or dead webhook receiver never
// holds up the reconcilers, nor (while workers are free) the other policies' notifications.
// Every accepted request ends in exactly one completion callback.

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"
#include "controller/responses/notify_payload.h"
#include "kube/backoff.h"

namespace castellan::controller {

struct NotifyRequest {
  std::string policy;
  std::string url;             // spec.runtime.responses[].notify.url
  std::string headers_secret;  // notify.headersSecret, "" for none
  std::string body;            // notify_body(...)
  api::ActionRecord record;    // time, action "Notify", rule, namespace, pod, node
  std::string pod_uid;         // handed back in the result, for Events on the Pod
};

struct NotifyResult {
  std::string policy;
  api::ActionRecord record;  // succeeded and message filled in; never a header value
  int attempts = 0;          // POSTs tried (0 when it failed before any)
  int last_status = 0;       // HTTP status of the last answer, 0 when none came
  std::string pod_uid;       // from the request
};

struct NotifierOptions {
  int max_attempts = 4;
  kube::BackoffOptions backoff{std::chrono::seconds(1), std::chrono::seconds(10), 2.0, 0.2};
  kube::Backoff::Random random;  // for the backoff jitter; default random when empty
  std::chrono::milliseconds attempt_timeout{5000};  // connect, send and read, per attempt
  size_t queue_capacity = 256;
  // Deliveries in flight at once: one receiver that times out does not delay the others.
  size_t workers = 4;
  // PEM CA certificates trusted for https in addition to the system store (tests).
  std::string extra_ca_file;
};

struct NotifierStats {
  uint64_t submitted = 0;   // accepted by submit()
  uint64_t delivered = 0;   // answered 2xx
  uint64_t failed = 0;      // completed without a 2xx (stop included)
  uint64_t retries = 0;     // attempts after the first
  uint64_t queue_full = 0;  // refused by submit() because the queue was full
};

class Notifier;
using NotifierPtr = std::unique_ptr<Notifier>;

class Notifier {
 public:
  // Headers for a delivery from the named Secret (the manager reads it through the API and
  // calls notify_headers). An error fails the delivery with that message, before any POST.
  using HeaderSource = std::function<Result<HttpHeaders>(const std::string& secret_name)>;
  // Called on a worker thread, once per accepted request.
  using Completion = std::function<void(NotifyResult)>;

  // Builds the TLS context (system trust store plus options.extra_ca_file) and starts the
  // workers. Errors say which CA file could not be read.
  static Result<NotifierPtr> create(NotifierOptions options, HeaderSource header_source,
                                    Completion on_complete);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Queues a delivery; false when the queue is full or the notifier stopped (no callback then).
  bool submit(NotifyRequest request);
  // Ends backoff waits at once and completes what is queued as not delivered; an attempt in
  // flight ends within attempt_timeout. Joins the workers (none when called from a completion
  // callback: the destructor does). Idempotent.
  void stop();
  NotifierStats stats() const;

 private:
  Notifier(NotifierOptions options, HeaderSource header_source, Completion on_complete,
           std::shared_ptr<boost::asio::ssl::context> tls);

  struct Attempt;
  void run();
  NotifyResult deliver(const NotifyRequest& request);
  Attempt post_once(const NotifyTarget& target, const HttpHeaders& headers,
                    const std::string& body);
  // Sleeps for `delay` unless stop() comes first; false when stopped.
  bool wait_or_stop(std::chrono::steady_clock::duration delay);
  void complete(NotifyResult&& result);

  NotifierOptions options_;
  HeaderSource header_source_;
  Completion on_complete_;
  std::shared_ptr<boost::asio::ssl::context> tls_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<NotifyRequest> queue_;
  bool stopping_ = false;
  NotifierStats stats_;
  std::mutex stop_mu_;                // serializes stop() callers around the join
  std::vector<std::thread> workers_;  // set once, before any stop()
};

}  // namespace castellan::controller
