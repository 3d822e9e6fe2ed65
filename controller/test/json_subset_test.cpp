#include "controller/json_subset.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

using nlohmann::json;

// Verifies that API server defaults added to an object are not drift.
TEST(JsonSubsetTest, IgnoresFieldsTheServerAdded) {
  json desired = {{"webhooks", {{{"name", "a"}, {"sideEffects", "None"}}}}};
  json actual = {
      {"webhooks", {{{"name", "a"}, {"sideEffects", "None"}, {"objectSelector", json::object()}}}}};
  EXPECT_TRUE(json_subset(desired, actual));
}

// Verifies that a changed value, a removed field or an extra array element is drift.
TEST(JsonSubsetTest, DetectsManualEdits) {
  json desired = {{"webhooks", {{{"name", "a"}, {"failurePolicy", "Fail"}}}}};
  EXPECT_FALSE(
      json_subset(desired, {{"webhooks", {{{"name", "a"}, {"failurePolicy", "Ignore"}}}}}));
  EXPECT_FALSE(json_subset(desired, {{"webhooks", {{{"name", "a"}}}}}));
  EXPECT_FALSE(json_subset(
      desired, {{"webhooks", {{{"name", "a"}, {"failurePolicy", "Fail"}}, {{"name", "b"}}}}}));
  EXPECT_FALSE(json_subset(json{{"x", json::array()}}, json{{"x", nullptr}}));
}

}  // namespace
}  // namespace castellan::controller
