#pragma once
// HttpConnection: one keep-alive HTTP/1.1 connection (TLS or plain) with a blocking API and a
// deadline on every operation. Each connection runs its own io_context, so a caller thread
// drives its I/O; the pool hands a connection to one thread at a time.

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace castellan::kube {

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string target;          // path and query, already escaped
  std::string content_type;
  std::string body;
  // Safe to send twice (everything but POST and non-apply PATCH).
  bool idempotent = true;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;  // the Retry-After header, verbatim
};

// Where connections go: host as in the URL (no brackets), TLS or not, and the name checked
// against the certificate and sent as SNI.
struct Endpoint {
  std::string host;
  std::string port;
  bool tls = true;
  std::string server_name;

  // Parses "https://host[:port]" or "http://host[:port]" (an optional path is refused).
  static Result<Endpoint> parse(const std::string& url, const std::string& server_name = {});
};

class HttpConnection {
 public:
  using Clock = std::chrono::steady_clock;

  HttpConnection(Endpoint endpoint, std::shared_ptr<boost::asio::ssl::context> tls,
                 bool verify_peer);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Resolves, connects and (for TLS) handshakes with hostname or IP verification.
  Status connect(Clock::time_point deadline);
  bool is_open() const;
  // False when an idle connection was closed by the peer (or has unexpected bytes waiting).
  bool usable_when_idle() const;
  void close();

  // Writes the request and reads the whole response. `sent` turns true once writing began,
  // so the caller knows whether a failed non-idempotent request may be repeated.
  Result<HttpResponse> exchange(const HttpRequest& request, const std::string& host_header,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                Clock::time_point deadline, bool& sent);

  struct StreamResult {
    int status = 0;
    std::string error_body;  // the body when status != 200
    bool ended_by_server = false;
    bool stopped = false;
  };
  // Writes the request, reads the header before `header_deadline`, then hands the body to
  // on_data piece by piece (no overall deadline unless `body_deadline` is set) until on_data
  // returns false, `stop` is set, or the body ends.
  Result<StreamResult> stream(const HttpRequest& request, const std::string& host_header,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              Clock::time_point header_deadline,
                              std::optional<Clock::time_point> body_deadline,
                              const std::function<bool(std::string_view)>& on_data,
                              const std::atomic<bool>& stop);

  // Whether the last response allows this connection to carry another request.
  bool reusable() const { return reusable_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool reusable_ = false;
};

using HttpConnectionPtr = std::unique_ptr<HttpConnection>;

}  // namespace castellan::kube
