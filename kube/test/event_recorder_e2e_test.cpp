// The Event recorder against a real kube-apiserver.

#include <gtest/gtest.h>

#include <thread>

#include "e2e/control_plane_environment.h"
#include "kube/client_config.h"
#include "kube/event_recorder.h"
#include "kube/rest_client.h"

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const GroupVersionResource kConfigMaps{"", "v1", "configmaps", true};
const GroupVersionResource kEvents{"", "v1", "events", true};

ApiClientPtr client() {
  LoadOptions load;
  load.kubeconfig = e2e::ControlPlaneEnvironment::control_plane().kubeconfig_path();
  auto config = load_client_config(load);
  EXPECT_TRUE(config.ok()) << config.error().message;
  if (!config.ok()) return nullptr;
  auto rest = make_rest_client(*config);
  EXPECT_TRUE(rest.ok()) << rest.error().message;
  return rest.ok() ? *rest : nullptr;
}

// Verifies that repeats of an event on an object aggregate into one Event with a rising
// count on the server, and a different message is a separate Event.
TEST(EventRecorderE2eTest, RepeatsAggregateOnTheServer) {
  auto api = client();
  ASSERT_NE(api, nullptr);
  auto object = api->create(kConfigMaps, "default",
                            {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "noisy"}}}});
  ASSERT_TRUE(object.ok()) << object.error().message;
  auto ref = ObjectReference::to(*object);
  ref.kind = "ConfigMap";
  ref.api_version = "v1";

  EventRecorderOptions options;
  options.host = "node-1";
  EventRecorder recorder(api, options);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(recorder.event(ref, "Warning", "RuntimeViolation", "shell started in container"));
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(recorder.event(ref, "Normal", "Synced", "policy applied"));
  recorder.shutdown();
  EXPECT_EQ(recorder.stats().failed, 0u);

  ListOptions list;
  list.fieldSelector = "involvedObject.name=noisy";
  auto events = api->list(kEvents, "default", list);
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ((*events)["items"].size(), 2u) << events->dump();
  for (const auto& event : (*events)["items"]) {
    EXPECT_EQ(event["involvedObject"]["uid"], (*object)["metadata"]["uid"]);
    EXPECT_EQ(event["source"]["host"], "node-1");
    if (event["reason"] == "RuntimeViolation") {
      EXPECT_EQ(event["count"], 5);
      EXPECT_EQ(event["type"], "Warning");
    } else {
      EXPECT_EQ(event["count"], 1);
    }
  }
}

// Verifies that the API server stores an Event's annotations and related object, and that
// repeats past the per-object burst still reach its count.
TEST(EventRecorderE2eTest, AnnotationsRelatedAndCountOnTheServer) {
  auto api = client();
  ASSERT_NE(api, nullptr);
  auto object = api->create(
      kConfigMaps, "default",
      {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "related"}}}});
  ASSERT_TRUE(object.ok()) << object.error().message;
  auto ref = ObjectReference::to(*object);
  ref.kind = "ConfigMap";
  ref.api_version = "v1";

  EventRecorderOptions options;
  options.per_object_burst = 2;
  EventRecorder recorder(api, options);
  EventExtras extras;
  extras.annotations = {{"castellan.io/policy", "no-shells"}, {"castellan.io/rule", "shell"}};
  extras.related =
      ObjectReference{"castellan.io/v1alpha1", "SecurityPolicy", "", "no-shells", "", "", ""};
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(recorder.event(ref, "Warning", "RuntimeViolation", "shell started", extras)) << i;
    std::this_thread::sleep_for(100ms);
  }
  recorder.shutdown();
  EXPECT_EQ(recorder.stats().failed, 0u);
  EXPECT_EQ(recorder.stats().dropped_rate_limited, 0u);

  ListOptions list;
  list.fieldSelector = "involvedObject.name=related";
  auto events = api->list(kEvents, "default", list);
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ((*events)["items"].size(), 1u) << events->dump();
  const auto& event = (*events)["items"][0];
  EXPECT_EQ(event["count"], 5);
  EXPECT_EQ(event["metadata"]["annotations"]["castellan.io/policy"], "no-shells");
  EXPECT_EQ(event["metadata"]["annotations"]["castellan.io/rule"], "shell");
  EXPECT_EQ(event["related"]["kind"], "SecurityPolicy");
  EXPECT_EQ(event["related"]["apiVersion"], "castellan.io/v1alpha1");
  EXPECT_EQ(event["related"]["name"], "no-shells");
}

// Verifies that events recorded while the API server is down are written once it is back.
TEST(EventRecorderE2eTest, QueuedEventsSurviveApiServerRestart) {
  auto api = client();
  ASSERT_NE(api, nullptr);
  auto object = api->create(kConfigMaps, "default",
                            {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "outage"}}}});
  ASSERT_TRUE(object.ok()) << object.error().message;
  auto ref = ObjectReference::to(*object);

  EventRecorder recorder(api, EventRecorderOptions{});
  auto& plane = e2e::ControlPlaneEnvironment::control_plane();
  ASSERT_TRUE(plane.stop_apiserver().ok());
  for (int i = 0; i < 3; ++i) recorder.event(ref, "Warning", "RuntimeViolation", "during outage");
  recorder.event(ref, "Normal", "Other", "also during outage");
  EXPECT_EQ(recorder.stats().dropped_queue_full, 0u);
  ASSERT_TRUE(plane.start_apiserver().ok());
  for (int i = 0; i < 6000 && recorder.stats().created < 2; ++i) std::this_thread::sleep_for(10ms);
  recorder.shutdown();
  auto stats = recorder.stats();
  EXPECT_EQ(stats.failed, 0u);

  ListOptions list;
  list.fieldSelector = "involvedObject.name=outage";
  auto events = api->list(kEvents, "default", list);
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ((*events)["items"].size(), 2u) << events->dump();
  for (const auto& event : (*events)["items"]) {
    EXPECT_EQ(event["count"], event["reason"] == "RuntimeViolation" ? 3 : 1);
  }
}

}  // namespace
}  // namespace castellan::kube
