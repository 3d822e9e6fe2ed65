#include "admission_pipeline.h"

#include "common/base64.h"

namespace castellan::bench {

PipelineOutput respond(const nlohmann::json& review, const policy::PolicySnapshot& snapshot,
                       const policy::NamespaceLabelSource& namespaces) {
  using nlohmann::json;
  const json& request = review["request"];
  const auto evaluation =
      snapshot.evaluate(request["object"], namespaces, request.value("namespace", ""));
  PipelineOutput out;
  out.evaluations = evaluation.results.size();
  json patch = json::array();
  json warnings = json::array();
  for (const auto& result : evaluation.results) {
    out.allowed = out.allowed && result.allowed;
    if (result.patch) {
      for (const auto& op : *result.patch) patch.push_back(op);
    }
    for (const auto& v : result.violations) {
      warnings.push_back(result.policy + ": " + v.rule + ": " + v.message);
    }
  }
  json response = {{"uid", request["uid"]}, {"allowed", out.allowed}, {"warnings", warnings}};
  if (!patch.empty()) {
    response["patchType"] = "JSONPatch";
    response["patch"] = base64_encode(patch.dump());
  }
  out.response = json{{"apiVersion", "admission.k8s.io/v1"},
                      {"kind", "AdmissionReview"},
                      {"response", std::move(response)}}
                     .dump();
  return out;
}

}  // namespace castellan::bench
