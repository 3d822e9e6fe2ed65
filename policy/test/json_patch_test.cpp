#include "policy/json_patch.h"

#include <gtest/gtest.h>

namespace castellan::policy {
namespace {

using nlohmann::json;

json apply_ok(const json& doc, const json& patch) {
  const auto r = apply_json_patch(doc, patch);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : json();
}

// Verifies that '~' and '/' in keys are escaped as ~0 and ~1, in that order.
TEST(JsonPatchTest, EscapesPointerTokens) {
  EXPECT_EQ(escape_pointer_token("a/b"), "a~1b");
  EXPECT_EQ(escape_pointer_token("a~b"), "a~0b");
  EXPECT_EQ(escape_pointer_token("~1"), "~01");
  EXPECT_EQ(escape_pointer_token("plain"), "plain");
}

// Verifies that escaped tokens address keys holding '/' and '~'.
TEST(JsonPatchTest, AppliesEscapedPaths) {
  const json doc = {{"metadata", {{"annotations", json::object()}}}};
  const std::string key = "container.apparmor.security.beta.kubernetes.io/app~x";
  const json patch = {{{"op", "add"},
                       {"path", "/metadata/annotations/" + escape_pointer_token(key)},
                       {"value", "runtime/default"}}};
  EXPECT_EQ(apply_ok(doc, patch)["metadata"]["annotations"][key], "runtime/default");
}

// Verifies add on objects and arrays, including insertion and "-" for appending.
TEST(JsonPatchTest, Add) {
  const json doc = {{"list", {1, 3}}};
  const json patch = {{{"op", "add"}, {"path", "/list/1"}, {"value", 2}},
                      {{"op", "add"}, {"path", "/list/-"}, {"value", 4}},
                      {{"op", "add"}, {"path", "/obj"}, {"value", {{"a", 1}}}}};
  EXPECT_EQ(apply_ok(doc, patch), (json{{"list", {1, 2, 3, 4}}, {"obj", {{"a", 1}}}}));
}

// Verifies remove, replace, move, copy and test.
TEST(JsonPatchTest, OtherOperations) {
  const json doc = {{"a", 1}, {"b", {{"c", 2}}}, {"l", {"x", "y"}}};
  const json patch = {{{"op", "test"}, {"path", "/a"}, {"value", 1}},
                      {{"op", "replace"}, {"path", "/a"}, {"value", 10}},
                      {{"op", "copy"}, {"from", "/b/c"}, {"path", "/d"}},
                      {{"op", "move"}, {"from", "/l/0"}, {"path", "/first"}},
                      {{"op", "remove"}, {"path", "/b"}}};
  EXPECT_EQ(apply_ok(doc, patch), (json{{"a", 10}, {"d", 2}, {"first", "x"}, {"l", {"y"}}}));
}

// Verifies that a failing operation names its index and leaves the input untouched.
TEST(JsonPatchTest, FailuresNameTheOperation) {
  const json doc = {{"a", 1}};
  const auto missing_parent =
      apply_json_patch(doc, {{{"op", "add"}, {"path", "/a"}, {"value", 2}},
                             {{"op", "add"}, {"path", "/x/y"}, {"value", 1}}});
  ASSERT_FALSE(missing_parent.ok());
  EXPECT_NE(missing_parent.error().message.find("patch[1]"), std::string::npos);
  EXPECT_NE(missing_parent.error().message.find("/x/y"), std::string::npos);
  EXPECT_EQ(doc, (json{{"a", 1}}));
}

// Verifies that malformed patches and pointers are refused with a reason.
TEST(JsonPatchTest, RejectsMalformedInput) {
  const json doc = {{"a", {1, 2}}};
  EXPECT_FALSE(apply_json_patch(doc, json::object()).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "jump"}, {"path", "/a"}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "add"}, {"path", "/a"}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "add"}, {"path", "a"}, {"value", 1}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "add"}, {"path", "/a~2"}, {"value", 1}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "add"}, {"path", "/a/01"}, {"value", 1}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "add"}, {"path", "/a/3"}, {"value", 1}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "remove"}, {"path", "/a/2"}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "replace"}, {"path", "/b"}, {"value", 1}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "test"}, {"path", "/a/0"}, {"value", 2}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {{{"op", "move"}, {"from", "/a"}, {"path", "/a/0"}}}).ok());
  EXPECT_FALSE(apply_json_patch(doc, {"not an op"}).ok());
}

}  // namespace
}  // namespace castellan::policy
