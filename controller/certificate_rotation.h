#pragma once
// The webhook's certificate lifecycle, as a pure step function over the Secret's contents.
//
// Rotation never lets an admission fail: at two thirds of the CA's lifetime a next CA is
// made and added to the bundle (old + next) while the serving certificate stays; only once
// the webhook configurations publish that bundle is the next CA promoted and a serving
// certificate issued from it. The old CA stays in the bundle until it expires, so replicas
// still serving the old certificate keep working until they reload.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/certificates.h"

namespace castellan::controller {

// What the Secret holds (keys: ca.crt, ca.key, ca-next.crt, ca-next.key, tls.crt, tls.key,
// ca-bundle.crt).
struct WebhookCertificates {
  KeyPair ca;
  std::optional<KeyPair> next_ca;
  KeyPair serving;
  std::string bundle_pem;  // every CA the API server should trust now
};

struct RotationInput {
  std::optional<WebhookCertificates> current;  // nullopt: no Secret yet
  std::chrono::system_clock::time_point now;
  std::chrono::seconds lifetime;  // of the CA and of serving certificates
  std::vector<std::string> subject_alt_names;
  bool bundle_published = false;  // the webhook configurations carry current->bundle_pem
};

enum class RotationStep {
  None,
  Created,
  StagedNextCa,
  PromotedNextCa,
  ReissuedServing,
  PrunedBundle
};

struct RotationResult {
  RotationStep step = RotationStep::None;
  WebhookCertificates certificates;  // the new contents (== current when step is None)
};

const char* to_string(RotationStep step);

// One step towards healthy certificates; call it on every reconcile.
Result<RotationResult> rotate_certificates(const RotationInput& input);

// Whether `cert_pem` is past two thirds of its lifetime at `now`.
bool due_for_rotation(const CertificateInfo& info, std::chrono::system_clock::time_point now);

}  // namespace castellan::controller
