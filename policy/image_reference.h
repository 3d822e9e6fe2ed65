#pragma once
// ImageReference: a container image reference parsed and normalized by the distribution
// reference grammar (github.com/distribution/reference), as Docker and containerd read it:
//   nginx                        -> docker.io/library/nginx:latest
//   localhost:5000/a/b@sha256:…  -> registry localhost:5000, repository a/b, digest sha256:…

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace castellan::policy {

struct ImageReference {
  std::string registry;    // e.g. docker.io, registry.example.com:5000, [::1]:5000
  std::string repository;  // e.g. library/nginx
  std::optional<std::string> tag;     // as written; absent when the reference has none
  std::optional<std::string> digest;  // "algorithm:hex", validated

  // "registry/repository", the string allowedRegistries globs are matched against.
  std::string name() const { return registry + "/" + repository; }
  // The tag a runtime pulls: the explicit tag, else "latest" when there is no digest either.
  std::optional<std::string> effective_tag() const;
  // Fully qualified form, e.g. docker.io/library/nginx:1.25@sha256:…
  std::string canonical() const;
};

// Parses and normalizes `text`. Errors say what is wrong, e.g.
// `invalid image reference "Nginx": repository name must be lowercase`.
Result<ImageReference> parse_image_reference(std::string_view text);

// Validates "algorithm:hex": sha256 (64), sha384 (96) and sha512 (128) lower-case hex digits.
Status validate_digest(std::string_view digest);

}  // namespace castellan::policy
