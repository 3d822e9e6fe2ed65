#pragma once
// Receives every admission decision that is not a dryRun, e.g. to count verdicts into
// SecurityPolicy status. Called on the I/O threads: implementations must not block.

#include "webhook/admission_handler.h"

namespace castellan::webhook {

class AdmissionObserver {
 public:
  virtual ~AdmissionObserver() = default;
  virtual void observe(const AdmissionRequest& request, const AdmissionOutcome& outcome) = 0;
};

}  // namespace castellan::webhook
