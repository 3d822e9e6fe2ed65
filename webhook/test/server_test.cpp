// The webhook server over TLS on loopback (port 0): TLS versions, keep-alive, concurrency,
// certificate reload under load, limits, timeouts, the connection cap and draining.
#include "webhook/server.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <fstream>
#include <thread>

#include "https_client.h"
#include "policy/static_namespace_labels.h"
#include "webhook/self_signed_certificate.h"

namespace castellan::webhook {
namespace {

using nlohmann::json;
using testing::HttpsClient;
namespace fs = std::filesystem;

std::string review(const std::string& uid, bool privileged) {
  json container = {{"name", "app"}, {"image", "nginx:1.25"}};
  if (privileged) container["securityContext"] = {{"privileged", true}};
  return json({{"apiVersion", "admission.k8s.io/v1"},
               {"kind", "AdmissionReview"},
               {"request",
                {{"uid", uid},
                 {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                 {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
                 {"namespace", "prod"},
                 {"operation", "CREATE"},
                 {"object",
                  {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", {{"name", "web"}}},
                   {"spec", {{"containers", json::array({container})}}}}}}}})
      .dump();
}

// Counters of a closed connection move after the client sees the close: wait for them.
bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/castellan-webhook-server-XXXXXX";
    dir_ = mkdtemp(tmpl);
    write_new_certificate();
    auto tls = TlsContextProvider::from_files(cert_file_, key_file_);
    ASSERT_TRUE(tls.ok()) << tls.error().message;
    tls_ = std::move(*tls);

    api::SecurityPolicy p;
    p.metadata.name = "baseline-all";
    p.spec.mode = api::Mode::Enforce;
    p.spec.podSecurity.level = api::PodSecurityLevel::Baseline;
    store_.set_snapshot(policy::PolicySnapshot::compile({p}, 1));
    store_.set_namespaces(std::make_shared<policy::StaticNamespaceLabels>());

    options_.address = "127.0.0.1";
    options_.port = 0;
    options_.threads = 2;
    options_.header_timeout = std::chrono::milliseconds(300);
    options_.body_timeout = std::chrono::milliseconds(300);
    options_.idle_timeout = std::chrono::seconds(5);
    options_.drain_timeout = std::chrono::seconds(10);
    options_.certificate_poll = std::chrono::milliseconds(20);
  }
  void TearDown() override {
    if (server_) server_->shutdown();
    fs::remove_all(dir_);
  }

  void start() {
    server_ = std::make_unique<Server>(options_, service_, metrics_, *tls_);
    auto s = server_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  void write_new_certificate() {
    auto pair = make_self_signed_certificate({"IP:127.0.0.1", "DNS:localhost"});
    ASSERT_TRUE(pair.ok()) << pair.error().message;
    auto written = write_certificate(*pair, dir_.string());
    ASSERT_TRUE(written.ok()) << written.error().message;
    cert_file_ = written->cert_file;
    key_file_ = written->key_file;
    cert_pem_ = pair->cert_pem;
  }

  uint16_t port() const { return server_->port(); }

  fs::path dir_;
  std::string cert_file_, key_file_, cert_pem_;
  TlsContextProviderPtr tls_;
  PolicyStore store_;
  Metrics metrics_;
  WebhookService service_{store_, metrics_};
  ServerOptions options_;
  std::unique_ptr<Server> server_;
};

// Verifies that /validate answers over TLS 1.3 with a certificate a client can verify by IP SAN.
TEST_F(ServerTest, ValidatesOverTls13) {
  start();
  HttpsClient client(port(), cert_pem_);
  ASSERT_TRUE(client.connect().ok());
  EXPECT_EQ(client.tls_version(), "TLSv1.3");
  auto r = client.request("POST", "/validate", review("u-1", true));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  json body = json::parse(r->body);
  EXPECT_EQ(body["response"]["uid"], "u-1");
  EXPECT_EQ(body["response"]["allowed"], false);
}

// Verifies that TLS 1.2 clients are served too.
TEST_F(ServerTest, ServesTls12) {
  start();
  HttpsClient client(port(), cert_pem_);
  client.max_tls12();
  ASSERT_TRUE(client.connect().ok());
  EXPECT_EQ(client.tls_version(), "TLSv1.2");
  auto r = client.request("GET", "/healthz");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

// Verifies that a request sent at once after the handshake (often in the same packet as the
// TLS Finished message) is answered on every new connection.
TEST_F(ServerTest, AnswersFirstRequestOfEveryConnection) {
  start();
  int failed = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = testing::https_request(port(), "GET", "/healthz");
    if (!r.ok() || r->status != 200) ++failed;
  }
  EXPECT_EQ(failed, 0);
}

// Verifies that many requests share one kept-alive connection.
TEST_F(ServerTest, KeepsConnectionsAlive) {
  start();
  HttpsClient client(port());
  for (int i = 0; i < 20; ++i) {
    auto r = client.request("POST", "/validate", review("k-" + std::to_string(i), false));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->keep_alive);
    EXPECT_EQ(json::parse(r->body)["response"]["uid"], "k-" + std::to_string(i));
  }
  EXPECT_NE(service_.handle({"GET", "/metrics", "", ""}).body.find(
                "castellan_webhook_connections_total 1\n"),
            std::string::npos);
}

// Verifies that concurrent clients each get their own answers.
TEST_F(ServerTest, ServesConcurrentClients) {
  start();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpsClient client(port());
      for (int i = 0; i < 40; ++i) {
        std::string uid = std::to_string(t) + "-" + std::to_string(i);
        auto r = client.request(i % 2 ? "POST" : "POST", i % 2 ? "/mutate" : "/validate",
                                review(uid, i % 3 == 0));
        if (!r.ok() || r->status != 200 || json::parse(r->body)["response"]["uid"] != uid) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
}

// Verifies that a rewritten certificate is served to new connections while connections
// under load, old and new, keep being answered.
TEST_F(ServerTest, ReloadsCertificateUnderLoad) {
  start();
  HttpsClient old_connection(port());
  ASSERT_TRUE(old_connection.connect().ok());
  std::string first_pem = old_connection.peer_certificate_pem();
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, answered{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&, t] {
      HttpsClient client(port());
      for (int i = 0; !stop; ++i) {
        if (t % 2 == 0 && i % 5 == 0) client.close();  // half the load makes new connections
        auto r = client.request("POST", "/validate", review("l", false));
        (r.ok() && r->status == 200) ? ++answered : ++failures;
      }
    });
  }
  write_new_certificate();
  std::string served;
  for (int i = 0; i < 500 && served != cert_pem_; ++i) {
    HttpsClient fresh(port());
    if (fresh.connect().ok()) served = fresh.peer_certificate_pem();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_EQ(served, cert_pem_) << "new connections never got the new certificate";
  EXPECT_NE(served, first_pem);
  EXPECT_EQ(failures, 0);
  EXPECT_GT(answered, 0);
  auto r = old_connection.request("GET", "/healthz");
  ASSERT_TRUE(r.ok()) << "a connection from before the reload was dropped: " << r.error().message;
  EXPECT_EQ(old_connection.peer_certificate_pem(), first_pem);
}

// Verifies that a certificate and key that do not match are refused and the old pair kept.
TEST_F(ServerTest, KeepsCertificateWhenNewPairIsBroken) {
  start();
  auto other = make_self_signed_certificate({"IP:127.0.0.1"});
  ASSERT_TRUE(other.ok());
  std::string old_pem = cert_pem_;
  { std::ofstream(cert_file_) << other->cert_pem; }  // key left as it was: a mismatch
  auto reloaded = tls_->reload_if_changed();
  EXPECT_FALSE(reloaded.ok());
  HttpsClient client(port());
  ASSERT_TRUE(client.connect().ok());
  EXPECT_EQ(client.peer_certificate_pem(), old_pem);
}

// Verifies that a body over 3 MiB is answered 413 with a Status body, and counted.
TEST_F(ServerTest, RefusesHugeBodyWith413) {
  start();
  HttpsClient client(port());
  std::string huge(4 * 1024 * 1024, ' ');
  auto r = client.request("POST", "/validate", huge);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(json::parse(r->body)["reason"], "RequestEntityTooLarge");
  EXPECT_EQ(metrics_.decode_errors("BodyTooLarge"), 1u);
}

// Verifies that a client stalling in its headers is disconnected and counted.
TEST_F(ServerTest, ClosesSlowHeaders) {
  start();
  HttpsClient client(port());
  ASSERT_TRUE(client.connect().ok());
  ASSERT_TRUE(client.write_raw("POST /validate HTTP/1.1\r\nHost: x\r\n").ok());
  auto r = client.read_response();
  EXPECT_FALSE(r.ok()) << "the server answered instead of closing";
  EXPECT_TRUE(eventually([this] { return metrics_.decode_errors("ReadTimeout") == 1; }));
}

// Verifies that a client stalling in its body is disconnected.
TEST_F(ServerTest, ClosesSlowBody) {
  start();
  HttpsClient client(port());
  ASSERT_TRUE(client.connect().ok());
  ASSERT_TRUE(client
                  .write_raw("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: "
                             "application/json\r\nContent-Length: 100\r\n\r\n{\"kind\"")
                  .ok());
  EXPECT_FALSE(client.read_response().ok());
  EXPECT_TRUE(eventually([this] { return metrics_.decode_errors("ReadTimeout") == 1; }));
}

// Verifies that a connection that never sends a request is closed.
TEST_F(ServerTest, ClosesSilentConnection) {
  start();
  HttpsClient client(port());
  ASSERT_TRUE(client.connect().ok());
  EXPECT_FALSE(client.read_response().ok());
}

// Verifies that connections over the cap are closed at once and counted, and that a freed
// slot is usable again.
TEST_F(ServerTest, CapsConnections) {
  options_.max_connections = 2;
  start();
  HttpsClient a(port()), b(port());
  ASSERT_TRUE(a.connect().ok());
  ASSERT_TRUE(b.connect().ok());
  ASSERT_TRUE(a.request("GET", "/healthz").ok());
  ASSERT_TRUE(b.request("GET", "/healthz").ok());
  HttpsClient c(port());
  auto over = c.request("GET", "/healthz");
  EXPECT_FALSE(over.ok()) << "a third connection was served";
  EXPECT_NE(service_.handle({"GET", "/metrics", "", ""}).body.find(
                "castellan_webhook_connections_rejected_total 1\n"),
            std::string::npos);
  a.close();
  bool served = false;
  for (int i = 0; i < 200 && !served; ++i) {
    HttpsClient d(port());
    auto r = d.request("GET", "/healthz");
    served = r.ok() && r->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(served);
}

// Verifies that malformed HTTP is a 400 with a Status body, not a crash.
TEST_F(ServerTest, MalformedHttpIs400) {
  start();
  HttpsClient client(port());
  ASSERT_TRUE(client.connect().ok());
  ASSERT_TRUE(client.write_raw("GARBAGE\r\n\r\n").ok());
  auto r = client.read_response();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["kind"], "Status");
}

// Verifies that bad AdmissionReviews over the wire get precise 400s, counted in /metrics.
TEST_F(ServerTest, BadInputOverTheWire) {
  start();
  HttpsClient client(port());
  auto truncated = client.request("POST", "/validate", review("t", false).substr(0, 100));
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(truncated->status, 400);
  EXPECT_EQ(json::parse(truncated->body)["details"]["causes"][0]["reason"], "TruncatedBody");
  auto wrong_type = client.request("POST", "/validate", review("t", false), "text/yaml");
  ASSERT_TRUE(wrong_type.ok());
  EXPECT_EQ(wrong_type->status, 415);
  auto metrics = client.request("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("castellan_webhook_decode_errors_total{reason=\"TruncatedBody\"} 1"),
            std::string::npos);
  EXPECT_NE(
      metrics->body.find("castellan_webhook_decode_errors_total{reason=\"WrongContentType\"} 1"),
      std::string::npos);
}

// Verifies that shutdown lets a request in flight finish and closes idle connections.
TEST_F(ServerTest, ShutdownDrainsRequestsInFlight) {
  options_.body_timeout = std::chrono::seconds(20);
  start();
  HttpsClient idle(port());
  ASSERT_TRUE(idle.request("GET", "/healthz").ok());
  HttpsClient busy(port());
  ASSERT_TRUE(busy.connect().ok());
  std::string body = review("drain", true);
  ASSERT_TRUE(busy.write_raw("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: "
                             "application/json\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10))
                  .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::thread stopper([this] { server_->shutdown(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(busy.write_raw(body.substr(10)).ok());
  auto r = busy.read_response();
  stopper.join();
  ASSERT_TRUE(r.ok()) << "the request in flight was dropped: " << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(json::parse(r->body)["response"]["uid"], "drain");
  EXPECT_FALSE(idle.request("GET", "/healthz").ok());
  EXPECT_EQ(server_->open_connections(), 0u);
}

}  // namespace
}  // namespace castellan::webhook
