#include "controller/responses/response_plan.h"

#include <gtest/gtest.h>

namespace castellan::controller {
namespace {

using api::ResponseAction;

std::vector<ResponseAction> actions_of(const std::vector<PlannedAction>& plan) {
  std::vector<ResponseAction> out;
  for (const auto& p : plan) out.push_back(p.action);
  return out;
}

// Verifies that actions run in the fixed order, whatever order the policy lists them in.
TEST(ResponsePlanTest, RunsInFixedOrder) {
  api::RuntimeSpec runtime;
  runtime.responses.push_back({{"shell"},
                               {ResponseAction::DeletePod, ResponseAction::Notify,
                                ResponseAction::QuarantineImage, ResponseAction::IsolatePod},
                               {},
                               {},
                               {}});
  EXPECT_EQ(
      actions_of(plan_responses(runtime, "shell")),
      (std::vector<ResponseAction>{ResponseAction::QuarantineImage, ResponseAction::IsolatePod,
                                   ResponseAction::Notify, ResponseAction::DeletePod}));
}

// Verifies that only responses naming the rule count, and an action listed twice runs once
// with the options of the first response that lists it.
TEST(ResponsePlanTest, UnionOfResponsesNamingTheRule) {
  api::RuntimeSpec runtime;
  runtime.responses.push_back(
      {{"write"}, {ResponseAction::TaintNode}, {}, {}, api::TaintNodeSpec{}});
  runtime.responses.push_back({{"shell", "write"},
                               {ResponseAction::IsolatePod, ResponseAction::TaintNode},
                               {},
                               {},
                               api::TaintNodeSpec{api::TaintEffect::NoExecute}});
  runtime.responses.push_back({{"egress"}, {ResponseAction::DeletePod}, {}, {}, {}});
  auto shell = plan_responses(runtime, "shell");
  EXPECT_EQ(actions_of(shell),
            (std::vector<ResponseAction>{ResponseAction::IsolatePod, ResponseAction::TaintNode}));
  EXPECT_EQ(shell[1].response->taintNode->effect, api::TaintEffect::NoExecute);
  auto write = plan_responses(runtime, "write");
  ASSERT_EQ(actions_of(write),
            (std::vector<ResponseAction>{ResponseAction::IsolatePod, ResponseAction::TaintNode}));
  EXPECT_EQ(write[1].response->taintNode->effect, api::TaintEffect::NoSchedule);
  EXPECT_TRUE(plan_responses(runtime, "unknown").empty());
}

}  // namespace
}  // namespace castellan::controller
