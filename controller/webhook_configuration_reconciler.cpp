#include "controller/webhook_configuration_reconciler.h"

#include "common/base64.h"
#include "common/log.h"
#include "controller/json_subset.h"
#include "kube/conflict.h"
#include "kube/resources.h"

namespace castellan::controller {
namespace {

using nlohmann::json;

std::map<std::string, int64_t> generations_of(const json& object) {
  std::map<std::string, int64_t> out;
  auto annotations = object.value("/metadata/annotations"_json_pointer, json::object());
  auto it = annotations.find(kPolicyGenerationsAnnotation);
  if (it == annotations.end() || !it->is_string()) return out;
  auto parsed = json::parse(it->get<std::string>(), nullptr, false);
  if (!parsed.is_object()) return out;
  for (const auto& [name, generation] : parsed.items()) {
    if (generation.is_number_integer()) out[name] = generation.get<int64_t>();
  }
  return out;
}

// The caBundle every entry carries, or "" when they disagree or there are none.
std::string published_bundle(const json& object) {
  std::string bundle;
  bool first = true;
  for (const auto& webhook : object.value("webhooks", json::array())) {
    std::string encoded = webhook.value("/clientConfig/caBundle"_json_pointer, std::string());
    auto decoded = base64_decode(encoded).value_or("");
    if (!first && decoded != bundle) return "";
    bundle = decoded;
    first = false;
  }
  return bundle;
}

}  // namespace

WebhookConfigurationReconciler::WebhookConfigurationReconciler(kube::ApiClientPtr api,
                                                               WebhookSettings settings)
    : api_(std::move(api)), settings_(std::move(settings)) {}

const kube::GroupVersionResource& WebhookConfigurationReconciler::validating_gvr() {
  static const kube::GroupVersionResource gvr{"admissionregistration.k8s.io", "v1",
                                              "validatingwebhookconfigurations", false};
  return gvr;
}

const kube::GroupVersionResource& WebhookConfigurationReconciler::mutating_gvr() {
  static const kube::GroupVersionResource gvr{"admissionregistration.k8s.io", "v1",
                                              "mutatingwebhookconfigurations", false};
  return gvr;
}

Result<std::pair<json, bool>> WebhookConfigurationReconciler::apply(
    const kube::GroupVersionResource& gvr, const json& desired) {
  const std::string name = desired["metadata"]["name"];
  auto current = api_->get(gvr, "", name);
  if (!current.ok()) {
    if (current.error().code != 404) return current.error();
    auto created = api_->create(gvr, "", desired);
    if (!created.ok()) return created.error();
    log::info("Created webhook configuration", {{"kind", desired["kind"]}, {"name", name}});
    return std::make_pair(std::move(created).value(), true);
  }
  // API server defaults (objectSelector, reinvocationPolicy, ...) are not drift.
  json wanted_meta = {{"labels", desired["metadata"]["labels"]},
                      {"annotations", desired["metadata"]["annotations"]}};
  if (desired["metadata"].contains("ownerReferences")) {
    wanted_meta["ownerReferences"] = desired["metadata"]["ownerReferences"];
  }
  bool in_sync = json_subset(wanted_meta, current->value("metadata", json::object())) &&
                 json_subset(desired["webhooks"], current->value("webhooks", json::array()));
  if (in_sync) return std::make_pair(std::move(current).value(), false);

  auto updated = kube::update_with_retry(*api_, gvr, "", name, [&](json& object) {
    auto& meta = object["metadata"];
    for (const auto& [k, v] : desired["metadata"]["labels"].items()) meta["labels"][k] = v;
    for (const auto& [k, v] : desired["metadata"]["annotations"].items())
      meta["annotations"][k] = v;
    if (wanted_meta.contains("ownerReferences")) meta["ownerReferences"] = wanted_meta["ownerReferences"];
    object["webhooks"] = desired["webhooks"];
    return Status::Ok();
  });
  if (!updated.ok()) return updated.error();
  log::info("Updated webhook configuration", {{"kind", desired["kind"]}, {"name", name}});
  return std::make_pair(std::move(updated).value(), true);
}

json WebhookConfigurationReconciler::owner_reference() {
  if (!owner_.is_null()) return owner_;
  auto ns = api_->get(kube::kNamespaces, "", settings_.own_namespace);
  if (!ns.ok()) {
    log::warn("Failed to read Castellan's Namespace; the webhook configurations have no owner yet",
              {{"namespace", settings_.own_namespace}, {"error", ns.error().message}});
    return nullptr;
  }
  std::string uid = ns->value("/metadata/uid"_json_pointer, std::string());
  if (uid.empty()) return nullptr;
  owner_ = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"name", settings_.own_namespace}, {"uid", uid}};
  return owner_;
}

Result<PublishedWebhooks> WebhookConfigurationReconciler::reconcile(
    const std::vector<api::SecurityPolicy>& policies, const std::string& ca_bundle_pem) {
  WebhookSettings settings = settings_;
  settings.ca_bundle_pem = ca_bundle_pem;
  auto desired = desired_webhook_configurations(policies, settings);
  if (auto owner = owner_reference(); !owner.is_null()) {
    desired.validating["metadata"]["ownerReferences"] = json::array({owner});
    desired.mutating["metadata"]["ownerReferences"] = json::array({owner});
  }

  auto validating = apply(validating_gvr(), desired.validating);
  if (!validating.ok()) return validating.error();
  auto mutating = apply(mutating_gvr(), desired.mutating);
  if (!mutating.ok()) return mutating.error();

  PublishedWebhooks out;
  out.validating_generations = generations_of(validating->first);
  out.mutating_generations = generations_of(mutating->first);
  std::string v_bundle = published_bundle(validating->first);
  std::string m_bundle = published_bundle(mutating->first);
  bool v_empty = validating->first.value("webhooks", json::array()).empty();
  bool m_empty = mutating->first.value("webhooks", json::array()).empty();
  if (v_empty && m_empty) {
    out.ca_bundle_pem = ca_bundle_pem;  // nothing calls the webhook: any bundle is "published"
  } else if (v_empty || m_empty || v_bundle == m_bundle) {
    out.ca_bundle_pem = v_empty ? m_bundle : v_bundle;
  }
  out.changed = validating->second || mutating->second;
  return out;
}

}  // namespace castellan::controller
