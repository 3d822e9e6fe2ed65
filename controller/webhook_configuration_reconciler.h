#pragma once
// Keeps the cluster's ValidatingWebhookConfiguration and MutatingWebhookConfiguration equal
// to what the policies need: creates them, puts manual edits back, recreates them if deleted.
// Both are owned by Castellan's Namespace, so that uninstalling Castellan (which deletes that
// Namespace) lets the garbage collector remove them: nothing is left failing closed.

#include <map>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"
#include "controller/webhook_configuration.h"
#include "kube/api_client.h"

namespace castellan::controller {

// What the API server holds after a reconcile.
struct PublishedWebhooks {
  std::map<std::string, int64_t> validating_generations;  // policy -> generation served
  std::map<std::string, int64_t> mutating_generations;
  std::string ca_bundle_pem;  // as published in every webhook entry ("" when there are none)
  bool changed = false;       // a configuration was created or updated
};

class WebhookConfigurationReconciler {
 public:
  WebhookConfigurationReconciler(kube::ApiClientPtr api, WebhookSettings settings);

  Result<PublishedWebhooks> reconcile(const std::vector<api::SecurityPolicy>& policies,
                                      const std::string& ca_bundle_pem);

  static const kube::GroupVersionResource& validating_gvr();
  static const kube::GroupVersionResource& mutating_gvr();

 private:
  // Returns the stored object and whether it was written.
  Result<std::pair<nlohmann::json, bool>> apply(const kube::GroupVersionResource& gvr,
                                                const nlohmann::json& desired);
  // The ownerReference to Castellan's Namespace; null while that Namespace cannot be read.
  nlohmann::json owner_reference();

  kube::ApiClientPtr api_;
  WebhookSettings settings_;
  nlohmann::json owner_;  // cached once read: a Namespace's uid never changes
};

}  // namespace castellan::controller
