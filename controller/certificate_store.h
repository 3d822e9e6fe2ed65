#pragma once
// The Secret that holds the webhook's certificates, read and written as a whole. Castellan's
// own Secret (type kubernetes.io/tls) has ca.crt, ca.key, ca-next.crt, ca-next.key, tls.crt,
// tls.key and ca-bundle.crt; a Secret issued by cert-manager has tls.crt, tls.key and ca.crt.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "controller/certificate_rotation.h"
#include "kube/api_client.h"

namespace castellan::controller {

// Castellan's Secret holding `certificates`. Pure.
nlohmann::json certificates_to_secret(const WebhookCertificates& certificates,
                                      const std::string& namespace_, const std::string& name);
// Reads Castellan's Secret. Errors (reason "Invalid") name the missing or undecodable key.
Result<WebhookCertificates> certificates_from_secret(const nlohmann::json& secret);
// Reads a cert-manager Secret: ca.crt becomes both the CA and the bundle; there is no CA key.
Result<WebhookCertificates> certificates_from_issued_secret(const nlohmann::json& secret);

// Used by the leader's reconcile thread only: it remembers the resourceVersion it last read.
class CertificateStore {
 public:
  CertificateStore(kube::ApiClientPtr api, std::string namespace_, std::string name);

  // nullopt when the Secret does not exist. An undecodable Secret is an error (reason
  // "Invalid"), but is still remembered, so that save() replaces it.
  Result<std::optional<WebhookCertificates>> load();
  // As load(), for a Secret in cert-manager's format.
  Result<std::optional<WebhookCertificates>> load_issued();
  // Creates the Secret, or updates the version last loaded. A concurrent writer makes this
  // fail with reason "Conflict" (or "AlreadyExists"); load again and retry on the next reconcile.
  Status save(const WebhookCertificates& certificates);

  const std::string& namespace_name() const { return namespace_; }
  const std::string& name() const { return name_; }


 private:
  Result<std::optional<nlohmann::json>> fetch();

  kube::ApiClientPtr api_;
  std::string namespace_;
  std::string name_;
  std::optional<nlohmann::json> stored_;  // the Secret as last read or written
};

}  // namespace castellan::controller
