#include "kube/event_recorder.h"

#include <gtest/gtest.h>

#include "kube/clock_fake.h"
#include "kube/test/informer_fake_api_client.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::eventually;
using testing::FakeApiClient;

double no_jitter() { return 0.0; }

ObjectReference pod_ref(const std::string& name) {
  return ObjectReference::to(json{{"apiVersion", "v1"},
                                  {"kind", "Pod"},
                                  {"metadata", {{"namespace", "prod"}, {"name", name}, {"uid", "u-" + name}}}});
}

struct Fixture {
  std::shared_ptr<FakeApiClient> api = std::make_shared<FakeApiClient>();
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::unique_ptr<EventRecorder> recorder;
  void make(EventRecorderOptions options = {}) {
    recorder = std::make_unique<EventRecorder>(api, options, clock, no_jitter);
  }
  std::vector<json> events() { return api->stored("events"); }
};

// Verifies that repeats of one event become a single Event with a rising count, while a
// different message makes a new Event.
TEST(EventRecorderTest, AggregatesRepeatsIntoOneEvent) {
  Fixture f;
  f.make();
  auto ref = pod_ref("web");
  EXPECT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "shell started"));
  ASSERT_TRUE(eventually([&] { return f.recorder->stats().created == 1; }));
  f.clock->advance(5s);
  f.recorder->event(ref, "Warning", "RuntimeViolation", "shell started");
  f.recorder->event(ref, "Warning", "RuntimeViolation", "shell started");
  f.recorder->event(ref, "Warning", "RuntimeViolation", "file written");
  f.recorder->shutdown();

  auto events = f.events();
  ASSERT_EQ(events.size(), 2u);
  const json& shell = events[0]["message"] == "shell started" ? events[0] : events[1];
  EXPECT_EQ(shell["count"], 3);
  EXPECT_EQ(shell["involvedObject"]["name"], "web");
  EXPECT_EQ(shell["involvedObject"]["uid"], "u-web");
  EXPECT_EQ(shell["metadata"]["namespace"], "prod");
  EXPECT_EQ(shell["source"]["component"], "castellan");
  EXPECT_NE(shell["firstTimestamp"], shell["lastTimestamp"]) << "lastTimestamp must move on";
  EXPECT_GE(f.recorder->stats().aggregated, 1u);
  EXPECT_EQ(f.recorder->stats().created, 2u);
}

// Verifies that one object flooding events is cut off after its burst while others are not,
// and that its bucket refills with time.
TEST(EventRecorderTest, RateLimitsPerObject) {
  Fixture f;
  EventRecorderOptions options;
  options.per_object_burst = 5;
  options.per_object_qps = 1.0 / 60;
  f.make(options);
  int accepted = 0;
  for (int i = 0; i < 8; ++i) {
    accepted += f.recorder->event(pod_ref("noisy"), "Normal", "Tick", "n" + std::to_string(i));
  }
  EXPECT_EQ(accepted, 5);
  EXPECT_TRUE(f.recorder->event(pod_ref("quiet"), "Normal", "Tick", "q"));
  EXPECT_EQ(f.recorder->stats().dropped_rate_limited, 3u);
  f.clock->advance(60s);
  EXPECT_TRUE(f.recorder->event(pod_ref("noisy"), "Normal", "Tick", "later"));
  EXPECT_FALSE(f.recorder->event(pod_ref("noisy"), "Normal", "Tick", "later again"));
}

// Verifies that annotations and the related object are written into the Event and are part
// of the aggregation key: the same message with other annotations is another Event.
TEST(EventRecorderTest, WritesAnnotationsAndRelatedAndKeysOnThem) {
  Fixture f;
  f.make();
  auto ref = pod_ref("web");
  EventExtras first;
  first.annotations = {{"castellan.io/policy", "p"}, {"castellan.io/rule", "r1"}};
  first.related = ObjectReference{"castellan.io/v1alpha1", "SecurityPolicy", "", "p", "", "", ""};
  EventExtras second = first;
  second.annotations["castellan.io/rule"] = "r2";
  EXPECT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "m", first));
  EXPECT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "m", first));
  EXPECT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "m", second));
  EXPECT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "m"));
  f.recorder->shutdown();

  auto events = f.events();
  ASSERT_EQ(events.size(), 3u);
  int plain = 0;
  for (const auto& e : events) {
    if (!e["metadata"].contains("annotations")) {
      ++plain;
      EXPECT_FALSE(e.contains("related"));
      EXPECT_EQ(e["count"], 1);
      continue;
    }
    EXPECT_EQ(e["metadata"]["annotations"]["castellan.io/policy"], "p");
    EXPECT_EQ(
        e["related"],
        (json{{"apiVersion", "castellan.io/v1alpha1"}, {"kind", "SecurityPolicy"}, {"name", "p"}}));
    EXPECT_EQ(e["count"], e["metadata"]["annotations"]["castellan.io/rule"] == "r1" ? 2 : 1);
  }
  EXPECT_EQ(plain, 1);
}

// Verifies that repeats of an Event already written only raise its count, however many: the
// per-object spam filter drops new distinct events only.
TEST(EventRecorderTest, RepeatsOfAWrittenEventAreNotRateLimited) {
  Fixture f;
  EventRecorderOptions options;
  options.per_object_burst = 2;
  options.per_object_qps = 1.0 / 300;
  f.make(options);
  auto ref = pod_ref("web");
  ASSERT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "shell"));
  ASSERT_TRUE(eventually([&] { return f.recorder->stats().created == 1; }));
  int accepted = 0;
  for (int i = 0; i < 50; ++i) {
    accepted += f.recorder->event(ref, "Warning", "RuntimeViolation", "shell");
  }
  EXPECT_EQ(accepted, 50);
  EXPECT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "file")) << "second token";
  EXPECT_FALSE(f.recorder->event(ref, "Warning", "RuntimeViolation", "connect")) << "burst spent";
  f.recorder->shutdown();

  EXPECT_EQ(f.recorder->stats().dropped_rate_limited, 1u);
  auto events = f.events();
  ASSERT_EQ(events.size(), 2u);
  const json& shell = events[0]["message"] == "shell" ? events[0] : events[1];
  EXPECT_EQ(shell["count"], 51);
}

// Verifies that repeats of an event being written (retrying through an outage) are neither
// rate-limited nor held against the queue's capacity, and all reach the Event's count.
TEST(EventRecorderTest, RepeatsOfAnEventBeingWrittenAreNotDropped) {
  Fixture f;
  std::atomic<bool> down{true};
  f.api->fault = [&](const std::string&) -> std::optional<Error> {
    if (down) return Error::make("connection refused");
    return std::nullopt;
  };
  EventRecorderOptions options;
  options.per_object_burst = 1;
  options.queue_capacity = 1;
  f.make(options);
  auto ref = pod_ref("web");
  ASSERT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "shell"));
  ASSERT_TRUE(eventually([&] { return f.clock->waiters() == 1; }));  // taken, retrying
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(f.recorder->event(ref, "Warning", "RuntimeViolation", "shell")) << i;
  }
  EXPECT_FALSE(f.recorder->event(ref, "Warning", "RuntimeViolation", "other")) << "burst spent";
  EXPECT_TRUE(f.recorder->event(pod_ref("db"), "Warning", "RuntimeViolation", "shell"))
      << "the repeats must not take the queue's one slot";
  EXPECT_FALSE(f.recorder->event(pod_ref("cache"), "Warning", "RuntimeViolation", "shell"));
  auto stats = f.recorder->stats();
  EXPECT_EQ(stats.dropped_rate_limited, 1u);
  EXPECT_EQ(stats.dropped_queue_full, 1u);
  EXPECT_EQ(stats.pending, 2u);

  down = false;
  f.clock->advance(10s);
  ASSERT_TRUE(eventually([&] { return f.recorder->stats().pending == 0; }));
  f.recorder->shutdown();
  stats = f.recorder->stats();
  EXPECT_EQ(stats.created, 2u);
  EXPECT_EQ(stats.aggregated, 1u);
  EXPECT_EQ(stats.failed, 0u);
  for (const auto& e : f.events()) {
    EXPECT_EQ(e["count"], e["involvedObject"]["name"] == "web" ? 6 : 1) << e.dump();
  }
}

// Verifies that during an outage the queue holds events up to its capacity, counts what
// overflows, merges repeats, and writes everything held once the API is back.
TEST(EventRecorderTest, SurvivesOutageAndCountsOverflow) {
  Fixture f;
  std::atomic<bool> down{true};
  f.api->fault = [&](const std::string&) -> std::optional<Error> {
    if (down) return Error::make("connection refused");
    return std::nullopt;
  };
  EventRecorderOptions options;
  options.queue_capacity = 3;
  f.make(options);
  f.recorder->event(pod_ref("a"), "Warning", "R", "first");  // taken by the writer, retrying
  ASSERT_TRUE(eventually([&] { return f.clock->waiters() == 1; }));
  for (const char* name : {"b", "c", "d", "e", "f"}) {
    f.recorder->event(pod_ref(name), "Warning", "R", "m");
  }
  f.recorder->event(pod_ref("b"), "Warning", "R", "m");  // merged into the queued one
  auto stats = f.recorder->stats();
  EXPECT_EQ(stats.pending, 3u);
  EXPECT_EQ(stats.dropped_queue_full, 2u);
  EXPECT_EQ(stats.accepted, 5u);

  for (int i = 0; i < 3; ++i) {  // a few failed attempts, 0.5 s, 1 s, 2 s apart
    f.clock->advance(10s);
    ASSERT_TRUE(eventually([&] { return f.clock->waiters() == 1; }));
  }
  down = false;
  f.clock->advance(10s);
  ASSERT_TRUE(eventually([&] { return f.recorder->stats().created == 4; }));
  f.recorder->shutdown();
  stats = f.recorder->stats();
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_GE(stats.retries, 3u);
  bool found_b = false;
  for (const auto& e : f.events()) {
    if (e["involvedObject"]["name"] == "b") {
      found_b = true;
      EXPECT_EQ(e["count"], 2);
    }
  }
  EXPECT_TRUE(found_b);
}

// Verifies that an Event the API refuses (403) is counted as failed without retries.
TEST(EventRecorderTest, RefusedEventIsCountedNotRetried) {
  Fixture f;
  f.api->fault = [](const std::string&) -> std::optional<Error> {
    return Error::make("events is forbidden", "Forbidden", 403);
  };
  f.make();
  f.recorder->event(pod_ref("a"), "Warning", "R", "m");
  ASSERT_TRUE(eventually([&] { return f.recorder->stats().failed == 1; }));
  EXPECT_EQ(f.recorder->stats().retries, 0u);
}

// Verifies that shutdown flushes queued events, and gives up on them (counted) when the API
// stays down past the flush timeout.
TEST(EventRecorderTest, ShutdownFlushesOrCountsUnwritten) {
  Fixture f;
  std::atomic<bool> down{true};
  f.api->fault = [&](const std::string&) -> std::optional<Error> {
    if (down) return Error::make("connection refused");
    return std::nullopt;
  };
  f.make();
  f.recorder->event(pod_ref("a"), "Warning", "R", "m");
  f.recorder->event(pod_ref("b"), "Warning", "R", "m");
  ASSERT_TRUE(eventually([&] { return f.clock->waiters() == 1; }));
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    f.recorder->shutdown();
    stopped = true;
  });
  ASSERT_TRUE(eventually([&] { return f.recorder->shutting_down(); }));
  int seconds = 0;
  while (!stopped && seconds < 60) {
    f.clock->advance(1s);
    ++seconds;
    eventually([&] { return stopped || f.clock->waiters() == 1; });
  }
  stopper.join();
  EXPECT_LE(seconds, 5) << "the flush must give up after its 5 s timeout";
  auto stats = f.recorder->stats();
  EXPECT_EQ(stats.failed, 2u);
  EXPECT_EQ(stats.pending, 0u);
  EXPECT_FALSE(f.recorder->event(pod_ref("c"), "Warning", "R", "m")) << "closed after shutdown";
}

// Verifies that when the aggregated Event has vanished (TTL), a new one is created.
TEST(EventRecorderTest, RecreatesExpiredEvent) {
  Fixture f;
  f.make();
  auto ref = pod_ref("web");
  f.recorder->event(ref, "Normal", "Synced", "ok");
  ASSERT_TRUE(eventually([&] { return f.recorder->stats().created == 1; }));
  auto name = f.events().front()["metadata"]["name"].get<std::string>();
  ASSERT_TRUE(f.api->remove({"", "v1", "events", true}, "prod", name).ok());
  f.clock->advance(1s);
  f.recorder->event(ref, "Normal", "Synced", "ok");
  f.recorder->shutdown();
  ASSERT_EQ(f.events().size(), 1u);
  EXPECT_EQ(f.recorder->stats().created, 2u);
}

}  // namespace
}  // namespace castellan::kube
