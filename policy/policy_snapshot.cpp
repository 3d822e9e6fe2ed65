#include "policy/policy_snapshot.h"

#include <algorithm>

#include "common/json_fields.h"
#include "policy/compiled_policy.h"
#include "policy/container_rules.h"
#include "policy/json_patch.h"
#include "policy/mutations.h"
#include "policy/namespace_pod_security.h"
#include "policy/pod_security/pod_security.h"
#include "policy/pod_template.h"

namespace castellan::policy {
namespace {

using nlohmann::json;

ResourceIdentity identify(const json& object, const std::string& namespace_override) {
  ResourceIdentity id;
  id.apiVersion = string_field(object, "apiVersion");
  id.kind = string_field(object, "kind");
  const json empty = json::object();
  const json& meta = object.is_object() && object.contains("metadata") ? object["metadata"] : empty;
  id.namespace_ = string_field(meta, "namespace");
  if (id.namespace_.empty()) id.namespace_ = namespace_override;
  id.name = string_field(meta, "name");
  if (id.name.empty()) id.name = string_field(meta, "generateName");
  return id;
}

Labels labels_of(const json& metadata) {
  Labels out;
  const auto it = metadata.find("labels");
  if (it == metadata.end() || !it->is_object()) return out;
  for (const auto& [key, value] : it->items()) {
    if (value.is_string()) out.emplace(key, value.get<std::string>());
  }
  return out;
}

bool exempt_from_pod_security(const api::PodSecurityExemptions& exemptions,
                              const std::string& namespace_name, const json& pod_spec,
                              const EvaluateOptions& options) {
  if (exemptions.empty()) return false;
  const auto listed = [](const std::vector<std::string>& list, const std::string& value) {
    return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
  };
  return listed(exemptions.namespaces, namespace_name) ||
         listed(exemptions.usernames, options.username) ||
         listed(exemptions.runtimeClassNames, string_field(pod_spec, "runtimeClassName"));
}

// The weaker of two modes: Enforce > Warn > Audit.
api::Mode weaker(api::Mode a, api::Mode b) {
  const auto rank = [](api::Mode m) {
    return m == api::Mode::Enforce ? 2 : m == api::Mode::Warn ? 1 : 0;
  };
  return rank(a) <= rank(b) ? a : b;
}

// Pod Security from namespace labels: the enforce profile's violations, then those only the warn
// or audit profile finds, each judged in its label's mode capped by the policy's.
void check_namespace_pod_security(const api::SecurityPolicySpec& spec, const Labels& labels,
                                  const PodTemplate& pod, std::vector<Violation>& out) {
  const NamespacePodSecurity ns = namespace_pod_security(labels, spec.podSecurity);
  const std::pair<const pss::Profile*, api::Mode> modes[] = {
      {ns.enforce, api::Mode::Enforce}, {ns.warn, api::Mode::Warn}, {ns.audit, api::Mode::Audit}};
  // A profile judging as one already run (restricted:v1.37 and restricted:latest) finds nothing new.
  const pss::Profile* done[3] = {nullptr, nullptr, nullptr};
  for (size_t i = 0; i < 3; ++i) {
    const auto [profile, mode] = modes[i];
    if (profile->level() == api::PodSecurityLevel::Privileged) continue;
    const bool same = std::any_of(std::begin(done), std::end(done), [&](const pss::Profile* d) {
      return d != nullptr && d->level() == profile->level() && d->minor() == profile->minor();
    });
    if (same) continue;
    done[i] = profile;
    const size_t before = out.size();
    for (Violation& v : check_pod_security(*profile, *pod.metadata, *pod.spec)) {
      const bool seen = std::any_of(out.begin(), out.begin() + before, [&](const Violation& o) {
        return o.rule == v.rule && o.field == v.field;
      });
      if (seen) continue;
      v.mode = weaker(mode, spec.mode);
      out.push_back(std::move(v));
    }
  }
}

std::vector<Violation> validate(const CompiledPolicy& policy, const PodTemplate& pod,
                                const std::vector<ContainerImage>& images,
                                const MatchTarget& target, const EvaluateOptions& options) {
  const auto& spec = policy.source().spec;
  std::vector<Violation> out;
  const bool pod_security =
      policy.pod_security() != nullptr || spec.podSecurity.fromNamespaceLabels;
  if (pod_security && !exempt_from_pod_security(spec.podSecurity.exemptions, target.namespace_name,
                                                *pod.spec, options)) {
    if (spec.podSecurity.fromNamespaceLabels) {
      check_namespace_pod_security(spec, *target.namespace_labels, pod, out);
    } else {
      out = check_pod_security(*policy.pod_security(), *pod.metadata, *pod.spec);
    }
    for (auto& v : out) v.field = pod.field_prefix + v.field;
  }
  auto containers = check_container_rules(spec.containers, *pod.spec, pod.field_prefix);
  out.insert(out.end(), containers.begin(), containers.end());
  auto image_violations = policy.images().check(images);
  out.insert(out.end(), image_violations.begin(), image_violations.end());
  return out;
}

}  // namespace

struct PolicySnapshot::Impl {
  uint64_t generation = 0;
  std::vector<api::SecurityPolicy> policies;
  std::vector<std::optional<CompiledPolicy>> compiled;  // parallel to policies
  std::vector<std::string> errors;
};

PolicySnapshot::PolicySnapshot(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PolicySnapshot::~PolicySnapshot() = default;

PolicySnapshotPtr PolicySnapshot::compile(std::vector<api::SecurityPolicy> policies,
                                          uint64_t generation) {
  auto impl = std::make_unique<Impl>();
  impl->generation = generation;
  std::stable_sort(policies.begin(), policies.end(), [](const auto& a, const auto& b) {
    return a.metadata.name < b.metadata.name;
  });
  for (const auto& policy : policies) {
    auto compiled = CompiledPolicy::compile(policy);
    if (compiled) {
      impl->compiled.emplace_back(std::move(*compiled));
    } else {
      impl->compiled.emplace_back(std::nullopt);
      impl->errors.push_back(compiled.error().message);
    }
  }
  impl->policies = std::move(policies);
  return PolicySnapshotPtr(new PolicySnapshot(std::move(impl)));
}

Result<PolicySnapshotPtr> PolicySnapshot::try_compile(std::vector<api::SecurityPolicy> policies,
                                                      uint64_t generation) {
  auto snapshot = compile(std::move(policies), generation);
  if (snapshot->compile_errors().empty()) return snapshot;
  std::string message;
  for (const auto& e : snapshot->compile_errors()) message += (message.empty() ? "" : "; ") + e;
  return Error::make(message, "Invalid");
}

ResourceEvaluation PolicySnapshot::evaluate(const json& object,
                                            const NamespaceLabelSource& namespaces,
                                            const std::string& namespace_override,
                                            const EvaluateOptions& options) const {
  ResourceEvaluation out;
  out.resource = identify(object, namespace_override);
  const auto pod = extract_pod_template(object);
  if (!pod) {
    out.error = pod.error().message;
    return out;
  }

  Labels namespace_labels;
  if (!out.resource.namespace_.empty()) {
    if (const Labels* known = namespaces.labels(out.resource.namespace_)) namespace_labels = *known;
    namespace_labels.emplace("kubernetes.io/metadata.name", out.resource.namespace_);
  }
  const Labels pod_labels = labels_of(*pod->metadata);
  const MatchTarget target{out.resource.namespace_, &namespace_labels, &pod_labels};

  std::vector<const CompiledPolicy*> matching;
  bool any_mutations = false;
  for (const auto& compiled : impl_->compiled) {
    if (compiled && compiled->applies_to(target)) {
      matching.push_back(&*compiled);
      any_mutations = any_mutations || compiled->source().spec.mutations.any();
    }
  }

  // Patches are chained on a working copy of the object, made only when a later mutating
  // policy or validate_mutated needs to see an earlier patch applied.
  size_t last_mutator = 0;
  for (size_t i = 0; i < matching.size(); ++i) {
    if (matching[i]->source().spec.mutations.any()) last_mutator = i;
  }
  std::optional<json> mutated;
  std::vector<std::optional<json>> patches(matching.size());
  for (size_t i = 0; any_mutations && i < matching.size(); ++i) {
    const auto& mutations = matching[i]->source().spec.mutations;
    if (!mutations.any()) continue;
    const auto current = extract_pod_template(mutated ? *mutated : object);
    if (!current) {
      out.error = current.error().message;
      return out;
    }
    json patch = build_mutation_patch(mutations, *current->metadata, *current->spec,
                                      current->pointer_prefix + "/spec");
    if (!patch.empty() && (i < last_mutator || options.validate_mutated)) {
      auto applied = apply_json_patch(mutated ? *mutated : object, patch);
      if (!applied) {
        out.error = "mutations of SecurityPolicy " + matching[i]->source().metadata.name +
                    " did not apply: " + applied.error().message;
        return out;
      }
      mutated = std::move(*applied);
    }
    patches[i] = std::move(patch);
  }

  std::optional<PodTemplate> mutated_pod;
  if (options.validate_mutated && mutated) {
    auto extracted = extract_pod_template(*mutated);
    if (extracted) mutated_pod = *extracted;
  }
  const PodTemplate& judged = mutated_pod ? *mutated_pod : *pod;

  // Each image is parsed once, whatever the number of policies.
  const bool any_image_rules = std::any_of(matching.begin(), matching.end(),
                                           [](const CompiledPolicy* p) { return p->images().active(); });
  const auto images = any_image_rules ? collect_images(*judged.spec, judged.field_prefix)
                                      : std::vector<ContainerImage>{};

  out.results.reserve(matching.size());
  for (size_t i = 0; i < matching.size(); ++i) {
    const auto& policy = matching[i]->source();
    PolicyEvaluation eval;
    eval.policy = policy.metadata.name;
    eval.mode = policy.spec.mode;
    eval.violations = validate(*matching[i], judged, images, target, options);
    eval.allowed = std::none_of(eval.violations.begin(), eval.violations.end(),
                                [&](const Violation& v) { return denies(eval, v); });
    eval.patch = std::move(patches[i]);
    out.results.push_back(std::move(eval));
  }
  return out;
}

uint64_t PolicySnapshot::generation() const { return impl_->generation; }
size_t PolicySnapshot::size() const { return impl_->policies.size(); }
const std::vector<api::SecurityPolicy>& PolicySnapshot::policies() const { return impl_->policies; }
const std::vector<std::string>& PolicySnapshot::compile_errors() const { return impl_->errors; }

}  // namespace castellan::policy
