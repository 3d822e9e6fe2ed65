#include "controller/certificate_reconciler.h"

#include "common/log.h"

namespace castellan::controller {

CertificateReconciler::CertificateReconciler(CertificateStore store, CertificateSettings settings)
    : store_(std::move(store)), settings_(std::move(settings)) {}

Result<RotationResult> CertificateReconciler::read_issued() {
  auto loaded = store_.load_issued();
  if (!loaded) return loaded.error();
  if (!*loaded) {
    return Error::make("Secret " + store_.namespace_name() + "/" + store_.name() +
                           " not found: waiting for cert-manager to issue it",
                       "NotFound", 404);
  }
  return RotationResult{RotationStep::None, std::move(**loaded)};
}

Result<RotationResult> CertificateReconciler::reconcile(bool bundle_published, TimePoint now) {
  if (settings_.cert_manager) return read_issued();

  RotationInput input;
  auto loaded = store_.load();
  if (loaded) {
    input.current = std::move(*loaded);
  } else if (loaded.error().reason == "Invalid") {
    // A damaged Secret would block the webhook for good: start over with new certificates.
    log::warn("Discarded undecodable webhook certificate Secret",
              {{"namespace", store_.namespace_name()},
               {"name", store_.name()},
               {"error", loaded.error().message}});
  } else {
    return loaded.error();
  }
  input.now = now;
  input.lifetime = settings_.lifetime;
  input.subject_alt_names = settings_.subject_alt_names;
  input.bundle_published = bundle_published;

  auto rotated = rotate_certificates(input);
  if (!rotated) return rotated.error();
  if (rotated->step == RotationStep::None) return rotated;

  if (auto saved = store_.save(rotated->certificates); !saved) return saved.error();
  log::info("Updated webhook certificate Secret", {{"namespace", store_.namespace_name()},
                                                   {"name", store_.name()},
                                                   {"step", to_string(rotated->step)}});
  return rotated;
}

}  // namespace castellan::controller
