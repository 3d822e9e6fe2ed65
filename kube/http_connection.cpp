#include "kube/http_connection.h"

#include <poll.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>

#include "kube/tls.h"

namespace castellan::kube {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = HttpConnection::Clock;

constexpr std::uint64_t kMaxResponseBytes = 1ULL << 30;
constexpr std::size_t kStreamBufferBytes = 64 * 1024;

enum class Waited { Done, TimedOut, Stopped };

}  // namespace

Result<Endpoint> Endpoint::parse(const std::string& url, const std::string& server_name) {
  Endpoint endpoint;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    endpoint.tls = false;
    rest = url.substr(7);
  } else {
    return Error::make("server URL \"" + url + "\" must start with https:// or http://");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos)
    return Error::make("server URL \"" + url +
                       "\" has a path; only scheme://host[:port] is supported");
  std::string host = rest;
  std::string port = endpoint.tls ? "443" : "80";
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos)
      return Error::make("server URL \"" + url + "\" has an unclosed '['");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':')
        return Error::make("server URL \"" + url + "\" is malformed after ']'");
      port = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return Error::make("server URL \"" + url + "\" has no host");
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5 || std::stoi(port) == 0 || std::stoi(port) > 65535)
    return Error::make("server URL \"" + url + "\" has an invalid port \"" + port + "\"");
  endpoint.host = host;
  endpoint.port = port;
  endpoint.server_name = server_name.empty() ? host : server_name;
  return endpoint;
}

struct HttpConnection::Impl {
  Endpoint endpoint;
  std::shared_ptr<asio::ssl::context> tls_context;
  bool verify_peer;
  asio::io_context ioc{1};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  std::unique_ptr<beast::tcp_stream> plain;
  beast::flat_buffer buffer;
  std::vector<char> chunk = std::vector<char>(kStreamBufferBytes);

  bool open() const {
    if (tls) return beast::get_lowest_layer(*tls).socket().is_open();
    return plain && plain->socket().is_open();
  }

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  void close() {
    if (!tls && !plain) return;
    boost::system::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }

  // Runs the connection's I/O until the operation sets `done`; on the deadline or `stop` the
  // socket is closed (so the operation ends with an error) and the outcome says which.
  Waited wait(const bool& done, std::optional<Clock::time_point> deadline,
              const std::atomic<bool>* stop, const std::function<void()>& cancel) {
    while (!done) {
      auto until = Clock::now() + std::chrono::milliseconds(250);
      if (deadline && *deadline < until) until = *deadline;
      ioc.run_one_until(until);
      if (done) break;
      bool timed_out = deadline && Clock::now() >= *deadline;
      bool stopped = stop != nullptr && stop->load();
      if (timed_out || stopped) {
        cancel();
        while (!done && ioc.run_one() > 0) {
        }
        return timed_out ? Waited::TimedOut : Waited::Stopped;
      }
      if (ioc.stopped()) ioc.restart();
    }
    return Waited::Done;
  }

  Waited wait(const bool& done, std::optional<Clock::time_point> deadline,
              const std::atomic<bool>* stop = nullptr) {
    return wait(done, deadline, stop, [this] { close(); });
  }

  std::string where() const { return endpoint.host + ":" + endpoint.port; }

  template <typename F>
  void with_stream(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*plain);
    }
  }

  http::request<http::string_body> make_request(
      const HttpRequest& request, const std::string& host_header,
      const std::vector<std::pair<std::string, std::string>>& headers) {
    http::request<http::string_body> req;
    req.method_string(request.method);
    req.target(request.target);
    req.version(11);
    req.set(http::field::host, host_header);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!request.content_type.empty()) req.set(http::field::content_type, request.content_type);
    req.keep_alive(true);
    req.body() = request.body;
    req.prepare_payload();
    return req;
  }

  Status write(const http::request<http::string_body>& req, Clock::time_point deadline) {
    ioc.restart();
    bool done = false;
    boost::system::error_code result;
    with_stream([&](auto& stream) {
      http::async_write(stream, req, [&](boost::system::error_code ec, std::size_t) {
        result = ec;
        done = true;
      });
    });
    auto waited = wait(done, deadline);
    if (waited == Waited::TimedOut) {
      close();
      return Error::make("timed out sending " + std::string(req.method_string()) + " " +
                         std::string(req.target()) + " to " + where());
    }
    if (result) {
      close();
      return Error::make("sending " + std::string(req.method_string()) + " " +
                         std::string(req.target()) + " to " + where() +
                         " failed: " + result.message());
    }
    return Status::Ok();
  }
};

HttpConnection::HttpConnection(Endpoint endpoint, std::shared_ptr<asio::ssl::context> tls,
                               bool verify_peer)
    : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = std::move(endpoint);
  impl_->tls_context = std::move(tls);
  impl_->verify_peer = verify_peer;
}

HttpConnection::~HttpConnection() { close(); }

bool HttpConnection::is_open() const { return impl_->open(); }

void HttpConnection::close() {
  impl_->close();
  reusable_ = false;
}

bool HttpConnection::usable_when_idle() const {
  if (!impl_->open() || !reusable_) return false;
  // Any readable byte (EOF, a TLS close_notify, stray data) on an idle connection means the
  // server is done with it.
  pollfd fd{impl_->lowest().socket().native_handle(), POLLIN | POLLRDHUP, 0};
  int n = ::poll(&fd, 1, 0);
  return n == 0;
}

Status HttpConnection::connect(Clock::time_point deadline) {
  auto& impl = *impl_;
  impl.ioc.restart();
  impl.close();
  impl.tls.reset();
  impl.plain.reset();
  impl.buffer.clear();

  tcp::resolver resolver(impl.ioc);
  tcp::resolver::results_type endpoints;
  boost::system::error_code result;
  bool done = false;
  resolver.async_resolve(impl.endpoint.host, impl.endpoint.port,
                         [&](boost::system::error_code ec, tcp::resolver::results_type r) {
                           result = ec;
                           endpoints = std::move(r);
                           done = true;
                         });
  if (impl.wait(done, deadline, nullptr, [&] { resolver.cancel(); }) == Waited::TimedOut)
    return Error::make("timed out resolving " + impl.where());
  if (result) return Error::make("cannot resolve " + impl.where() + ": " + result.message());

  if (impl.endpoint.tls) {
    impl.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(impl.ioc, *impl.tls_context);
  } else {
    impl.plain = std::make_unique<beast::tcp_stream>(impl.ioc);
  }
  impl.ioc.restart();
  done = false;
  impl.lowest().async_connect(endpoints, [&](boost::system::error_code ec, const tcp::endpoint&) {
    result = ec;
    done = true;
  });
  if (impl.wait(done, deadline) == Waited::TimedOut) {
    impl.close();
    return Error::make("timed out connecting to " + impl.where());
  }
  if (result) {
    impl.close();
    return Error::make("cannot connect to " + impl.where() + ": " + result.message());
  }
  boost::system::error_code ignored;
  impl.lowest().socket().set_option(tcp::no_delay(true), ignored);
  impl.lowest().socket().set_option(asio::socket_base::keep_alive(true), ignored);

  if (impl.tls) {
    auto peer =
        configure_tls_peer(impl.tls->native_handle(), impl.endpoint.server_name, impl.verify_peer);
    if (!peer.ok()) {
      impl.close();
      return peer;
    }
    impl.ioc.restart();
    done = false;
    impl.tls->async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code ec) {
      result = ec;
      done = true;
    });
    if (impl.wait(done, deadline) == Waited::TimedOut) {
      impl.close();
      return Error::make("timed out in the TLS handshake with " + impl.where());
    }
    if (result) {
      std::string why = tls_verify_error(impl.tls->native_handle());
      impl.close();
      return Error::make("TLS handshake with " + impl.where() + " failed: " + result.message() +
                             (why.empty() ? "" : " (" + why + ")"),
                         "TLSError");
    }
  }
  reusable_ = true;
  return Status::Ok();
}

Result<HttpResponse> HttpConnection::exchange(
    const HttpRequest& request, const std::string& host_header,
    const std::vector<std::pair<std::string, std::string>>& headers, Clock::time_point deadline,
    bool& sent) {
  auto& impl = *impl_;
  reusable_ = false;
  auto req = impl.make_request(request, host_header, headers);
  sent = true;
  if (auto status = impl.write(req, deadline); !status.ok()) return status.error();

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  impl.ioc.restart();
  bool done = false;
  boost::system::error_code result;
  impl.with_stream([&](auto& stream) {
    http::async_read(stream, impl.buffer, parser, [&](boost::system::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
  });
  std::string what = request.method + " " + request.target;
  if (impl.wait(done, deadline) == Waited::TimedOut) {
    impl.close();
    return Error::make("timed out waiting for the answer to " + what + " from " + impl.where(),
                       "Timeout");
  }
  if (result) {
    impl.close();
    return Error::make("reading the answer to " + what + " from " + impl.where() +
                       " failed: " + result.message());
  }
  auto& res = parser.get();
  HttpResponse response;
  response.status = res.result_int();
  response.content_type = std::string(res[http::field::content_type]);
  response.retry_after = std::string(res[http::field::retry_after]);
  reusable_ = res.keep_alive();
  response.body = std::move(res.body());
  if (!reusable_) impl.close();
  return response;
}

Result<HttpConnection::StreamResult> HttpConnection::stream(
    const HttpRequest& request, const std::string& host_header,
    const std::vector<std::pair<std::string, std::string>>& headers,
    Clock::time_point header_deadline, std::optional<Clock::time_point> body_deadline,
    const std::function<bool(std::string_view)>& on_data, const std::atomic<bool>& stop) {
  auto& impl = *impl_;
  reusable_ = false;
  auto req = impl.make_request(request, host_header, headers);
  if (auto status = impl.write(req, header_deadline); !status.ok()) return status.error();
  std::string what = request.method + " " + request.target;

  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  impl.ioc.restart();
  bool done = false;
  boost::system::error_code result;
  impl.with_stream([&](auto& stream) {
    http::async_read_header(stream, impl.buffer, parser,
                            [&](boost::system::error_code ec, std::size_t) {
                              result = ec;
                              done = true;
                            });
  });
  auto waited = impl.wait(done, header_deadline, &stop);
  StreamResult out;
  if (waited == Waited::Stopped) {
    impl.close();
    out.stopped = true;
    return out;
  }
  if (waited == Waited::TimedOut) {
    impl.close();
    return Error::make("timed out waiting for the answer to " + what + " from " + impl.where(),
                       "Timeout");
  }
  if (result) {
    impl.close();
    return Error::make("reading the answer to " + what + " from " + impl.where() +
                       " failed: " + result.message());
  }
  out.status = parser.get().result_int();
  bool keep_alive = parser.get().keep_alive();

  while (!parser.is_done()) {
    auto& body = parser.get().body();
    body.data = impl.chunk.data();
    body.size = impl.chunk.size();
    impl.ioc.restart();
    done = false;
    impl.with_stream([&](auto& stream) {
      http::async_read_some(stream, impl.buffer, parser,
                            [&](boost::system::error_code ec, std::size_t) {
                              result = ec;
                              done = true;
                            });
    });
    auto deadline = out.status == 200 ? body_deadline : std::optional(header_deadline);
    waited = impl.wait(done, deadline, &stop);
    std::size_t n = impl.chunk.size() - body.size;
    if (waited == Waited::Stopped) {
      impl.close();
      out.stopped = true;
      return out;
    }
    if (waited == Waited::TimedOut) {
      impl.close();
      return Error::make("timed out reading the answer to " + what + " from " + impl.where(),
                         "Timeout");
    }
    if (result && result != http::error::need_buffer) {
      impl.close();
      return Error::make("the answer to " + what + " from " + impl.where() +
                         " was cut: " + result.message());
    }
    if (n == 0) continue;
    std::string_view data(impl.chunk.data(), n);
    if (out.status != 200) {
      if (out.error_body.size() < (1 << 20)) out.error_body.append(data);
      continue;
    }
    if (!on_data(data)) {
      impl.close();
      out.stopped = true;
      return out;
    }
  }
  out.ended_by_server = out.status == 200;
  reusable_ = keep_alive;
  if (!reusable_) impl.close();
  return out;
}

}  // namespace castellan::kube
