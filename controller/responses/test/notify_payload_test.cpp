#include "controller/responses/notify_payload.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

api::RuntimeViolationEvent shell_alert() {
  api::RuntimeViolationEvent alert;
  alert.uid = "e-uid";
  alert.event_namespace = "prod";
  alert.event_name = "web-1.17f3";
  alert.pod_namespace = "prod";
  alert.pod = "web-1";
  alert.pod_uid = "pod-uid";
  alert.policy = "runtime-threats";
  alert.rule = "shell-in-container";
  alert.killed = true;
  alert.node = "node-a";
  alert.container_id = "0123456789abcdef";
  alert.message = "exec of /bin/sh in container web";
  alert.count = 7;
  alert.last_time = "2026-01-01T00:00:00Z";
  return alert;
}

json secret_with(const json& data) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", "hook-headers"}, {"namespace", "castellan-system"}}},
          {"data", data}};
}

// Verifies that the Slack `text` line names the policy, rule, pod, node, message, the kill and
// how many alerts this notification covers.
TEST(NotifyBodyTest, SlackTextNamesTheAlert) {
  auto body = json::parse(notify_body(shell_alert(), 3, {"DeletePod", "Notify"}));
  ASSERT_TRUE(body["text"].is_string());
  EXPECT_EQ(body["text"],
            "Castellan: SecurityPolicy runtime-threats rule shell-in-container fired 3 times in "
            "Pod prod/web-1 on node-a: exec of /bin/sh in container web (process killed); "
            "responses: DeletePod");
  auto once = json::parse(notify_body(shell_alert(), 1, {}));
  EXPECT_NE(once["text"].get<std::string>().find("fired once in Pod prod/web-1"),
            std::string::npos);
  // The sensor's own "SecurityPolicy p rule r:" prefix and kill note are not said twice.
  auto from_sensor = shell_alert();
  from_sensor.message =
      "SecurityPolicy runtime-threats rule shell-in-container: exec of /bin/sh in container web; "
      "process killed";
  EXPECT_EQ(json::parse(notify_body(from_sensor, 1, {}))["text"],
            "Castellan: SecurityPolicy runtime-threats rule shell-in-container fired once in Pod "
            "prod/web-1 on node-a: exec of /bin/sh in container web; process killed");
}

// Verifies that the structured alert carries every field in camelCase, count being the new
// alerts and totalCount the Event's count, and that actions leave Notify out.
TEST(NotifyBodyTest, StructuredAlertFields) {
  auto body = json::parse(notify_body(shell_alert(), 3, {"DeletePod", "Notify", "TaintNode"}));
  const json& alert = body["alert"];
  EXPECT_EQ(alert["policy"], "runtime-threats");
  EXPECT_EQ(alert["rule"], "shell-in-container");
  EXPECT_EQ(alert["namespace"], "prod");
  EXPECT_EQ(alert["pod"], "web-1");
  EXPECT_EQ(alert["podUID"], "pod-uid");
  EXPECT_EQ(alert["node"], "node-a");
  EXPECT_EQ(alert["containerID"], "0123456789abcdef");
  EXPECT_EQ(alert["killed"], true);
  EXPECT_EQ(alert["message"], "exec of /bin/sh in container web");
  EXPECT_EQ(alert["count"], 3);
  EXPECT_EQ(alert["totalCount"], 7);
  EXPECT_EQ(alert["time"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(alert["event"], "prod/web-1.17f3");
  EXPECT_EQ(body["actions"], json::array({"DeletePod", "TaintNode"}));
}

// Verifies that a message with Slack control characters, line breaks and invalid UTF-8 still
// gives valid JSON with a one-line text that cannot mention @channel.
TEST(NotifyBodyTest, HostileMessageStaysOneEscapedLine) {
  auto alert = shell_alert();
  alert.killed = false;
  alert.message = "exec of sh -c 'echo <!channel> & x'\nsecond line \xff\xfe";
  auto text = notify_body(alert, 1, {});
  auto body = json::parse(text, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << text;
  std::string line = body["text"];
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find("<!channel>"), std::string::npos);
  EXPECT_NE(line.find("&lt;!channel&gt; &amp; x"), std::string::npos);
  EXPECT_EQ(line.find("process killed"), std::string::npos);
  EXPECT_NE(body["alert"]["message"].get<std::string>().find("<!channel>"), std::string::npos);
}

// Verifies that each data key of the Secret becomes a header with its decoded value.
TEST(NotifyHeadersTest, DataKeysBecomeHeaders) {
  auto headers = notify_headers(secret_with(
      {{"Authorization", base64_encode("Bearer abc")}, {"X-Team", base64_encode("blue")}}));
  ASSERT_TRUE(headers.ok()) << headers.error().message;
  HttpHeaders expected = {{"Authorization", "Bearer abc"}, {"X-Team", "blue"}};
  EXPECT_EQ(*headers, expected);
  auto none = notify_headers(json{{"kind", "Secret"}, {"metadata", {{"name", "empty"}}}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Verifies that names the notifier sets itself are refused whatever their case, naming the key.
TEST(NotifyHeadersTest, RefusesHeadersTheNotifierSets) {
  for (const char* name :
       {"Host", "content-length", "CONTENT-TYPE", "Transfer-Encoding", "connection"}) {
    auto headers = notify_headers(secret_with({{name, base64_encode("x")}}));
    ASSERT_FALSE(headers.ok()) << name;
    EXPECT_NE(headers.error().message.find(std::string("\"") + name + "\""), std::string::npos)
        << headers.error().message;
    EXPECT_NE(headers.error().message.find("hook-headers"), std::string::npos);
  }
}

// Verifies that names that are not HTTP tokens and values with CR, LF, NUL or other control
// characters are refused without quoting the value.
TEST(NotifyHeadersTest, RefusesBadNamesAndValues) {
  EXPECT_FALSE(check_notify_header("X Team", "a").ok());
  EXPECT_FALSE(check_notify_header("X:Team", "a").ok());
  EXPECT_FALSE(check_notify_header("", "a").ok());
  EXPECT_TRUE(check_notify_header("X-Api_Key.v1", "a\tb").ok());
  for (std::string value : {std::string("token\n"), std::string("a\rb"), std::string("a\0b", 3),
                            std::string("a\x01")}) {
    auto headers = notify_headers(secret_with({{"Authorization", base64_encode(value)}}));
    ASSERT_FALSE(headers.ok());
    EXPECT_NE(headers.error().message.find("\"Authorization\""), std::string::npos);
    EXPECT_EQ(headers.error().message.find("token"), std::string::npos);
  }
  auto not_base64 = notify_headers(secret_with({{"X-Key", "***"}}));
  ASSERT_FALSE(not_base64.ok());
  EXPECT_NE(not_base64.error().message.find("\"X-Key\" is not base64"), std::string::npos);
  EXPECT_FALSE(notify_headers(secret_with({{"X-Key", 3}})).ok());
  EXPECT_FALSE(notify_headers(json::array()).ok());
}

// Verifies that an https URL without a port gets 443, path and query kept for the request line.
TEST(NotifyUrlTest, HttpsDefaultsTo443AndKeepsPathAndQuery) {
  auto target = parse_notify_url("https://hooks.example.com/services/T/B?x=1#frag");
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_TRUE(target->endpoint.tls);
  EXPECT_EQ(target->endpoint.host, "hooks.example.com");
  EXPECT_EQ(target->endpoint.port, "443");
  EXPECT_EQ(target->endpoint.server_name, "hooks.example.com");
  EXPECT_EQ(target->target, "/services/T/B?x=1");
  EXPECT_EQ(target->host_header, "hooks.example.com");
  EXPECT_EQ(target->origin, "https://hooks.example.com");
}

// Verifies that an explicit port, a missing path and a bare query are handled for http.
TEST(NotifyUrlTest, HttpWithPortAndDefaultPath) {
  auto target = parse_notify_url("http://127.0.0.1:8080");
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_FALSE(target->endpoint.tls);
  EXPECT_EQ(target->endpoint.port, "8080");
  EXPECT_EQ(target->target, "/");
  EXPECT_EQ(target->host_header, "127.0.0.1:8080");
  auto plain = parse_notify_url("HTTP://receiver?token=1");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->endpoint.port, "80");
  EXPECT_EQ(plain->target, "/?token=1");
  EXPECT_EQ(plain->host_header, "receiver");
}

// Verifies that IPv6 hosts go in brackets in the Host header and without them to the resolver.
TEST(NotifyUrlTest, Ipv6InBrackets) {
  auto target = parse_notify_url("https://[2001:db8::1]:8443/hook");
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_EQ(target->endpoint.host, "2001:db8::1");
  EXPECT_EQ(target->endpoint.port, "8443");
  EXPECT_EQ(target->host_header, "[2001:db8::1]:8443");
  EXPECT_EQ(target->origin, "https://[2001:db8::1]:8443");
  auto default_port = parse_notify_url("http://[::1]/");
  ASSERT_TRUE(default_port.ok()) << default_port.error().message;
  EXPECT_EQ(default_port->host_header, "[::1]");
  EXPECT_FALSE(parse_notify_url("http://2001:db8::1/hook").ok());
  EXPECT_FALSE(parse_notify_url("http://[2001:db8::1/hook").ok());
  EXPECT_FALSE(parse_notify_url("http://[not-an-address]/hook").ok());
}

// Verifies that user credentials in the URL are refused, pointing at headersSecret, and that
// the error does not repeat the password.
TEST(NotifyUrlTest, RefusesUserinfo) {
  auto target = parse_notify_url("https://user:hunter2@hooks.example.com/x");
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.error().message.find("headersSecret"), std::string::npos);
  EXPECT_EQ(target.error().message.find("hunter2"), std::string::npos);
}

// Verifies that other schemes, missing hosts, bad ports and unencoded spaces are refused.
TEST(NotifyUrlTest, RefusesMalformedUrls) {
  for (const char* url :
       {"ftp://example.com/", "hooks.example.com/x", "https://", "https:///x",
        "http://example.com:0/", "http://example.com:65536/", "http://example.com:80a/",
        "http://example.com:/x", "http://exa mple.com/", "http://example.com/a b"}) {
    auto target = parse_notify_url(url);
    ASSERT_FALSE(target.ok()) << url;
    EXPECT_EQ(target.error().message.rfind("notify URL ", 0), 0u) << url;
  }
}

}  // namespace
}  // namespace castellan::controller
