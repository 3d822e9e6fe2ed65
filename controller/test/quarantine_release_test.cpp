#include "controller/quarantine_release.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

// Verifies that the release annotation names digests separated by commas or spaces.
TEST(QuarantineReleaseTest, ParsesTheAnnotation) {
  const std::string a = "sha256:" + std::string(64, 'a');
  const std::string b = "sha256:" + std::string(64, 'b');
  EXPECT_EQ(digests_to_release(a), (std::set<std::string>{a}));
  EXPECT_EQ(digests_to_release(a + ", " + b + ","), (std::set<std::string>{a, b}));
  EXPECT_EQ(digests_to_release(" all "), (std::set<std::string>{"all"}));
  EXPECT_TRUE(digests_to_release(" , ").empty());
}

}  // namespace
}  // namespace castellan::controller
