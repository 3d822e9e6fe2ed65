#include "kube/api_error.h"

#include <gtest/gtest.h>

namespace castellan::kube {
namespace {

// Verifies that a Status body gives message, reason, code and details.
TEST(ApiErrorTest, DecodesStatus) {
  auto status = decode_api_status(422, R"({"kind":"Status","apiVersion":"v1","status":"Failure",
    "message":"SecurityPolicy.castellan.io \"p\" is invalid: spec.mode: Unsupported value",
    "reason":"Invalid","code":422,
    "details":{"name":"p","group":"castellan.io","kind":"SecurityPolicy",
      "causes":[{"reason":"FieldValueNotSupported","message":"Unsupported value","field":"spec.mode"}]}})");
  EXPECT_EQ(status.code, 422);
  EXPECT_EQ(status.reason, "Invalid");
  EXPECT_EQ(status.name, "p");
  EXPECT_EQ(status.kind, "SecurityPolicy");
  ASSERT_EQ(status.causes.size(), 1u);
  EXPECT_EQ(status.causes[0].field, "spec.mode");
  auto error = status.to_error();
  EXPECT_EQ(error.reason, "Invalid");
  EXPECT_EQ(error.code, 422);
  EXPECT_NE(error.message.find("spec.mode"), std::string::npos);
}

// Verifies that 404, 409 and 410 Status answers keep their reasons.
TEST(ApiErrorTest, CommonReasons) {
  auto gone = api_error(
      410,
      R"j({"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (5)"})j");
  EXPECT_EQ(gone.code, 410);
  EXPECT_EQ(gone.reason, "Expired");
  auto conflict = api_error(
      409,
      R"({"kind":"Status","code":409,"reason":"Conflict","message":"the object has been modified"})");
  EXPECT_EQ(conflict.reason, "Conflict");
  EXPECT_EQ(conflict.message, "the object has been modified");
}

// Verifies that a body that is not a Status still gives a reason from the HTTP code and an
// excerpt of the body.
TEST(ApiErrorTest, NonStatusBody) {
  auto error = api_error(503, "<html>upstream unavailable</html>");
  EXPECT_EQ(error.code, 503);
  EXPECT_EQ(error.reason, "ServiceUnavailable");
  EXPECT_EQ(error.message, "the server answered HTTP 503: <html>upstream unavailable</html>");
  auto empty = api_error(404, "");
  EXPECT_EQ(empty.reason, "NotFound");
  auto gone = api_error(410, "");
  EXPECT_EQ(gone.reason, "Gone");
}

// Verifies that a Status without a reason gets one from its code.
TEST(ApiErrorTest, MissingReasonComesFromCode) {
  auto error = api_error(500, R"({"kind":"Status","code":409,"message":"x"})");
  EXPECT_EQ(error.code, 409);
  EXPECT_EQ(error.reason, "Conflict");
}

}  // namespace
}  // namespace castellan::kube
