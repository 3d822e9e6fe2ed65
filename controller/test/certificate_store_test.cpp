#include "controller/certificate_store.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace castellan::controller {
namespace {

WebhookCertificates sample(bool with_next) {
  WebhookCertificates c;
  c.ca = {"CA CERT\n", "CA KEY\n"};
  if (with_next) c.next_ca = KeyPair{"NEXT CERT\n", "NEXT KEY\n"};
  c.serving = {"SERVING CERT\n", "SERVING KEY\n"};
  c.bundle_pem = with_next ? "CA CERT\nNEXT CERT\n" : "CA CERT\n";
  return c;
}

void expect_equal(const WebhookCertificates& a, const WebhookCertificates& b) {
  EXPECT_EQ(a.ca.cert_pem, b.ca.cert_pem);
  EXPECT_EQ(a.ca.key_pem, b.ca.key_pem);
  EXPECT_EQ(a.serving.cert_pem, b.serving.cert_pem);
  EXPECT_EQ(a.serving.key_pem, b.serving.key_pem);
  EXPECT_EQ(a.bundle_pem, b.bundle_pem);
  ASSERT_EQ(a.next_ca.has_value(), b.next_ca.has_value());
  if (a.next_ca) {
    EXPECT_EQ(a.next_ca->cert_pem, b.next_ca->cert_pem);
    EXPECT_EQ(a.next_ca->key_pem, b.next_ca->key_pem);
  }
}

// Verifies that the Secret is a standard TLS Secret whose tls.crt and tls.key are the serving
// pair, so that other tools (and kubectl describe) read it as one.
TEST(CertificateStoreTest, WritesAStandardTlsSecret) {
  auto secret = certificates_to_secret(sample(false), "castellan-system", "webhook-certs");
  EXPECT_EQ(secret["type"], "kubernetes.io/tls");
  EXPECT_EQ(secret["metadata"]["namespace"], "castellan-system");
  EXPECT_EQ(secret["metadata"]["name"], "webhook-certs");
  EXPECT_EQ(base64_decode(secret["data"]["tls.crt"].get<std::string>()), "SERVING CERT\n");
  EXPECT_EQ(base64_decode(secret["data"]["tls.key"].get<std::string>()), "SERVING KEY\n");
  EXPECT_EQ(base64_decode(secret["data"]["ca-bundle.crt"].get<std::string>()), "CA CERT\n");
  EXPECT_FALSE(secret["data"].contains("ca-next.crt"));
}

// Verifies that certificates survive a round trip through the Secret, with and without a
// staged next CA.
TEST(CertificateStoreTest, RoundTripsWithAndWithoutNextCa) {
  for (bool with_next : {false, true}) {
    auto original = sample(with_next);
    auto decoded = certificates_from_secret(certificates_to_secret(original, "ns", "s"));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    expect_equal(*decoded, original);
  }
}

// Verifies that a Secret missing a key is refused with a message naming the key.
TEST(CertificateStoreTest, RefusesASecretMissingAKey) {
  auto secret = certificates_to_secret(sample(false), "ns", "s");
  secret["data"].erase("ca.key");
  auto decoded = certificates_from_secret(secret);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().reason, "Invalid");
  EXPECT_NE(decoded.error().message.find("ca.key"), std::string::npos) << decoded.error().message;
  EXPECT_NE(decoded.error().message.find("ns/s"), std::string::npos) << decoded.error().message;
}

// Verifies that undecodable base64 and a half-staged next CA are refused.
TEST(CertificateStoreTest, RefusesCorruptValues) {
  auto bad_base64 = certificates_to_secret(sample(false), "ns", "s");
  bad_base64["data"]["tls.crt"] = "not*base64";
  auto decoded = certificates_from_secret(bad_base64);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("tls.crt"), std::string::npos);

  auto half_staged = certificates_to_secret(sample(true), "ns", "s");
  half_staged["data"].erase("ca-next.key");
  EXPECT_FALSE(certificates_from_secret(half_staged).ok());
}

// Verifies that a cert-manager Secret gives its ca.crt as the bundle and tls.* as serving pair.
TEST(CertificateStoreTest, ReadsCertManagerSecrets) {
  nlohmann::json secret = {{"metadata", {{"namespace", "ns"}, {"name", "issued"}}},
                           {"type", "kubernetes.io/tls"},
                           {"data",
                            {{"ca.crt", base64_encode("ISSUER CA\n")},
                             {"tls.crt", base64_encode("LEAF\n")},
                             {"tls.key", base64_encode("LEAF KEY\n")}}}};
  auto decoded = certificates_from_issued_secret(secret);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->bundle_pem, "ISSUER CA\n");
  EXPECT_EQ(decoded->serving.cert_pem, "LEAF\n");
  EXPECT_EQ(decoded->serving.key_pem, "LEAF KEY\n");
  EXPECT_FALSE(decoded->next_ca.has_value());

  secret["data"].erase("ca.crt");
  auto without_ca = certificates_from_issued_secret(secret);
  ASSERT_FALSE(without_ca.ok());
  EXPECT_NE(without_ca.error().message.find("ca.crt"), std::string::npos);
}

}  // namespace
}  // namespace castellan::controller
