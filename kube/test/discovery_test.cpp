#include "kube/discovery.h"

#include <gtest/gtest.h>

#include <map>

namespace castellan::kube {
namespace {

// Serves discovery documents from a map and counts fetches.
struct FakeServer {
  std::map<std::string, nlohmann::json> documents;
  std::map<std::string, int> fetches;
  Discovery::Fetch fetch() {
    return [this](const std::string& path) -> Result<nlohmann::json> {
      ++fetches[path];
      auto it = documents.find(path);
      if (it == documents.end()) return Error::make("not found", "NotFound", 404);
      return it->second;
    };
  }
};

nlohmann::json core_v1() {
  return nlohmann::json::parse(R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
    {"name":"pods","namespaced":true,"kind":"Pod"},
    {"name":"pods/status","namespaced":true,"kind":"Pod"},
    {"name":"namespaces","namespaced":false,"kind":"Namespace"}]})");
}

nlohmann::json castellan_v1alpha1() {
  return nlohmann::json::parse(R"({"kind":"APIResourceList","groupVersion":"castellan.io/v1alpha1",
    "resources":[{"name":"securitypolicies","namespaced":false,"kind":"SecurityPolicy"},
                 {"name":"securitypolicies/status","namespaced":false,"kind":"SecurityPolicy"}]})");
}

// Verifies that core and grouped kinds map to their plural resource and scope, and that the
// documents are cached.
TEST(DiscoveryTest, MapsKindsAndCaches) {
  FakeServer server;
  server.documents["/api/v1"] = core_v1();
  server.documents["/apis/castellan.io/v1alpha1"] = castellan_v1alpha1();
  Discovery discovery(server.fetch());
  auto pod = discovery.resource_for("v1", "Pod");
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  EXPECT_EQ(pod->resource, "pods");
  EXPECT_TRUE(pod->namespaced);
  EXPECT_EQ(pod->api_path(), "/api/v1");
  auto ns = discovery.resource_for("v1", "Namespace");
  ASSERT_TRUE(ns.ok());
  EXPECT_FALSE(ns->namespaced);
  auto policy = discovery.resource_for("castellan.io/v1alpha1", "SecurityPolicy");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->group, "castellan.io");
  EXPECT_EQ(policy->resource, "securitypolicies");
  EXPECT_FALSE(policy->namespaced);
  EXPECT_EQ(server.fetches["/api/v1"], 1);
}

// Verifies that a kind missing from the cache triggers one refresh (a CRD installed later).
TEST(DiscoveryTest, RefreshesOnceWhenKindIsMissing) {
  FakeServer server;
  server.documents["/apis/castellan.io/v1alpha1"] =
      nlohmann::json{{"resources", nlohmann::json::array()}};
  Discovery discovery(server.fetch());
  auto missing = discovery.resource_for("castellan.io/v1alpha1", "SecurityPolicy");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, "NotFound");
  EXPECT_EQ(server.fetches["/apis/castellan.io/v1alpha1"], 2);
  server.documents["/apis/castellan.io/v1alpha1"] = castellan_v1alpha1();
  EXPECT_TRUE(discovery.resource_for("castellan.io/v1alpha1", "SecurityPolicy").ok());
}

// Verifies that a group's preferred version is used when only group and kind are known.
TEST(DiscoveryTest, PreferredVersion) {
  FakeServer server;
  server.documents["/apis"] = nlohmann::json::parse(R"({"kind":"APIGroupList","groups":[
    {"name":"castellan.io","versions":[{"groupVersion":"castellan.io/v1alpha1","version":"v1alpha1"}],
     "preferredVersion":{"groupVersion":"castellan.io/v1alpha1","version":"v1alpha1"}}]})");
  server.documents["/apis/castellan.io/v1alpha1"] = castellan_v1alpha1();
  Discovery discovery(server.fetch());
  auto policy = discovery.resource_for_group_kind("castellan.io", "SecurityPolicy");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->version, "v1alpha1");
  auto unknown = discovery.resource_for_group_kind("nope.io", "X");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "the server does not serve API group nope.io");
}

// Verifies that a transport failure is passed on, not mistaken for "not found".
TEST(DiscoveryTest, TransportErrorsPassThrough) {
  Discovery discovery([](const std::string&) -> Result<nlohmann::json> {
    return Error::make("cannot connect to 127.0.0.1:1: Connection refused");
  });
  auto result = discovery.resource_for("v1", "Pod");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("Connection refused"), std::string::npos);
}

}  // namespace
}  // namespace castellan::kube
