#include "webhook/admission_review.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/base64.h"

namespace castellan::webhook {
namespace {

using nlohmann::json;

json review(const std::string& api_version = "admission.k8s.io/v1") {
  return {{"apiVersion", api_version},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"name", "web"},
            {"namespace", "prod"},
            {"operation", "CREATE"},
            {"userInfo", {{"username", "system:serviceaccount:ci:deployer"}, {"groups", {"ci"}}}},
            {"object",
             {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "web"}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "nginx"}}}}}}}},
            {"dryRun", false}}}};
}

Error decode_error(const std::string& body) {
  auto r = decode_admission_review(body);
  EXPECT_FALSE(r.ok()) << body.substr(0, 200);
  return r.ok() ? Error{} : r.error();
}

// Verifies that a v1 Pod review decodes every field the handler uses.
TEST(AdmissionReviewTest, DecodesV1PodRequest) {
  auto r = decode_admission_review(review().dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, AdmissionVersion::V1);
  EXPECT_EQ(r->uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r->kind, "Pod");
  EXPECT_EQ(r->namespace_, "prod");
  EXPECT_EQ(r->operation, "CREATE");
  EXPECT_EQ(r->username, "system:serviceaccount:ci:deployer");
  EXPECT_TRUE(r->needs_evaluation);
  EXPECT_FALSE(r->dry_run);
  EXPECT_EQ(r->object["spec"]["containers"][0]["image"], "nginx");
}

// Verifies that managedFields, never read by a policy, is left out of the evaluated object
// while the rest of its metadata is kept.
TEST(AdmissionReviewTest, DropsManagedFields) {
  json doc = review();
  doc["request"]["object"]["metadata"]["managedFields"] = {{{"manager", "kubectl"}}};
  doc["request"]["object"]["metadata"]["labels"] = {{"app", "web"}};
  auto r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->object["metadata"].contains("managedFields"));
  EXPECT_EQ(r->object["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(r->object["spec"]["containers"][0]["name"], "app");
}

// Verifies that numbers of every kind and unicode text survive decoding.
TEST(AdmissionReviewTest, KeepsValuesExactly) {
  json doc = review();
  json annotations = {{"big", 18446744073709551615ULL}, {"neg", -5}, {"pi", 3.25},
                      {"text", "caf\u00e9 \"q\""}, {"flag", true}, {"none", nullptr}};
  doc["request"]["object"]["metadata"]["annotations"] = annotations;
  auto r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->object["metadata"]["annotations"], annotations);
}

// Verifies that v1beta1 is accepted and remembered so the answer can use it.
TEST(AdmissionReviewTest, DecodesV1beta1) {
  auto r = decode_admission_review(review("admission.k8s.io/v1beta1").dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, AdmissionVersion::V1beta1);
}

// Verifies that dryRun is read so that no side effects follow.
TEST(AdmissionReviewTest, ReadsDryRun) {
  json doc = review();
  doc["request"]["dryRun"] = true;
  auto r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->dry_run);
}

// Verifies that malformed JSON is refused with the parser's position in the message.
TEST(AdmissionReviewTest, RejectsMalformedJson) {
  Error e = decode_error(R"({"apiVersion": "admission.k8s.io/v1", "kind": AdmissionReview})");
  EXPECT_EQ(e.reason, decode_reason::kMalformedJson);
  EXPECT_EQ(e.code, 400);
  EXPECT_NE(e.message.find("column"), std::string::npos) << e.message;
}

// Verifies that a number too large for a double is refused, not thrown (found by fuzzing).
TEST(AdmissionReviewTest, RejectsNumberOutOfRange) {
  Error e = decode_error(std::string("77777777777777777e8888889\0", 26));
  EXPECT_EQ(e.reason, decode_reason::kMalformedJson);
  json doc = review();
  std::string body = doc.dump();
  body.replace(body.find("false"), 5, "1e999");  // dryRun
  EXPECT_EQ(decode_error(body).reason, decode_reason::kMalformedJson);
}

// Verifies that a body cut short is reported as truncated, not just malformed.
TEST(AdmissionReviewTest, RejectsTruncatedBody) {
  std::string body = review().dump();
  Error e = decode_error(body.substr(0, body.size() / 2));
  EXPECT_EQ(e.reason, decode_reason::kTruncated);
  EXPECT_NE(e.message.find("ends early"), std::string::npos) << e.message;
}

// Verifies that an empty body gets its own reason.
TEST(AdmissionReviewTest, RejectsEmptyBody) {
  EXPECT_EQ(decode_error("  \n").reason, decode_reason::kEmptyBody);
}

// Verifies that the wrong kind and apiVersion are named in the error.
TEST(AdmissionReviewTest, RejectsWrongKindAndApiVersion) {
  json doc = review();
  doc["kind"] = "ConversionReview";
  Error e = decode_error(doc.dump());
  EXPECT_EQ(e.reason, decode_reason::kWrongKind);
  EXPECT_NE(e.message.find("ConversionReview"), std::string::npos);

  doc = review("admission.k8s.io/v2");
  e = decode_error(doc.dump());
  EXPECT_EQ(e.reason, decode_reason::kWrongApiVersion);
  EXPECT_NE(e.message.find("admission.k8s.io/v2"), std::string::npos);

  e = decode_error("[1,2,3]");
  EXPECT_EQ(e.reason, decode_reason::kWrongKind);
}

// Verifies that a missing request, uid or object is each refused with its own reason.
TEST(AdmissionReviewTest, RejectsMissingParts) {
  json doc = review();
  doc.erase("request");
  EXPECT_EQ(decode_error(doc.dump()).reason, decode_reason::kMissingRequest);

  doc = review();
  doc["request"].erase("uid");
  EXPECT_EQ(decode_error(doc.dump()).reason, decode_reason::kMissingUid);

  doc = review();
  doc["request"]["object"] = nullptr;
  Error e = decode_error(doc.dump());
  EXPECT_EQ(e.reason, decode_reason::kMissingObject);
  EXPECT_NE(e.message.find("prod/web"), std::string::npos) << e.message;
}

// Verifies that fields of the wrong type are refused, naming the field.
TEST(AdmissionReviewTest, RejectsWrongFieldTypes) {
  json doc = review();
  doc["request"]["uid"] = 42;
  Error e = decode_error(doc.dump());
  EXPECT_EQ(e.reason, decode_reason::kInvalidField);
  EXPECT_NE(e.message.find("request.uid"), std::string::npos);

  doc = review();
  doc["request"]["dryRun"] = "yes";
  EXPECT_NE(decode_error(doc.dump()).message.find("dryRun"), std::string::npos);

  doc = review();
  doc["request"]["object"] = "a pod";
  EXPECT_NE(decode_error(doc.dump()).message.find("request.object"), std::string::npos);

  doc = review();
  doc["request"]["operation"] = "PATCH";
  EXPECT_NE(decode_error(doc.dump()).message.find("PATCH"), std::string::npos);
}

// Verifies that a kind without a pod template is refused, naming the kind.
TEST(AdmissionReviewTest, RejectsNonPodBearingKind) {
  json doc = review();
  doc["request"]["kind"] = {{"group", ""}, {"version", "v1"}, {"kind", "ConfigMap"}};
  Error e = decode_error(doc.dump());
  EXPECT_EQ(e.reason, decode_reason::kUnsupportedKind);
  EXPECT_NE(e.message.find("ConfigMap"), std::string::npos);
}

// Verifies that every workload kind with a pod template is accepted.
TEST(AdmissionReviewTest, AcceptsWorkloadKinds) {
  for (auto [group, kind] : {std::pair{"apps", "Deployment"}, {"apps", "StatefulSet"},
                             {"apps", "DaemonSet"}, {"apps", "ReplicaSet"}, {"batch", "Job"},
                             {"batch", "CronJob"}, {"", "ReplicationController"},
                             {"", "PodTemplate"}}) {
    json doc = review();
    doc["request"]["kind"] = {{"group", group}, {"version", "v1"}, {"kind", kind}};
    doc["request"]["object"] = {{"metadata", {{"name", "w"}}}, {"spec", json::object()}};
    auto r = decode_admission_review(doc.dump());
    ASSERT_TRUE(r.ok()) << kind << ": " << r.error().message;
    EXPECT_EQ(r->object["kind"], kind) << "kind filled in from the request";
  }
}

// Verifies that DELETE and CONNECT need no object and are marked for a quick answer.
TEST(AdmissionReviewTest, DeleteNeedsNoObject) {
  for (const char* op : {"DELETE", "CONNECT"}) {
    json doc = review();
    doc["request"]["operation"] = op;
    doc["request"].erase("object");
    auto r = decode_admission_review(doc.dump());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->needs_evaluation);
  }
}

// Verifies that subresources other than ephemeralcontainers are not evaluated.
TEST(AdmissionReviewTest, SkipsStatusSubresource) {
  json doc = review();
  doc["request"]["operation"] = "UPDATE";
  doc["request"]["subResource"] = "status";
  auto r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->needs_evaluation);
}

// Verifies that the EphemeralContainers object of older API servers becomes a pod spec.
TEST(AdmissionReviewTest, ConvertsEphemeralContainersObject) {
  json doc = review();
  doc["request"]["operation"] = "UPDATE";
  doc["request"]["subResource"] = "ephemeralcontainers";
  doc["request"]["kind"] = {{"group", ""}, {"version", "v1"}, {"kind", "EphemeralContainers"}};
  doc["request"]["object"] = {
      {"kind", "EphemeralContainers"},
      {"metadata", {{"name", "web"}}},
      {"ephemeralContainers", {{{"name", "debug"}, {"image", "busybox"}}}}};
  auto r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->needs_evaluation);
  EXPECT_EQ(r->object["kind"], "Pod");
  EXPECT_EQ(r->object["spec"]["ephemeralContainers"][0]["name"], "debug");
}

// A Pod UPDATE review whose oldObject is the request's object, stored, with `change` applied.
json pod_update(const std::function<void(json&)>& change = [](json&) {}) {
  json doc = review();
  doc["request"]["operation"] = "UPDATE";
  json old = doc["request"]["object"];
  old["metadata"]["managedFields"] = {{{"manager", "kubelet"}}};
  old["status"] = {{"phase", "Running"}};
  change(old);
  doc["request"]["oldObject"] = std::move(old);
  return doc;
}

// Verifies that a Pod UPDATE of metadata only (labels, annotations, finalizers, owner
// references) is not evaluated, as Pod Security Admission does.
TEST(AdmissionReviewTest, PodMetadataUpdateIsNotEvaluated) {
  json doc = pod_update();
  json& meta = doc["request"]["object"]["metadata"];
  meta["labels"] = {{"castellan.io/isolated", "true"}};
  meta["annotations"] = {{"note", "after"}};
  meta["finalizers"] = {"example.com/hold"};
  meta["ownerReferences"] = {{{"kind", "ReplicaSet"}, {"name", "web-1"}}};
  auto r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->needs_evaluation);
  EXPECT_TRUE(r->object.is_null());
  EXPECT_EQ(r->uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r->operation, "UPDATE");

  // An integer beyond 64 bits sends the body through the other parser; the answer is the same.
  std::string body = doc.dump();
  body.replace(body.find("\"after\""), 7, "184467440737095516160");
  r = decode_admission_review(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->needs_evaluation);
}

// Verifies that a Pod UPDATE that changes the spec (image, toleration, deadline) is evaluated.
TEST(AdmissionReviewTest, PodSpecUpdateIsEvaluated) {
  const std::vector<std::function<void(json&)>> changes = {
      [](json& old) { old["spec"]["containers"][0]["image"] = "nginx:1.24"; },
      [](json& old) {
        old["spec"]["tolerations"] = {{{"key", "x"}, {"operator", "Exists"}}};
      },
      [](json& old) { old["spec"]["activeDeadlineSeconds"] = 60; },
      [](json& old) { old.erase("spec"); }};
  for (size_t i = 0; i < changes.size(); ++i) {
    auto r = decode_admission_review(pod_update(changes[i]).dump());
    ASSERT_TRUE(r.ok()) << i << ": " << r.error().message;
    EXPECT_TRUE(r->needs_evaluation) << i;
    EXPECT_EQ(r->object["spec"]["containers"][0]["image"], "nginx") << i;
  }
}

// Verifies that only a plain Pod UPDATE is compared: a Deployment UPDATE, pods/ephemeralcontainers
// and an UPDATE without oldObject are evaluated even with an unchanged spec.
TEST(AdmissionReviewTest, OtherUpdatesAreEvaluated) {
  json doc = pod_update();
  doc["request"]["kind"] = {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}};
  auto r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->needs_evaluation);

  doc = pod_update();
  doc["request"]["subResource"] = "ephemeralcontainers";
  r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->needs_evaluation);

  doc = pod_update();
  doc["request"]["oldObject"] = nullptr;
  r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->needs_evaluation);

  doc = pod_update();
  doc["request"].erase("oldObject");
  r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->needs_evaluation);
}

// Verifies that malformed object and oldObject shapes of a Pod UPDATE are refused with the
// documented 400s, and that an equal but malformed spec is still left to the engine.
TEST(AdmissionReviewTest, PodUpdateRejectsMalformedObjects) {
  for (const json& old : {json("a pod"), json::array({1}), json(42), json(true)}) {
    json doc = pod_update();
    doc["request"]["oldObject"] = old;
    Error e = decode_error(doc.dump());
    EXPECT_EQ(e.code, 400);
    EXPECT_EQ(e.reason, decode_reason::kInvalidField) << old.dump();
    EXPECT_NE(e.message.find("request.oldObject must be an object"), std::string::npos)
        << e.message;
  }
  json doc = pod_update();
  doc["request"]["object"] = "a pod";
  Error e = decode_error(doc.dump());
  EXPECT_EQ(e.reason, decode_reason::kInvalidField);
  EXPECT_NE(e.message.find("request.object"), std::string::npos) << e.message;

  doc = pod_update();
  doc["request"].erase("object");
  EXPECT_EQ(decode_error(doc.dump()).reason, decode_reason::kMissingObject);

  doc = pod_update([](json& old) { old["spec"] = "not a spec"; });
  doc["request"]["object"]["spec"] = "not a spec";
  auto r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->needs_evaluation) << "the engine refuses a spec that is not an object";

  // A status update is not compared, so its oldObject is not read either.
  doc = pod_update();
  doc["request"]["subResource"] = "status";
  doc["request"]["oldObject"] = "a pod";
  r = decode_admission_review(doc.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->needs_evaluation);
}

// Verifies that over-deep nesting is refused before parsing, and brackets in strings do not count.
TEST(AdmissionReviewTest, RejectsDeepNesting) {
  std::string deep(100000, '[');
  EXPECT_EQ(decode_error(deep).reason, decode_reason::kTooDeep);

  json doc = review();
  doc["request"]["object"]["metadata"]["annotations"] = {{"a", std::string(500, '[')}};
  EXPECT_TRUE(decode_admission_review(doc.dump()).ok());
}

// Verifies that a body over the limit is refused with the sizes in the message.
TEST(AdmissionReviewTest, RejectsHugeBody) {
  DecodeLimits limits;
  limits.max_body_bytes = 1024;
  json doc = review();
  doc["request"]["object"]["metadata"]["annotations"] = {{"a", std::string(2000, 'x')}};
  auto r = decode_admission_review(doc.dump(), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, decode_reason::kTooLarge);
  EXPECT_NE(r.error().message.find("1024"), std::string::npos);
}

// Verifies that a denial is encoded in the request's version with uid, code and causes.
TEST(AdmissionReviewTest, EncodesDenial) {
  AdmissionResponse response;
  response.uid = "u-1";
  response.allowed = false;
  response.status = AdmissionStatus{403, "Forbidden", "Pod prod/web violates ...", {{"PolicyViolation", "m", "spec.x"}}};
  for (auto version : {AdmissionVersion::V1, AdmissionVersion::V1beta1}) {
    json out = json::parse(encode_admission_review(version, response));
    EXPECT_EQ(out["apiVersion"], api_version_string(version));
    EXPECT_EQ(out["kind"], "AdmissionReview");
    EXPECT_EQ(out["response"]["uid"], "u-1");
    EXPECT_EQ(out["response"]["allowed"], false);
    EXPECT_EQ(out["response"]["status"]["code"], 403);
    EXPECT_EQ(out["response"]["status"]["reason"], "Forbidden");
    EXPECT_EQ(out["response"]["status"]["details"]["causes"][0]["field"], "spec.x");
    EXPECT_FALSE(out["response"].contains("patch"));
  }
}

// Verifies that a patch is sent base64-encoded with patchType, and an empty one not at all.
TEST(AdmissionReviewTest, EncodesPatch) {
  AdmissionResponse response;
  response.uid = "u-2";
  response.patch = json::array({{{"op", "add"}, {"path", "/spec/x"}, {"value", 1}}});
  json out = json::parse(encode_admission_review(AdmissionVersion::V1, response));
  EXPECT_EQ(out["response"]["patchType"], "JSONPatch");
  auto decoded = base64_decode(out["response"]["patch"].get<std::string>());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(json::parse(*decoded), *response.patch);

  response.patch = json::array();
  out = json::parse(encode_admission_review(AdmissionVersion::V1, response));
  EXPECT_FALSE(out["response"].contains("patch"));
  EXPECT_FALSE(out["response"].contains("patchType"));
}

// Verifies that error answers are metav1.Status documents.
TEST(AdmissionReviewTest, EncodesStatusError) {
  json out = json::parse(encode_status_error(400, "BadRequest", "bad", "MalformedJSON"));
  EXPECT_EQ(out["kind"], "Status");
  EXPECT_EQ(out["status"], "Failure");
  EXPECT_EQ(out["code"], 400);
  EXPECT_EQ(out["message"], "bad");
  EXPECT_EQ(out["details"]["causes"][0]["reason"], "MalformedJSON");
}

}  // namespace
}  // namespace castellan::webhook
