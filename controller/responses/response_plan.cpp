#include "controller/responses/response_plan.h"

#include <algorithm>

namespace castellan::controller {
namespace {

constexpr api::ResponseAction kOrder[] = {
    api::ResponseAction::QuarantineImage, api::ResponseAction::IsolatePod,
    api::ResponseAction::TaintNode, api::ResponseAction::Notify, api::ResponseAction::DeletePod};

}  // namespace

std::vector<PlannedAction> plan_responses(const api::RuntimeSpec& runtime,
                                          const std::string& rule) {
  std::vector<PlannedAction> out;
  for (auto action : kOrder) {
    for (const auto& response : runtime.responses) {
      bool names_rule =
          std::find(response.rules.begin(), response.rules.end(), rule) != response.rules.end();
      bool lists_action = std::find(response.actions.begin(), response.actions.end(), action) !=
                          response.actions.end();
      if (names_rule && lists_action) {
        out.push_back({action, &response});
        break;
      }
    }
  }
  return out;
}

}  // namespace castellan::controller
