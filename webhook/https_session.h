#pragma once
// One TLS connection of the webhook server: handshake, then requests read with header and
// body timeouts and a body limit, answered by the WebhookService, kept alive until idle.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <array>
#include <functional>
#include <memory>
#include <optional>

#include "webhook/server_options.h"
#include "webhook/tls_context_provider.h"
#include "webhook/webhook_service.h"

namespace castellan::webhook {

class HttpsSession : public std::enable_shared_from_this<HttpsSession> {
 public:
  using OnClosed = std::function<void(HttpsSession*)>;

  HttpsSession(boost::asio::ip::tcp::socket&& socket, SslContextPtr context,
               const ServerOptions& options, const WebhookService& service, Metrics& metrics,
               OnClosed on_closed);
  ~HttpsSession();

  void start();
  // Finishes the request in flight, if any, then closes; closes at once when idle.
  void shutdown();
  // Closes the socket now (after the drain deadline).
  void abort();

 private:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  void on_handshake(boost::beast::error_code ec);
  void wait_for_request();
  void on_readable(boost::beast::error_code ec);
  void read_header();
  void on_header(boost::beast::error_code ec);
  void on_body(boost::beast::error_code ec);
  void on_read_error(boost::beast::error_code ec, bool in_body);
  void reply(HttpReply answer, bool keep_alive);
  void on_write(bool keep_alive, boost::beast::error_code ec);
  void drain();
  void close();

  SslContextPtr context_;  // keeps the certificate this connection was accepted with
  Stream stream_;
  const ServerOptions& options_;
  const WebhookService& service_;
  Metrics& metrics_;
  OnClosed on_closed_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> response_;
  std::unique_ptr<std::array<char, 16384>> drain_buffer_;
  size_t drained_ = 0;
  bool drain_after_reply_ = false;
  uint64_t requests_served_ = 0;
  bool idle_ = false;
  bool shutting_down_ = false;
  bool closing_ = false;
};

}  // namespace castellan::webhook
