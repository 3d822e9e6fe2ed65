#include "e2e/command.h"

#include <gtest/gtest.h>

namespace castellan::e2e {
namespace {

// Verifies that stdout, stderr and the exit code of a program are reported separately.
TEST(RunCommandTest, CapturesOutputAndExitCode) {
  auto result = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->out, "out\n");
  EXPECT_EQ(result->err, "err\n");
  EXPECT_FALSE(result->ok());
}

// Verifies that input larger than a pipe buffer reaches the program's stdin intact.
TEST(RunCommandTest, FeedsLargeInputToStdin) {
  CommandOptions options;
  options.input = std::string(1 << 20, 'x');
  auto result = run_command({"wc", "-c"}, options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(std::stoi(result->out), 1 << 20);
}

// Verifies that extra environment variables reach the program and override inherited ones.
TEST(RunCommandTest, PassesEnvironment) {
  CommandOptions options;
  options.env = {"HOME=/nowhere", "CASTELLAN_E2E_PROBE=42"};
  auto result = run_command({"sh", "-c", "echo $HOME $CASTELLAN_E2E_PROBE"}, options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->out, "/nowhere 42\n");
}

// Verifies that a program that does not exist is an error naming it, not an exit code.
TEST(RunCommandTest, MissingProgramIsAnError) {
  auto result = run_command({"castellan-no-such-program"});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("castellan-no-such-program"), std::string::npos);
  EXPECT_NE(result.error().message.find("No such file"), std::string::npos);
}

// Verifies that a program running past its timeout is killed and the result says so.
TEST(RunCommandTest, KillsProgramAfterTimeout) {
  CommandOptions options;
  options.timeout = std::chrono::seconds(1);
  auto result = run_command({"sleep", "600"}, options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->exit_code, 128 + 9);
  EXPECT_NE(result->err.find("timed out"), std::string::npos);
}

// Verifies that an empty argv is refused with an error instead of crashing.
TEST(RunCommandTest, EmptyArgvIsAnError) {
  auto result = run_command({});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().reason, "Invalid");
}

}  // namespace
}  // namespace castellan::e2e
