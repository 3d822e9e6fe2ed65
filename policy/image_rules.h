#pragma once
// ImageRuleSet: spec.images of a SecurityPolicy, compiled once, checked against every image of
// containers, initContainers and ephemeralContainers.
//
// allowedRegistries patterns are globs (see Glob). A pattern with a '/' is matched against the
// normalized "registry/repository" (so "registry.example.com/*" also matches nested paths such
// as registry.example.com/team/app, and "docker.io/nginx" means docker.io/library/nginx);
// a pattern without '/' is matched against the registry alone ("*.example.com", "localhost:5000").
//
// Rule ids: images.allowedRegistries, images.requireDigest, images.disallowLatestTag (an
// explicit :latest, or neither tag nor digest), images.deniedDigests, images.quarantinedDigest
// (a digest in the policy's status.quarantinedDigests; it denies in every mode), and
// images.validReference for a missing or malformed reference when any image rule is on.
//
// A quarantine matches only references pinned by digest: a tag cannot be resolved to a digest
// without asking the registry, which admission does not do.

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/security_policy.h"
#include "policy/glob.h"
#include "policy/image_reference.h"
#include "policy/violation.h"

namespace castellan::policy {

inline constexpr const char* kQuarantinedDigestRule = "images.quarantinedDigest";

// One container's image, parsed once per evaluation and shared by every policy's rules.
struct ContainerImage {
  std::string who;    // container "name"
  std::string field;  // full path of the image field
  std::string image;  // empty when missing or not a string
  Result<ImageReference> ref = Error::make("no image");
};

std::vector<ContainerImage> collect_images(const nlohmann::json& pod_spec,
                                           const std::string& field_prefix);

class ImageRuleSet {
 public:
  ImageRuleSet() = default;
  explicit ImageRuleSet(const api::ImageRules& rules);
  // `policy` names the SecurityPolicy whose status holds `quarantined`, for messages.
  ImageRuleSet(const api::ImageRules& rules, const std::string& policy,
               const std::vector<api::QuarantinedDigest>& quarantined);

  bool active() const;
  // Violation fields are full paths behind `field_prefix` (see PodTemplate::field_prefix).
  std::vector<Violation> check(const nlohmann::json& pod_spec, const std::string& field_prefix) const;
  std::vector<Violation> check(const std::vector<ContainerImage>& images) const;

 private:
  struct RegistryPattern {
    Glob glob;
    bool registry_only = false;
  };

  bool allowed(const ImageReference& ref) const;
  void check_image(const ContainerImage& image, std::vector<Violation>& out) const;

  std::vector<RegistryPattern> allowed_;
  std::string allowed_text_;  // for messages: "registry.example.com/*, quay.io/org/*"
  std::set<std::string> denied_digests_;
  // digest -> what follows `image "..."` in the message: who quarantined it, why, how to release
  std::unordered_map<std::string, std::string> quarantined_;
  bool require_digest_ = false;
  bool disallow_latest_ = false;
};

}  // namespace castellan::policy
