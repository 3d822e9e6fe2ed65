#include "controller/certificates.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace castellan::controller {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

Error openssl_error(const std::string& what) {
  return Error::make(what + " failed (OpenSSL)", "Certificate");
}

Result<PKeyPtr> new_p256_key() {
  PKeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_error("Generating an ECDSA P-256 key");
  return key;
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    return openssl_error("Writing a certificate");
  return bio_string(bio.get());
}

Result<std::string> key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_error("Writing a private key");
  }
  return bio_string(bio.get());
}

Result<X509Ptr> parse_cert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Error::make("The text holds no PEM certificate", "Certificate");
  return cert;
}

Result<PKeyPtr> parse_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Error::make("The text holds no PEM private key", "Certificate");
  return key;
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// Builds and signs a certificate. issuer == nullptr means self-signed with `key`.
Result<X509Ptr> build_cert(EVP_PKEY* key, const std::string& common_name, bool is_ca,
                           const std::vector<std::string>& sans, std::chrono::seconds lifetime,
                           TimePoint now, X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (!cert) return openssl_error("Allocating a certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return openssl_error("Drawing a serial number");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  // Backdated (a minute, or a tenth of a short lifetime) so that clocks a little behind still
  // accept it without moving the two-thirds rotation point much.
  time_t start = std::chrono::system_clock::to_time_t(now);
  long backdate = std::min<long>(60, static_cast<long>(lifetime.count()) / 10);
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -backdate, &start);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, static_cast<long>(lifetime.count()), &start);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("castellan.io"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));

  bool ok = add_extension(cert.get(), signer, NID_basic_constraints,
                          is_ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE") &&
            add_extension(cert.get(), signer, NID_key_usage,
                          is_ca ? "critical,keyCertSign,cRLSign,digitalSignature"
                                : "critical,digitalSignature,keyEncipherment") &&
            add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (ok && issuer != nullptr) {
    ok = add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  }
  if (ok && !is_ca) ok = add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
  if (ok && !sans.empty()) {
    std::string value;
    for (const auto& san : sans) {
      if (!value.empty()) value += ",";
      value += (is_ip(san) ? "IP:" : "DNS:") + san;
    }
    ok = add_extension(cert.get(), signer, NID_subject_alt_name, value);
  }
  if (!ok) return openssl_error("Adding certificate extensions");
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return openssl_error("Signing a certificate");
  }
  return cert;
}

Result<KeyPair> to_pair(X509* cert, EVP_PKEY* key) {
  auto c = cert_pem(cert);
  if (!c) return c.error();
  auto k = key_pem(key);
  if (!k) return k.error();
  return KeyPair{std::move(*c), std::move(*k)};
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t) {
  struct tm tm {};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

Result<KeyPair> generate_ca(const std::string& common_name, std::chrono::seconds lifetime,
                            TimePoint now) {
  auto key = new_p256_key();
  if (!key) return key.error();
  auto cert = build_cert(key->get(), common_name, true, {}, lifetime, now, nullptr, nullptr);
  if (!cert) return cert.error();
  return to_pair(cert->get(), key->get());
}

Result<KeyPair> issue_serving_certificate(const KeyPair& ca, const std::string& common_name,
                                          const std::vector<std::string>& subject_alt_names,
                                          std::chrono::seconds lifetime, TimePoint now) {
  auto ca_cert = parse_cert(ca.cert_pem);
  if (!ca_cert) return ca_cert.error();
  auto ca_key = parse_key(ca.key_pem);
  if (!ca_key) return ca_key.error();
  auto key = new_p256_key();
  if (!key) return key.error();
  auto cert = build_cert(key->get(), common_name, false, subject_alt_names, lifetime, now,
                         ca_cert->get(), ca_key->get());
  if (!cert) return cert.error();
  return to_pair(cert->get(), key->get());
}

Result<CertificateInfo> inspect_certificate(const std::string& pem) {
  auto cert = parse_cert(pem);
  if (!cert) return cert.error();
  CertificateInfo info;
  info.not_before = to_time_point(X509_get0_notBefore(cert->get()));
  info.not_after = to_time_point(X509_get0_notAfter(cert->get()));
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert->get()), NID_commonName, cn, sizeof cn);
  info.subject_cn = cn;
  info.is_ca = X509_check_ca(cert->get()) != 0;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      info.dns_names.emplace_back(
          reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
          ASN1_STRING_length(gn->d.dNSName));
    } else if (gn->type == GEN_IPADD) {
      char buf[INET6_ADDRSTRLEN] = {0};
      int len = ASN1_STRING_length(gn->d.iPAddress);
      const unsigned char* data = ASN1_STRING_get0_data(gn->d.iPAddress);
      inet_ntop(len == 4 ? AF_INET : AF_INET6, data, buf, sizeof buf);
      info.ip_addresses.emplace_back(buf);
    }
  }
  GENERAL_NAMES_free(names);
  return info;
}

bool verifies_against(const std::string& cert_pem_text, const std::string& bundle_pem,
                      TimePoint at) {
  auto cert = parse_cert(cert_pem_text);
  if (!cert) return false;
  StorePtr store(X509_STORE_new());
  BioPtr bio(BIO_new_mem_buf(bundle_pem.data(), static_cast<int>(bundle_pem.size())));
  int added = 0;
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    added += X509_STORE_add_cert(store.get(), ca);
    X509_free(ca);
  }
  if (added == 0) return false;
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr);
  X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(at));
  return X509_verify_cert(ctx.get()) == 1;
}

std::vector<std::string> service_dns_names(const std::string& service, const std::string& ns) {
  return {service, service + "." + ns, service + "." + ns + ".svc",
          service + "." + ns + ".svc.cluster.local"};
}

}  // namespace castellan::controller
