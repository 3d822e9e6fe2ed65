#include "sensor/alert_formatter.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace castellan::sensor {
namespace {

Alert base_alert() {
  Alert a;
  a.time_ns = 1767225600000000000ULL + 123456789;  // 2026-01-01T00:00:00.123456789Z
  a.policy = "p";
  a.rule = "shell-in-container";
  a.action = "Alert";
  a.node = "host";
  a.process = {1, 0, 0, "sh", "/usr/bin/sh", {"sh", "-c", "id"}};
  a.cgroup_id = 123;
  a.cgroup_path = "/sys/fs/cgroup/x";
  return a;
}

// Verifies that an exec alert has exactly the documented fields, and no file/connect/pod.
TEST(AlertFormatter, ExecAlertShape) {
  auto line = format_alert_json(base_alert());
  EXPECT_EQ(line,
            R"({"time":"2026-01-01T00:00:00.123456Z","policy":"p","rule":"shell-in-container",)"
            R"("action":"Alert","node":"host","process":{"pid":1,"ppid":0,"uid":0,"comm":"sh",)"
            R"("exe":"/usr/bin/sh","args":["sh","-c","id"]},"cgroup":{"id":123,)"
            R"("path":"/sys/fs/cgroup/x"}})");
}

// Verifies that file, connect, container and pod appear when set, and the line is valid JSON.
TEST(AlertFormatter, OptionalSectionsAreValidJson) {
  auto a = base_alert();
  a.container_id = "abc";
  a.pod = Alert::Pod{"ns", "web", "uid-1"};
  a.file = Alert::File{"/etc/passwd", {"O_WRONLY"}};
  a.connect = Alert::Connect{"ipv4", "10.1.2.3", 443};
  auto json = nlohmann::json::parse(format_alert_json(a));
  EXPECT_EQ(json["container"]["id"], "abc");
  EXPECT_EQ(json["pod"]["name"], "web");
  EXPECT_EQ(json["file"]["path"], "/etc/passwd");
  EXPECT_EQ(json["file"]["flags"][0], "O_WRONLY");
  EXPECT_EQ(json["connect"]["port"], 443);
}

// Verifies that hostile bytes from the kernel (quotes, control bytes, invalid UTF-8) are escaped.
TEST(AlertFormatter, EscapesUntrustedStrings) {
  auto a = base_alert();
  a.process.args = {"a\"b\\c\n", std::string("\x01\xff", 2)};
  auto json = nlohmann::json::parse(format_alert_json(a));
  EXPECT_EQ(json["process"]["args"][0], "a\"b\\c\n");
  EXPECT_EQ(json["process"]["args"][1], "\x01\xc3\xbf");
}

// Verifies that open flags are named with the access mode first.
TEST(AlertFormatter, NamesOpenFlags) {
  EXPECT_EQ(open_flag_names(O_WRONLY | O_CREAT | O_TRUNC),
            (std::vector<std::string>{"O_WRONLY", "O_CREAT", "O_TRUNC"}));
  EXPECT_EQ(open_flag_names(O_RDWR | O_APPEND), (std::vector<std::string>{"O_RDWR", "O_APPEND"}));
}

}  // namespace
}  // namespace castellan::sensor
