#include "sensor/metrics_server.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace castellan::sensor {

Status MetricsServer::start(uint16_t port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Error::make(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 16) != 0) {
    std::string why = std::strerror(errno);
    close(listen_fd_);
    listen_fd_ = -1;
    return Error::make("listening for /metrics on port " + std::to_string(port) + " failed: " + why);
  }
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  running_ = true;
  thread_ = std::thread([this] { serve(); });
  return Status::Ok();
}

void MetricsServer::stop() {
  if (!running_.exchange(false)) return;
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
  listen_fd_ = -1;
}

void MetricsServer::serve() {
  while (running_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    answer(client);
    close(client);
  }
}

void MetricsServer::answer(int client) {
  // One request line is all this server reads; a slow client gets a second, then is dropped.
  char buf[2048];
  pollfd pfd{client, POLLIN, 0};
  if (::poll(&pfd, 1, 1000) <= 0) return;
  ssize_t n = recv(client, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return;
  std::string request(buf, static_cast<size_t>(n));
  std::string status, body, type = "text/plain; charset=utf-8";
  if (request.rfind("GET /metrics ", 0) == 0 || request.rfind("GET /metrics?", 0) == 0) {
    status = "200 OK";
    body = body_();
    type = "text/plain; version=0.0.4; charset=utf-8";
  } else if (request.rfind("GET /healthz ", 0) == 0) {
    status = "200 OK";
    body = "ok\n";
  } else if (request.rfind("GET /readyz ", 0) == 0) {
    auto why = not_ready_();
    status = why.empty() ? "200 OK" : "503 Service Unavailable";
    body = why.empty() ? "ok\n" : why + "\n";
  } else {
    status = "404 Not Found";
    body = "only GET /metrics, /healthz and /readyz are served\n";
  }
  std::string response = "HTTP/1.0 " + status + "\r\nContent-Type: " + type +
                         "\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < response.size()) {
    ssize_t w = send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
    if (w <= 0) return;
    sent += static_cast<size_t>(w);
  }
}

}  // namespace castellan::sensor
