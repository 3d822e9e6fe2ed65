#pragma once
// HttpReceiver: an HTTP/1.1 server on loopback for tests of things that POST somewhere (Notify
// webhooks, for one). It records every request and answers each with the next scripted
// response, then with a default one. Plain HTTP, or HTTPS with a self-signed certificate it
// makes itself. Runs on its own thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.h"

namespace castellan::e2e {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;

  // The first header of that name (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

struct ReceiverResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Retry-After", "1"}
  std::string body;
  // Time to wait before answering, to test the client's timeouts.
  std::chrono::milliseconds delay{0};

  ReceiverResponse(int status = 200) : status(status) {}  // NOLINT: implicit by design
};

class HttpReceiver {
 public:
  explicit HttpReceiver(std::vector<ReceiverResponse> script = {},
                        ReceiverResponse fallback = ReceiverResponse(200));
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  // Listens on 127.0.0.1:`port` (0: the kernel picks one) and starts the thread.
  Status start(int port = 0);
  // The same over TLS, with a fresh self-signed P-256 certificate whose subject alternative
  // names are `sans` ("IP:1.2.3.4", "DNS:name"); certificate_pem() is the CA to trust.
  Status start_tls(std::vector<std::string> sans = {"IP:127.0.0.1", "DNS:localhost"}, int port = 0);
  // Closes the listener and every connection, and joins the thread. Idempotent.
  void stop();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" + path ("https://" once started with start_tls).
  std::string url(std::string_view path = "/") const;
  // PEM of the self-signed certificate of start_tls, "" for plain HTTP.
  const std::string& certificate_pem() const { return certificate_pem_; }

  // Appends responses to the script (used before the default one).
  void script(std::vector<ReceiverResponse> responses);
  std::vector<ReceivedRequest> requests() const;
  size_t request_count() const;
  // Returns true once at least `n` requests arrived, false if `timeout` passed first.
  bool wait_for(size_t n, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  Status listen(std::unique_ptr<Impl> impl, int port);
  ReceiverResponse next_response(ReceivedRequest&& request);

  mutable std::mutex mu_;
  mutable std::condition_variable arrived_;
  std::deque<ReceiverResponse> script_;
  ReceiverResponse fallback_;
  std::vector<ReceivedRequest> requests_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = 0;
  std::string certificate_pem_;
};

}  // namespace castellan::e2e
