#include "kube/watch_decoder.h"

#include <gtest/gtest.h>

#include <vector>

namespace castellan::kube {
namespace {

std::string event(const std::string& type, const std::string& name, const std::string& rv) {
  return R"({"type":")" + type + R"(","object":{"kind":"ConfigMap","metadata":{"name":")" + name +
         R"(","resourceVersion":")" + rv + R"("},"data":{"k":"va}l{ue\" \\"}}})" + "\n";
}

struct Collector {
  std::vector<WatchEvent> events;
  std::function<bool(WatchEvent&&)> fn() {
    return [this](WatchEvent&& e) {
      events.push_back(std::move(e));
      return true;
    };
  }
};

// Verifies that a stream cut at every possible byte boundary decodes to the same events,
// including braces and escaped quotes inside strings.
TEST(WatchDecoderTest, DecodesEventsSplitAtAnyByte) {
  std::string stream =
      event("ADDED", "a", "1") + event("MODIFIED", "a", "2") + event("DELETED", "a", "3");
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    WatchDecoder decoder;
    Collector c;
    ASSERT_TRUE(decoder.feed(std::string_view(stream).substr(0, cut), c.fn()).ok());
    ASSERT_TRUE(decoder.feed(std::string_view(stream).substr(cut), c.fn()).ok());
    ASSERT_EQ(c.events.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(c.events[0].type, "ADDED");
    EXPECT_EQ(c.events[1].type, "MODIFIED");
    EXPECT_EQ(c.events[2].type, "DELETED");
    EXPECT_EQ(c.events[2].object["metadata"]["resourceVersion"], "3");
    EXPECT_EQ(c.events[0].object["data"]["k"], "va}l{ue\" \\");
    EXPECT_EQ(decoder.pending_bytes(), 0u);
  }
}

// Verifies that byte-by-byte input works and objects without newlines between them decode.
TEST(WatchDecoderTest, ByteByByteAndBackToBack) {
  std::string stream =
      R"({"type":"ADDED","object":{"a":[1,{"b":2}]}}{"type":"BOOKMARK","object":{}})";
  WatchDecoder decoder;
  Collector c;
  for (char ch : stream) ASSERT_TRUE(decoder.feed(std::string_view(&ch, 1), c.fn()).ok());
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[0].object["a"][1]["b"], 2);
  EXPECT_EQ(c.events[1].type, "BOOKMARK");
}

// Verifies that an ERROR event (410 Gone) is delivered as an event carrying the Status.
TEST(WatchDecoderTest, ErrorEventCarriesStatus) {
  WatchDecoder decoder;
  Collector c;
  ASSERT_TRUE(
      decoder
          .feed(R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}})",
                c.fn())
          .ok());
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].type, "ERROR");
  EXPECT_EQ(c.events[0].object["code"], 410);
}

// Verifies that a handler returning false stops decoding.
TEST(WatchDecoderTest, HandlerCanStop) {
  WatchDecoder decoder;
  int seen = 0;
  ASSERT_TRUE(decoder
                  .feed(event("ADDED", "a", "1") + event("ADDED", "b", "2"),
                        [&](WatchEvent&&) {
                          ++seen;
                          return false;
                        })
                  .ok());
  EXPECT_EQ(seen, 1);
}

// Verifies that garbage, invalid JSON, missing fields and oversized events are precise errors.
TEST(WatchDecoderTest, BadInputIsAnError) {
  Collector c;
  {
    WatchDecoder decoder;
    auto s = decoder.feed("<html>", c.fn());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("expected '{' to start event 1"), std::string::npos);
  }
  {
    WatchDecoder decoder;
    auto s = decoder.feed(R"({"type":"ADDED","object":{"a":tru}})", c.fn());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("not valid JSON"), std::string::npos);
  }
  {
    WatchDecoder decoder;
    auto s = decoder.feed(R"({"type":"ADDED"})", c.fn());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("\"object\""), std::string::npos);
  }
  {
    WatchDecoder decoder(16);
    auto s = decoder.feed(R"({"type":"ADDED","object":{}})", c.fn());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("exceeds 16 bytes"), std::string::npos);
  }
  EXPECT_TRUE(c.events.empty());
}

}  // namespace
}  // namespace castellan::kube
