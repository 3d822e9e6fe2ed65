// libFuzzer target: any bytes as an AdmissionReview body through decoding and both handlers,
// and the answer encoded. Nothing may crash, leak or throw; answers must be valid JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/static_namespace_labels.h"
#include "webhook/admission_handler.h"
#include "webhook/admission_review.h"

namespace {

using namespace castellan;

const policy::PolicySnapshot& snapshot() {
  static const policy::PolicySnapshotPtr kSnapshot = [] {
    api::SecurityPolicy restricted;
    restricted.metadata.name = "restricted";
    restricted.spec.mode = api::Mode::Enforce;
    restricted.spec.podSecurity.level = api::PodSecurityLevel::Restricted;
    restricted.spec.containers.requireResourceLimits = true;
    restricted.spec.mutations = {true, true, true, true};
    api::SecurityPolicy images;
    images.metadata.name = "images";
    images.spec.mode = api::Mode::Warn;
    images.spec.images.allowedRegistries = {"registry.example.com/*"};
    images.spec.images.requireDigest = true;
    images.spec.images.disallowLatestTag = true;
    images.spec.mutations.runAsNonRoot = true;
    api::QuarantinedDigest quarantined;
    quarantined.digest = "sha256:" + std::string(64, 'e');
    quarantined.rule = "shell-in-container";
    images.status.quarantinedDigests = {quarantined};
    return policy::PolicySnapshot::compile({restricted, images}, 1);
  }();
  return *kSnapshot;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto request = webhook::decode_admission_review(body);
  if (!request.ok()) {
    if (request.error().code != 400 || request.error().reason.empty()) std::abort();
    return 0;
  }
  static const policy::StaticNamespaceLabels kNamespaces;
  static const webhook::AdmissionHandler kHandler;
  for (bool validate : {true, false}) {
    auto outcome = validate ? kHandler.validate(*request, snapshot(), kNamespaces)
                            : kHandler.mutate(*request, snapshot(), kNamespaces);
    if (!outcome.ok()) continue;
    if (outcome->response.uid != request->uid) std::abort();
    std::string answer = webhook::encode_admission_review(request->version, outcome->response);
    if (!nlohmann::json::accept(answer)) std::abort();
  }
  return 0;
}
