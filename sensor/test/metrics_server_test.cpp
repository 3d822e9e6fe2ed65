#include "sensor/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include "sensor/metrics.h"

namespace castellan::sensor {
namespace {

std::string get(uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  send(fd, request.data(), request.size(), 0);
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
  close(fd);
  return response;
}

// Verifies that /metrics serves the Prometheus text of the current counters, and that other
// paths get a 404 instead of a hang or a crash.
TEST(MetricsServer, ServesCountersAndRejectsOtherPaths) {
  SensorStats stats;
  stats.kernel.seen = 10;
  stats.kernel.dropped_ringbuf = 3;
  stats.user.alerts = 2;
  MetricsServer server([&] { return format_metrics(stats, {"sys_enter_openat"}); });
  ASSERT_TRUE(server.start(0).ok());
  ASSERT_NE(server.port(), 0);

  auto ok = get(server.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.0 200 OK", 0), 0u) << ok;
  EXPECT_NE(ok.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(ok.find("castellan_sensor_events_seen_total 10\n"), std::string::npos);
  EXPECT_NE(ok.find("castellan_sensor_events_dropped_total{reason=\"ringbuf_full\"} 3\n"),
            std::string::npos);
  EXPECT_NE(ok.find("castellan_sensor_alerts_total 2\n"), std::string::npos);
  EXPECT_NE(ok.find("castellan_sensor_program_attached{tracepoint=\"sys_enter_openat\"} 1"),
            std::string::npos);

  auto missing = get(server.port(), "GET /secrets HTTP/1.1\r\n\r\n");
  EXPECT_EQ(missing.rfind("HTTP/1.0 404", 0), 0u) << missing;
  server.stop();
}

// Verifies that /readyz answers 503 with the reason until the sensor is ready, then 200,
// while /healthz answers 200 throughout.
TEST(MetricsServer, ReadyzFollowsTheSensorsReadiness) {
  std::string why = "the runtime ruleset has not been loaded yet";
  std::mutex mu;
  MetricsServer server([] { return std::string(); },
                       [&] {
                         std::lock_guard lock(mu);
                         return why;
                       });
  ASSERT_TRUE(server.start(0).ok());
  auto waiting = get(server.port(), "GET /readyz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(waiting.rfind("HTTP/1.0 503", 0), 0u) << waiting;
  EXPECT_NE(waiting.find("has not been loaded yet"), std::string::npos) << waiting;
  EXPECT_EQ(get(server.port(), "GET /healthz HTTP/1.1\r\n\r\n").rfind("HTTP/1.0 200", 0), 0u);
  {
    std::lock_guard lock(mu);
    why.clear();
  }
  auto ready = get(server.port(), "GET /readyz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(ready.rfind("HTTP/1.0 200 OK", 0), 0u) << ready;
  server.stop();
}

// Verifies that a port already in use is an error naming the port, not a crash.
TEST(MetricsServer, BusyPortIsAnError) {
  MetricsServer first([] { return std::string(); });
  ASSERT_TRUE(first.start(0).ok());
  MetricsServer second([] { return std::string(); });
  auto st = second.start(first.port());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find(std::to_string(first.port())), std::string::npos);
}

}  // namespace
}  // namespace castellan::sensor
