#include "kube/conflict.h"

#include <gtest/gtest.h>

namespace castellan::kube {
namespace {

// Verifies that conflicts are retried until fn succeeds.
TEST(ConflictTest, RetriesConflictsUntilSuccess) {
  int calls = 0;
  Status status = retry_on_conflict([&]() -> Status {
    if (++calls < 3) return Error::make("the object has been modified", "Conflict", 409);
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(calls, 3);
}

// Verifies that other errors are returned at once.
TEST(ConflictTest, OtherErrorsAreNotRetried) {
  int calls = 0;
  Status status = retry_on_conflict([&]() -> Status {
    ++calls;
    return Error::make("forbidden", "Forbidden", 403);
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, 403);
  EXPECT_EQ(calls, 1);
}

// Verifies that the last conflict is returned when attempts run out.
TEST(ConflictTest, GivesUpAfterAttempts) {
  int calls = 0;
  ConflictRetry retry;
  retry.attempts = 4;
  retry.delay = std::chrono::milliseconds(1);
  Status status = retry_on_conflict(
      [&]() -> Status {
        ++calls;
        return Error::make("conflict " + std::to_string(calls), "Conflict", 409);
      },
      retry);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "conflict 4");
  EXPECT_EQ(calls, 4);
}

}  // namespace
}  // namespace castellan::kube
