#pragma once
// ECDSA P-256 certificates for the webhook: a CA, and serving certificates it signs with
// subject alternative names (the API server verifies webhooks by SAN only).

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::controller {

struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

struct CertificateInfo {
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::string subject_cn;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool is_ca = false;
};

using TimePoint = std::chrono::system_clock::time_point;

// A self-signed CA valid from `now` (backdated a minute) for `lifetime`.
Result<KeyPair> generate_ca(const std::string& common_name, std::chrono::seconds lifetime,
                            TimePoint now = std::chrono::system_clock::now());

// A serving certificate signed by `ca`. SAN entries that parse as IPv4/IPv6 addresses become
// IP SANs, the rest DNS SANs.
Result<KeyPair> issue_serving_certificate(const KeyPair& ca, const std::string& common_name,
                                          const std::vector<std::string>& subject_alt_names,
                                          std::chrono::seconds lifetime,
                                          TimePoint now = std::chrono::system_clock::now());

// Reads the first certificate of a PEM text.
Result<CertificateInfo> inspect_certificate(const std::string& cert_pem);

// Whether `cert_pem` verifies against the CA certificates in `bundle_pem` at time `at`.
bool verifies_against(const std::string& cert_pem, const std::string& bundle_pem,
                      TimePoint at = std::chrono::system_clock::now());

// The DNS names of a Service: name, name.ns, name.ns.svc, name.ns.svc.cluster.local.
std::vector<std::string> service_dns_names(const std::string& service, const std::string& ns);

}  // namespace castellan::controller
