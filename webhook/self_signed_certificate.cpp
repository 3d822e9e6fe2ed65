#include "webhook/self_signed_certificate.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <memory>

namespace castellan::webhook {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

Error openssl_failure(const std::string& what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return Error::make("cannot make a self-signed certificate: " + what + ": " + buf, "Internal");
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Status write_atomically(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  std::string tmp = path.string() + ".tmp";
  // Created with its final mode, so a private key is never readable by others, even briefly.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Error::make("cannot write " + tmp + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return Error::make("cannot write " + tmp + ": " + why);
    }
    written += static_cast<size_t>(n);
  }
  ::fchmod(fd, mode);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Error::make("cannot move " + tmp + " to " + path.string() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Result<CertificatePair> make_self_signed_certificate(const std::vector<std::string>& sans,
                                                     int days) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_failure("generating a P-256 key");
  CertPtr cert(X509_new());
  if (!cert) return openssl_failure("allocating a certificate");

  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return openssl_failure("drawing a serial");
  serial[0] &= 0x7f;  // a positive serial
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  ASN1_INTEGER* asn1_serial = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (asn1_serial == nullptr) return openssl_failure("setting the serial");

  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("castellan"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("castellan-webhook"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());

  std::string san_list;
  for (const auto& san : sans) san_list += (san_list.empty() ? "" : ",") + san;
  // CA:TRUE lets a verifier take this certificate as its own trust anchor (caBundle).
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash") ||
      (!san_list.empty() && !add_extension(cert.get(), NID_subject_alt_name, san_list))) {
    return openssl_failure("adding extensions (SANs: " + san_list + ")");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return openssl_failure("signing");

  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return openssl_failure("encoding PEM");
  }
  return CertificatePair{bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

Result<WrittenCertificate> write_certificate(const CertificatePair& pair, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::make("cannot create " + dir + ": " + ec.message());
  fs::path base(dir);
  WrittenCertificate out{(base / "tls.crt").string(), (base / "tls.key").string()};
  if (auto s = write_atomically(out.key_file, pair.key_pem, 0600); !s.ok()) return s.error();
  if (auto s = write_atomically(out.cert_file, pair.cert_pem, 0644); !s.ok()) return s.error();
  return out;
}

}  // namespace castellan::webhook
