#include "kube/transport.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "kube/rest_client.h"

namespace castellan::kube {
namespace {

// A plain-HTTP server on a loopback port that answers each request with the next scripted
// handler. Handlers write raw bytes, so they can send partial, chunked or no answers.
class ScriptedServer {
 public:
  // Returns false to close the connection after answering.
  using Handler = std::function<bool(int fd, const std::string& request)>;

  explicit ScriptedServer(std::vector<Handler> script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~ScriptedServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }
  int requests() const { return requests_; }
  int closed() const { return closed_; }
  std::vector<std::string> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

  static void send(int fd, const std::string& bytes) {
    (void)!::write(fd, bytes.data(), bytes.size());
  }
  static Handler respond(int status, const std::string& body, const std::string& extra = {}) {
    return [=](int fd, const std::string&) {
      send(fd, "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
                   extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
      return true;
    };
  }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buffer;
    while (!stop_) {
      auto end = buffer.find("\r\n\r\n");
      if (end == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        char chunk[4096];
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      std::size_t length = 0;
      if (auto cl = buffer.find("Content-Length: "); cl != std::string::npos && cl < end)
        length = std::stoul(buffer.substr(cl + 16));
      if (buffer.size() < end + 4 + length) {
        char chunk[4096];
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      std::string request = buffer.substr(0, end + 4 + length);
      buffer.erase(0, request.size());
      Handler handler;
      {
        std::lock_guard lock(mu_);
        seen_.push_back(request.substr(0, request.find("\r\n")));
        std::size_t index = static_cast<std::size_t>(requests_++);
        handler = index < script_.size() ? script_[index] : respond(500, "script ended");
      }
      if (!handler(fd, request)) break;
    }
    ::close(fd);
    ++closed_;
  }

  std::vector<Handler> script_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<int> closed_{0};
  std::mutex mu_;
  std::vector<std::string> seen_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

ClientConfig config_for(const ScriptedServer& server) {
  ClientConfig config;
  config.server = server.url();
  config.bearer_token = "test-token";
  config.qps = 0;
  config.timeout = std::chrono::milliseconds(2000);
  return config;
}

TransportPtr transport(const ClientConfig& config) {
  auto made = make_transport(config);
  EXPECT_TRUE(made.ok()) << made.error().message;
  return *made;
}

const std::string kOk = R"({"kind":"ConfigMap","metadata":{"name":"x"}})";
const GroupVersionResource kConfigMaps{"", "v1", "configmaps", true};

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

const char* kStreamHeader =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

// Verifies that a 503 with Retry-After is retried and the retry's answer returned.
TEST(TransportTest, RetriesServiceUnavailableHonouringRetryAfter) {
  ScriptedServer server({ScriptedServer::respond(503, "{}", "Retry-After: 0\r\n"),
                         ScriptedServer::respond(200, kOk)});
  auto t = transport(config_for(server));
  auto response = t->round_trip({"GET", "/api/v1/namespaces/a/configmaps/x", {}, {}, true});
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server.requests(), 2);
}

// Verifies that a POST answered 500 is not repeated, but a POST answered 429 is.
TEST(TransportTest, NonIdempotentRetriesOnlyAfter429) {
  {
    ScriptedServer server({ScriptedServer::respond(500, "{}"), ScriptedServer::respond(201, kOk)});
    auto client = RestClient(transport(config_for(server)));
    auto created = client.create(kConfigMaps, "a", nlohmann::json::parse(kOk));
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().code, 500);
    EXPECT_EQ(server.requests(), 1);
  }
  {
    ScriptedServer server({ScriptedServer::respond(429, "{}", "Retry-After: 0\r\n"),
                           ScriptedServer::respond(201, kOk)});
    auto client = RestClient(transport(config_for(server)));
    auto created = client.create(kConfigMaps, "a", nlohmann::json::parse(kOk));
    ASSERT_TRUE(created.ok()) << created.error().message;
    EXPECT_EQ(server.requests(), 2);
  }
}

// Verifies that retries stop after max_retries and the last answer is decoded as an error.
TEST(TransportTest, GivesUpAfterMaxRetries) {
  std::string status =
      R"({"kind":"Status","code":503,"reason":"ServiceUnavailable","message":"etcd down"})";
  ScriptedServer server(std::vector<ScriptedServer::Handler>(
      3, ScriptedServer::respond(503, status, "Retry-After: 0\r\n")));
  auto config = config_for(server);
  config.max_retries = 2;
  RestClient client(transport(config));
  auto result = client.get(kConfigMaps, "a", "x");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "etcd down");
  EXPECT_EQ(result.error().reason, "ServiceUnavailable");
  EXPECT_EQ(server.requests(), 3);
}

// Verifies that sequential requests share one keep-alive connection and carry the token.
TEST(TransportTest, KeepAliveReusesOneConnection) {
  ScriptedServer server(std::vector<ScriptedServer::Handler>(5, ScriptedServer::respond(200, kOk)));
  RestClient client(transport(config_for(server)));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.get(kConfigMaps, "a", "x").ok());
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.seen()[0], "GET /api/v1/namespaces/a/configmaps/x HTTP/1.1");
}

// Verifies that a connection the server closed while idle is not reused: the next request goes
// out on a new connection and succeeds without a retry.
TEST(TransportTest, ConnectionClosedWhileIdleIsReplaced) {
  ScriptedServer server({[](int fd, const std::string& r) {
                           ScriptedServer::respond(200, kOk)(fd, r);
                           return false;  // close after answering, keep-alive notwithstanding
                         },
                         ScriptedServer::respond(200, kOk)});
  auto config = config_for(server);
  config.max_retries = 0;
  RestClient client(transport(config));
  ASSERT_TRUE(client.get(kConfigMaps, "a", "x").ok());
  while (server.closed() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto second = client.get(kConfigMaps, "a", "x");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(server.connections(), 2);
}

// Verifies that a server that never answers gives a timeout error, not a hang.
TEST(TransportTest, SilentServerTimesOut) {
  ScriptedServer server({[](int, const std::string&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    return false;
  }});
  auto config = config_for(server);
  config.timeout = std::chrono::milliseconds(200);
  config.max_retries = 0;
  RestClient client(transport(config));
  auto result = client.get(kConfigMaps, "a", "x");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().reason, "Timeout");
  EXPECT_NE(result.error().message.find("timed out waiting for the answer to GET"),
            std::string::npos)
      << result.error().message;
}

// Verifies that a chunked watch with events split across chunks is decoded in order, and that
// the end of the stream is reported as StreamEnded.
TEST(TransportTest, WatchDecodesChunkedStream) {
  std::string events = std::string(R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})") +
                       "\n" + R"({"type":"MODIFIED","object":{"metadata":{"name":"a"}}})" + "\n" +
                       R"({"type":"DELETED","object":{"metadata":{"name":"a"}}})" + "\n";
  ScriptedServer server({[&](int fd, const std::string&) {
    ScriptedServer::send(fd, kStreamHeader);
    for (std::size_t i = 0; i < events.size(); i += 7) {
      ScriptedServer::send(fd, chunk(events.substr(i, 7)));
      if (i % 35 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ScriptedServer::send(fd, "0\r\n\r\n");
    return true;
  }});
  RestClient client(transport(config_for(server)));
  std::vector<std::string> types;
  std::atomic<bool> stop{false};
  WatchOptions options;
  options.resourceVersion = "42";
  auto status = client.watch(
      kConfigMaps, "a", options,
      [&](const WatchEvent& e) {
        types.push_back(e.type);
        return true;
      },
      stop);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().reason, "StreamEnded");
  EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
  EXPECT_EQ(server.seen()[0],
            "GET /api/v1/namespaces/a/configmaps?watch=true&resourceVersion=42&"
            "allowWatchBookmarks=true HTTP/1.1");
}

// Verifies that a watch refused with 410 returns an error with code 410 and the Status reason.
TEST(TransportTest, WatchGoneIsAnError) {
  ScriptedServer server({ScriptedServer::respond(
      410,
      R"({"kind":"Status","code":410,"reason":"Gone","message":"too old resource version"})")});
  RestClient client(transport(config_for(server)));
  std::atomic<bool> stop{false};
  auto status = client.watch(
      kConfigMaps, "a", {}, [](const WatchEvent&) { return true; }, stop);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, 410);
  EXPECT_EQ(status.error().reason, "Gone");
}

// Verifies that a watch with an open but quiet stream returns Ok once `stop` is set.
TEST(TransportTest, WatchStopsOnFlag) {
  std::atomic<bool> release{false};
  ScriptedServer server({[&](int fd, const std::string&) {
    ScriptedServer::send(fd, kStreamHeader);
    ScriptedServer::send(fd, chunk(R"({"type":"ADDED","object":{}})"
                                   "\n"));
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return false;
  }});
  RestClient client(transport(config_for(server)));
  std::atomic<bool> stop{false};
  int events = 0;
  auto status = client.watch(
      kConfigMaps, "a", {},
      [&](const WatchEvent&) {
        ++events;
        stop = true;  // asked to stop while the stream stays open
        return true;
      },
      stop);
  release = true;
  EXPECT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(events, 1);
}

// Verifies that a stream cut in the middle of an event is reported as such.
TEST(TransportTest, WatchCutMidEventIsAnError) {
  ScriptedServer server({[](int fd, const std::string&) {
    ScriptedServer::send(fd, kStreamHeader);
    ScriptedServer::send(fd, chunk(R"({"type":"ADDED","obj)"));
    return false;
  }});
  RestClient client(transport(config_for(server)));
  std::atomic<bool> stop{false};
  auto status = client.watch(
      kConfigMaps, "a", {}, [](const WatchEvent&) { return true; }, stop);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, 0);
}

// Verifies that a malformed server URL is refused when the client is made.
TEST(TransportTest, MalformedServerUrlIsRefused) {
  ClientConfig config;
  config.source = "kubeconfig /k";
  config.server = "ftp://host";
  auto made = make_transport(config);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().message,
            "kubeconfig /k: server: server URL \"ftp://host\" must start with https:// or http://");
  config.server = "https://host:99999";
  EXPECT_FALSE(make_transport(config).ok());
  config.server = "https://[::1]:6443";
  EXPECT_TRUE(make_transport(config).ok());
}

}  // namespace
}  // namespace castellan::kube
