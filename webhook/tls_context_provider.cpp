#include "webhook/tls_context_provider.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace castellan::webhook {
namespace {

namespace ssl = boost::asio::ssl;

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make("cannot read " + path + ": " + std::strerror(errno), "NotFound");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Result<SslContextPtr> make_server_context(const std::string& cert_pem,
                                          const std::string& key_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                  SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 ||
      SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384") != 1) {
    return Error::make("cannot configure TLS: " + openssl_error(), "Invalid");
  }
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(cert_pem), ec);
  if (ec) {
    return Error::make("cannot load the certificate: " + ec.message() +
                           " (expected a PEM certificate chain)",
                       "Invalid");
  }
  ctx->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) return Error::make("cannot load the private key: " + ec.message(), "Invalid");
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return Error::make("the private key does not match the certificate", "Invalid");
  }
  return ctx;
}

Result<TlsContextProvider::FileStamp> TlsContextProvider::stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error::make("cannot stat " + path + ": " + std::strerror(errno), "NotFound");
  }
  return FileStamp{static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                   static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)};
}

Result<std::unique_ptr<TlsContextProvider>> TlsContextProvider::from_files(std::string cert_file,
                                                                           std::string key_file) {
  std::unique_ptr<TlsContextProvider> provider(new TlsContextProvider());
  provider->cert_file_ = std::move(cert_file);
  provider->key_file_ = std::move(key_file);
  if (auto s = provider->load_files(); !s.ok()) return s.error();
  return provider;
}

Result<std::unique_ptr<TlsContextProvider>> TlsContextProvider::from_pem(
    const std::string& cert_pem, const std::string& key_pem) {
  std::unique_ptr<TlsContextProvider> provider(new TlsContextProvider());
  if (auto s = provider->set_pem(cert_pem, key_pem); !s.ok()) return s.error();
  return provider;
}

Status TlsContextProvider::load_files() {
  auto cert_stamp = stamp(cert_file_);
  if (!cert_stamp.ok()) return cert_stamp.error();
  auto key_stamp = stamp(key_file_);
  if (!key_stamp.ok()) return key_stamp.error();
  auto cert = read_file(cert_file_);
  if (!cert.ok()) return cert.error();
  auto key = read_file(key_file_);
  if (!key.ok()) return key.error();
  auto ctx = make_server_context(*cert, *key);
  if (!ctx.ok()) {
    return Error::make(cert_file_ + ", " + key_file_ + ": " + ctx.error().message, "Invalid");
  }
  context_.store(std::move(*ctx));
  // Stamps only move on success, so a half-written pair is retried on the next poll.
  cert_stamp_ = *cert_stamp;
  key_stamp_ = *key_stamp;
  return Status::Ok();
}

Result<bool> TlsContextProvider::reload_if_changed() {
  if (cert_file_.empty()) return false;
  auto cert_stamp = stamp(cert_file_);
  auto key_stamp = stamp(key_file_);
  if (!cert_stamp.ok()) return cert_stamp.error();
  if (!key_stamp.ok()) return key_stamp.error();
  if (*cert_stamp == cert_stamp_ && *key_stamp == key_stamp_) return false;
  if (auto s = load_files(); !s.ok()) return s.error();
  return true;
}

Status TlsContextProvider::set_pem(const std::string& cert_pem, const std::string& key_pem) {
  auto ctx = make_server_context(cert_pem, key_pem);
  if (!ctx.ok()) return ctx.error();
  context_.store(std::move(*ctx));
  return Status::Ok();
}

}  // namespace castellan::webhook
