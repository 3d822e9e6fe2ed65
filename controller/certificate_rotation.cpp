#include "controller/certificate_rotation.h"

#include <algorithm>

namespace castellan::controller {
namespace {

using Clock = std::chrono::system_clock;

// Splits a PEM bundle into its certificates.
std::vector<std::string> split_bundle(const std::string& bundle) {
  static const std::string kEnd = "-----END CERTIFICATE-----";
  std::vector<std::string> out;
  size_t start = bundle.find("-----BEGIN CERTIFICATE-----");
  while (start != std::string::npos) {
    size_t end = bundle.find(kEnd, start);
    if (end == std::string::npos) break;
    end += kEnd.size();
    out.push_back(bundle.substr(start, end - start) + "\n");
    start = bundle.find("-----BEGIN CERTIFICATE-----", end);
  }
  return out;
}

std::string join(const std::vector<std::string>& certs) {
  std::string out;
  for (const auto& c : certs) out += c;
  return out;
}

bool serving_matches(const WebhookCertificates& c, const std::vector<std::string>& sans,
                     Clock::time_point now) {
  auto info = inspect_certificate(c.serving.cert_pem);
  if (!info || due_for_rotation(*info, now) ||
      !verifies_against(c.serving.cert_pem, c.ca.cert_pem, now)) {
    return false;
  }
  std::vector<std::string> have = info->dns_names;
  have.insert(have.end(), info->ip_addresses.begin(), info->ip_addresses.end());
  return std::all_of(sans.begin(), sans.end(), [&](const std::string& san) {
    return std::find(have.begin(), have.end(), san) != have.end();
  });
}

Result<RotationResult> create(const RotationInput& in) {
  auto ca = generate_ca("castellan-webhook-ca", in.lifetime, in.now);
  if (!ca) return ca.error();
  auto serving = issue_serving_certificate(*ca, "castellan-webhook", in.subject_alt_names,
                                           in.lifetime, in.now);
  if (!serving) return serving.error();
  return RotationResult{RotationStep::Created,
                        WebhookCertificates{*ca, std::nullopt, *serving, ca->cert_pem}};
}

}  // namespace

const char* to_string(RotationStep step) {
  switch (step) {
    case RotationStep::None:
      return "None";
    case RotationStep::Created:
      return "Created";
    case RotationStep::StagedNextCa:
      return "StagedNextCa";
    case RotationStep::PromotedNextCa:
      return "PromotedNextCa";
    case RotationStep::ReissuedServing:
      return "ReissuedServing";
    case RotationStep::PrunedBundle:
      return "PrunedBundle";
  }
  return "None";
}

bool due_for_rotation(const CertificateInfo& info, Clock::time_point now) {
  auto lifetime = info.not_after - info.not_before;
  return now >= info.not_before + lifetime * 2 / 3;
}

Result<RotationResult> rotate_certificates(const RotationInput& in) {
  if (!in.current) return create(in);
  WebhookCertificates c = *in.current;
  auto ca_info = inspect_certificate(c.ca.cert_pem);
  // An unreadable or expired CA cannot be rotated gracefully: start over.
  if (!ca_info || !ca_info->is_ca || in.now >= ca_info->not_after) return create(in);

  if (c.next_ca) {
    if (!in.bundle_published) return RotationResult{RotationStep::None, c};
    auto serving = issue_serving_certificate(*c.next_ca, "castellan-webhook", in.subject_alt_names,
                                             in.lifetime, in.now);
    if (!serving) return serving.error();
    c.ca = *c.next_ca;
    c.next_ca.reset();
    c.serving = *serving;
    return RotationResult{RotationStep::PromotedNextCa, c};
  }

  if (due_for_rotation(*ca_info, in.now)) {
    auto next = generate_ca("castellan-webhook-ca", in.lifetime, in.now);
    if (!next) return next.error();
    c.next_ca = *next;
    c.bundle_pem += next->cert_pem;
    return RotationResult{RotationStep::StagedNextCa, c};
  }

  if (!serving_matches(c, in.subject_alt_names, in.now)) {
    auto serving = issue_serving_certificate(c.ca, "castellan-webhook", in.subject_alt_names,
                                             in.lifetime, in.now);
    if (!serving) return serving.error();
    c.serving = *serving;
    return RotationResult{RotationStep::ReissuedServing, c};
  }

  // Drop CAs that expired; keep the current one whatever happens.
  std::vector<std::string> kept;
  bool has_current = false;
  for (const auto& cert : split_bundle(c.bundle_pem)) {
    auto info = inspect_certificate(cert);
    if (!info || in.now >= info->not_after) continue;
    has_current |= cert == c.ca.cert_pem;
    kept.push_back(cert);
  }
  if (!has_current) kept.push_back(c.ca.cert_pem);
  std::string pruned = join(kept);
  if (pruned != c.bundle_pem) {
    c.bundle_pem = pruned;
    return RotationResult{RotationStep::PrunedBundle, c};
  }
  return RotationResult{RotationStep::None, c};
}

}  // namespace castellan::controller
