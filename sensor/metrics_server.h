#pragma once
// MetricsServer: a deliberately small HTTP/1.0 server answering GET /metrics on one thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "common/result.h"

namespace castellan::sensor {

class MetricsServer {
 public:
  using BodyFn = std::function<std::string()>;

  explicit MetricsServer(BodyFn body) : body_(std::move(body)) {}
  ~MetricsServer() { stop(); }

  // Listens on 0.0.0.0:port (0 picks a free port) and serves until stop().
  Status start(uint16_t port);
  void stop();
  uint16_t port() const { return port_; }

 private:
  void serve();
  void answer(int client);

  BodyFn body_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace castellan::sensor
