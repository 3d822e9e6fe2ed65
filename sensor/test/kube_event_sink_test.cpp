#include "sensor/kube_event_sink.h"

#include <gtest/gtest.h>

namespace castellan::sensor {
namespace {

Alert exec_alert() {
  Alert a;
  a.policy = "runtime-threats";
  a.rule = "shell-in-container";
  a.action = "Alert";
  a.process.pid = 4242;
  a.process.comm = "sh";
  a.process.exe = "/usr/bin/sh";
  return a;
}

// Verifies that an Event message names the policy, the rule, the executable and the pid.
TEST(RuntimeViolationMessage, NamesPolicyRuleAndProcess) {
  EXPECT_EQ(runtime_violation_message(exec_alert()),
            "SecurityPolicy runtime-threats rule shell-in-container: exec by /usr/bin/sh (pid 4242)");
}

// Verifies that file and connect alerts name the path or the address and port.
TEST(RuntimeViolationMessage, NamesFileOrAddress) {
  Alert file = exec_alert();
  file.file = Alert::File{"/etc/passwd", {"O_WRONLY"}};
  EXPECT_NE(runtime_violation_message(file).find("write to /etc/passwd by /usr/bin/sh (pid 4242)"),
            std::string::npos);
  Alert connect = exec_alert();
  connect.connect = Alert::Connect{"ipv6", "2001:db8::1", 443};
  connect.action = "Kill";
  EXPECT_NE(runtime_violation_message(connect).find("connect to [2001:db8::1]:443"), std::string::npos);
  EXPECT_NE(runtime_violation_message(connect).find("killed"), std::string::npos);
}

}  // namespace
}  // namespace castellan::sensor
