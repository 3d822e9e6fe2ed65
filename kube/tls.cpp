#include "kube/tls.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>

namespace castellan::kube {
namespace {

namespace ssl = boost::asio::ssl;

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(const ClientConfig& config) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  if (config.insecure_skip_tls_verify) {
    ctx->set_verify_mode(ssl::verify_none, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (!config.ca_pem.empty()) {
      ctx->add_certificate_authority(boost::asio::buffer(config.ca_pem), ec);
      if (ec)
        return Error::make(config.source +
                           ": certificate-authority: not a valid PEM certificate (" + ec.message() +
                           ")");
    } else {
      ctx->set_default_verify_paths(ec);
      if (ec) return Error::make("cannot load the system trust store: " + ec.message());
    }
  }
  if (!config.client_cert_pem.empty() || !config.client_key_pem.empty()) {
    if (config.client_cert_pem.empty() || config.client_key_pem.empty())
      return Error::make(config.source +
                         ": client-certificate and client-key must be given together");
    ctx->use_certificate_chain(boost::asio::buffer(config.client_cert_pem), ec);
    if (ec)
      return Error::make(config.source + ": client-certificate: not a valid PEM certificate (" +
                         ec.message() + ")");
    ctx->use_private_key(boost::asio::buffer(config.client_key_pem), ssl::context::pem, ec);
    if (ec)
      return Error::make(config.source + ": client-key: not a valid PEM private key (" +
                         ec.message() + ")");
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
      return Error::make(config.source + ": client-key does not match client-certificate");
  }
  return ctx;
}

Status configure_tls_peer(SSL* ssl, const std::string& server_name, bool verify_peer) {
  bool ip = is_ip_address(server_name);
  if (!ip && SSL_set_tlsext_host_name(ssl, server_name.c_str()) != 1)
    return Error::make("cannot set TLS server name indication to " + server_name);
  if (!verify_peer) return Status::Ok();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (ip) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str()) != 1)
      return Error::make("cannot verify the server certificate against IP " + server_name);
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, server_name.c_str()) != 1)
      return Error::make("cannot verify the server certificate against host " + server_name);
  }
  return Status::Ok();
}

std::string tls_verify_error(SSL* ssl) {
  long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return {};
  return X509_verify_cert_error_string(result);
}

}  // namespace castellan::kube
