// validate(SecurityPolicy) (declared in security_policy_codec.h).
#include <algorithm>
#include <set>

#include "api/json_reader.h"
#include "api/object_meta_codec.h"
#include "api/security_policy_codec.h"
#include "api/validation_rules.h"

namespace castellan::api {
namespace {

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

void validate_selector(const LabelSelector& selector, const std::string& path,
                       FieldErrors& errors) {
  for (const auto& [key, value] : selector.matchLabels) {
    const std::string p = path + ".matchLabels[" + key + "]";
    if (!is_label_key(key)) errors.push_back({p, quoted(key) + " is not a valid label key"});
    if (!is_label_value(value)) {
      errors.push_back({p, quoted(value) + " is not a valid label value (at most 63 "
                                           "alphanumerics, '-', '_' or '.', starting and ending "
                                           "with an alphanumeric)"});
    }
  }
  for (size_t i = 0; i < selector.matchExpressions.size(); ++i) {
    const auto& req = selector.matchExpressions[i];
    const std::string p = index_path(path + ".matchExpressions", i);
    if (req.key.empty()) {
      errors.push_back({p + ".key", "is required"});
    } else if (!is_label_key(req.key)) {
      errors.push_back({p + ".key", quoted(req.key) + " is not a valid label key"});
    }
    const auto& ops = selector_operator_values();
    if (req.op.empty()) {
      errors.push_back({p + ".operator", "is required (In, NotIn, Exists or DoesNotExist)"});
    } else if (std::find(ops.begin(), ops.end(), req.op) == ops.end()) {
      errors.push_back({p + ".operator", quoted(req.op) + " is not one of In, NotIn, Exists, "
                                                          "DoesNotExist"});
    } else if ((req.op == "In" || req.op == "NotIn") && req.values.empty()) {
      errors.push_back({p + ".values", "must be non-empty when operator is " + req.op});
    } else if ((req.op == "Exists" || req.op == "DoesNotExist") && !req.values.empty()) {
      errors.push_back({p + ".values", "must be empty when operator is " + req.op});
    }
    for (size_t j = 0; j < req.values.size(); ++j) {
      if (!is_label_value(req.values[j])) {
        errors.push_back(
            {index_path(p + ".values", j), quoted(req.values[j]) + " is not a valid label value"});
      }
    }
  }
}

void validate_filter(const ResourceFilter& filter, const std::string& path, FieldErrors& errors) {
  for (size_t i = 0; i < filter.namespaces.size(); ++i) {
    if (!is_namespace_glob(filter.namespaces[i])) {
      errors.push_back({index_path(path + ".namespaces", i),
                        quoted(filter.namespaces[i]) +
                            " is not a valid namespace glob (lower-case letters, digits, '-', "
                            "'*' and '?', at most 63 characters)"});
    }
  }
  if (filter.namespaceSelector) {
    validate_selector(*filter.namespaceSelector, path + ".namespaceSelector", errors);
  }
  if (filter.podSelector) validate_selector(*filter.podSelector, path + ".podSelector", errors);
}

void validate_images(const ImageRules& images, FieldErrors& errors) {
  for (size_t i = 0; i < images.allowedRegistries.size(); ++i) {
    if (!is_registry_pattern(images.allowedRegistries[i])) {
      errors.push_back({index_path("spec.images.allowedRegistries", i),
                        quoted(images.allowedRegistries[i]) +
                            " is not a valid registry pattern (a glob over registry/repository, "
                            "e.g. \"registry.example.com/team/*\")"});
    }
  }
  for (size_t i = 0; i < images.deniedDigests.size(); ++i) {
    if (!is_sha256_digest(images.deniedDigests[i])) {
      errors.push_back({index_path("spec.images.deniedDigests", i),
                        quoted(images.deniedDigests[i]) +
                            " is not a valid digest (sha256: followed by 64 lower-case hex "
                            "digits)"});
    }
  }
}

void validate_rule(const RuntimeRule& rule, const std::string& p, FieldErrors& errors) {
  if (rule.name.empty()) {
    errors.push_back({p + ".name", "is required"});
  } else if (!is_dns1123_label(rule.name)) {
    errors.push_back({p + ".name", quoted(rule.name) +
                                       " is not a valid rule name (lower-case letters, digits "
                                       "and '-', at most 63 characters)"});
  }
  int kinds = (rule.exec ? 1 : 0) + (rule.fileWrite ? 1 : 0) + (rule.connect ? 1 : 0);
  if (kinds != 1) {
    errors.push_back(
        {p, "must set exactly one of exec, fileWrite or connect, found " + std::to_string(kinds)});
  }
  if (rule.action == RuntimeAction::Kill && !rule.exec) {
    errors.push_back({p + ".action", "Kill is only supported on exec rules (use Alert)"});
  }
  if (rule.exec) {
    if (rule.exec->names.empty()) errors.push_back({p + ".exec.names", "must not be empty"});
    for (size_t i = 0; i < rule.exec->names.size(); ++i) {
      const auto& n = rule.exec->names[i];
      if (n.empty() || n.find('/') != std::string::npos || n.find('\0') != std::string::npos) {
        errors.push_back({index_path(p + ".exec.names", i),
                          quoted(n) + " is not a valid process name (a file name, no '/')"});
      }
    }
  }
  if (rule.fileWrite) {
    const auto& prefixes = rule.fileWrite->pathPrefixes;
    if (prefixes.empty()) errors.push_back({p + ".fileWrite.pathPrefixes", "must not be empty"});
    for (size_t i = 0; i < prefixes.size(); ++i) {
      if (!is_absolute_path(prefixes[i])) {
        errors.push_back({index_path(p + ".fileWrite.pathPrefixes", i),
                          quoted(prefixes[i]) +
                              " is not an absolute path (must start with '/', no '.' or '..')"});
      }
    }
  }
  if (rule.connect) {
    const auto& cidrs = rule.connect->exceptCIDRs;
    for (size_t i = 0; i < cidrs.size(); ++i) {
      if (!is_cidr(cidrs[i])) {
        errors.push_back(
            {index_path(p + ".connect.exceptCIDRs", i),
             quoted(cidrs[i]) + " is not a valid IPv4 or IPv6 CIDR (address/prefix-length)"});
      }
    }
  }
}

void validate_pod_security(const PodSecuritySpec& pod_security, FieldErrors& errors) {
  const auto& e = pod_security.exemptions;
  const std::string p = "spec.podSecurity.exemptions";
  for (size_t i = 0; i < e.usernames.size(); ++i) {
    if (e.usernames[i].empty())
      errors.push_back({index_path(p + ".usernames", i), "must not be empty"});
  }
  for (size_t i = 0; i < e.runtimeClassNames.size(); ++i) {
    if (!is_dns1123_subdomain(e.runtimeClassNames[i])) {
      errors.push_back({index_path(p + ".runtimeClassNames", i),
                        quoted(e.runtimeClassNames[i]) + " is not a valid RuntimeClass name"});
    }
  }
  for (size_t i = 0; i < e.namespaces.size(); ++i) {
    if (!is_dns1123_label(e.namespaces[i])) {
      errors.push_back(
          {index_path(p + ".namespaces", i),
           quoted(e.namespaces[i]) + " is not a valid namespace name (exact names, no globs)"});
    }
  }
}

constexpr int64_t kMaxActionsPerMinute = 1000;

void validate_runtime(const RuntimeSpec& runtime, FieldErrors& errors) {
  std::set<std::string> names;
  for (size_t i = 0; i < runtime.rules.size(); ++i) {
    const auto& rule = runtime.rules[i];
    const std::string p = index_path("spec.runtime.rules", i);
    validate_rule(rule, p, errors);
    if (!rule.name.empty() && !names.insert(rule.name).second) {
      errors.push_back({p + ".name", "duplicate rule name " + quoted(rule.name)});
    }
  }
  if (runtime.maxActionsPerMinute < 1 || runtime.maxActionsPerMinute > kMaxActionsPerMinute) {
    errors.push_back({"spec.runtime.maxActionsPerMinute",
                      "must be from 1 to " + std::to_string(kMaxActionsPerMinute) + ", got " +
                          std::to_string(runtime.maxActionsPerMinute)});
  }
  for (size_t i = 0; i < runtime.responses.size(); ++i) {
    const auto& response = runtime.responses[i];
    const std::string p = index_path("spec.runtime.responses", i);
    if (response.rules.empty()) errors.push_back({p + ".rules", "must name at least one rule"});
    for (size_t j = 0; j < response.rules.size(); ++j) {
      if (!names.count(response.rules[j])) {
        errors.push_back({index_path(p + ".rules", j),
                          quoted(response.rules[j]) + " is not a rule in spec.runtime.rules"});
      }
    }
    if (response.actions.empty()) errors.push_back({p + ".actions", "must not be empty"});
    // Duplicate actions are reported by the decoder, which knows their original positions.
    auto has = [&](ResponseAction a) {
      return std::find(response.actions.begin(), response.actions.end(), a) != response.actions.end();
    };
    bool notify = has(ResponseAction::Notify);
    if (notify && (!response.notify || response.notify->url.empty())) {
      errors.push_back({p + ".notify.url", "is required when actions include Notify"});
    } else if (notify && !is_http_url(response.notify->url)) {
      errors.push_back(
          {p + ".notify.url", quoted(response.notify->url) + " is not an http:// or https:// URL"});
    } else if (!notify && response.notify) {
      errors.push_back({p + ".notify", "is set but actions do not include Notify"});
    }
    if (response.deletePod && !has(ResponseAction::DeletePod)) {
      errors.push_back({p + ".deletePod", "is set but actions do not include DeletePod"});
    }
    if (response.deletePod && response.deletePod->minHealthyReplicas &&
        *response.deletePod->minHealthyReplicas < 0) {
      errors.push_back({p + ".deletePod.minHealthyReplicas", "must not be negative"});
    }
    if (response.taintNode && !has(ResponseAction::TaintNode)) {
      errors.push_back({p + ".taintNode", "is set but actions do not include TaintNode"});
    }
    if (response.notify && !response.notify->headersSecret.empty() &&
        !is_dns1123_subdomain(response.notify->headersSecret)) {
      errors.push_back({p + ".notify.headersSecret",
                        quoted(response.notify->headersSecret) + " is not a valid Secret name"});
    }
  }
}

}  // namespace

FieldErrors validate(const SecurityPolicy& policy) {
  FieldErrors errors;
  validate_object_name(policy.metadata.name, "metadata.name", errors);
  const auto& spec = policy.spec;
  validate_filter(spec.match, "spec.match", errors);
  validate_filter(spec.exclude, "spec.exclude", errors);
  validate_images(spec.images, errors);
  validate_pod_security(spec.podSecurity, errors);
  validate_runtime(spec.runtime, errors);
  return errors;
}

}  // namespace castellan::api
