#include "sensor/kube_event_sink.h"

#include <gtest/gtest.h>

#include "api/runtime_violation.h"

namespace castellan::sensor {
namespace {

constexpr const char* kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

Alert exec_alert() {
  Alert a;
  a.policy = "runtime-threats";
  a.rule = "shell-in-container";
  a.action = "Alert";
  a.node = "node-1";
  a.process.pid = 4242;
  a.process.comm = "sh";
  a.process.exe = "/usr/bin/sh";
  a.container_id = kId;
  a.container_name = "web";
  a.pod = Alert::Pod{"prod", "web-7d4f", "uid-1"};
  return a;
}

// Verifies that an Event message names the policy, the rule, the executable and the container.
TEST(RuntimeViolationMessage, NamesPolicyRuleProgramAndContainer) {
  EXPECT_EQ(runtime_violation_message(exec_alert()),
            "SecurityPolicy runtime-threats rule shell-in-container: exec of /usr/bin/sh in "
            "container web");
}

// Verifies that repeats of one alert by other processes give the same message (no pid), so
// that the recorder aggregates them into one Event.
TEST(RuntimeViolationMessage, IsTheSameForEveryRepeat) {
  Alert again = exec_alert();
  again.process.pid = 5151;
  again.process.ppid = 1;
  again.process.args = {"sh", "-c", "id"};
  again.time_ns = 123456789;
  EXPECT_EQ(runtime_violation_message(again), runtime_violation_message(exec_alert()));
  EXPECT_EQ(runtime_violation_message(again).find("4242"), std::string::npos);
  EXPECT_EQ(runtime_violation_message(again).find("5151"), std::string::npos);
}

// Verifies that file and connect alerts name the path or the address and port and the
// program, and that a kill is said.
TEST(RuntimeViolationMessage, NamesFileOrAddress) {
  Alert file = exec_alert();
  file.process.exe = "/usr/bin/touch";
  file.file = Alert::File{"/etc/passwd", {"O_WRONLY"}};
  EXPECT_EQ(runtime_violation_message(file),
            "SecurityPolicy runtime-threats rule shell-in-container: write to /etc/passwd by "
            "/usr/bin/touch in container web");
  Alert connect = exec_alert();
  connect.process.exe = "/usr/bin/curl";
  connect.connect = Alert::Connect{"ipv4", "1.2.3.4", 443};
  EXPECT_EQ(runtime_violation_message(connect),
            "SecurityPolicy runtime-threats rule shell-in-container: connect to 1.2.3.4:443 by "
            "/usr/bin/curl in container web");
  connect.connect = Alert::Connect{"ipv6", "2001:db8::1", 443};
  EXPECT_NE(runtime_violation_message(connect).find("connect to [2001:db8::1]:443 by"),
            std::string::npos);
  Alert killed = exec_alert();
  killed.action = "Kill";
  EXPECT_EQ(runtime_violation_message(killed),
            "SecurityPolicy runtime-threats rule shell-in-container: exec of /usr/bin/sh in "
            "container web; process killed");
}

// Verifies that without a container name the message falls back to the short container id,
// and to comm when the executable is unknown.
TEST(RuntimeViolationMessage, FallsBackToShortIdAndComm) {
  Alert a = exec_alert();
  a.container_name.clear();
  a.process.exe.clear();
  EXPECT_EQ(runtime_violation_message(a),
            "SecurityPolicy runtime-threats rule shell-in-container: exec of sh in container "
            "0123456789ab");
  a.container_id.reset();
  EXPECT_EQ(runtime_violation_message(a),
            "SecurityPolicy runtime-threats rule shell-in-container: exec of sh");
}

// Verifies that the Event of an alert involves the Pod, relates the cluster-scoped
// SecurityPolicy and carries the annotations the controller decodes.
TEST(RuntimeViolationEvent, CarriesPodPolicyAndAnnotations) {
  Alert a = exec_alert();
  a.action = "Kill";
  auto event = runtime_violation_event(a);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->pod.api_version, "v1");
  EXPECT_EQ(event->pod.kind, "Pod");
  EXPECT_EQ(event->pod.namespace_, "prod");
  EXPECT_EQ(event->pod.name, "web-7d4f");
  EXPECT_EQ(event->pod.uid, "uid-1");
  EXPECT_EQ(event->message, runtime_violation_message(a));
  const auto& annotations = event->extras.annotations;
  EXPECT_EQ(annotations.size(), 5u);
  EXPECT_EQ(annotations.at(api::kViolationPolicyAnnotation), "runtime-threats");
  EXPECT_EQ(annotations.at(api::kViolationRuleAnnotation), "shell-in-container");
  EXPECT_EQ(annotations.at(api::kViolationActionAnnotation), "Kill");
  EXPECT_EQ(annotations.at(api::kViolationNodeAnnotation), "node-1");
  EXPECT_EQ(annotations.at(api::kViolationContainerAnnotation), kId);
  ASSERT_TRUE(event->extras.related.has_value());
  EXPECT_EQ(event->extras.related->api_version, "castellan.io/v1alpha1");
  EXPECT_EQ(event->extras.related->kind, "SecurityPolicy");
  EXPECT_EQ(event->extras.related->name, "runtime-threats");
  EXPECT_EQ(event->extras.related->namespace_, "");
}

// Verifies that an alert outside any Pod makes no Event, and one without a known container
// carries no container-id annotation.
TEST(RuntimeViolationEvent, NoPodNoEventNoContainerNoAnnotation) {
  Alert host = exec_alert();
  host.pod.reset();
  EXPECT_FALSE(runtime_violation_event(host).has_value());
  Alert unknown = exec_alert();
  unknown.container_id.reset();
  auto event = runtime_violation_event(unknown);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->extras.annotations.count(api::kViolationContainerAnnotation), 0u);
  EXPECT_EQ(event->extras.annotations.at(api::kViolationActionAnnotation), "Alert");
}

// Verifies that the Event an alert becomes is read back by the controller's decoder as that
// alert: policy, rule, kill, node, container and Pod.
TEST(RuntimeViolationEvent, DecodesAsTheAlert) {
  Alert a = exec_alert();
  a.action = "Kill";
  auto event = runtime_violation_event(a);
  ASSERT_TRUE(event.has_value());
  nlohmann::json written = {
      {"reason", api::kRuntimeViolationReason},
      {"metadata",
       {{"uid", "e-1"},
        {"namespace", "prod"},
        {"name", "web-7d4f.1"},
        {"annotations", event->extras.annotations}}},
      {"involvedObject", {{"namespace", "prod"}, {"name", "web-7d4f"}, {"uid", "uid-1"}}},
      {"message", event->message},
      {"count", 3}};
  auto decoded = api::decode_runtime_violation(written);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->policy, "runtime-threats");
  EXPECT_EQ(decoded->rule, "shell-in-container");
  EXPECT_TRUE(decoded->killed);
  EXPECT_EQ(decoded->node, "node-1");
  EXPECT_EQ(decoded->container_id, kId);
  EXPECT_EQ(decoded->pod, "web-7d4f");
  EXPECT_EQ(decoded->count, 3);
}

}  // namespace
}  // namespace castellan::sensor
