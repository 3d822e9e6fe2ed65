#include "controller/certificates.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

using std::chrono::hours;

// Verifies that a serving certificate carries the SANs the API server checks, split into
// DNS and IP entries, and verifies against its CA.
TEST(CertificatesTest, ServingCertificateHasSansAndChainsToCa) {
  auto ca = generate_ca("castellan-ca", hours(24));
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  auto names = service_dns_names("castellan-webhook", "castellan-system");
  names.push_back("127.0.0.1");
  auto serving = issue_serving_certificate(*ca, "castellan-webhook", names, hours(12));
  ASSERT_TRUE(serving.ok()) << serving.error().message;

  auto info = inspect_certificate(serving->cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->is_ca);
  EXPECT_EQ(info->ip_addresses, std::vector<std::string>({"127.0.0.1"}));
  EXPECT_EQ(info->dns_names.back(), "castellan-webhook.castellan-system.svc.cluster.local");
  EXPECT_NEAR(std::chrono::duration_cast<hours>(info->not_after - info->not_before).count(), 12, 1);
  EXPECT_TRUE(verifies_against(serving->cert_pem, ca->cert_pem));
  EXPECT_TRUE(inspect_certificate(ca->cert_pem)->is_ca);
}

// Verifies that a certificate does not verify against an unrelated CA, and does against a
// bundle that holds both the unrelated and the right CA (the rotation overlap).
TEST(CertificatesTest, VerifiesOnlyAgainstItsOwnCaInABundle) {
  auto old_ca = generate_ca("old", hours(24));
  auto new_ca = generate_ca("new", hours(24));
  ASSERT_TRUE(old_ca.ok() && new_ca.ok());
  auto serving = issue_serving_certificate(*new_ca, "s", {"localhost"}, hours(1));
  ASSERT_TRUE(serving.ok());
  EXPECT_FALSE(verifies_against(serving->cert_pem, old_ca->cert_pem));
  EXPECT_TRUE(verifies_against(serving->cert_pem, old_ca->cert_pem + new_ca->cert_pem));
}

// Verifies that garbage in is an error, not a crash.
TEST(CertificatesTest, RejectsMalformedPem) {
  EXPECT_FALSE(inspect_certificate("not a certificate").ok());
  EXPECT_FALSE(issue_serving_certificate({"x", "y"}, "s", {}, hours(1)).ok());
  EXPECT_FALSE(verifies_against("x", "y"));
}

}  // namespace
}  // namespace castellan::controller
