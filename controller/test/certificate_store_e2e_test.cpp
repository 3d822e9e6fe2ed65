#include <gtest/gtest.h>

#include "common/base64.h"
#include "controller/certificate_reconciler.h"
#include "controller/certificate_store.h"
#include "e2e/control_plane_environment.h"
#include "kube/kubeconfig.h"
#include "kube/resources.h"
#include "kube/rest_client.h"

namespace castellan::controller {
namespace {

using e2e::ControlPlaneEnvironment;
using nlohmann::json;
using std::chrono::seconds;

const std::vector<std::string> kSans = {"castellan-webhook.castellan-system.svc", "127.0.0.1"};

kube::ApiClientPtr client() {
  auto kubeconfig =
      kube::load_kubeconfig({ControlPlaneEnvironment::control_plane().kubeconfig_path()}, true);
  EXPECT_TRUE(kubeconfig.ok()) << kubeconfig.error().message;
  auto config = kube::client_config_from_kubeconfig(*kubeconfig);
  EXPECT_TRUE(config.ok()) << config.error().message;
  auto made = kube::make_rest_client(*config);
  EXPECT_TRUE(made.ok()) << made.error().message;
  return *made;
}

// A namespace of its own per test, so tests do not see each other's Secrets.
std::string make_namespace(kube::ApiClient& api, const std::string& name) {
  auto created =
      api.create(kube::kNamespaces, "",
                 {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  EXPECT_TRUE(created.ok() || created.error().reason == "AlreadyExists") << created.error().message;
  return name;
}

json get_secret(kube::ApiClient& api, const std::string& ns, const std::string& name) {
  auto got = api.get(kube::kSecrets, ns, name);
  EXPECT_TRUE(got.ok()) << got.error().message;
  return got.ok() ? *got : json();
}

CertificateReconciler reconciler(kube::ApiClientPtr api, const std::string& ns, seconds lifetime) {
  return CertificateReconciler(CertificateStore(std::move(api), ns, "webhook-certs"),
                               CertificateSettings{lifetime, kSans, false});
}

// Verifies that the first reconcile creates a kubernetes.io/tls Secret whose serving
// certificate verifies against its bundle, and that a second reconcile writes nothing.
TEST(CertificateStoreE2E, CreatesTheSecretOnceThenLeavesItAlone) {
  auto api = client();
  auto ns = make_namespace(*api, "certs-create");
  auto r = reconciler(api, ns, std::chrono::hours(24));
  auto now = std::chrono::system_clock::now();

  auto first = r.reconcile(false, now);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->step, RotationStep::Created);
  json secret = get_secret(*api, ns, "webhook-certs");
  EXPECT_EQ(secret["type"], "kubernetes.io/tls");
  auto serving = base64_decode(secret["data"]["tls.crt"].get<std::string>()).value_or("");
  auto bundle = base64_decode(secret["data"]["ca-bundle.crt"].get<std::string>()).value_or("");
  EXPECT_TRUE(verifies_against(serving, bundle, now));
  EXPECT_EQ(bundle, first->certificates.bundle_pem);

  auto second = r.reconcile(true, now + seconds(60));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->step, RotationStep::None);
  EXPECT_EQ(get_secret(*api, ns, "webhook-certs")["metadata"]["resourceVersion"],
            secret["metadata"]["resourceVersion"]);

  // A fresh reconciler (another leader) reads the same certificates and writes nothing.
  auto other = reconciler(api, ns, std::chrono::hours(24)).reconcile(true, now + seconds(60));
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->step, RotationStep::None);
  EXPECT_EQ(other->certificates.serving.cert_pem, serving);
}

// Verifies a forced rotation through the Secret: past two thirds of a short lifetime a next CA
// is staged, promotion waits for the bundle to be published, and every serving certificate
// stays verifiable against the bundle the API server would hold.
TEST(CertificateStoreE2E, RotatesThroughTheSecretWithAnOverlappingBundle) {
  auto api = client();
  auto ns = make_namespace(*api, "certs-rotate");
  // Certificates are backdated a minute, so a lifetime of L is due at (L + 60 s) * 2/3 - 60 s.
  const seconds lifetime(300);
  auto r = reconciler(api, ns, lifetime);
  auto start = std::chrono::system_clock::now();

  auto created = r.reconcile(false, start);
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_EQ(created->step, RotationStep::Created);
  const std::string old_serving = created->certificates.serving.cert_pem;
  const std::string published = created->certificates.bundle_pem;

  auto due = start + seconds(200);
  auto staged = r.reconcile(true, due);
  ASSERT_TRUE(staged.ok()) << staged.error().message;
  ASSERT_EQ(staged->step, RotationStep::StagedNextCa);
  EXPECT_EQ(staged->certificates.serving.cert_pem, old_serving);
  EXPECT_TRUE(verifies_against(old_serving, staged->certificates.bundle_pem, due));
  EXPECT_TRUE(verifies_against(old_serving, published, due));

  // The configurations still carry the old bundle: no promotion, nothing written.
  auto version = get_secret(*api, ns, "webhook-certs")["metadata"]["resourceVersion"];
  auto waiting = r.reconcile(false, due);
  ASSERT_TRUE(waiting.ok()) << waiting.error().message;
  EXPECT_EQ(waiting->step, RotationStep::None);
  EXPECT_EQ(get_secret(*api, ns, "webhook-certs")["metadata"]["resourceVersion"], version);

  auto promoted = r.reconcile(true, due + seconds(5));
  ASSERT_TRUE(promoted.ok()) << promoted.error().message;
  ASSERT_EQ(promoted->step, RotationStep::PromotedNextCa);
  const auto& bundle = promoted->certificates.bundle_pem;
  EXPECT_NE(promoted->certificates.serving.cert_pem, old_serving);
  EXPECT_TRUE(verifies_against(promoted->certificates.serving.cert_pem, bundle, due));
  EXPECT_TRUE(verifies_against(old_serving, bundle, due)) << "replicas not yet reloaded pass";
  // What a staged-bundle configuration holds also trusts the new serving certificate.
  EXPECT_TRUE(verifies_against(promoted->certificates.serving.cert_pem,
                               staged->certificates.bundle_pem, due));

  json secret = get_secret(*api, ns, "webhook-certs");
  EXPECT_FALSE(secret["data"].contains("ca-next.crt"));
  EXPECT_EQ(base64_decode(secret["data"]["tls.crt"].get<std::string>()).value_or(""),
            promoted->certificates.serving.cert_pem);
  EXPECT_EQ(base64_decode(secret["data"]["ca-bundle.crt"].get<std::string>()).value_or(""), bundle);
}

// Verifies that a Secret damaged by hand is replaced by working certificates.
TEST(CertificateStoreE2E, ReplacesAnUndecodableSecret) {
  auto api = client();
  auto ns = make_namespace(*api, "certs-damaged");
  auto r = reconciler(api, ns, std::chrono::hours(24));
  ASSERT_TRUE(r.reconcile(false).ok());
  json secret = get_secret(*api, ns, "webhook-certs");
  secret["data"].erase("ca.key");
  ASSERT_TRUE(api->update(kube::kSecrets, ns, secret).ok());

  auto repaired = r.reconcile(false);
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_EQ(repaired->step, RotationStep::Created);
  EXPECT_TRUE(get_secret(*api, ns, "webhook-certs")["data"].contains("ca.key"));
}

// Verifies that a save based on a stale read fails with a conflict instead of overwriting
// another writer's certificates, and that the next reconcile proceeds from what is stored.
TEST(CertificateStoreE2E, ConcurrentWriterWinsAndNextReconcileAdoptsIt) {
  auto api = client();
  auto ns = make_namespace(*api, "certs-conflict");
  auto now = std::chrono::system_clock::now();
  CertificateStore store(api, ns, "webhook-certs");
  auto created = rotate_certificates({std::nullopt, now, std::chrono::hours(24), kSans, false});
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(store.save(created->certificates).ok());

  auto r = reconciler(api, ns, std::chrono::hours(24));
  ASSERT_TRUE(store.load().ok());
  // Another writer replaces the certificates after our read.
  auto theirs = rotate_certificates({std::nullopt, now, std::chrono::hours(24), kSans, false});
  ASSERT_TRUE(theirs.ok());
  CertificateStore other(api, ns, "webhook-certs");
  ASSERT_TRUE(other.load().ok());
  ASSERT_TRUE(other.save(theirs->certificates).ok());

  auto lost = store.save(created->certificates);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, 409);

  auto adopted = r.reconcile(true, now);
  ASSERT_TRUE(adopted.ok()) << adopted.error().message;
  EXPECT_EQ(adopted->step, RotationStep::None);
  EXPECT_EQ(adopted->certificates.serving.cert_pem, theirs->certificates.serving.cert_pem);
}

// Verifies cert-manager mode: nothing is written, a missing Secret is reported, and an issued
// Secret's ca.crt becomes the bundle.
TEST(CertificateStoreE2E, CertManagerModeOnlyReads) {
  auto api = client();
  auto ns = make_namespace(*api, "certs-issued");
  CertificateReconciler r(CertificateStore(api, ns, "issued"),
                          CertificateSettings{std::chrono::hours(24), kSans, true});
  auto missing = r.reconcile(true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, 404);
  EXPECT_NE(missing.error().message.find("cert-manager"), std::string::npos);
  EXPECT_FALSE(api->get(kube::kSecrets, ns, "issued").ok())
      << "cert-manager mode must not create the Secret";

  auto issuer = generate_ca("issuer", std::chrono::hours(24));
  ASSERT_TRUE(issuer.ok());
  auto leaf = issue_serving_certificate(*issuer, "webhook", kSans, std::chrono::hours(24));
  ASSERT_TRUE(leaf.ok());
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "issued"}, {"namespace", ns}}},
                 {"type", "kubernetes.io/tls"},
                 {"data",
                  {{"ca.crt", base64_encode(issuer->cert_pem)},
                   {"tls.crt", base64_encode(leaf->cert_pem)},
                   {"tls.key", base64_encode(leaf->key_pem)}}}};
  auto created = api->create(kube::kSecrets, ns, secret);
  ASSERT_TRUE(created.ok()) << created.error().message;

  auto read = r.reconcile(true);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->step, RotationStep::None);
  EXPECT_EQ(read->certificates.bundle_pem, issuer->cert_pem);
  EXPECT_EQ(read->certificates.serving.cert_pem, leaf->cert_pem);
  EXPECT_EQ(get_secret(*api, ns, "issued")["metadata"]["resourceVersion"],
            (*created)["metadata"]["resourceVersion"]);
}

}  // namespace
}  // namespace castellan::controller
