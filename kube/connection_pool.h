#pragma once
// ConnectionPool: a few idle keep-alive connections to one endpoint, handed out one caller at
// a time. Connections closed by the server while idle are dropped instead of reused.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "kube/http_connection.h"

namespace castellan::kube {

class ConnectionPool {
 public:
  ConnectionPool(Endpoint endpoint, std::shared_ptr<boost::asio::ssl::context> tls,
                 bool verify_peer, std::size_t max_idle);

  // An idle connection (open) or a new one (not yet connected: call connect()).
  HttpConnectionPtr acquire();
  // Keeps `connection` for reuse when it is open and reusable and there is room.
  void release(HttpConnectionPtr connection);

  std::size_t idle_count() const;
  // Connections made since the start (a test sees keep-alive at work).
  std::size_t created_count() const;
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  bool verify_peer_;
  std::size_t max_idle_;
  mutable std::mutex mu_;
  std::vector<HttpConnectionPtr> idle_;
  std::size_t created_ = 0;
};

using ConnectionPoolPtr = std::shared_ptr<ConnectionPool>;

}  // namespace castellan::kube
