#pragma once
// The desired ValidatingWebhookConfiguration and MutatingWebhookConfiguration for a set of
// policies: a pure function, applied by the webhook configuration reconciler.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "controller/protected_namespaces.h"

namespace castellan::controller {

struct WebhookSettings {
  std::string configuration_name = "castellan";  // name of both configurations
  std::string own_namespace = kDefaultManagerNamespace;  // where the webhook Service is
  // Left out of every entry (kube-system, the manager's and the sensor's namespaces).
  ProtectedNamespaces protected_namespaces;
  int timeout_seconds = 5;
  // Out of a cluster: "https://127.0.0.1:PORT"; the entries then use clientConfig.url.
  std::string url_base;
  // In a cluster: the manager's Service (used when url_base is empty).
  std::string service_name = "castellan-webhook";
  int service_port = 443;
  std::string ca_bundle_pem;  // PEM; base64-encoded into caBundle
};

struct DesiredWebhookConfigurations {
  nlohmann::json validating;
  nlohmann::json mutating;
};

// Annotation on both configurations: {"<policy>": <generation>, ...} of the policies they serve.
inline constexpr const char* kPolicyGenerationsAnnotation = "castellan.io/policy-generations";

// Whether a policy needs the validating (resp. mutating) webhook at all.
bool needs_validation(const api::SecurityPolicy& policy);
bool needs_mutation(const api::SecurityPolicy& policy);

// One webhook entry per failurePolicy in use; none when no policy needs that webhook, so an
// idle Castellan costs the API server nothing. Entries never reach the protected namespaces
// (kube-system, the manager's and the sensor's).
DesiredWebhookConfigurations desired_webhook_configurations(
    const std::vector<api::SecurityPolicy>& policies, const WebhookSettings& settings);

}  // namespace castellan::controller
