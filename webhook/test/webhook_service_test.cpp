#include "webhook/webhook_service.h"

#include <gtest/gtest.h>

#include "policy/static_namespace_labels.h"

namespace castellan::webhook {
namespace {

using nlohmann::json;

json review(bool privileged, const std::string& version = "admission.k8s.io/v1") {
  json container = {{"name", "app"}, {"image", "nginx:1.25"}};
  if (privileged) container["securityContext"] = {{"privileged", true}};
  return {{"apiVersion", version},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "uid-7"},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"namespace", "prod"},
            {"operation", "CREATE"},
            {"object",
             {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "web"}}},
              {"spec", {{"containers", json::array({container})}}}}}}}};
}

struct RecordingObserver : AdmissionObserver {
  void observe(const AdmissionRequest& request, const AdmissionOutcome& outcome) override {
    uids.push_back(request.uid + ":" + outcome.verdict);
  }
  std::vector<std::string> uids;
};

class WebhookServiceTest : public ::testing::Test {
 protected:
  void load() {
    api::SecurityPolicy p;
    p.metadata.name = "baseline-all";
    p.spec.mode = api::Mode::Enforce;
    p.spec.podSecurity.level = api::PodSecurityLevel::Baseline;
    store_.set_snapshot(policy::PolicySnapshot::compile({p}, 3));
    store_.set_namespaces(std::make_shared<policy::StaticNamespaceLabels>());
  }
  HttpReply post(const std::string& path, const std::string& body,
                 const std::string& content_type = "application/json") {
    return service_.handle({"POST", path, content_type, body});
  }
  HttpReply get(const std::string& path) { return service_.handle({"GET", path, "", ""}); }

  PolicyStore store_;
  Metrics metrics_;
  RecordingObserver observer_;
  WebhookService service_{store_, metrics_, &observer_};
};

// Verifies that /readyz fails until a snapshot is loaded, and /healthz never does.
TEST_F(WebhookServiceTest, ReadyOnlyWithSnapshot) {
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(post("/validate", review(true).dump()).status, 503);
  load();
  EXPECT_EQ(get("/readyz").status, 200);
}

// Verifies that once shutting down, /readyz fails (so the Service stops sending here) while
// admission requests are still answered.
TEST_F(WebhookServiceTest, ShuttingDownFailsReadyzButStillAdmits) {
  load();
  service_.begin_shutdown();
  auto ready = get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("shutting down"), std::string::npos);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(post("/validate", review(true).dump()).status, 200);
}

// Verifies that the answer is in the request's version and echoes its uid.
TEST_F(WebhookServiceTest, AnswersInRequestVersion) {
  load();
  for (const char* version : {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"}) {
    auto reply = post("/validate?timeout=10s", review(true, version).dump());
    ASSERT_EQ(reply.status, 200) << reply.body;
    json body = json::parse(reply.body);
    EXPECT_EQ(body["apiVersion"], version);
    EXPECT_EQ(body["response"]["uid"], "uid-7");
    EXPECT_EQ(body["response"]["allowed"], false);
  }
}

// Verifies that a wrong Content-Type is 415 with a Status body, counted as a decode error.
TEST_F(WebhookServiceTest, WrongContentTypeIs415) {
  load();
  auto reply = post("/validate", review(false).dump(), "text/plain");
  EXPECT_EQ(reply.status, 415);
  json body = json::parse(reply.body);
  EXPECT_EQ(body["kind"], "Status");
  EXPECT_NE(body["message"].get<std::string>().find("text/plain"), std::string::npos);
  EXPECT_EQ(metrics_.decode_errors("WrongContentType"), 1u);
  EXPECT_EQ(post("/validate", review(false).dump(), "application/json; charset=utf-8").status,
            200);
}

// Verifies that bad bodies get 400 with the precise reason, each counted by reason.
TEST_F(WebhookServiceTest, BadBodiesAre400) {
  load();
  json no_uid = review(false);
  no_uid["request"].erase("uid");
  json config_map = review(false);
  config_map["request"]["kind"]["kind"] = "ConfigMap";
  for (auto [body, reason] : std::vector<std::pair<std::string, std::string>>{
           {"{", "TruncatedBody"},
           {"{\"kind\": nope}", "MalformedJSON"},
           {no_uid.dump(), "MissingUID"},
           {config_map.dump(), "UnsupportedKind"},
           {std::string(1000, '['), "NestingTooDeep"}}) {
    auto reply = post("/mutate", body);
    EXPECT_EQ(reply.status, 400) << reason;
    json status = json::parse(reply.body);
    EXPECT_EQ(status["code"], 400);
    EXPECT_EQ(status["details"]["causes"][0]["reason"], reason);
    EXPECT_EQ(metrics_.decode_errors(reason), 1u) << reason;
  }
  EXPECT_EQ(metrics_.requests(Endpoint::Mutate, "invalid"), 5u);
}

// Verifies that unknown paths are 404 and wrong methods 405, both with Status bodies.
TEST_F(WebhookServiceTest, UnknownPathAndMethod) {
  load();
  EXPECT_EQ(get("/nope").status, 404);
  EXPECT_EQ(get("/validate").status, 405);
  EXPECT_EQ(post("/metrics", "").status, 405);
  EXPECT_EQ(json::parse(get("/nope").body)["kind"], "Status");
}

// Verifies that dryRun requests are answered the same but not reported to observers.
TEST_F(WebhookServiceTest, DryRunHasNoSideEffects) {
  load();
  json dry = review(true);
  dry["request"]["dryRun"] = true;
  auto reply = post("/validate", dry.dump());
  EXPECT_EQ(json::parse(reply.body)["response"]["allowed"], false);
  EXPECT_TRUE(observer_.uids.empty());
  post("/validate", review(true).dump());
  EXPECT_EQ(observer_.uids, std::vector<std::string>{"uid-7:denied"});
}

// Verifies that /metrics shows requests by verdict and policy, latency, generation, errors.
TEST_F(WebhookServiceTest, MetricsCountEverything) {
  load();
  post("/validate", review(true).dump());
  post("/validate", review(false).dump());
  post("/validate", "{");
  auto reply = get("/metrics");
  ASSERT_EQ(reply.status, 200);
  const std::string& text = reply.body;
  for (const char* line :
       {"castellan_webhook_requests_total{endpoint=\"validate\",verdict=\"denied\"} 1",
        "castellan_webhook_requests_total{endpoint=\"validate\",verdict=\"allowed\"} 1",
        "castellan_webhook_requests_total{endpoint=\"validate\",verdict=\"invalid\"} 1",
        "castellan_webhook_policy_verdicts_total{endpoint=\"validate\",policy=\"baseline-all\","
        "verdict=\"denied\"} 1",
        "castellan_webhook_decode_errors_total{reason=\"TruncatedBody\"} 1",
        "castellan_webhook_request_duration_seconds_bucket{endpoint=\"validate\",le=\"0.0001\"}",
        "castellan_webhook_request_duration_seconds_count{endpoint=\"validate\"} 3",
        "castellan_webhook_snapshot_generation 3"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

}  // namespace
}  // namespace castellan::webhook
