#include "controller/certificate_rotation.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;

RotationInput input(std::optional<WebhookCertificates> current, Clock::time_point now,
                    bool published = false) {
  return {std::move(current),
          now,
          hours(30),
          {"castellan-webhook.castellan-system.svc", "127.0.0.1"},
          published};
}

// Verifies that with no Secret a CA, a serving certificate and a bundle are created.
TEST(CertificateRotationTest, CreatesWhenAbsent) {
  auto r = rotate_certificates(input(std::nullopt, Clock::now()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->step, RotationStep::Created);
  EXPECT_TRUE(verifies_against(r->certificates.serving.cert_pem, r->certificates.bundle_pem));
}

// Verifies that healthy certificates are left alone, so reconciles are idempotent.
TEST(CertificateRotationTest, LeavesHealthyCertificatesAlone) {
  auto now = Clock::now();
  auto created = rotate_certificates(input(std::nullopt, now));
  ASSERT_TRUE(created.ok());
  auto again = rotate_certificates(input(created->certificates, now + hours(1)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->step, RotationStep::None);
  EXPECT_EQ(again->certificates.serving.cert_pem, created->certificates.serving.cert_pem);
}

// Verifies the whole overlap: at every step the serving certificate in use verifies against
// the bundle the API server holds, so no admission fails during a rotation.
TEST(CertificateRotationTest, RotationKeepsEveryStepTrusted) {
  auto start = Clock::now();
  auto created = rotate_certificates(input(std::nullopt, start));
  ASSERT_TRUE(created.ok());
  const auto old_serving = created->certificates.serving.cert_pem;

  // Two thirds in: a next CA is staged into the bundle; serving is unchanged.
  auto staged = rotate_certificates(input(created->certificates, start + hours(21)));
  ASSERT_TRUE(staged.ok());
  ASSERT_EQ(staged->step, RotationStep::StagedNextCa);
  EXPECT_EQ(staged->certificates.serving.cert_pem, old_serving);
  EXPECT_TRUE(verifies_against(old_serving, staged->certificates.bundle_pem, start + hours(21)));

  // Not promoted until the bundle is published.
  auto waiting = rotate_certificates(input(staged->certificates, start + hours(21), false));
  ASSERT_TRUE(waiting.ok());
  EXPECT_EQ(waiting->step, RotationStep::None);

  auto promoted = rotate_certificates(input(staged->certificates, start + hours(21), true));
  ASSERT_TRUE(promoted.ok());
  ASSERT_EQ(promoted->step, RotationStep::PromotedNextCa);
  const auto& bundle = promoted->certificates.bundle_pem;
  EXPECT_NE(promoted->certificates.serving.cert_pem, old_serving);
  EXPECT_TRUE(verifies_against(promoted->certificates.serving.cert_pem, bundle, start + hours(22)));
  EXPECT_TRUE(verifies_against(old_serving, bundle, start + hours(22)))
      << "replicas not yet reloaded still pass";

  // Once the old CA expires it leaves the bundle; the new chain still verifies.
  auto pruned = rotate_certificates(input(promoted->certificates, start + hours(31)));
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->step, RotationStep::PrunedBundle);
  const auto later = start + hours(31);
  EXPECT_FALSE(verifies_against(old_serving, pruned->certificates.bundle_pem, later));
  EXPECT_TRUE(verifies_against(pruned->certificates.serving.cert_pem,
                               pruned->certificates.bundle_pem, later));
}

// Verifies that a serving certificate lacking a required SAN is reissued from the same CA.
TEST(CertificateRotationTest, ReissuesServingWhenSansChange) {
  auto now = Clock::now();
  auto created = rotate_certificates(input(std::nullopt, now));
  ASSERT_TRUE(created.ok());
  auto in = input(created->certificates, now);
  in.subject_alt_names.push_back("castellan-webhook.other.svc");
  auto r = rotate_certificates(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->step, RotationStep::ReissuedServing);
  EXPECT_EQ(r->certificates.ca.cert_pem, created->certificates.ca.cert_pem);
}

// Verifies that a corrupt Secret is replaced rather than crashing the reconciler.
TEST(CertificateRotationTest, ReplacesCorruptCertificates) {
  WebhookCertificates corrupt{{"garbage", "garbage"}, std::nullopt, {"x", "y"}, "z"};
  auto r = rotate_certificates(input(corrupt, Clock::now()));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->step, RotationStep::Created);
}

}  // namespace
}  // namespace castellan::controller
