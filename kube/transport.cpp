#include "kube/transport.h"

#include <thread>

#include "common/log.h"
#include "kube/exec_credential.h"
#include "kube/tls.h"

namespace castellan::kube {
namespace {

using Clock = HttpConnection::Clock;

std::string host_header(const Endpoint& endpoint) {
  bool ipv6 = endpoint.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + endpoint.port;
}

}  // namespace

Transport::Transport(const ClientConfig& config, ConnectionPoolPtr pool, BearerTokenSourcePtr token)
    : config_(config),
      pool_(std::move(pool)),
      token_(std::move(token)),
      limiter_(config.qps, config.burst) {
  retry_.max_retries = config.max_retries;
}

std::vector<std::pair<std::string, std::string>> Transport::headers(
    const std::string& token) const {
  std::vector<std::pair<std::string, std::string>> out{{"Accept", "application/json"},
                                                       {"User-Agent", config_.user_agent}};
  if (!token.empty()) out.emplace_back("Authorization", "Bearer " + token);
  return out;
}

Result<HttpResponse> Transport::attempt(const HttpRequest& request, const std::string& token,
                                        bool& sent) {
  sent = false;
  auto deadline = Clock::now() + config_.timeout;
  HttpConnectionPtr connection = pool_->acquire();
  if (!connection->is_open()) {
    if (auto status = connection->connect(deadline); !status.ok()) return status.error();
  }
  auto response =
      connection->exchange(request, host_header(pool_->endpoint()), headers(token), deadline, sent);
  if (response.ok()) pool_->release(std::move(connection));
  return response;
}

Result<HttpResponse> Transport::round_trip(const HttpRequest& request) {
  bool refreshed_token = false;
  for (int attempt_number = 0;; ++attempt_number) {
    limiter_.wait();
    auto token = token_->token();
    if (!token.ok()) return token.error();
    bool sent = false;
    auto response = attempt(request, *token, sent);
    AttemptOutcome outcome;
    outcome.attempt = attempt_number;
    outcome.idempotent = request.idempotent;
    if (response.ok()) {
      // A rotated or expired credential: fetch a fresh one once, as client-go does.
      if (response->status == 401 && !refreshed_token && token_->invalidate()) {
        refreshed_token = true;
        continue;
      }
      if (response->status < 400) return response;
      outcome.status = response->status;
      outcome.retry_after = response->retry_after;
    } else {
      outcome.connection_error = true;
      outcome.request_sent = sent;
    }
    auto delay = retry_.next_delay(outcome);
    if (!delay) return response;
    log::warn("Retried API request",
              {{"method", request.method},
               {"path", request.target},
               {"attempt", std::to_string(attempt_number + 1)},
               {"delayMs", std::to_string(delay->count())},
               {"cause", response.ok() ? "HTTP " + std::to_string(response->status)
                                       : response.error().message}});
    std::this_thread::sleep_for(*delay);
  }
}

Result<StreamOutcome> Transport::stream(const HttpRequest& request,
                                        const std::function<bool(std::string_view)>& on_data,
                                        const std::atomic<bool>& stop,
                                        std::optional<std::chrono::milliseconds> max_duration) {
  limiter_.wait();
  auto token = token_->token();
  if (!token.ok()) return token.error();
  auto start = Clock::now();
  auto header_deadline = start + config_.timeout;
  std::optional<Clock::time_point> body_deadline;
  if (max_duration) body_deadline = start + *max_duration;
  HttpConnectionPtr connection = pool_->acquire();
  if (!connection->is_open()) {
    if (auto status = connection->connect(header_deadline); !status.ok()) return status.error();
  }
  auto result = connection->stream(request, host_header(pool_->endpoint()), headers(*token),
                                   header_deadline, body_deadline, on_data, stop);
  if (!result.ok()) return result.error();
  if (result->status == 401) token_->invalidate();
  pool_->release(std::move(connection));
  return StreamOutcome{result->status, std::move(result->error_body), result->ended_by_server,
                       result->stopped};
}

Result<TransportPtr> make_transport(const ClientConfig& config) {
  std::string source = config.source.empty() ? "client configuration" : config.source;
  auto endpoint = Endpoint::parse(config.server, config.tls_server_name);
  if (!endpoint.ok()) return Error::make(source + ": server: " + endpoint.error().message);
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (endpoint->tls) {
    auto context = make_tls_context(config);
    if (!context.ok()) return context.error();
    tls = std::move(*context);
  }
  BearerTokenSourcePtr token;
  if (config.exec) {
    token = std::make_shared<ExecCredentialSource>(*config.exec, config);
  } else if (!config.token_file.empty()) {
    token = std::make_shared<FileTokenSource>(config.token_file);
  } else {
    token = std::make_shared<StaticTokenSource>(config.bearer_token);
  }
  auto pool = std::make_shared<ConnectionPool>(*endpoint, tls, !config.insecure_skip_tls_verify,
                                               config.max_idle_connections);
  return std::make_shared<Transport>(config, std::move(pool), std::move(token));
}

}  // namespace castellan::kube
