#include "kube/connection_pool.h"

namespace castellan::kube {

ConnectionPool::ConnectionPool(Endpoint endpoint, std::shared_ptr<boost::asio::ssl::context> tls,
                               bool verify_peer, std::size_t max_idle)
    : endpoint_(std::move(endpoint)),
      tls_(std::move(tls)),
      verify_peer_(verify_peer),
      max_idle_(max_idle) {}

HttpConnectionPtr ConnectionPool::acquire() {
  std::lock_guard lock(mu_);
  // Newest first: the most recently used connection is the least likely to have timed out.
  while (!idle_.empty()) {
    HttpConnectionPtr connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection->usable_when_idle()) return connection;
  }
  ++created_;
  return std::make_unique<HttpConnection>(endpoint_, tls_, verify_peer_);
}

void ConnectionPool::release(HttpConnectionPtr connection) {
  if (!connection || !connection->is_open() || !connection->reusable()) return;
  std::lock_guard lock(mu_);
  if (idle_.size() >= max_idle_) return;
  idle_.push_back(std::move(connection));
}

std::size_t ConnectionPool::idle_count() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

std::size_t ConnectionPool::created_count() const {
  std::lock_guard lock(mu_);
  return created_;
}

}  // namespace castellan::kube
