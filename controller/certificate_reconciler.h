#pragma once
// Keeps the webhook certificate Secret healthy: each reconcile loads it, takes one step of
// rotate_certificates and saves the result. In cert-manager mode the Secret is only read.

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/certificate_rotation.h"
#include "controller/certificate_store.h"

namespace castellan::controller {

struct CertificateSettings {
  std::chrono::seconds lifetime{std::chrono::hours(24 * 365)};  // of the CA and serving certs
  std::vector<std::string> subject_alt_names;  // e.g. service_dns_names(), "127.0.0.1"
  bool cert_manager = false;  // the Secret comes from cert-manager: read it, never write it
};

class CertificateReconciler {
 public:
  CertificateReconciler(CertificateStore store, CertificateSettings settings);

  // `bundle_published`: the webhook configurations carry the bundle last returned. The result
  // holds what the Secret now contains; its bundle_pem is what to publish as caBundle.
  Result<RotationResult> reconcile(bool bundle_published,
                                   TimePoint now = std::chrono::system_clock::now());

 private:
  Result<RotationResult> read_issued();

  CertificateStore store_;
  CertificateSettings settings_;
};

}  // namespace castellan::controller
