#include "kube/reflector.h"

#include <gtest/gtest.h>

#include <thread>

#include "kube/clock_fake.h"
#include "kube/test/informer_fake_api_client.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::eventually;
using testing::FakeApiClient;
using testing::WatchChannel;

const GroupVersionResource kPods{"", "v1", "pods", true};

json pod(const std::string& name, const std::string& version) {
  return {{"metadata", {{"namespace", "ns"}, {"name", name}, {"resourceVersion", version}}}};
}

json page(std::vector<json> items, const std::string& version, const std::string& next = {}) {
  json metadata = {{"resourceVersion", version}};
  if (!next.empty()) metadata["continue"] = next;
  return {{"kind", "PodList"}, {"metadata", metadata}, {"items", items}};
}

// Records what the reflector delivers.
class RecordingSink : public ReflectorSink {
 public:
  void on_list_start() override {
    std::lock_guard<std::mutex> lock(mu);
    log.push_back("start");
  }
  void on_list_item(const json& object) override {
    std::lock_guard<std::mutex> lock(mu);
    log.push_back("item " + object["metadata"]["name"].get<std::string>() + " " +
                  object.value("kind", "") + " " + object.value("apiVersion", ""));
  }
  void on_list_done(const std::string& version) override {
    std::lock_guard<std::mutex> lock(mu);
    log.push_back("done " + version);
  }
  void on_watch_event(const WatchEvent& event) override {
    std::lock_guard<std::mutex> lock(mu);
    log.push_back(event.type + " " + event.object["metadata"]["name"].get<std::string>());
  }
  std::vector<std::string> snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return log;
  }
  std::mutex mu;
  std::vector<std::string> log;
};

struct Running {
  Running(Reflector& r) : reflector(r), thread([this] { reflector.run(stop); }) {}
  ~Running() {
    stop = true;
    reflector.interrupt();
    thread.join();
  }
  Reflector& reflector;
  std::atomic<bool> stop{false};
  std::thread thread;
};

ReflectorOptions options() {
  ReflectorOptions o;
  o.gvr = kPods;
  o.page_size = 2;
  return o;
}

double no_jitter() { return 0.0; }

// Verifies that the reflector follows continue tokens, then watches from the list's version
// with bookmarks enabled.
TEST(ReflectorTest, ListsAllPagesThenWatchesFromListVersion) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [](const ListOptions& o) -> Result<json> {
    if (o.continueToken.empty()) return page({pod("a", "5"), pod("b", "6")}, "10", "page2");
    if (o.continueToken == "page2") return page({pod("c", "7")}, "10");
    return Error::make("unexpected continue token " + o.continueToken);
  };
  WatchChannel channel;
  api->on_watch = [&](const WatchOptions&, const auto& on_event, const auto& stop) {
    return channel.serve(on_event, stop);
  };
  RecordingSink sink;
  Reflector reflector(api, clock, options(), sink, no_jitter);
  Running running(reflector);
  ASSERT_TRUE(eventually([&] { return api->watches.load() == 1; }));
  channel.push({"ADDED", pod("d", "11")});
  channel.push({"BOOKMARK", {{"metadata", {{"resourceVersion", "15"}}}}});
  ASSERT_TRUE(eventually([&] { return reflector.last_resource_version() == "15"; }));

  EXPECT_EQ(sink.snapshot(), (std::vector<std::string>{"start", "item a Pod v1", "item b Pod v1",
                                                       "item c Pod v1", "done 10", "ADDED d"}));
  std::lock_guard<std::mutex> lock(api->calls_mu);
  ASSERT_EQ(api->list_calls.size(), 2u);
  EXPECT_EQ(api->list_calls[0].limit, 2);
  EXPECT_EQ(api->watch_calls[0].resourceVersion, "10");
  EXPECT_TRUE(api->watch_calls[0].allowWatchBookmarks);
  EXPECT_GE(api->watch_calls[0].timeoutSeconds, 300);
}

// Verifies that a 410 Gone ERROR event makes the reflector list again and watch from the new version.
TEST(ReflectorTest, RelistsWhenWatchSaysGone) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  std::atomic<int> list_number{0};
  api->on_list = [&](const ListOptions&) -> Result<json> {
    return page({pod("a", "5")}, ++list_number == 1 ? "10" : "50");
  };
  api->on_watch = [&](const WatchOptions& o, const auto& on_event, const auto& stop) -> Status {
    if (o.resourceVersion == "10") {
      on_event({"ADDED", pod("b", "12")});
      on_event({"ERROR", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"},
                          {"message", "too old resource version: 12 (40)"}}});
      return Status::Ok();
    }
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  RecordingSink sink;
  Reflector reflector(api, clock, options(), sink, no_jitter);
  Running running(reflector);
  ASSERT_TRUE(eventually([&] { return api->watches.load() == 2; }));
  EXPECT_EQ(api->lists.load(), 2);
  EXPECT_EQ(reflector.stats().gone, 1u);
  std::lock_guard<std::mutex> lock(api->calls_mu);
  EXPECT_EQ(api->watch_calls[1].resourceVersion, "50");
}

// Verifies that a 410 answer to the watch request also leads to a relist.
TEST(ReflectorTest, RelistsWhenWatchRequestIsGone) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [&](const ListOptions&) -> Result<json> { return page({}, "10"); };
  std::atomic<int> calls{0};
  api->on_watch = [&](const WatchOptions&, const auto&, const auto& stop) -> Status {
    if (++calls == 1) return Error::make("too old resource version", "Gone", 410);
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  RecordingSink sink;
  Reflector reflector(api, clock, options(), sink, no_jitter);
  Running running(reflector);
  // The immediate Gone came with no event: the relist waits one backoff (no list/watch spin).
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  EXPECT_EQ(api->lists.load(), 1);
  clock->advance(800ms);
  ASSERT_TRUE(eventually([&] { return api->watches.load() == 2; }));
  EXPECT_EQ(api->lists.load(), 2);
}

// Verifies that failed lists are retried after exponentially growing delays, not at once.
TEST(ReflectorTest, BacksOffWhenListFails) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  std::atomic<bool> server_up{false};
  api->on_list = [&](const ListOptions&) -> Result<json> {
    if (!server_up) return Error::make("connection refused");
    return page({pod("a", "5")}, "10");
  };
  api->on_watch = [&](const WatchOptions&, const auto&, const auto& stop) -> Status {
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  RecordingSink sink;
  Reflector reflector(api, clock, options(), sink, no_jitter);
  Running running(reflector);

  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  EXPECT_EQ(api->lists.load(), 1);
  clock->advance(799ms);
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  EXPECT_EQ(api->lists.load(), 1) << "retried before the 800 ms backoff";
  clock->advance(1ms);
  ASSERT_TRUE(eventually([&] { return api->lists.load() == 2; }));
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  clock->advance(1599ms);
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  EXPECT_EQ(api->lists.load(), 2) << "second delay must double to 1.6 s";
  server_up = true;
  clock->advance(1ms);
  ASSERT_TRUE(eventually([&] { return api->watches.load() == 1; }));
  EXPECT_EQ(api->lists.load(), 3);
  EXPECT_EQ(reflector.stats().list_failures, 2u);
}

// Verifies that a watch that breaks at once is retried after a backoff from the same version,
// while a watch that delivered events is resumed at once.
TEST(ReflectorTest, ReconnectsWatchWithBackoffOnlyWhenUnhealthy) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [&](const ListOptions&) -> Result<json> { return page({}, "10"); };
  std::atomic<int> calls{0};
  api->on_watch = [&](const WatchOptions&, const auto& on_event, const auto& stop) -> Status {
    int n = ++calls;
    if (n == 1) {
      on_event({"ADDED", pod("a", "11")});
      return Error::make("stream ended");  // healthy: events arrived
    }
    if (n == 2) return Error::make("connection refused");
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  RecordingSink sink;
  Reflector reflector(api, clock, options(), sink, no_jitter);
  Running running(reflector);
  ASSERT_TRUE(eventually([&] { return api->watches.load() == 2; }));
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  EXPECT_EQ(api->watches.load(), 2);
  clock->advance(800ms);
  ASSERT_TRUE(eventually([&] { return api->watches.load() == 3; }));
  EXPECT_EQ(api->lists.load(), 1) << "a broken stream resumes the watch, it does not relist";
  std::lock_guard<std::mutex> lock(api->calls_mu);
  EXPECT_EQ(api->watch_calls[1].resourceVersion, "11");
  EXPECT_EQ(api->watch_calls[2].resourceVersion, "11");
}

// Verifies that an expired continue token falls back to one unpaged list.
TEST(ReflectorTest, ExpiredContinueTokenFallsBackToFullList) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [&](const ListOptions& o) -> Result<json> {
    if (o.limit == 0) return page({pod("a", "5"), pod("b", "6"), pod("c", "7")}, "20");
    if (o.continueToken.empty()) return page({pod("a", "5"), pod("b", "6")}, "10", "next");
    return Error::make("continue token expired", "Expired", 410);
  };
  api->on_watch = [&](const WatchOptions&, const auto&, const auto& stop) -> Status {
    while (!stop) std::this_thread::sleep_for(1ms);
    return Status::Ok();
  };
  RecordingSink sink;
  Reflector reflector(api, clock, options(), sink, no_jitter);
  Running running(reflector);
  ASSERT_TRUE(eventually([&] { return api->watches.load() == 1; }));
  EXPECT_EQ(sink.snapshot(),
            (std::vector<std::string>{"start", "item a Pod v1", "item b Pod v1", "start",
                                      "item a Pod v1", "item b Pod v1", "item c Pod v1", "done 20"}));
}

// Verifies that a malformed list answer is a precise error and is retried, not a crash.
TEST(ReflectorTest, MalformedListIsAnError) {
  auto api = std::make_shared<FakeApiClient>();
  auto clock = std::make_shared<FakeClock>();
  api->on_list = [&](const ListOptions&) -> Result<json> { return json{{"kind", "PodList"}}; };
  RecordingSink sink;
  Reflector reflector(api, clock, options(), sink, no_jitter);
  Running running(reflector);
  ASSERT_TRUE(eventually([&] { return clock->waiters() > 0; }));
  EXPECT_EQ(reflector.stats().list_failures, 1u);
  EXPECT_EQ(api->watches.load(), 0);
}

}  // namespace
}  // namespace castellan::kube
