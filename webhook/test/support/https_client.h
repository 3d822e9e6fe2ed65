#pragma once
// A small blocking HTTPS/1.1 client for tests of the webhook server over loopback.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <string>

#include "common/result.h"

namespace castellan::webhook::testing {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  bool keep_alive = false;
};

class HttpsClient {
 public:
  // `ca_pem` empty: the server certificate is not verified.
  explicit HttpsClient(uint16_t port, std::string ca_pem = {});
  ~HttpsClient();

  Status connect();
  bool connected() const { return stream_ != nullptr; }
  Result<ClientResponse> request(const std::string& method, const std::string& target,
                                 const std::string& body = {},
                                 const std::string& content_type = "application/json");
  // Writes raw bytes on the TLS stream (for malformed or partial requests).
  Status write_raw(const std::string& bytes);
  // Reads one response; an error when the server closed the connection instead.
  Result<ClientResponse> read_response();
  // The PEM of the certificate the server presented.
  std::string peer_certificate_pem() const;
  std::string tls_version() const;
  void close();
  // Limits the client to TLS 1.2 (call before connect()).
  void max_tls12();

 private:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  uint16_t port_;
  bool verify_host_ = false;
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_;
  std::unique_ptr<Stream> stream_;
  boost::beast::flat_buffer buffer_;
};

// One request on a fresh connection.
Result<ClientResponse> https_request(uint16_t port, const std::string& method,
                                     const std::string& target, const std::string& body = {},
                                     const std::string& content_type = "application/json");

}  // namespace castellan::webhook::testing
