#pragma once
// The ConfigMap behind the runtime ledger (see runtime_ledger.h): castellan-runtime-ledger in
// Castellan's namespace, data key ledger.json, written by the leader only.

#include <optional>
#include <string>

#include "common/result.h"
#include "controller/runtime_ledger.h"
#include "kube/api_client.h"

namespace castellan::controller {

inline constexpr const char* kRuntimeLedgerName = "castellan-runtime-ledger";

class RuntimeLedgerStore {
 public:
  RuntimeLedgerStore(kube::ApiClientPtr api, std::string namespace_);

  // nullopt when the ConfigMap does not exist.
  Result<std::optional<RuntimeLedger>> load();
  // Guarded by the resourceVersion last loaded or saved: a write by another leader makes it
  // fail with a conflict, and the caller loads again.
  Status save(const RuntimeLedger& ledger);

 private:
  kube::ApiClientPtr api_;
  std::string namespace_;
  std::string version_;  // resourceVersion last read or written; empty: create
};

}  // namespace castellan::controller
