#include "kube/retry.h"

#include <gtest/gtest.h>

namespace castellan::kube {
namespace {

using namespace std::chrono_literals;

RetryPolicy policy(double random = 0.0) {
  RetryPolicy p;
  p.max_retries = 5;
  p.base = 200ms;
  p.cap = 2000ms;
  p.random = [random] { return random; };
  return p;
}

AttemptOutcome status(int code, int attempt = 0, bool idempotent = true) {
  AttemptOutcome o;
  o.status = code;
  o.attempt = attempt;
  o.idempotent = idempotent;
  return o;
}

// Verifies that delays grow exponentially with jitter between half and all of the step, and
// stop growing at the cap.
TEST(RetryPolicyTest, ExponentialWithJitterAndCap) {
  EXPECT_EQ(policy(0.0).next_delay(status(503, 0)), 100ms);
  EXPECT_EQ(policy(0.999999).next_delay(status(503, 0)), 199ms);
  EXPECT_EQ(policy(0.0).next_delay(status(503, 1)), 200ms);
  EXPECT_EQ(policy(0.0).next_delay(status(503, 2)), 400ms);
  EXPECT_EQ(policy(0.0).next_delay(status(503, 4)), 1000ms);  // 3200 capped at 2000, halved
}

// Verifies that attempts stop after max_retries.
TEST(RetryPolicyTest, StopsAfterMaxRetries) {
  EXPECT_TRUE(policy().next_delay(status(503, 4)).has_value());
  EXPECT_FALSE(policy().next_delay(status(503, 5)).has_value());
}

// Verifies that Retry-After (seconds or HTTP-date) sets the delay, bounded by max_retry_after.
TEST(RetryPolicyTest, HonoursRetryAfter) {
  auto o = status(429);
  o.retry_after = "3";
  EXPECT_EQ(policy().next_delay(o), 3000ms);
  o.retry_after = "86400";
  EXPECT_EQ(policy().next_delay(o), 60000ms);
  auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", now), 7000ms);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), 0ms);
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
}

// Verifies which answers are retried: 429 and 5xx, not 4xx, not 501.
TEST(RetryPolicyTest, RetriesOnly429And5xx) {
  for (int code : {429, 500, 502, 503, 504}) EXPECT_TRUE(policy().next_delay(status(code))) << code;
  for (int code : {400, 401, 403, 404, 409, 410, 422, 501})
    EXPECT_FALSE(policy().next_delay(status(code))) << code;
}

// Verifies that a non-idempotent request is repeated after 429 or a failed connect, but not
// after a 5xx or a connection that broke once the request was sent.
TEST(RetryPolicyTest, NonIdempotentOnlyWhenNothingWasDone) {
  EXPECT_TRUE(policy().next_delay(status(429, 0, false)));
  EXPECT_FALSE(policy().next_delay(status(503, 0, false)));
  AttemptOutcome connect_failed;
  connect_failed.connection_error = true;
  connect_failed.idempotent = false;
  EXPECT_TRUE(policy().next_delay(connect_failed));
  AttemptOutcome broke_after_send = connect_failed;
  broke_after_send.request_sent = true;
  EXPECT_FALSE(policy().next_delay(broke_after_send));
  broke_after_send.idempotent = true;
  EXPECT_TRUE(policy().next_delay(broke_after_send));
}

}  // namespace
}  // namespace castellan::kube
