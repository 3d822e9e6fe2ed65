// The informer against a real kube-apiserver (watch cache off, so that etcd compaction reaches
// watchers): events in order, relist after 410 Gone, recovery from an API server restart.

#include <gtest/gtest.h>

#include <thread>

#include "e2e/control_plane.h"
#include "kube/client_config.h"
#include "kube/informer.h"
#include "kube/rest_client.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const GroupVersionResource kConfigMaps{"", "v1", "configmaps", true};
const GroupVersionResource kNamespaces{"", "v1", "namespaces", false};

template <typename F>
bool eventually(F done, std::chrono::seconds limit = 60s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

// Forwards to the real client; the test can hold watches back (and cut the running one) to
// decide when the informer next reaches the server.
class GatedApiClient : public ApiClient {
 public:
  explicit GatedApiClient(ApiClientPtr inner) : inner_(std::move(inner)) {}
  void close() { closed_ = true; }
  void open() { closed_ = false; }
  bool holding() const { return holding_; }

  Result<json> get(const GroupVersionResource& g, const std::string& n, const std::string& name,
                   const std::string& s) override {
    return inner_->get(g, n, name, s);
  }
  Result<json> list(const GroupVersionResource& g, const std::string& n, const ListOptions& o) override {
    return inner_->list(g, n, o);
  }
  Result<json> create(const GroupVersionResource& g, const std::string& n, const json& o) override {
    return inner_->create(g, n, o);
  }
  Result<json> update(const GroupVersionResource& g, const std::string& n, const json& o,
                      const std::string& s) override {
    return inner_->update(g, n, o, s);
  }
  Result<json> patch(const GroupVersionResource& g, const std::string& n, const std::string& name,
                     PatchType t, const std::string& b, const PatchOptions& o) override {
    return inner_->patch(g, n, name, t, b, o);
  }
  Status remove(const GroupVersionResource& g, const std::string& n, const std::string& name,
                const DeleteOptions& o) override {
    return inner_->remove(g, n, name, o);
  }
  Status watch(const GroupVersionResource& g, const std::string& n, const WatchOptions& o,
               const std::function<bool(const WatchEvent&)>& on_event,
               const std::atomic<bool>& stop) override {
    while (closed_ && !stop) {
      holding_ = true;
      std::this_thread::sleep_for(5ms);
    }
    holding_ = false;
    if (stop) return Status::Ok();
    std::atomic<bool> cut{false};
    std::atomic<bool> finished{false};
    std::thread monitor([&] {
      while (!finished) {
        if (stop || closed_) cut = true;
        std::this_thread::sleep_for(5ms);
      }
    });
    Status status = inner_->watch(g, n, o, on_event, cut);
    finished = true;
    monitor.join();
    if (closed_ && !stop) return Error::make("watch cut by the test");
    return status;
  }

 private:
  ApiClientPtr inner_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> holding_{false};
};

// What the handlers saw, per key: the sequence of "add rv", "update rv", "delete rv".
class Recorder {
 public:
  Informer<json>::Handlers handlers() {
    auto rv = [](const json& o) { return o["metadata"]["resourceVersion"].get<std::string>(); };
    return {[this, rv](const std::string& k, const json& o) { record(k, "add", rv(o), &o); },
            [this, rv](const std::string& k, const json&, const json& o) {
              record(k, "update", rv(o), &o);
            },
            [this, rv](const std::string& k, const json& o) { record(k, "delete", rv(o), nullptr); }};
  }
  std::vector<std::string> of(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_[key];
  }
  // The handlers' idea of the world: key -> data of the last add/update, deleted keys absent.
  std::map<std::string, json> state() {
    std::lock_guard<std::mutex> lock(mu_);
    return state_;
  }

 private:
  void record(const std::string& key, const std::string& what, const std::string& rv,
              const json* object) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_[key].push_back(what + " " + rv);
    if (object) {
      state_[key] = object->value("data", json::object());
    } else {
      state_.erase(key);
    }
  }
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> seen_;
  std::map<std::string, json> state_;
};

json config_map(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}}},
          {"data", {{"k", value}}}};
}

class InformerE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    e2e::ControlPlaneOptions options;
    options.crd_dir.clear();
    options.extra_apiserver_args = {"--watch-cache=false"};
    auto plane = e2e::ControlPlane::start(options);
    ASSERT_TRUE(plane.ok()) << plane.error().message;
    plane_ = std::move(plane).value();
  }
  static void TearDownTestSuite() { plane_.reset(); }

  void SetUp() override {
    ASSERT_NE(plane_, nullptr);
    LoadOptions load;
    load.kubeconfig = plane_->kubeconfig_path();
    auto config = load_client_config(load);
    ASSERT_TRUE(config.ok()) << config.error().message;
    auto client = make_rest_client(*config);
    ASSERT_TRUE(client.ok()) << client.error().message;
    api_ = *client;
  }

  void make_namespace(const std::string& name) {
    auto created = api_->create(kNamespaces, "",
                                {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  std::map<std::string, json> server_state(const std::string& ns) {
    std::map<std::string, json> out;
    auto listed = api_->list(kConfigMaps, ns);
    EXPECT_TRUE(listed.ok());
    if (!listed.ok()) return out;
    for (const auto& item : (*listed)["items"]) {
      if (item["metadata"]["name"] == "kube-root-ca.crt") continue;
      out[ns + "/" + item["metadata"]["name"].get<std::string>()] = item.value("data", json::object());
    }
    return out;
  }

  static InformerOptions options(const std::string& ns) {
    InformerOptions o;
    o.reflector.gvr = kConfigMaps;
    o.reflector.namespace_ = ns;
    o.reflector.field_selector = "metadata.name!=kube-root-ca.crt";
    o.reflector.page_size = 2;
    return o;
  }

  static e2e::ControlPlanePtr plane_;
  ApiClientPtr api_;
};

e2e::ControlPlanePtr InformerE2eTest::plane_;

// Verifies that an informer's handlers see an add, a modify and a delete in that order.
TEST_F(InformerE2eTest, WatchSeesAddModifyDeleteInOrder) {
  make_namespace("order");
  Informer<json> informer(api_, options("order"));
  Recorder recorder;
  informer.add_handlers(recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(30s));

  auto created = api_->create(kConfigMaps, "order", config_map("cm", "1"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto patched = api_->patch(kConfigMaps, "order", "cm", PatchType::Merge, R"({"data":{"k":"2"}})");
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  ASSERT_TRUE(api_->remove(kConfigMaps, "order", "cm").ok());

  ASSERT_TRUE(eventually([&] { return recorder.of("order/cm").size() >= 3; }));
  auto seen = recorder.of("order/cm");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "add " + (*created)["metadata"]["resourceVersion"].get<std::string>());
  EXPECT_EQ(seen[1], "update " + (*patched)["metadata"]["resourceVersion"].get<std::string>());
  EXPECT_EQ(seen[2].rfind("delete ", 0), 0u) << seen[2];
  EXPECT_EQ(informer.store().get("order/cm"), nullptr);
}

// Verifies that when the informer resumes from a version etcd has compacted away, it gets
// 410 Gone, relists, and its handlers learn of the delete, update and add they missed.
TEST_F(InformerE2eTest, CompactedVersionLeadsToRelist) {
  make_namespace("gone");
  for (const char* name : {"a", "b"}) ASSERT_TRUE(api_->create(kConfigMaps, "gone", config_map(name, "1")).ok());
  auto gated = std::make_shared<GatedApiClient>(api_);
  Informer<json> informer(gated, options("gone"));
  Recorder recorder;
  informer.add_handlers(recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(30s));
  ASSERT_EQ(informer.store().size(), 2u);
  EXPECT_EQ(informer.stats().reflector.gone, 0u);

  gated->close();
  ASSERT_TRUE(eventually([&] { return gated->holding(); }));
  ASSERT_TRUE(api_->remove(kConfigMaps, "gone", "a").ok());
  ASSERT_TRUE(api_->patch(kConfigMaps, "gone", "b", PatchType::Merge, R"({"data":{"k":"2"}})").ok());
  ASSERT_TRUE(api_->create(kConfigMaps, "gone", config_map("c", "1")).ok());
  for (int i = 0; i < 3; ++i) {  // move etcd on past the informer's version
    ASSERT_TRUE(api_->create(kConfigMaps, "default", config_map("filler-" + std::to_string(i), "x")).ok());
  }
  auto compacted = plane_->compact_etcd();
  ASSERT_TRUE(compacted.ok()) << compacted.error().message;
  EXPECT_EQ(informer.stats().reflector.gone, 0u);
  gated->open();

  ASSERT_TRUE(eventually([&] { return recorder.state() == server_state("gone"); }))
      << "handlers: " << json(recorder.state()).dump() << " server: " << json(server_state("gone")).dump();
  EXPECT_GE(informer.stats().reflector.gone, 1u);
  EXPECT_EQ(recorder.of("gone/a").back().rfind("delete", 0), 0u);
  EXPECT_EQ(recorder.of("gone/b").back().rfind("update", 0), 0u);
  EXPECT_EQ(recorder.of("gone/c"), std::vector<std::string>{"add " + informer.store().resource_version("gone/c")});
  EXPECT_EQ(informer.store().size(), 2u);
}

// Verifies that an informer rides out an API server restart: it backs off while the server is
// down (a handful of attempts, not a busy loop) and ends with the server's final state.
TEST_F(InformerE2eTest, RecoversFromApiServerRestart) {
  make_namespace("restart");
  for (const char* name : {"x", "y", "z"}) {
    ASSERT_TRUE(api_->create(kConfigMaps, "restart", config_map(name, "1")).ok());
  }
  Informer<json> informer(api_, options("restart"));
  Recorder recorder;
  informer.add_handlers(recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(30s));

  auto attempts = [&] {
    auto s = informer.stats().reflector;
    return s.lists + s.watches;
  };
  ASSERT_TRUE(plane_->stop_apiserver().ok());
  uint64_t before = attempts();
  std::this_thread::sleep_for(10s);
  uint64_t during = attempts() - before;
  ASSERT_TRUE(plane_->start_apiserver().ok());
  RecordProperty("reconnect_attempts_in_10s_outage", static_cast<int>(during));
  std::printf("Reconnect attempts during a 10 s outage: %llu\n",
              static_cast<unsigned long long>(during));
  EXPECT_GE(during, 1u);
  EXPECT_LE(during, 8u) << "the informer must back off, not spin, while the server is down";

  ASSERT_TRUE(api_->remove(kConfigMaps, "restart", "x").ok());
  ASSERT_TRUE(api_->patch(kConfigMaps, "restart", "y", PatchType::Merge, R"({"data":{"k":"2"}})").ok());
  ASSERT_TRUE(api_->create(kConfigMaps, "restart", config_map("w", "1")).ok());
  ASSERT_TRUE(eventually([&] { return recorder.state() == server_state("restart"); }))
      << "handlers: " << json(recorder.state()).dump()
      << " server: " << json(server_state("restart")).dump();
  EXPECT_EQ(informer.store().size(), 3u);
}

}  // namespace
}  // namespace castellan::kube
