#include "api/security_policy_codec.h"

#include <algorithm>

#include "api/json_reader.h"
#include "api/object_meta_codec.h"

namespace castellan::api {
namespace {

using nlohmann::json;

template <typename E>
std::optional<E> parse_enum(std::string_view s, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

std::string one_of(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Reads an enum-valued string field; unknown values are reported with the accepted ones.
template <typename E>
void read_enum(JsonReader& r, const char* key, const std::vector<std::string>& names, E& out) {
  std::string s;
  if (!r.read(key, s)) return;
  if (auto v = parse_enum<E>(s, names)) {
    out = *v;
  } else {
    r.errors().push_back(
        {child_path(r.path(), key), "\"" + s + "\" is not one of " + one_of(names)});
  }
}

LabelSelector decode_selector(const json& value, const std::string& path, FieldErrors& errors) {
  LabelSelector selector;
  JsonReader r(value, path, errors);
  r.read("matchLabels", selector.matchLabels);
  if (const auto* exprs = r.array("matchExpressions")) {
    const std::string exprs_path = child_path(path, "matchExpressions");
    for (size_t i = 0; i < exprs->size(); ++i) {
      LabelSelectorRequirement req;
      JsonReader e((*exprs)[i], index_path(exprs_path, i), errors);
      e.read("key", req.key);
      e.read("operator", req.op);
      e.read("values", req.values);
      e.report_unknown_fields();
      selector.matchExpressions.push_back(std::move(req));
    }
  }
  r.report_unknown_fields();
  return selector;
}

ResourceFilter decode_filter(const json& value, const std::string& path, FieldErrors& errors) {
  ResourceFilter filter;
  JsonReader r(value, path, errors);
  r.read("namespaces", filter.namespaces);
  if (const auto* s = r.object("namespaceSelector")) {
    filter.namespaceSelector = decode_selector(*s, child_path(path, "namespaceSelector"), errors);
  }
  if (const auto* s = r.object("podSelector")) {
    filter.podSelector = decode_selector(*s, child_path(path, "podSelector"), errors);
  }
  r.report_unknown_fields();
  return filter;
}

void decode_ports(const json& ports, const std::string& path, FieldErrors& errors,
                  std::vector<uint16_t>& out) {
  for (size_t i = 0; i < ports.size(); ++i) {
    const auto& p = ports[i];
    if (!p.is_number_integer()) {
      errors.push_back({index_path(path, i), "must be an integer port, got " + describe(p)});
    } else if (p.get<int64_t>() < 1 || p.get<int64_t>() > 65535) {
      errors.push_back({index_path(path, i), p.dump() + " is not a valid port (1-65535)"});
    } else {
      out.push_back(static_cast<uint16_t>(p.get<int64_t>()));
    }
  }
}

RuntimeRule decode_rule(const json& value, const std::string& path, FieldErrors& errors) {
  RuntimeRule rule;
  JsonReader r(value, path, errors);
  r.read("name", rule.name);
  read_enum(r, "action", runtime_action_values(), rule.action);
  if (const auto* v = r.object("exec")) {
    JsonReader m(*v, child_path(path, "exec"), errors);
    rule.exec.emplace();
    m.read("names", rule.exec->names);
    m.report_unknown_fields();
  }
  if (const auto* v = r.object("fileWrite")) {
    JsonReader m(*v, child_path(path, "fileWrite"), errors);
    rule.fileWrite.emplace();
    m.read("pathPrefixes", rule.fileWrite->pathPrefixes);
    m.report_unknown_fields();
  }
  if (const auto* v = r.object("connect")) {
    const std::string connect_path = child_path(path, "connect");
    JsonReader m(*v, connect_path, errors);
    rule.connect.emplace();
    m.read("exceptCIDRs", rule.connect->exceptCIDRs);
    if (const auto* ports = m.array("exceptPorts")) {
      decode_ports(*ports, child_path(connect_path, "exceptPorts"), errors,
                   rule.connect->exceptPorts);
    }
    m.report_unknown_fields();
  }
  r.report_unknown_fields();
  return rule;
}

ResponseSpec decode_response(const json& value, const std::string& path, FieldErrors& errors) {
  ResponseSpec response;
  JsonReader r(value, path, errors);
  r.read("rules", response.rules);
  if (const auto* actions = r.array("actions")) {
    const std::string actions_path = child_path(path, "actions");
    for (size_t i = 0; i < actions->size(); ++i) {
      const auto& a = (*actions)[i];
      std::optional<ResponseAction> action;
      if (a.is_string()) action = parse_response_action(a.get<std::string>());
      if (action && std::find(response.actions.begin(), response.actions.end(), *action) !=
                        response.actions.end()) {
        errors.push_back(
            {index_path(actions_path, i), std::string("duplicate action ") + to_string(*action)});
      } else if (action) {
        response.actions.push_back(*action);
      } else {
        errors.push_back({index_path(actions_path, i),
                          (a.is_string() ? "\"" + a.get<std::string>() + "\"" : describe(a)) +
                              " is not one of " + one_of(response_action_values())});
      }
    }
  }
  if (const auto* v = r.object("notify")) {
    JsonReader n(*v, child_path(path, "notify"), errors);
    response.notify.emplace();
    n.read("url", response.notify->url);
    n.read("headersSecret", response.notify->headersSecret);
    n.report_unknown_fields();
  }
  if (const auto* v = r.object("deletePod")) {
    JsonReader d(*v, child_path(path, "deletePod"), errors);
    response.deletePod.emplace();
    int64_t min_healthy = 0;
    if (d.read("minHealthyReplicas", min_healthy)) response.deletePod->minHealthyReplicas = min_healthy;
    d.report_unknown_fields();
  }
  if (const auto* v = r.object("taintNode")) {
    JsonReader t(*v, child_path(path, "taintNode"), errors);
    response.taintNode.emplace();
    read_enum(t, "effect", taint_effect_values(), response.taintNode->effect);
    t.report_unknown_fields();
  }
  r.report_unknown_fields();
  return response;
}

RuntimeSpec decode_runtime(const json& value, const std::string& path, FieldErrors& errors) {
  RuntimeSpec runtime;
  JsonReader r(value, path, errors);
  if (const auto* rules = r.array("rules")) {
    for (size_t i = 0; i < rules->size(); ++i) {
      runtime.rules.push_back(
          decode_rule((*rules)[i], index_path(child_path(path, "rules"), i), errors));
    }
  }
  if (const auto* responses = r.array("responses")) {
    for (size_t i = 0; i < responses->size(); ++i) {
      runtime.responses.push_back(
          decode_response((*responses)[i], index_path(child_path(path, "responses"), i), errors));
    }
  }
  r.read("maxActionsPerMinute", runtime.maxActionsPerMinute);
  r.report_unknown_fields();
  return runtime;
}

SecurityPolicySpec decode_spec(const json& value, const std::string& path, FieldErrors& errors) {
  SecurityPolicySpec spec;
  JsonReader r(value, path, errors);
  read_enum(r, "mode", mode_values(), spec.mode);
  read_enum(r, "failurePolicy", failure_policy_values(), spec.failurePolicy);
  if (const auto* v = r.object("match")) spec.match = decode_filter(*v, path + ".match", errors);
  bool exclude_namespaces_given = false;
  if (const auto* v = r.object("exclude")) {
    spec.exclude = decode_filter(*v, path + ".exclude", errors);
    exclude_namespaces_given = v->contains("namespaces") && !(*v)["namespaces"].is_null();
  }
  if (!exclude_namespaces_given) spec.exclude.namespaces = {"kube-system"};
  if (const auto* v = r.object("podSecurity")) {
    JsonReader p(*v, path + ".podSecurity", errors);
    std::string level;
    if (p.read("level", level)) {
      spec.podSecurity.level = parse_pod_security_level(level);
      if (!spec.podSecurity.level) {
        errors.push_back({path + ".podSecurity.level", "\"" + level + "\" is not one of " +
                                                           one_of(pod_security_level_values())});
      }
    }
    std::string version;
    if (p.read("version", version)) {
      if (auto parsed = parse_pod_security_version(version)) {
        spec.podSecurity.version = *parsed;
      } else {
        errors.push_back(
            {path + ".podSecurity.version",
             "\"" + version + "\" is not \"latest\" or a release \"v1.N\" (e.g. v1.29)"});
      }
    }
    p.read("fromNamespaceLabels", spec.podSecurity.fromNamespaceLabels);
    if (const auto* e = p.object("exemptions")) {
      JsonReader x(*e, path + ".podSecurity.exemptions", errors);
      x.read("usernames", spec.podSecurity.exemptions.usernames);
      x.read("runtimeClassNames", spec.podSecurity.exemptions.runtimeClassNames);
      x.read("namespaces", spec.podSecurity.exemptions.namespaces);
      x.report_unknown_fields();
    }
    p.report_unknown_fields();
  }
  if (const auto* v = r.object("containers")) {
    JsonReader c(*v, path + ".containers", errors);
    c.read("requireResourceLimits", spec.containers.requireResourceLimits);
    c.read("requireReadOnlyRootFilesystem", spec.containers.requireReadOnlyRootFilesystem);
    c.report_unknown_fields();
  }
  if (const auto* v = r.object("images")) {
    JsonReader i(*v, path + ".images", errors);
    i.read("allowedRegistries", spec.images.allowedRegistries);
    i.read("requireDigest", spec.images.requireDigest);
    i.read("disallowLatestTag", spec.images.disallowLatestTag);
    i.read("deniedDigests", spec.images.deniedDigests);
    i.report_unknown_fields();
  }
  if (const auto* v = r.object("mutations")) {
    JsonReader m(*v, path + ".mutations", errors);
    m.read("runAsNonRoot", spec.mutations.runAsNonRoot);
    m.read("dropAllCapabilities", spec.mutations.dropAllCapabilities);
    m.read("seccompRuntimeDefault", spec.mutations.seccompRuntimeDefault);
    m.read("disallowPrivilegeEscalation", spec.mutations.disallowPrivilegeEscalation);
    m.report_unknown_fields();
  }
  if (const auto* v = r.object("runtime"))
    spec.runtime = decode_runtime(*v, path + ".runtime", errors);
  r.report_unknown_fields();
  return spec;
}

json to_json(const LabelSelector& selector) {
  json out = json::object();
  if (!selector.matchLabels.empty()) out["matchLabels"] = selector.matchLabels;
  if (!selector.matchExpressions.empty()) {
    out["matchExpressions"] = json::array();
    for (const auto& e : selector.matchExpressions) {
      json expr = {{"key", e.key}, {"operator", e.op}};
      if (!e.values.empty()) expr["values"] = e.values;
      out["matchExpressions"].push_back(std::move(expr));
    }
  }
  return out;
}

json to_json(const ResourceFilter& filter, bool keep_empty_namespaces) {
  json out = json::object();
  if (!filter.namespaces.empty() || keep_empty_namespaces) out["namespaces"] = filter.namespaces;
  if (filter.namespaceSelector) out["namespaceSelector"] = to_json(*filter.namespaceSelector);
  if (filter.podSelector) out["podSelector"] = to_json(*filter.podSelector);
  return out;
}

json to_json(const RuntimeSpec& runtime) {
  json rules = json::array();
  for (const auto& rule : runtime.rules) {
    json r = {{"name", rule.name}, {"action", to_string(rule.action)}};
    if (rule.exec) r["exec"] = {{"names", rule.exec->names}};
    if (rule.fileWrite) r["fileWrite"] = {{"pathPrefixes", rule.fileWrite->pathPrefixes}};
    if (rule.connect) {
      r["connect"] = json::object();
      if (!rule.connect->exceptCIDRs.empty())
        r["connect"]["exceptCIDRs"] = rule.connect->exceptCIDRs;
      if (!rule.connect->exceptPorts.empty())
        r["connect"]["exceptPorts"] = rule.connect->exceptPorts;
    }
    rules.push_back(std::move(r));
  }
  json responses = json::array();
  for (const auto& response : runtime.responses) {
    json r = {{"rules", response.rules}, {"actions", json::array()}};
    for (auto a : response.actions) r["actions"].push_back(to_string(a));
    if (response.notify) {
      r["notify"] = {{"url", response.notify->url}};
      if (!response.notify->headersSecret.empty())
        r["notify"]["headersSecret"] = response.notify->headersSecret;
    }
    if (response.deletePod) {
      r["deletePod"] = json::object();
      if (response.deletePod->minHealthyReplicas)
        r["deletePod"]["minHealthyReplicas"] = *response.deletePod->minHealthyReplicas;
    }
    if (response.taintNode) r["taintNode"] = {{"effect", to_string(response.taintNode->effect)}};
    responses.push_back(std::move(r));
  }
  json out = json::object();
  if (!rules.empty()) out["rules"] = std::move(rules);
  if (!responses.empty()) out["responses"] = std::move(responses);
  if (!out.empty()) out["maxActionsPerMinute"] = runtime.maxActionsPerMinute;
  return out;
}

}  // namespace

const std::vector<std::string>& mode_values() {
  static const std::vector<std::string> v = {"Enforce", "Audit", "Warn"};
  return v;
}
const std::vector<std::string>& failure_policy_values() {
  static const std::vector<std::string> v = {"Fail", "Ignore"};
  return v;
}
const std::vector<std::string>& pod_security_level_values() {
  static const std::vector<std::string> v = {"privileged", "baseline", "restricted"};
  return v;
}
const std::vector<std::string>& runtime_action_values() {
  static const std::vector<std::string> v = {"Alert", "Kill"};
  return v;
}
const std::vector<std::string>& response_action_values() {
  static const std::vector<std::string> v = {"DeletePod", "IsolatePod", "TaintNode",
                                             "QuarantineImage", "Notify"};
  return v;
}
const std::vector<std::string>& taint_effect_values() {
  static const std::vector<std::string> v = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
  return v;
}
const std::vector<std::string>& selector_operator_values() {
  static const std::vector<std::string> v = {"In", "NotIn", "Exists", "DoesNotExist"};
  return v;
}

// The value lists above follow the declaration order of the enums in security_policy.h.
std::optional<Mode> parse_mode(std::string_view s) { return parse_enum<Mode>(s, mode_values()); }
std::optional<FailurePolicy> parse_failure_policy(std::string_view s) {
  return parse_enum<FailurePolicy>(s, failure_policy_values());
}
std::optional<PodSecurityLevel> parse_pod_security_level(std::string_view s) {
  return parse_enum<PodSecurityLevel>(s, pod_security_level_values());
}
std::optional<PodSecurityVersion> parse_pod_security_version(std::string_view s) {
  if (s == "latest") return PodSecurityVersion{};
  if (!s.starts_with("v1.")) return std::nullopt;
  const std::string_view digits = s.substr(3);
  // Six digits are far beyond any release and keep the number within an int.
  if (digits.empty() || digits.size() > 6 || (digits.size() > 1 && digits[0] == '0')) {
    return std::nullopt;
  }
  int minor = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    minor = minor * 10 + (c - '0');
  }
  return PodSecurityVersion{false, minor};
}
std::optional<RuntimeAction> parse_runtime_action(std::string_view s) {
  return parse_enum<RuntimeAction>(s, runtime_action_values());
}
std::optional<ResponseAction> parse_response_action(std::string_view s) {
  return parse_enum<ResponseAction>(s, response_action_values());
}
std::optional<TaintEffect> parse_taint_effect(std::string_view s) {
  return parse_enum<TaintEffect>(s, taint_effect_values());
}

Decoded<SecurityPolicy> decode_security_policy(const json& object) {
  Decoded<SecurityPolicy> out;
  FieldErrors& errors = out.errors;
  if (!object.is_object()) {
    errors.push_back({"", "expected a SecurityPolicy object, got " + describe(object)});
    return out;
  }
  JsonReader r(object, "", errors);
  std::string api_version, kind;
  r.read("apiVersion", api_version);
  r.read("kind", kind);
  if (api_version != kApiVersion) {
    errors.push_back(
        {"apiVersion", std::string("must be ") + kApiVersion + ", got \"" + api_version + "\""});
  }
  if (kind != kSecurityPolicyKind) {
    errors.push_back(
        {"kind", std::string("must be ") + kSecurityPolicyKind + ", got \"" + kind + "\""});
  }
  if (const auto* m = r.object("metadata")) {
    out.value.metadata = decode_object_meta(*m, "metadata", errors);
  }
  const auto* spec = r.object("spec");
  out.value.spec = decode_spec(spec ? *spec : json::object(), "spec", errors);
  if (const auto* s = r.object("status")) {
    out.value.status = decode_security_policy_status(*s, "status", errors);
  }
  r.report_unknown_fields();
  for (auto& e : validate(out.value)) errors.push_back(std::move(e));
  return out;
}

Result<SecurityPolicy> parse_security_policy(const json& object) {
  auto decoded = decode_security_policy(object);
  if (!decoded.ok()) return Error::make(join(decoded.errors), "Invalid");
  return std::move(decoded.value);
}

json to_json(const SecurityPolicySpec& spec) {
  json out = {{"mode", to_string(spec.mode)}, {"failurePolicy", to_string(spec.failurePolicy)}};
  out["match"] = to_json(spec.match, false);
  out["exclude"] = to_json(spec.exclude, true);
  const auto& ps = spec.podSecurity;
  if (ps.any() || !ps.exemptions.empty()) {
    json p = {{"version", to_string(ps.version)}};
    if (ps.level) p["level"] = to_string(*ps.level);
    if (ps.fromNamespaceLabels) p["fromNamespaceLabels"] = true;
    if (!ps.exemptions.empty()) {
      json e = json::object();
      if (!ps.exemptions.usernames.empty()) e["usernames"] = ps.exemptions.usernames;
      if (!ps.exemptions.runtimeClassNames.empty())
        e["runtimeClassNames"] = ps.exemptions.runtimeClassNames;
      if (!ps.exemptions.namespaces.empty()) e["namespaces"] = ps.exemptions.namespaces;
      p["exemptions"] = std::move(e);
    }
    out["podSecurity"] = std::move(p);
  }
  const auto& c = spec.containers;
  if (c.requireResourceLimits || c.requireReadOnlyRootFilesystem) {
    out["containers"] = {{"requireResourceLimits", c.requireResourceLimits},
                         {"requireReadOnlyRootFilesystem", c.requireReadOnlyRootFilesystem}};
  }
  const auto& i = spec.images;
  if (!i.allowedRegistries.empty() || i.requireDigest || i.disallowLatestTag ||
      !i.deniedDigests.empty()) {
    out["images"] = {{"requireDigest", i.requireDigest},
                     {"disallowLatestTag", i.disallowLatestTag}};
    if (!i.allowedRegistries.empty()) out["images"]["allowedRegistries"] = i.allowedRegistries;
    if (!i.deniedDigests.empty()) out["images"]["deniedDigests"] = i.deniedDigests;
  }
  const auto& m = spec.mutations;
  if (m.any()) {
    out["mutations"] = {{"runAsNonRoot", m.runAsNonRoot},
                        {"dropAllCapabilities", m.dropAllCapabilities},
                        {"seccompRuntimeDefault", m.seccompRuntimeDefault},
                        {"disallowPrivilegeEscalation", m.disallowPrivilegeEscalation}};
  }
  json runtime = to_json(spec.runtime);
  if (!runtime.empty()) out["runtime"] = std::move(runtime);
  return out;
}

json to_json(const SecurityPolicy& policy) {
  json out = {{"apiVersion", kApiVersion},
              {"kind", kSecurityPolicyKind},
              {"metadata", to_json(policy.metadata)},
              {"spec", to_json(policy.spec)}};
  return out;
}

}  // namespace castellan::api
