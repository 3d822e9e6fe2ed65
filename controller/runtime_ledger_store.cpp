#include "controller/runtime_ledger_store.h"

#include "kube/resources.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

constexpr const char* kLedgerKey = "ledger.json";

}  // namespace

RuntimeLedgerStore::RuntimeLedgerStore(kube::ApiClientPtr api, std::string namespace_)
    : api_(std::move(api)), namespace_(std::move(namespace_)) {}

Result<std::optional<RuntimeLedger>> RuntimeLedgerStore::load() {
  auto got = api_->get(kube::kConfigMaps, namespace_, kRuntimeLedgerName);
  if (!got) {
    if (got.error().code != 404) return got.error();
    version_.clear();
    return std::optional<RuntimeLedger>{};
  }
  version_ = got->value("/metadata/resourceVersion"_json_pointer, std::string());
  auto text = got->value("/data"_json_pointer, json::object()).value(kLedgerKey, std::string());
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    return Error::make(
        std::string("ConfigMap ") + kRuntimeLedgerName + ": " + kLedgerKey + " is not JSON",
        "Invalid");
  }
  auto ledger = runtime_ledger_from_json(parsed);
  if (!ledger) return ledger.error();
  return std::optional<RuntimeLedger>(std::move(*ledger));
}

Status RuntimeLedgerStore::save(const RuntimeLedger& ledger) {
  json object = {{"apiVersion", "v1"},
                 {"kind", "ConfigMap"},
                 {"metadata",
                  {{"name", kRuntimeLedgerName},
                   {"namespace", namespace_},
                   {"labels", {{"app.kubernetes.io/managed-by", "castellan"}}}}},
                 {"data", {{kLedgerKey, to_json(ledger).dump()}}}};
  Result<json> stored = Error{};
  if (version_.empty()) {
    stored = api_->create(kube::kConfigMaps, namespace_, object);
  } else {
    object["metadata"]["resourceVersion"] = version_;
    stored = api_->update(kube::kConfigMaps, namespace_, object);
  }
  if (!stored) return stored.error();
  version_ = stored->value("/metadata/resourceVersion"_json_pointer, std::string());
  return Status::Ok();
}

}  // namespace castellan::controller
