#include "webhook/server.h"

#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "common/log.h"

namespace castellan::webhook {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

}  // namespace

Server::Server(ServerOptions options, const WebhookService& service, Metrics& metrics,
               TlsContextProvider& tls)
    : options_(std::move(options)),
      service_(service),
      metrics_(metrics),
      tls_(tls),
      ioc_(std::max(1, options_.threads)),
      acceptor_(asio::make_strand(ioc_)),
      certificate_timer_(acceptor_.get_executor()) {}

Server::~Server() { shutdown(); }

Status Server::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return Error::make("invalid listen address \"" + options_.address + "\": " + ec.message());
  tcp::endpoint endpoint(address, options_.port);
  std::string where = options_.address + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && options_.reuse_port) {
    // Several replicas on one host share the port; the kernel spreads connections.
    int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec = boost::system::error_code(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor_.bind(endpoint, ec);
  if (ec) return Error::make("cannot listen on " + where + ": " + ec.message());
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error::make("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();

  work_.emplace(ioc_.get_executor());
  accept();
  if (options_.certificate_poll.count() > 0) poll_certificate();
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
  return Status::Ok();
}

void Server::accept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [this](boost::beast::error_code ec, tcp::socket socket) {
                           on_accept(ec, std::move(socket));
                         });
}

void Server::on_accept(boost::beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // EMFILE and the like: keep accepting; the failed connection is already gone.
    log::warn("Failed to accept a connection", {{"error", ec.message()}});
    return accept();
  }
  std::shared_ptr<HttpsSession> session;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    if (sessions_.size() >= options_.max_connections) {
      metrics_.connection_rejected();
      boost::system::error_code ignored;
      socket.close(ignored);
      return accept();
    }
    socket.set_option(tcp::no_delay(true), ec);
    session = std::make_shared<HttpsSession>(std::move(socket), tls_.current(), options_, service_,
                                             metrics_,
                                             [this](HttpsSession* s) { on_session_closed(s); });
    sessions_.emplace(session.get(), session);
  }
  session->start();
  accept();
}

void Server::poll_certificate() {
  auto reloaded = tls_.reload_if_changed();
  if (!reloaded.ok()) {
    if (reloaded.error().message != last_certificate_error_) {
      log::warn("Failed to reload the serving certificate; still serving the previous one",
                {{"error", reloaded.error().message}});
      last_certificate_error_ = reloaded.error().message;
    }
  } else {
    last_certificate_error_.clear();
    if (*reloaded) {
      metrics_.certificate_reloaded();
      log::info("Reloaded the serving certificate", {{"file", tls_.cert_file()}});
    }
  }
  certificate_timer_.expires_after(options_.certificate_poll);
  certificate_timer_.async_wait([this](boost::beast::error_code ec) {
    if (!ec && acceptor_.is_open()) poll_certificate();
  });
}

void Server::on_session_closed(HttpsSession* session) {
  std::lock_guard lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) drained_.notify_all();
}

size_t Server::open_connections() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void Server::shutdown() {
  std::vector<std::shared_ptr<HttpsSession>> live;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (threads_.empty()) return;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    certificate_timer_.cancel();
  });
  {
    std::lock_guard lock(mu_);
    for (auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->shutdown();
  live.clear();  // sessions must be able to die while we wait

  std::unique_lock lock(mu_);
  if (!drained_.wait_for(lock, options_.drain_timeout, [this] { return sessions_.empty(); })) {
    log::warn("Closed connections still busy at the end of the drain timeout",
              {{"connections", std::to_string(sessions_.size())}});
    for (auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    lock.unlock();
    for (auto& s : live) s->abort();
    live.clear();
  } else {
    lock.unlock();
  }
  work_.reset();
  // Let the aborted sessions run their last handlers, then stop whatever is left.
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace castellan::webhook
