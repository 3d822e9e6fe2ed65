#include "https_client.h"

#include <openssl/pem.h>

#include <chrono>

namespace castellan::webhook::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpsClient::HttpsClient(uint16_t port, std::string ca_pem)
    : port_(port), ctx_(asio::ssl::context::tls_client) {
  if (ca_pem.empty()) {
    ctx_.set_verify_mode(asio::ssl::verify_none);
  } else {
    boost::system::error_code ec;
    ctx_.add_certificate_authority(asio::buffer(ca_pem), ec);
    ctx_.set_verify_mode(asio::ssl::verify_peer);
    verify_host_ = true;
  }
}

HttpsClient::~HttpsClient() { close(); }

Status HttpsClient::connect() {
  close();
  stream_ = std::make_unique<Stream>(ioc_, ctx_);
  beast::error_code ec;
  auto& tcp = beast::get_lowest_layer(*stream_);
  tcp.expires_after(std::chrono::seconds(10));
  tcp.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  if (ec) return Error::make("connect: " + ec.message());
  SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");
  // The API server checks the IP SAN when it calls https://127.0.0.1:PORT; so do we.
  if (verify_host_) stream_->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  stream_->handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Error::make("handshake: " + ec.message());
  buffer_.clear();
  return Status::Ok();
}

Result<ClientResponse> HttpsClient::request(const std::string& method, const std::string& target,
                                            const std::string& body,
                                            const std::string& content_type) {
  if (!stream_) {
    if (auto s = connect(); !s.ok()) return s.error();
  }
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "localhost");
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  beast::error_code ec;
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(20));
  http::write(*stream_, req, ec);
  if (ec) return Error::make("write: " + ec.message());
  return read_response();
}

Status HttpsClient::write_raw(const std::string& bytes) {
  if (!stream_) return Error::make("not connected");
  beast::error_code ec;
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(20));
  asio::write(*stream_, asio::buffer(bytes), ec);
  if (ec) return Error::make("write: " + ec.message());
  return Status::Ok();
}

Result<ClientResponse> HttpsClient::read_response() {
  if (!stream_) return Error::make("not connected");
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code ec;
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(20));
  http::read(*stream_, buffer_, parser, ec);
  if (ec) {
    stream_.reset();
    return Error::make("read: " + ec.message());
  }
  auto res = parser.release();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  out.content_type = std::string(res[http::field::content_type]);
  out.keep_alive = res.keep_alive();
  if (!out.keep_alive) close();
  return out;
}

std::string HttpsClient::peer_certificate_pem() const {
  if (!stream_) return {};
  X509* cert = SSL_get1_peer_certificate(stream_->native_handle());
  if (cert == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  X509_free(cert);
  return pem;
}

std::string HttpsClient::tls_version() const {
  return stream_ ? SSL_get_version(stream_->native_handle()) : "";
}

void HttpsClient::max_tls12() {
  SSL_CTX_set_max_proto_version(ctx_.native_handle(), TLS1_2_VERSION);
}

void HttpsClient::close() {
  if (!stream_) return;
  beast::error_code ec;
  beast::get_lowest_layer(*stream_).socket().close(ec);
  stream_.reset();
}

Result<ClientResponse> https_request(uint16_t port, const std::string& method,
                                     const std::string& target, const std::string& body,
                                     const std::string& content_type) {
  HttpsClient client(port);
  return client.request(method, target, body, content_type);
}

}  // namespace castellan::webhook::testing
