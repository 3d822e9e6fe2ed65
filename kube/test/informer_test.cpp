#include "kube/informer.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "kube/clock_fake.h"
#include "kube/indexer.h"
#include "kube/test/informer_fake_api_client.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::eventually;
using testing::FakeApiClient;
using testing::WatchChannel;

const GroupVersionResource kPods{"", "v1", "pods", true};

json pod(const std::string& name, const std::string& version, const std::string& node = "n1") {
  return {{"metadata", {{"namespace", "ns"}, {"name", name}, {"resourceVersion", version},
                        {"annotations", {{"big", std::string(1000, 'x')}}}}},
          {"spec", {{"nodeName", node}}}};
}

json page(std::vector<json> items, const std::string& version) {
  return {{"kind", "PodList"}, {"metadata", {{"resourceVersion", version}}}, {"items", items}};
}

// Records handler calls as "add ns/a 5", "update ns/a 5->6", "delete ns/a 6".
struct Recorder {
  std::mutex mu;
  std::vector<std::string> calls;
  void record(std::string call) {
    std::lock_guard<std::mutex> lock(mu);
    calls.push_back(std::move(call));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return calls;
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return calls.size();
  }
  Informer<json>::Handlers handlers() {
    auto rv = [](const json& o) { return o["metadata"]["resourceVersion"].get<std::string>(); };
    return {[this, rv](const std::string& k, const json& o) { record("add " + k + " " + rv(o)); },
            [this, rv](const std::string& k, const json& a, const json& b) {
              record("update " + k + " " + rv(a) + "->" + rv(b));
            },
            [this, rv](const std::string& k, const json& o) { record("delete " + k + " " + rv(o)); }};
  }
};

InformerOptions options() {
  InformerOptions o;
  o.reflector.gvr = kPods;
  return o;
}

double no_jitter() { return 0.0; }

// Verifies that handlers see listed objects as adds, then watch events in order, and the cache
// follows.
TEST(InformerTest, DeliversListThenWatchEventsInOrder) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [](const ListOptions&) -> Result<json> { return page({pod("a", "5")}, "10"); };
  WatchChannel channel;
  api->on_watch = [&](const WatchOptions&, const auto& on_event, const auto& stop) {
    return channel.serve(on_event, stop);
  };
  Informer<json> informer(api, options(), Informer<json>::identity(), clock, no_jitter);
  Recorder recorder;
  informer.add_handlers(recorder.handlers());
  EXPECT_FALSE(informer.has_synced());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(1h));
  EXPECT_EQ(informer.store().size(), 1u);

  channel.push({"ADDED", pod("b", "11")});
  channel.push({"MODIFIED", pod("b", "12", "n2")});
  channel.push({"DELETED", pod("a", "13")});
  ASSERT_TRUE(eventually([&] { return recorder.size() == 4; }));
  informer.stop();

  EXPECT_EQ(recorder.snapshot(), (std::vector<std::string>{"add ns/a 5", "add ns/b 11",
                                                           "update ns/b 11->12", "delete ns/a 13"}));
  EXPECT_EQ(informer.store().get("ns/a"), nullptr);
  EXPECT_EQ((*informer.store().get("ns/b"))["spec"]["nodeName"], "n2");
  EXPECT_EQ(informer.last_resource_version(), "13");
}

// Verifies that after a relist forced by 410 Gone, objects deleted meanwhile produce deletes,
// changed ones updates and new ones adds, while unchanged ones produce nothing.
TEST(InformerTest, RelistAfterGoneReconcilesTheCache) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  std::atomic<int> lists{0};
  api->on_list = [&](const ListOptions&) -> Result<json> {
    if (++lists == 1) return page({pod("a", "5"), pod("b", "6"), pod("c", "7")}, "10");
    return page({pod("b", "6"), pod("c", "30"), pod("d", "31")}, "40");
  };
  WatchChannel first;
  std::atomic<int> watches{0};
  api->on_watch = [&](const WatchOptions&, const auto& on_event, const auto& stop) -> Status {
    if (++watches == 1) return first.serve(on_event, stop);
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  Informer<json> informer(api, options(), Informer<json>::identity(), clock, no_jitter);
  Recorder recorder;
  informer.add_handlers(recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(1h));
  first.push({"ADDED", pod("e", "12")});
  first.push({"ERROR", {{"code", 410}, {"reason", "Expired"}, {"message", "too old"}}});
  ASSERT_TRUE(eventually([&] { return watches.load() == 2; }));
  informer.stop();

  auto calls = recorder.snapshot();
  std::multiset<std::string> after_relist(calls.begin() + 4, calls.end());
  EXPECT_EQ(after_relist, (std::multiset<std::string>{"delete ns/a 5", "delete ns/e 12",
                                                      "update ns/c 7->30", "add ns/d 31"}));
  EXPECT_EQ(informer.store().keys().size(), 3u);
  EXPECT_EQ(informer.store().resource_version("ns/c"), "30");
}

struct PodSummary {
  std::string node;
};

// Verifies that the transform decides what is cached and that objects it rejects are counted,
// not silently lost.
TEST(InformerTest, TransformShapesTheCache) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  json broken = pod("broken", "8");
  broken["spec"].erase("nodeName");
  api->on_list = [&](const ListOptions&) -> Result<json> {
    return page({pod("a", "5", "n1"), pod("b", "6", "n2"), broken}, "10");
  };
  api->on_watch = [&](const WatchOptions&, const auto&, const auto& stop) -> Status {
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  auto transform = [](const json& o) -> Result<PodSummary> {
    auto spec = o.find("spec");
    if (spec == o.end() || !spec->contains("nodeName")) {
      return Error::make("pod has no spec.nodeName", "Invalid");
    }
    return PodSummary{(*spec)["nodeName"].get<std::string>()};
  };
  Informer<PodSummary> informer(api, options(), transform, clock, no_jitter);
  informer.add_index("node", [](const std::string&, const PodSummary& p) {
    return std::vector<std::string>{p.node};
  });
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(1h));
  informer.stop();
  EXPECT_EQ(informer.store().size(), 2u);
  EXPECT_EQ(informer.store().get("ns/b")->node, "n2");
  EXPECT_EQ(informer.store().by_index("node", "n1").size(), 1u);
  EXPECT_EQ(informer.stats().transform_errors, 1u);
}

// Verifies that every resync period each cached object is handed to on_update again.
TEST(InformerTest, ResyncRedeliversCachedObjects) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [](const ListOptions&) -> Result<json> {
    return page({pod("a", "5"), pod("b", "6")}, "10");
  };
  api->on_watch = [&](const WatchOptions&, const auto&, const auto& stop) -> Status {
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  auto opts = options();
  opts.resync_period = 30s;
  Informer<json> informer(api, opts, Informer<json>::identity(), clock, no_jitter);
  Recorder recorder;
  informer.add_handlers(recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(1h));
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  EXPECT_EQ(recorder.size(), 2u);
  clock->advance(30s);
  ASSERT_TRUE(eventually([&] { return recorder.size() == 4; }));
  informer.stop();
  auto calls = recorder.snapshot();
  EXPECT_EQ(std::multiset<std::string>(calls.begin() + 2, calls.end()),
            (std::multiset<std::string>{"update ns/a 5->5", "update ns/b 6->6"}));
}

// Verifies that handlers added after sync first receive the cached objects as adds.
TEST(InformerTest, LateHandlersReceiveExistingObjects) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [](const ListOptions&) -> Result<json> { return page({pod("a", "5")}, "10"); };
  api->on_watch = [&](const WatchOptions&, const auto&, const auto& stop) -> Status {
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  Informer<json> informer(api, options(), Informer<json>::identity(), clock, no_jitter);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(1h));
  Recorder recorder;
  informer.add_handlers(recorder.handlers());
  EXPECT_EQ(recorder.snapshot(), (std::vector<std::string>{"add ns/a 5"}));
}

// Verifies that a handler that throws is counted and does not stop the informer or other
// handlers.
TEST(InformerTest, ThrowingHandlerIsContained) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [](const ListOptions&) -> Result<json> { return page({pod("a", "5")}, "10"); };
  WatchChannel channel;
  api->on_watch = [&](const WatchOptions&, const auto& on_event, const auto& stop) {
    return channel.serve(on_event, stop);
  };
  Informer<json> informer(api, options(), Informer<json>::identity(), clock, no_jitter);
  informer.add_handlers({[](const std::string&, const json&) { throw std::runtime_error("boom"); },
                         nullptr, nullptr});
  Recorder recorder;
  informer.add_handlers(recorder.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(1h));
  channel.push({"ADDED", pod("b", "11")});
  ASSERT_TRUE(eventually([&] { return recorder.size() == 2; }));
  informer.stop();
  EXPECT_EQ(informer.stats().handler_errors, 2u);
  EXPECT_EQ(informer.store().size(), 2u);
}

// Verifies that stop() returns while the informer sleeps in a backoff and that a cache that
// never synced reports so.
TEST(InformerTest, StopEndsBackoffAndWaitForSyncTimesOut) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [](const ListOptions&) -> Result<json> {
    return Error::make("connection refused");
  };
  Informer<json> informer(api, options(), Informer<json>::identity(), clock, no_jitter);
  informer.start();
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  std::atomic<bool> result{true};
  std::thread waiter([&] { result = informer.wait_for_sync(5s); });
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 1; }));
  clock->advance(5s);
  waiter.join();
  EXPECT_FALSE(result.load());
  informer.stop();
  EXPECT_FALSE(informer.has_synced());
  EXPECT_GE(informer.stats().reflector.list_failures, 1u);
}

}  // namespace
}  // namespace castellan::kube
