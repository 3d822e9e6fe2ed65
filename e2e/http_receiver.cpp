#include "e2e/http_receiver.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>

namespace castellan::e2e {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;

constexpr std::uint64_t kMaxRequestBytes = 64ULL << 20;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

Error openssl_failure(const std::string& what) {
  char buf[256] = "unknown error";
  if (unsigned long code = ERR_get_error(); code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return Error::make("cannot make the receiver's certificate: " + what + ": " + buf);
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

std::string pem_of(const std::function<int(BIO*)>& write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

struct CertificatePair {
  std::string cert_pem;
  std::string key_pem;
};

// Self-signed and marked as a CA, so that a client can trust it directly.
Result<CertificatePair> self_signed_certificate(const std::vector<std::string>& sans) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_failure("generating a P-256 key");
  CertPtr cert(X509_new());
  if (!cert) return openssl_failure("allocating a certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("castellan-e2e-receiver"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san_list;
  for (const auto& san : sans) san_list += (san_list.empty() ? "" : ",") + san;
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      (!san_list.empty() && !add_extension(cert.get(), NID_subject_alt_name, san_list)))
    return openssl_failure("adding extensions (subject alternative names " + san_list + ")");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return openssl_failure("signing");
  CertificatePair pair;
  pair.cert_pem = pem_of([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
  pair.key_pem = pem_of([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (pair.cert_pem.empty() || pair.key_pem.empty()) return openssl_failure("writing PEM");
  return pair;
}

tcp::socket& lowest(tcp::socket& socket) { return socket; }
tcp::socket& lowest(TlsStream& stream) { return stream.next_layer(); }

using Answer = std::function<ReceiverResponse(ReceivedRequest&&)>;

// One connection: (handshake,) read a request, record it, answer (after the scripted delay),
// repeat while the client keeps the connection alive.
template <typename Stream>
class ReceiverSession : public std::enable_shared_from_this<ReceiverSession<Stream>> {
 public:
  ReceiverSession(Stream stream, Answer answer)
      : stream_(std::move(stream)),
        timer_(lowest(stream_).get_executor()),
        answer_(std::move(answer)) {}

  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();
                                self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBytes);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec) return close();
    auto& req = parser_->get();
    ReceivedRequest received;
    received.method = std::string(req.method_string());
    received.target = std::string(req.target());
    for (const auto& field : req)
      received.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    received.body = std::move(req.body());
    keep_alive_ = req.keep_alive();
    ReceiverResponse response = answer_(std::move(received));
    if (response.delay.count() > 0) {
      timer_.expires_after(response.delay);
      timer_.async_wait([self = this->shared_from_this(), response](beast::error_code wait_ec) {
        if (wait_ec) return self->close();
        self->write(response);
      });
      return;
    }
    write(response);
  }

  void write(const ReceiverResponse& response) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(std::clamp(response.status, 100, 999)));
    for (const auto& [name, value] : response.headers) res->set(name, value);
    if (!response.body.empty() && res->find(http::field::content_type) == res->end())
      res->set(http::field::content_type, "application/json");
    res->body() = response.body;
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !self->keep_alive_) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    lowest(stream_).shutdown(tcp::socket::shutdown_both, ignored);
    lowest(stream_).close(ignored);
  }

  Stream stream_;
  asio::steady_timer timer_;
  Answer answer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
};

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

struct HttpReceiver::Impl {
  std::unique_ptr<ssl::context> tls;  // null for plain HTTP; outlives the sessions in ioc
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  Answer answer;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec && tls) {
        std::make_shared<ReceiverSession<TlsStream>>(TlsStream(std::move(socket), *tls), answer)
            ->start();
      } else if (!ec) {
        std::make_shared<ReceiverSession<tcp::socket>>(std::move(socket), answer)->start();
      }
      accept();
    });
  }
};

HttpReceiver::HttpReceiver(std::vector<ReceiverResponse> script, ReceiverResponse fallback)
    : script_(script.begin(), script.end()), fallback_(std::move(fallback)) {}

HttpReceiver::~HttpReceiver() { stop(); }

Status HttpReceiver::start(int port) { return listen(std::make_unique<Impl>(), port); }

Status HttpReceiver::start_tls(std::vector<std::string> sans, int port) {
  auto pair = self_signed_certificate(sans);
  if (!pair.ok()) return pair.error();
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  try {
    impl->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return Error::make(std::string("cannot create the receiver's TLS context: ") + e.what());
  }
  impl->tls->use_certificate_chain(asio::buffer(pair->cert_pem), ec);
  if (!ec) impl->tls->use_private_key(asio::buffer(pair->key_pem), ssl::context::pem, ec);
  if (ec) return Error::make("cannot load the receiver's certificate: " + ec.message());
  if (auto status = listen(std::move(impl), port); !status.ok()) return status;
  certificate_pem_ = pair->cert_pem;
  return Status::Ok();
}

Status HttpReceiver::listen(std::unique_ptr<Impl> impl, int port) {
  if (impl_) return Error::make("the HTTP receiver is already started");
  impl->answer = [this](ReceivedRequest&& request) { return next_response(std::move(request)); };
  beast::error_code ec;
  tcp::endpoint where(asio::ip::address_v4::loopback(), static_cast<unsigned short>(port));
  impl->acceptor.open(where.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(where, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error::make("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
  port_ = impl->acceptor.local_endpoint(ec).port();
  if (ec) return Error::make("cannot read the receiver's port: " + ec.message());
  impl->accept();
  impl_ = std::move(impl);
  try {
    thread_ = std::thread([ioc = &impl_->ioc] {
      try {
        ioc->run();
      } catch (const std::exception&) {
        // A handler threw: the receiver stops answering, and the test sees missing requests.
      }
    });
  } catch (const std::exception& e) {
    impl_.reset();
    return Error::make(std::string("cannot start the receiver thread: ") + e.what());
  }
  return Status::Ok();
}

void HttpReceiver::stop() {
  if (!impl_) return;
  impl_->ioc.stop();
  if (thread_.joinable()) thread_.join();
  // Destroying the io_context drops the pending handlers, and with them every connection.
  impl_.reset();
}

std::string HttpReceiver::url(std::string_view path) const {
  return (certificate_pem_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") +
         std::to_string(port_) + std::string(path);
}

void HttpReceiver::script(std::vector<ReceiverResponse> responses) {
  std::lock_guard lock(mu_);
  for (auto& response : responses) script_.push_back(std::move(response));
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t HttpReceiver::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

bool HttpReceiver::wait_for(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

ReceiverResponse HttpReceiver::next_response(ReceivedRequest&& request) {
  ReceiverResponse response = fallback_;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(request));
    if (!script_.empty()) {
      response = std::move(script_.front());
      script_.pop_front();
    }
  }
  arrived_.notify_all();
  return response;
}

}  // namespace castellan::e2e
