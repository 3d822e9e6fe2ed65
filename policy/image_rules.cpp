#include "policy/image_rules.h"

#include "policy/pod_containers.h"

namespace castellan::policy {
namespace {

// "docker.io/nginx" and "index.docker.io/x/y" name what references normalize to.
std::string normalize_pattern(const std::string& pattern) {
  const size_t slash = pattern.find('/');
  std::string registry = pattern.substr(0, slash);
  if (registry != "docker.io" && registry != "index.docker.io") return pattern;
  std::string path = pattern.substr(slash + 1);
  if (path.find('/') == std::string::npos && path.find('*') == std::string::npos) {
    path = "library/" + path;
  }
  return "docker.io/" + path;
}

// " is quarantined by SecurityPolicy P since T: rule R alerted on Pod NS/POD on node N: ALERT.
// Release it with: kubectl annotate ..." (parts the record lacks are left out).
std::string quarantine_message(const std::string& policy, const api::QuarantinedDigest& q) {
  std::string out = " is quarantined by SecurityPolicy " + policy;
  if (!q.time.empty()) out += " since " + q.time;
  if (!q.rule.empty() || !q.pod.empty() || !q.node.empty() || !q.alert.empty()) {
    out += q.rule.empty() ? ": an alert" : ": rule " + q.rule + " alerted";
    if (!q.pod.empty()) {
      out += " on Pod " + (q.namespace_.empty() ? q.pod : q.namespace_ + "/" + q.pod);
    }
    if (!q.node.empty()) out += " on node " + q.node;
    std::string alert = q.alert;  // its final period would double before ". Release"
    while (!alert.empty() && (alert.back() == '.' || alert.back() == ' ' || alert.back() == '\n')) {
      alert.pop_back();
    }
    if (!alert.empty()) out += ": " + alert;
  }
  out += ". Release it with: kubectl annotate securitypolicy " + policy + " " +
         api::kReleaseDigestsAnnotation + "=" + q.digest;
  return out;
}

}  // namespace

ImageRuleSet::ImageRuleSet(const api::ImageRules& rules)
    : require_digest_(rules.requireDigest), disallow_latest_(rules.disallowLatestTag) {
  for (const auto& pattern : rules.allowedRegistries) {
    const bool registry_only = pattern.find('/') == std::string::npos;
    allowed_.push_back({Glob(registry_only ? pattern : normalize_pattern(pattern)), registry_only});
    allowed_text_ += (allowed_text_.empty() ? "" : ", ") + pattern;
  }
  for (const auto& digest : rules.deniedDigests) denied_digests_.insert(digest);
}

ImageRuleSet::ImageRuleSet(const api::ImageRules& rules, const std::string& policy,
                           const std::vector<api::QuarantinedDigest>& quarantined)
    : ImageRuleSet(rules) {
  // The first record of a digest names the alert that caused its quarantine.
  for (const auto& q : quarantined) {
    if (!q.digest.empty()) quarantined_.try_emplace(q.digest, quarantine_message(policy, q));
  }
}

bool ImageRuleSet::active() const {
  return !allowed_.empty() || !denied_digests_.empty() || !quarantined_.empty() ||
         require_digest_ || disallow_latest_;
}

bool ImageRuleSet::allowed(const ImageReference& ref) const {
  if (allowed_.empty()) return true;
  const std::string name = ref.name();
  for (const auto& p : allowed_) {
    if (p.glob.matches(p.registry_only ? ref.registry : name)) return true;
  }
  return false;
}

void ImageRuleSet::check_image(const ContainerImage& c, std::vector<Violation>& out) const {
  const std::string& who = c.who;
  const std::string& field = c.field;
  const std::string& image = c.image;
  if (image.empty()) {
    out.push_back({"images.validReference",
                   who + " has no image: set " + field + " to an image reference", field});
    return;
  }
  if (!c.ref) {
    out.push_back({"images.validReference", who + ": " + c.ref.error().message + ": fix " + field,
                   field});
    return;
  }
  const ImageReference& ref = *c.ref;
  const std::string quoted = "\"" + image + "\"";
  if (ref.digest) {
    if (const auto q = quarantined_.find(*ref.digest); q != quarantined_.end()) {
      out.push_back({kQuarantinedDigestRule, who + " image " + quoted + q->second, field, true});
    }
  }
  if (!allowed(ref)) {
    out.push_back({"images.allowedRegistries",
                   who + " image " + quoted + " (" + ref.name() +
                       ") is not from an allowed registry: use an image matching one of " +
                       allowed_text_,
                   field});
  }
  if (require_digest_ && !ref.digest) {
    out.push_back({"images.requireDigest",
                   who + " image " + quoted + " is not pinned by digest: set " + field +
                       " to " + image + "@sha256:<digest>",
                   field});
  }
  if (disallow_latest_) {
    if (ref.tag && *ref.tag == "latest") {
      out.push_back({"images.disallowLatestTag",
                     who + " image " + quoted + " uses the latest tag: set " + field +
                         " to a version tag or a digest",
                     field});
    } else if (!ref.tag && !ref.digest) {
      out.push_back({"images.disallowLatestTag",
                     who + " image " + quoted + " has no tag, which means latest: set " + field +
                         " to a version tag or a digest",
                     field});
    }
  }
  if (ref.digest && denied_digests_.count(*ref.digest) > 0) {
    out.push_back({"images.deniedDigests",
                   who + " image " + quoted + " has the denied digest " + *ref.digest +
                       ": use another build of the image",
                   field});
  }
}

std::vector<ContainerImage> collect_images(const nlohmann::json& pod_spec,
                                           const std::string& field_prefix) {
  std::vector<ContainerImage> out;
  for (const auto& c : pod_containers(pod_spec, true)) {
    ContainerImage image{"container \"" + c.name() + "\"", c.field(field_prefix) + ".image", {},
                         Error::make("no image")};
    const nlohmann::json* value = c.member("image");
    if (value != nullptr && value->is_string()) image.image = value->get<std::string>();
    if (!image.image.empty()) image.ref = parse_image_reference(image.image);
    out.push_back(std::move(image));
  }
  return out;
}

std::vector<Violation> ImageRuleSet::check(const std::vector<ContainerImage>& images) const {
  std::vector<Violation> out;
  if (!active()) return out;
  for (const auto& image : images) check_image(image, out);
  return out;
}

std::vector<Violation> ImageRuleSet::check(const nlohmann::json& pod_spec,
                                           const std::string& field_prefix) const {
  if (!active()) return {};
  return check(collect_images(pod_spec, field_prefix));
}

}  // namespace castellan::policy
