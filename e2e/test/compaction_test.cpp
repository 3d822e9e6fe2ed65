#include <gtest/gtest.h>

#include "e2e/control_plane.h"

namespace castellan::e2e {
namespace {

// A control plane whose API server reads watches straight from etcd (no watch cache).
class CompactionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ControlPlaneOptions options;
    options.crd_dir.clear();
    options.extra_apiserver_args = {"--watch-cache=false"};
    auto plane = ControlPlane::start(options);
    ASSERT_TRUE(plane.ok()) << plane.error().message;
    plane_ = std::move(plane).value();
  }
  static void TearDownTestSuite() { plane_.reset(); }

  std::string kubectl_ok(const std::vector<std::string>& args) {
    auto result = plane_->kubectl(args);
    EXPECT_TRUE(result.ok()) << result.error().message;
    if (!result.ok()) return {};
    EXPECT_EQ(result->exit_code, 0) << result->err;
    return result->out;
  }

  static ControlPlanePtr plane_;
};

ControlPlanePtr CompactionTest::plane_;

// Verifies that with --watch-cache=false, compacting etcd alone makes an old watch get 410 Gone,
// while a watch from the current version still works.
TEST_F(CompactionTest, CompactionAloneExpiresOldWatches) {
  ASSERT_NE(plane_, nullptr);
  kubectl_ok({"create", "configmap", "compact-me", "-n", "default", "--from-literal=k=1"});
  const std::string old_version = kubectl_ok({"get", "configmap", "compact-me", "-n", "default",
                                              "-o", "jsonpath={.metadata.resourceVersion}"});
  // etcd keeps the compaction revision itself: the watch must start two writes earlier.
  for (const char* value : {"2", "3"}) {
    kubectl_ok({"patch", "configmap", "compact-me", "-n", "default", "--type=merge", "-p",
                std::string(R"({"data":{"k":")") + value + R"("}})"});
  }
  const std::string current_version = kubectl_ok(
      {"get", "configmap", "compact-me", "-n", "default", "-o",
       "jsonpath={.metadata.resourceVersion}"});

  auto compacted = plane_->compact_etcd();
  ASSERT_TRUE(compacted.ok()) << compacted.error().message;
  EXPECT_GE(*compacted, std::stoll(current_version));

  const std::string path = "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1";
  const std::string expired = kubectl_ok({"get", "--raw", path + "&resourceVersion=" + old_version});
  EXPECT_NE(expired.find("\"code\":410"), std::string::npos) << expired;
  const std::string fresh =
      kubectl_ok({"get", "--raw", path + "&resourceVersion=" + std::to_string(*compacted)});
  EXPECT_EQ(fresh.find("\"code\":410"), std::string::npos) << fresh;
}

// Verifies that compaction is idempotent and later compactions move forward.
TEST_F(CompactionTest, RepeatedCompactionSucceeds) {
  ASSERT_NE(plane_, nullptr);
  auto first = plane_->compact_etcd();
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto again = plane_->compact_etcd();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_GE(*again, *first);
  kubectl_ok({"create", "configmap", "compact-again", "-n", "default"});
  auto later = plane_->compact_etcd();
  ASSERT_TRUE(later.ok()) << later.error().message;
  EXPECT_GT(*later, *again);
}

}  // namespace
}  // namespace castellan::e2e
