#include "controller/certificate_store.h"

#include "common/base64.h"
#include "kube/resources.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

constexpr const char* kTlsSecretType = "kubernetes.io/tls";

Error invalid(const json& secret, const std::string& what) {
  std::string ns = secret.value("/metadata/namespace"_json_pointer, std::string());
  std::string name = secret.value("/metadata/name"_json_pointer, std::string());
  return Error::make("Secret " + ns + "/" + name + ": " + what, "Invalid");
}

// The decoded value of data[key]; nullopt when absent or empty.
Result<std::optional<std::string>> data_value(const json& secret, const std::string& key) {
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return std::optional<std::string>();
  auto it = data->find(key);
  if (it == data->end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return invalid(secret, key + " is not a string");
  auto decoded = base64_decode(it->get<std::string>());
  if (!decoded) return invalid(secret, key + " is not valid base64");
  if (decoded->empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(*decoded));
}

Result<std::string> required(const json& secret, const std::string& key) {
  auto value = data_value(secret, key);
  if (!value) return value.error();
  if (!*value) return invalid(secret, "has no " + key);
  return std::move(**value);
}

}  // namespace

json certificates_to_secret(const WebhookCertificates& c, const std::string& namespace_,
                            const std::string& name) {
  json data = {{"ca.crt", base64_encode(c.ca.cert_pem)},
               {"ca.key", base64_encode(c.ca.key_pem)},
               {"tls.crt", base64_encode(c.serving.cert_pem)},
               {"tls.key", base64_encode(c.serving.key_pem)},
               {"ca-bundle.crt", base64_encode(c.bundle_pem)}};
  if (c.next_ca) {
    data["ca-next.crt"] = base64_encode(c.next_ca->cert_pem);
    data["ca-next.key"] = base64_encode(c.next_ca->key_pem);
  }
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", name},
            {"namespace", namespace_},
            {"labels", {{"app.kubernetes.io/managed-by", "castellan"}}}}},
          {"type", kTlsSecretType},
          {"data", std::move(data)}};
}

Result<WebhookCertificates> certificates_from_secret(const json& secret) {
  WebhookCertificates c;
  struct Field {
    const char* key;
    std::string* out;
  };
  for (const Field& f :
       {Field{"ca.crt", &c.ca.cert_pem}, Field{"ca.key", &c.ca.key_pem},
        Field{"tls.crt", &c.serving.cert_pem}, Field{"tls.key", &c.serving.key_pem},
        Field{"ca-bundle.crt", &c.bundle_pem}}) {
    auto value = required(secret, f.key);
    if (!value) return value.error();
    *f.out = std::move(*value);
  }
  auto next_cert = data_value(secret, "ca-next.crt");
  if (!next_cert) return next_cert.error();
  auto next_key = data_value(secret, "ca-next.key");
  if (!next_key) return next_key.error();
  if (next_cert->has_value() != next_key->has_value()) {
    return invalid(secret, "has only one of ca-next.crt and ca-next.key");
  }
  if (*next_cert) c.next_ca = KeyPair{std::move(**next_cert), std::move(**next_key)};
  return c;
}

Result<WebhookCertificates> certificates_from_issued_secret(const json& secret) {
  WebhookCertificates c;
  auto ca = required(secret, "ca.crt");
  if (!ca) {
    return invalid(secret,
                   "has no ca.crt to inject as caBundle (use a cert-manager CA or "
                   "self-signed Issuer, which set it)");
  }
  auto cert = required(secret, "tls.crt");
  if (!cert) return cert.error();
  auto key = required(secret, "tls.key");
  if (!key) return key.error();
  c.ca.cert_pem = *ca;
  c.bundle_pem = std::move(*ca);
  c.serving = KeyPair{std::move(*cert), std::move(*key)};
  return c;
}

CertificateStore::CertificateStore(kube::ApiClientPtr api, std::string namespace_, std::string name)
    : api_(std::move(api)), namespace_(std::move(namespace_)), name_(std::move(name)) {}

Result<std::optional<json>> CertificateStore::fetch() {
  auto got = api_->get(kube::kSecrets, namespace_, name_);
  if (!got) {
    if (got.error().code != 404) return got.error();
    stored_.reset();
    return std::optional<json>();
  }
  stored_ = std::move(got).value();
  return stored_;
}

Result<std::optional<WebhookCertificates>> CertificateStore::load() {
  auto secret = fetch();
  if (!secret) return secret.error();
  if (!*secret) return std::optional<WebhookCertificates>();
  auto decoded = certificates_from_secret(**secret);
  if (!decoded) return decoded.error();
  return std::optional<WebhookCertificates>(std::move(decoded).value());
}

Result<std::optional<WebhookCertificates>> CertificateStore::load_issued() {
  auto secret = fetch();
  if (!secret) return secret.error();
  if (!*secret) return std::optional<WebhookCertificates>();
  auto decoded = certificates_from_issued_secret(**secret);
  if (!decoded) return decoded.error();
  return std::optional<WebhookCertificates>(std::move(decoded).value());
}

Status CertificateStore::save(const WebhookCertificates& certificates) {
  json desired = certificates_to_secret(certificates, namespace_, name_);
  if (!stored_) {
    auto created = api_->create(kube::kSecrets, namespace_, desired);
    if (!created) return created.error();
    stored_ = std::move(created).value();
    return Status::Ok();
  }
  if (stored_->value("type", std::string()) != kTlsSecretType) {
    return Error::make("Secret " + namespace_ + "/" + name_ + " has type " +
                           stored_->value("type", std::string("Opaque")) +
                           ", not kubernetes.io/tls; delete it so that it is recreated",
                       "Invalid");
  }
  json object = *stored_;
  object["data"] = std::move(desired["data"]);
  auto updated = api_->update(kube::kSecrets, namespace_, object);
  if (!updated) {
    // Deleted meanwhile: the next save creates it.
    if (updated.error().code == 404) stored_.reset();
    return updated.error();
  }
  stored_ = std::move(updated).value();
  return Status::Ok();
}

}  // namespace castellan::controller
