#pragma once
// The HTTPS webhook server: accepts TLS connections on N I/O threads, caps them, polls the
// certificate files for changes, and drains in-flight requests on shutdown.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "webhook/https_session.h"
#include "webhook/server_options.h"
#include "webhook/tls_context_provider.h"
#include "webhook/webhook_service.h"

namespace castellan::webhook {

class Server {
 public:
  Server(ServerOptions options, const WebhookService& service, Metrics& metrics,
         TlsContextProvider& tls);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the I/O threads. Errors name the address and why (e.g. port in use).
  Status start();
  uint16_t port() const { return port_; }

  // Stops accepting, lets requests in flight finish (up to drain_timeout), closes the rest,
  // and joins the threads. Idempotent.
  void shutdown();

  size_t open_connections() const;

 private:
  void accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  void poll_certificate();
  void on_session_closed(HttpsSession* session);

  ServerOptions options_;
  const WebhookService& service_;
  Metrics& metrics_;
  TlsContextProvider& tls_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer certificate_timer_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::string last_certificate_error_;

  mutable std::mutex mu_;
  std::condition_variable drained_;
  std::unordered_map<HttpsSession*, std::weak_ptr<HttpsSession>> sessions_;
  bool stopped_ = false;
};

}  // namespace castellan::webhook
