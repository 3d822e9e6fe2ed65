#pragma once
// Transport settings of the HTTPS webhook server.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace castellan::webhook {

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 9443;  // 0: any free port (tests)
  int threads = 2;
  size_t max_connections = 1024;
  size_t body_limit = 3 * 1024 * 1024;  // the API server's own request limit; larger gets 413
  size_t header_limit = 16 * 1024;
  // From the first byte of a request to its last header; the TLS handshake gets the same.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{10000};  // from the last header to the last body byte
  // Between requests on a kept-alive connection; longer than Go's 90 s idle pool timeout so
  // the API server closes first and never sends into a closing connection.
  std::chrono::milliseconds idle_timeout{120000};
  std::chrono::milliseconds drain_timeout{25000};  // graceful shutdown
  std::chrono::milliseconds certificate_poll{1000};
  // SO_REUSEPORT: replicas on one host (tests, development) serve one port together.
  bool reuse_port = false;
};

}  // namespace castellan::webhook
