#include "common/base64.h"

#include <gtest/gtest.h>

namespace castellan {
namespace {

// Verifies that encoding matches the RFC 4648 test vectors, padding included.
TEST(Base64Test, EncodesRfcVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

// Verifies that decoding inverts encoding for every byte value.
TEST(Base64Test, RoundTripsBinary) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n < all.size(); n += 37) {
    auto decoded = base64_decode(base64_encode(all.substr(0, n)));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, all.substr(0, n));
  }
}

// Verifies that malformed input is refused instead of decoded into garbage.
TEST(Base64Test, RejectsMalformedInput) {
  EXPECT_FALSE(base64_decode("Zg=").has_value());
  EXPECT_FALSE(base64_decode("Z!==").has_value());
  EXPECT_FALSE(base64_decode("Zg==Zg==").has_value());
  EXPECT_FALSE(base64_decode("=Zg=").has_value());
}

}  // namespace
}  // namespace castellan
