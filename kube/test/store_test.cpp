#include "kube/store.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "kube/indexer.h"

namespace castellan::kube {
namespace {

using nlohmann::json;

json pod(const std::string& ns, const std::string& name, const std::string& node,
         const std::string& app) {
  return {{"metadata", {{"namespace", ns}, {"name", name}, {"labels", {{"app", app}}}}},
          {"spec", {{"nodeName", node}}}};
}

std::vector<std::string> names(const std::vector<Store<json>::Ptr>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back((*o)["metadata"]["name"]);
  std::sort(out.begin(), out.end());
  return out;
}

void put(Store<json>& store, const json& object, const std::string& version) {
  store.upsert(object_key(object).value(), version, std::make_shared<const json>(object));
}

// Verifies that keys are namespace/name for namespaced objects and name for cluster-scoped ones.
TEST(StoreKeyTest, NamespaceSlashNameOrName) {
  EXPECT_EQ(object_key(pod("prod", "web", "n1", "a")).value(), "prod/web");
  EXPECT_EQ(object_key(json{{"metadata", {{"name", "node-1"}}}}).value(), "node-1");
  auto bad = object_key(json{{"metadata", {{"namespace", "x"}}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "object has no metadata.name");
  EXPECT_FALSE(object_key(json::array()).ok());
  EXPECT_EQ(key_namespace("prod/web"), "prod");
  EXPECT_EQ(key_name("prod/web"), "web");
  EXPECT_EQ(key_namespace("node-1"), "");
}

// Verifies that objects can be found by key, by node name, by label and by namespace.
TEST(StoreTest, FindsObjectsByKeyAndIndexes) {
  Store<json> store;
  store.add_index("node", json_field_index("/spec/nodeName").value());
  store.add_index("app", json_label_index("app"));
  store.add_index(kNamespaceIndex, namespace_index<json>());
  put(store, pod("prod", "a", "n1", "web"), "1");
  put(store, pod("prod", "b", "n2", "web"), "2");
  put(store, pod("dev", "c", "n1", "db"), "3");

  ASSERT_NE(store.get("prod", "a"), nullptr);
  EXPECT_EQ((*store.get("prod/a"))["spec"]["nodeName"], "n1");
  EXPECT_EQ(store.get("prod", "zzz"), nullptr);
  EXPECT_EQ(store.resource_version("dev/c"), "3");
  EXPECT_EQ(names(store.by_index("node", "n1")), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(names(store.by_index("app", "web")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(store.by_index(kNamespaceIndex, "dev")), (std::vector<std::string>{"c"}));
  EXPECT_TRUE(store.by_index("no-such-index", "x").empty());
  EXPECT_EQ(store.size(), 3u);
}

// Verifies that an update moves an object between index values and a delete removes it.
TEST(StoreTest, UpdateAndDeleteMaintainIndexes) {
  Store<json> store;
  store.add_index("node", json_field_index("/spec/nodeName").value());
  put(store, pod("prod", "a", "n1", "web"), "1");
  put(store, pod("prod", "a", "n2", "web"), "2");
  EXPECT_TRUE(store.by_index("node", "n1").empty());
  EXPECT_EQ(names(store.by_index("node", "n2")), (std::vector<std::string>{"a"}));
  auto removed = store.erase("prod/a");
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ((*removed)["spec"]["nodeName"], "n2");
  EXPECT_TRUE(store.by_index("node", "n2").empty());
  EXPECT_EQ(store.erase("prod/a"), nullptr);
  EXPECT_EQ(store.size(), 0u);
}

// Verifies that an index added to a filled store covers the objects already there.
TEST(StoreTest, LateIndexCoversExistingObjects) {
  Store<json> store;
  put(store, pod("prod", "a", "n1", "web"), "1");
  store.add_index("node", json_field_index("/spec/nodeName").value());
  EXPECT_EQ(names(store.by_index("node", "n1")), (std::vector<std::string>{"a"}));
}

// Verifies that an invalid JSON pointer for an index is reported, not ignored.
TEST(StoreTest, InvalidIndexPointerIsAnError) {
  auto index = json_field_index("spec/nodeName");
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().message.find("spec/nodeName"), std::string::npos);
}

// Verifies that objects handed out stay valid after the store replaces them.
TEST(StoreTest, ReadersKeepTheirSnapshot) {
  Store<json> store;
  put(store, pod("prod", "a", "n1", "web"), "1");
  auto before = store.get("prod/a");
  put(store, pod("prod", "a", "n9", "web"), "2");
  EXPECT_EQ((*before)["spec"]["nodeName"], "n1");
  EXPECT_EQ((*store.get("prod/a"))["spec"]["nodeName"], "n9");
}

}  // namespace
}  // namespace castellan::kube
