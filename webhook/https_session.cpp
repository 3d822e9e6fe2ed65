#include "webhook/https_session.h"

#include <openssl/ssl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "webhook/admission_review.h"

namespace castellan::webhook {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

bool is_disconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

}  // namespace

HttpsSession::HttpsSession(asio::ip::tcp::socket&& socket, SslContextPtr context,
                           const ServerOptions& options, const WebhookService& service,
                           Metrics& metrics, OnClosed on_closed)
    : context_(std::move(context)),
      stream_(std::move(socket), *context_),
      options_(options),
      service_(service),
      metrics_(metrics),
      on_closed_(std::move(on_closed)) {
  metrics_.connection_opened();
}

HttpsSession::~HttpsSession() {
  metrics_.connection_closed();
  if (on_closed_) on_closed_(this);
}

void HttpsSession::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    beast::get_lowest_layer(self->stream_).expires_after(self->options_.header_timeout);
    self->stream_.async_handshake(asio::ssl::stream_base::server,
                                  [self](beast::error_code ec) { self->on_handshake(ec); });
  });
}

void HttpsSession::shutdown() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->shutting_down_ = true;
    if (self->idle_) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().cancel(ignored);
    }
  });
}

void HttpsSession::abort() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    beast::get_lowest_layer(self->stream_).close();
  });
}

void HttpsSession::on_handshake(beast::error_code ec) {
  if (ec) {
    metrics_.handshake_failed();
    closing_ = true;
    beast::get_lowest_layer(stream_).close();
    return;
  }
  wait_for_request();
}

// Waits for the first bytes of the next request under the idle timeout, so the header
// timeout starts only when a request does. Reads through TLS: after a handshake the request
// may already sit decrypted or buffered inside the TLS engine, invisible on the socket.
void HttpsSession::wait_for_request() {
  if (shutting_down_) return close();
  if (buffer_.size() > 0) return read_header();
  idle_ = true;
  beast::get_lowest_layer(stream_).expires_after(
      requests_served_ == 0 ? options_.header_timeout : options_.idle_timeout);
  stream_.async_read_some(buffer_.prepare(16 * 1024),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->buffer_.commit(n);
                            self->on_readable(ec);
                          });
}

void HttpsSession::on_readable(beast::error_code ec) {
  idle_ = false;
  if (ec == beast::error::timeout) {
    closing_ = true;  // the stream closed itself
    return;
  }
  if (ec || shutting_down_) return close();
  read_header();
}

void HttpsSession::read_header() {
  parser_.emplace();
  parser_->body_limit(options_.body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
  beast::get_lowest_layer(stream_).expires_after(options_.header_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void HttpsSession::on_header(beast::error_code ec) {
  if (ec) return on_read_error(ec, false);
  beast::get_lowest_layer(stream_).expires_after(options_.body_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
}

void HttpsSession::on_body(beast::error_code ec) {
  if (ec) return on_read_error(ec, true);
  ++requests_served_;
  const auto& request = parser_->get();
  HttpRequestView view{
      std::string_view(request.method_string().data(), request.method_string().size()),
      std::string_view(request.target().data(), request.target().size()), {}, request.body()};
  if (auto it = request.find(http::field::content_type); it != request.end()) {
    view.content_type = std::string_view(it->value().data(), it->value().size());
  }
  reply(service_.handle(view),
        request.keep_alive() && !shutting_down_ && !service_.shutting_down());
}

void HttpsSession::on_read_error(beast::error_code ec, bool in_body) {
  bool started = in_body || (parser_ && parser_->got_some());
  if (ec == http::error::body_limit) {
    return reply(service_.error(413, "RequestEntityTooLarge",
                                "request body exceeds " + std::to_string(options_.body_limit) +
                                    " bytes, the API server's own limit",
                                decode_reason::kTooLarge),
                 false);
  }
  if (ec == http::error::header_limit) {
    return reply(service_.error(431, "RequestHeaderFieldsTooLarge",
                                "request headers exceed " + std::to_string(options_.header_limit) +
                                    " bytes"),
                 false);
  }
  if (ec == beast::error::timeout) {
    // The stream closed itself on the timeout; nothing can be answered, but it is counted.
    if (started) {
      service_.error(408, "Timeout",
                     std::string("request ") + (in_body ? "body" : "headers") + " not received in time",
                     "ReadTimeout");
    }
    closing_ = true;
    return;
  }
  if (ec == http::error::partial_message || (started && is_disconnect(ec))) {
    service_.error(400, "BadRequest", "connection closed before the whole request arrived",
                   decode_reason::kTruncated);
    return close();
  }
  if (is_http_error(ec)) {
    return reply(service_.error(400, "BadRequest", "malformed HTTP request: " + ec.message(),
                                "MalformedHTTP"),
                 false);
  }
  close();
}

void HttpsSession::reply(HttpReply answer, bool keep_alive) {
  unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
  drain_after_reply_ = answer.status == 413;
  response_.emplace(static_cast<http::status>(answer.status), version);
  response_->set(http::field::server, "castellan");
  response_->set(http::field::content_type, answer.content_type);
  response_->body() = std::move(answer.body);
  response_->keep_alive(keep_alive);
  response_->prepare_payload();
  beast::get_lowest_layer(stream_).expires_after(options_.body_timeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                      self->on_write(keep_alive, ec);
                    });
}

void HttpsSession::on_write(bool keep_alive, beast::error_code ec) {
  response_.reset();
  parser_.reset();
  if (ec) {
    closing_ = true;
    beast::get_lowest_layer(stream_).close();
    return;
  }
  if (drain_after_reply_) return drain();
  if (!keep_alive || shutting_down_) return close();
  wait_for_request();
}

// Reads and drops what the client still sends of a refused body for a short while, so that
// closing does not reset the connection before the client has read the answer.
void HttpsSession::drain() {
  if (drained_ >= options_.body_limit * 2) return close();
  if (!drain_buffer_) drain_buffer_ = std::make_unique<std::array<char, 16384>>();
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(1));
  stream_.async_read_some(asio::buffer(*drain_buffer_),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec) {
                              if (ec == beast::error::timeout) {
                                self->closing_ = true;
                                return;
                              }
                              return self->close();
                            }
                            self->drain();
                          });
}

void HttpsSession::close() {
  if (closing_) return;
  closing_ = true;
  // The peer's close_notify is waited for only briefly: an idle client may never read.
  beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(500));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::get_lowest_layer(self->stream_).close();
  });
}

}  // namespace castellan::webhook
