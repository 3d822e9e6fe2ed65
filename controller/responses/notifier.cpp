#include "controller/responses/notifier.h"

#include <algorithm>
#include <exception>
#include <optional>

#include "common/log.h"
#include "kube/http_connection.h"

namespace castellan::controller {
namespace {

namespace ssl = boost::asio::ssl;
using SteadyClock = std::chrono::steady_clock;

bool retryable(int status) { return status == 408 || status == 429 || status >= 500; }

std::string attempts_text(int attempts) {
  return std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
}

// Retry-After as delta-seconds; HTTP dates are not worth honouring for a few seconds' wait.
std::optional<std::chrono::seconds> parse_retry_after(const std::string& text) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::chrono::seconds(std::stol(text));
}

// Connection errors quote the request target, which may hold the webhook's token.
std::string without_target(std::string message, const std::string& target) {
  if (target.size() <= 1) return message;
  for (auto at = message.find(target); at != std::string::npos; at = message.find(target, at))
    message.replace(at, target.size(), "<path>");
  return message;
}

Result<std::shared_ptr<ssl::context>> make_notify_tls(const std::string& extra_ca_file) {
  try {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    ctx->set_verify_mode(ssl::verify_peer, ec);
    ctx->set_default_verify_paths(ec);
    if (ec) return Error::make("cannot load the system trust store: " + ec.message());
    if (!extra_ca_file.empty()) {
      ctx->load_verify_file(extra_ca_file, ec);
      if (ec)
        return Error::make("cannot load CA certificates from " + extra_ca_file + ": " +
                           ec.message());
    }
    return ctx;
  } catch (const std::exception& e) {
    return Error::make(std::string("cannot create a TLS context for notifications: ") + e.what());
  }
}

}  // namespace

struct Notifier::Attempt {
  int status = 0;     // 0 when no answer came
  std::string error;  // why no answer came
  std::string retry_after;
};

Result<NotifierPtr> Notifier::create(NotifierOptions options, HeaderSource header_source,
                                     Completion on_complete) {
  if (options.max_attempts < 1) return Error::make("notifier max attempts must be at least 1");
  if (options.queue_capacity < 1) return Error::make("notifier queue capacity must be at least 1");
  if (!on_complete) return Error::make("notifier needs a completion callback");
  auto tls = make_notify_tls(options.extra_ca_file);
  if (!tls.ok()) return tls.error();
  try {
    return NotifierPtr(new Notifier(std::move(options), std::move(header_source),
                                    std::move(on_complete), std::move(tls.value())));
  } catch (const std::exception& e) {
    return Error::make(std::string("cannot start the notifier thread: ") + e.what());
  }
}

Notifier::Notifier(NotifierOptions options, HeaderSource header_source, Completion on_complete,
                   std::shared_ptr<ssl::context> tls)
    : options_(std::move(options)),
      header_source_(std::move(header_source)),
      on_complete_(std::move(on_complete)),
      tls_(std::move(tls)) {
  try {
    for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i) {
      workers_.emplace_back([this] { run(); });
    }
  } catch (...) {
    stop();  // join those that started before rethrowing to create()
    throw;
  }
}

Notifier::~Notifier() { stop(); }

bool Notifier::submit(NotifyRequest request) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    if (queue_.size() >= options_.queue_capacity) {
      ++stats_.queue_full;
      return false;
    }
    queue_.push_back(std::move(request));
    ++stats_.submitted;
  }
  cv_.notify_all();
  return true;
}

void Notifier::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // From a completion callback the workers finish on their own; a later stop() (the
  // destructor's) joins them. Joining here could wait on a worker waiting for this one.
  const auto self = std::this_thread::get_id();
  if (std::any_of(workers_.begin(), workers_.end(),
                  [&](const std::thread& w) { return w.get_id() == self; })) {
    return;
  }
  std::lock_guard stop_lock(stop_mu_);
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

NotifierStats Notifier::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Notifier::run() {
  for (;;) {
    NotifyRequest request;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      request = std::move(queue_.front());
      queue_.pop_front();
    }
    complete(deliver(request));
  }
  std::deque<NotifyRequest> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  for (auto& request : left) {
    NotifyResult result{request.policy, std::move(request.record), 0, 0, request.pod_uid};
    result.record.succeeded = false;
    auto target = parse_notify_url(request.url);
    result.record.message = "not delivered" +
                            (target.ok() ? " to " + target->origin : std::string()) +
                            ": the manager stopped before it was sent";
    complete(std::move(result));
  }
}

NotifyResult Notifier::deliver(const NotifyRequest& request) {
  NotifyResult result{request.policy, request.record, 0, 0, request.pod_uid};
  result.record.succeeded = false;
  auto target = parse_notify_url(request.url);
  if (!target.ok()) {
    result.record.message = target.error().message;
    return result;
  }
  const std::string& origin = target->origin;

  HttpHeaders headers = {{"User-Agent", "castellan-manager"}};
  if (!request.headers_secret.empty()) {
    Result<HttpHeaders> extra = Error::make("no header source is configured to read Secret \"" +
                                            request.headers_secret + "\"");
    try {
      if (header_source_) extra = header_source_(request.headers_secret);
    } catch (const std::exception& e) {
      extra = Error::make("reading headers from Secret \"" + request.headers_secret +
                          "\" failed: " + e.what());
    }
    if (!extra.ok()) {
      result.record.message = "not POSTed to " + origin + ": " + extra.error().message;
      return result;
    }
    for (auto& header : extra.value()) {
      if (auto status = check_notify_header(header.first, header.second); !status.ok()) {
        result.record.message = "not POSTed to " + origin + ": Secret \"" + request.headers_secret +
                                "\": " + status.error().message;
        return result;
      }
      headers.push_back(std::move(header));
    }
  }

  kube::Backoff backoff(options_.backoff, options_.random);
  std::string last;  // the last answer or error, for messages
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    if (attempt > 1) {
      std::lock_guard lock(mu_);
      ++stats_.retries;
    }
    result.attempts = attempt;
    Attempt answer = post_once(*target, headers, request.body);
    result.last_status = answer.status;
    if (answer.status >= 200 && answer.status < 300) {
      result.record.succeeded = true;
      result.record.message = "POSTed to " + origin + ": " + std::to_string(answer.status) +
                              (attempt > 1 ? " after " + attempts_text(attempt) : "");
      return result;
    }
    last = answer.status != 0 ? "last answer " + std::to_string(answer.status) : answer.error;
    if (answer.status != 0 && !retryable(answer.status)) {
      result.record.message =
          "POST to " + origin + " was answered " + std::to_string(answer.status) + "; not retried";
      return result;
    }
    if (attempt == options_.max_attempts) break;

    auto delay = backoff.next();
    if (auto asked = parse_retry_after(answer.retry_after)) {
      auto capped = std::min<SteadyClock::duration>(*asked, options_.backoff.max);
      delay = std::max(delay, capped);
    }
    log::info(
        "Deferred a Notify retry for SecurityPolicy",
        {{"policy", request.policy},
         {"destination", origin},
         {"attempt", std::to_string(attempt)},
         {"delayMs",
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count())},
         {"reason", last}});
    if (!wait_or_stop(delay)) {
      result.record.message = "not delivered to " + origin + ": the manager stopped after " +
                              attempts_text(attempt) + " (" + last + ")";
      return result;
    }
  }
  result.record.message =
      "gave up on " + origin + " after " + attempts_text(result.attempts) + ": " + last;
  return result;
}

Notifier::Attempt Notifier::post_once(const NotifyTarget& target, const HttpHeaders& headers,
                                      const std::string& body) {
  Attempt out;
  try {
    auto deadline = SteadyClock::now() + options_.attempt_timeout;
    kube::HttpConnection connection(target.endpoint, tls_, true);
    if (auto status = connection.connect(deadline); !status.ok()) {
      out.error = status.error().message;
      return out;
    }
    kube::HttpRequest post;
    post.method = "POST";
    post.target = target.target;
    post.content_type = "application/json";
    post.body = body;
    post.idempotent = false;
    bool sent = false;
    auto response = connection.exchange(post, target.host_header, headers, deadline, sent);
    connection.close();
    if (!response.ok()) {
      out.error = without_target(response.error().message, target.target);
      return out;
    }
    out.status = response->status;
    out.retry_after = response->retry_after;
  } catch (const std::exception& e) {
    out.error = std::string("POST failed: ") + e.what();
  }
  return out;
}

bool Notifier::wait_or_stop(SteadyClock::duration delay) {
  auto until = SteadyClock::now() + delay;
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, until, [this] { return stopping_; });
  return !stopping_;
}

void Notifier::complete(NotifyResult&& result) {
  {
    std::lock_guard lock(mu_);
    ++(result.record.succeeded ? stats_.delivered : stats_.failed);
  }
  if (result.record.succeeded) {
    log::info("Delivered Notify for SecurityPolicy", {{"policy", result.policy},
                                                      {"rule", result.record.rule},
                                                      {"outcome", result.record.message}});
  } else {
    log::warn("Failed to deliver Notify for SecurityPolicy", {{"policy", result.policy},
                                                              {"rule", result.record.rule},
                                                              {"outcome", result.record.message}});
  }
  try {
    on_complete_(std::move(result));
  } catch (const std::exception& e) {
    log::error("Notify completion callback threw", {{"error", e.what()}});
  } catch (...) {
    log::error("Notify completion callback threw", {{"error", "unknown exception"}});
  }
}

}  // namespace castellan::controller
