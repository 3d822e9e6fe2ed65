#include <string>

#include "api/security_policy.h"

namespace castellan::api {

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::Enforce:
      return "Enforce";
    case Mode::Audit:
      return "Audit";
    case Mode::Warn:
      return "Warn";
  }
  return "Audit";
}

std::string to_string(PodSecurityVersion version) {
  return version.latest ? "latest" : "v1." + std::to_string(version.minor);
}

const char* to_string(FailurePolicy policy) {
  return policy == FailurePolicy::Fail ? "Fail" : "Ignore";
}

const char* to_string(PodSecurityLevel level) {
  switch (level) {
    case PodSecurityLevel::Privileged:
      return "privileged";
    case PodSecurityLevel::Baseline:
      return "baseline";
    case PodSecurityLevel::Restricted:
      return "restricted";
  }
  return "privileged";
}

const char* to_string(RuntimeAction action) {
  return action == RuntimeAction::Kill ? "Kill" : "Alert";
}

const char* to_string(ResponseAction action) {
  switch (action) {
    case ResponseAction::DeletePod:
      return "DeletePod";
    case ResponseAction::IsolatePod:
      return "IsolatePod";
    case ResponseAction::TaintNode:
      return "TaintNode";
    case ResponseAction::QuarantineImage:
      return "QuarantineImage";
    case ResponseAction::Notify:
      return "Notify";
  }
  return "Notify";
}

const char* to_string(TaintEffect effect) {
  switch (effect) {
    case TaintEffect::NoSchedule:
      return "NoSchedule";
    case TaintEffect::PreferNoSchedule:
      return "PreferNoSchedule";
    case TaintEffect::NoExecute:
      return "NoExecute";
  }
  return "NoSchedule";
}

}  // namespace castellan::api
