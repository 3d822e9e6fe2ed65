#pragma once
// A self-signed ECDSA P-256 serving certificate for standalone mode, with subject alternative
// names (the API server verifies webhooks by SAN only).

#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::webhook {

struct CertificatePair {
  std::string cert_pem;
  std::string key_pem;
};

// SANs are "IP:1.2.3.4" or "DNS:name". Valid from an hour ago for `days` days.
Result<CertificatePair> make_self_signed_certificate(const std::vector<std::string>& sans,
                                                     int days = 365);

struct WrittenCertificate {
  std::string cert_file;  // <dir>/tls.crt
  std::string key_file;   // <dir>/tls.key, mode 0600
};

// Writes the pair into `dir` (created if missing), each file replaced atomically.
Result<WrittenCertificate> write_certificate(const CertificatePair& pair, const std::string& dir);

}  // namespace castellan::webhook
