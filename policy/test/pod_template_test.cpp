#include "policy/pod_template.h"

#include <gtest/gtest.h>

namespace castellan::policy {
namespace {

using nlohmann::json;

const json kPod = {{"metadata", {{"labels", {{"app", "web"}}}}},
                   {"spec", {{"containers", {{{"name", "c"}, {"image", "nginx:1"}}}}}}};

json wrap(const std::vector<std::string>& path, const std::string& kind) {
  json inner = kPod;
  for (auto it = path.rbegin(); it != path.rend(); ++it) inner = json{{*it, inner}};
  inner["kind"] = kind;
  return inner;
}

struct Case {
  std::string kind;
  std::vector<std::string> path;
  std::string pointer;
  std::string field;
};

class PodTemplateKindTest : public ::testing::TestWithParam<Case> {};

// Verifies that the pod template of every pod-bearing kind is found with its pointer and path.
TEST_P(PodTemplateKindTest, ExtractsTemplate) {
  const Case& c = GetParam();
  const json object = wrap(c.path, c.kind);
  const auto t = extract_pod_template(object);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->kind, c.kind);
  EXPECT_EQ(*t->metadata, kPod["metadata"]);
  EXPECT_EQ(*t->spec, kPod["spec"]);
  EXPECT_EQ(t->pointer_prefix, c.pointer);
  EXPECT_EQ(t->field_prefix, c.field);
  EXPECT_EQ(object.at(json::json_pointer(t->pointer_prefix + "/spec")), kPod["spec"]);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, PodTemplateKindTest,
    ::testing::Values(
        Case{"Pod", {}, "", ""},
        Case{"Deployment", {"spec", "template"}, "/spec/template", "spec.template."},
        Case{"StatefulSet", {"spec", "template"}, "/spec/template", "spec.template."},
        Case{"DaemonSet", {"spec", "template"}, "/spec/template", "spec.template."},
        Case{"ReplicaSet", {"spec", "template"}, "/spec/template", "spec.template."},
        Case{"ReplicationController", {"spec", "template"}, "/spec/template", "spec.template."},
        Case{"Job", {"spec", "template"}, "/spec/template", "spec.template."},
        Case{"CronJob", {"spec", "jobTemplate", "spec", "template"},
             "/spec/jobTemplate/spec/template", "spec.jobTemplate.spec.template."},
        Case{"PodTemplate", {"template"}, "/template", "template."}),
    [](const auto& info) { return info.param.kind; });

// Verifies that an unknown kind is an error naming the kind.
TEST(PodTemplateTest, UnknownKindIsAnError) {
  const auto t = extract_pod_template({{"kind", "ConfigMap"}, {"data", {}}});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("ConfigMap"), std::string::npos);
  EXPECT_EQ(t.error().reason, "Unsupported");
}

// Verifies that missing kinds, templates and specs are errors naming the missing field.
TEST(PodTemplateTest, MissingPartsAreErrors) {
  EXPECT_FALSE(extract_pod_template(json::array()).ok());
  EXPECT_FALSE(extract_pod_template({{"spec", {}}}).ok());
  const auto no_template = extract_pod_template({{"kind", "Deployment"}, {"spec", {{"replicas", 1}}}});
  ASSERT_FALSE(no_template.ok());
  EXPECT_NE(no_template.error().message.find("spec.template"), std::string::npos);
  const auto no_spec = extract_pod_template(
      {{"kind", "CronJob"}, {"spec", {{"jobTemplate", {{"spec", {{"template", {{"metadata", {}}}}}}}}}}});
  ASSERT_FALSE(no_spec.ok());
  EXPECT_NE(no_spec.error().message.find("spec.jobTemplate.spec.template.spec"), std::string::npos);
  const auto bad_type = extract_pod_template({{"kind", "Pod"}, {"spec", "x"}});
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.error().message.find("not an object"), std::string::npos);
}

// Verifies that a template without metadata gives empty metadata rather than an error.
TEST(PodTemplateTest, MissingMetadataIsEmpty) {
  const json object = {{"kind", "Job"}, {"spec", {{"template", {{"spec", kPod["spec"]}}}}}};
  const auto t = extract_pod_template(object);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->metadata->is_object());
  EXPECT_TRUE(t->metadata->empty());
}

}  // namespace
}  // namespace castellan::policy
