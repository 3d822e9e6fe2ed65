#include "policy/image_reference.h"

#include <algorithm>

namespace castellan::policy {
namespace {

constexpr size_t kNameTotalLengthMax = 255;
constexpr size_t kTagLengthMax = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

Error invalid(std::string_view text, const std::string& why) {
  return Error::make("invalid image reference \"" + std::string(text) + "\": " + why, "Invalid");
}

// path-component := alpha-numeric [separator alpha-numeric]*; separator := [_.] | __ | -+
bool valid_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) ++j;
    const std::string_view sep = c.substr(i, j - i);
    const bool dashes = std::all_of(sep.begin(), sep.end(), [](char s) { return s == '-'; });
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool valid_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  return std::all_of(c.begin(), c.end(), [](char x) { return is_alnum(x) || x == '-'; });
}

// domain := host [':' port]; host := domain-name | IPv4 | '[' IPv6 ']'
std::string check_domain(std::string_view domain) {
  std::string_view host = domain;
  std::string_view port;
  if (!domain.empty() && domain.front() == '[') {
    const size_t close = domain.find(']');
    if (close == std::string_view::npos) return "registry host \"" + std::string(domain) + "\" has an unclosed '['";
    const std::string_view inner = domain.substr(1, close - 1);
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(),
                                      [](char c) { return is_hex(c) || c == ':'; })) {
      return "registry host \"" + std::string(domain) + "\" is not a valid IPv6 address";
    }
    host = domain.substr(0, close + 1);
    const std::string_view rest = domain.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "registry \"" + std::string(domain) + "\" has text after ']'";
      port = rest.substr(1);
      if (port.empty()) return "registry \"" + std::string(domain) + "\" has an empty port";
    }
  } else {
    const size_t colon = domain.find(':');
    if (colon != std::string_view::npos) {
      host = domain.substr(0, colon);
      port = domain.substr(colon + 1);
      if (port.empty()) return "registry \"" + std::string(domain) + "\" has an empty port";
    }
    size_t start = 0;
    while (true) {
      const size_t dot = host.find('.', start);
      const std::string_view comp = host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
      if (!valid_domain_component(comp)) {
        return "registry host \"" + std::string(host) +
               "\" is not a valid host name (letters, digits, '-' and '.')";
      }
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (!std::all_of(port.begin(), port.end(), is_digit)) {
    return "registry port \"" + std::string(port) + "\" is not a number";
  }
  return {};
}

std::string check_path(std::string_view path) {
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string_view comp = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    if (comp.empty()) return "repository \"" + std::string(path) + "\" has an empty path component";
    if (!valid_path_component(comp)) {
      return "repository path component \"" + std::string(comp) +
             "\" may only hold lower-case letters and digits separated by '.', '_', '__' or '-'";
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

std::string check_tag(std::string_view tag) {
  if (tag.empty()) return "tag is empty after ':'";
  if (tag.size() > kTagLengthMax) return "tag is longer than 128 characters";
  if (!is_word(tag.front())) return "tag \"" + std::string(tag) + "\" must start with a letter, digit or '_'";
  if (!std::all_of(tag.begin(), tag.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; })) {
    return "tag \"" + std::string(tag) + "\" may only hold letters, digits, '_', '.' and '-'";
  }
  return {};
}

}  // namespace

Status validate_digest(std::string_view digest) {
  const size_t colon = digest.find(':');
  if (colon == std::string_view::npos) {
    return Error::make("digest \"" + std::string(digest) + "\" must have the form algorithm:hex",
                       "Invalid");
  }
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view hex = digest.substr(colon + 1);
  // digest-algorithm := component ([+._-] component)*; component := [A-Za-z][A-Za-z0-9]*
  bool algorithm_ok = !algorithm.empty() && is_alpha(algorithm.front()) && is_alnum(algorithm.back());
  for (size_t i = 1; algorithm_ok && i < algorithm.size(); ++i) {
    const char c = algorithm[i];
    const bool sep = c == '+' || c == '.' || c == '_' || c == '-';
    algorithm_ok = is_alnum(c) || (sep && is_alpha(algorithm[i + 1]));
  }
  if (!algorithm_ok) {
    return Error::make("digest algorithm \"" + std::string(algorithm) + "\" is malformed", "Invalid");
  }
  size_t expected = 0;
  if (algorithm == "sha256") expected = 64;
  else if (algorithm == "sha384") expected = 96;
  else if (algorithm == "sha512") expected = 128;
  else {
    return Error::make("digest algorithm \"" + std::string(algorithm) +
                           "\" is not supported (use sha256, sha384 or sha512)",
                       "Invalid");
  }
  if (hex.size() != expected || !std::all_of(hex.begin(), hex.end(), is_lower_hex)) {
    return Error::make("digest \"" + std::string(digest) + "\" must be " + std::string(algorithm) +
                           ": followed by " + std::to_string(expected) + " lower-case hex digits",
                       "Invalid");
  }
  return Status::Ok();
}

std::optional<std::string> ImageReference::effective_tag() const {
  if (tag) return tag;
  if (digest) return std::nullopt;
  return std::string("latest");
}

std::string ImageReference::canonical() const {
  std::string out = name();
  if (const auto t = effective_tag()) out += ":" + *t;
  if (digest) out += "@" + *digest;
  return out;
}

Result<ImageReference> parse_image_reference(std::string_view text) {
  if (text.empty()) return invalid(text, "reference is empty");
  if (text.size() == 64 && std::all_of(text.begin(), text.end(), is_lower_hex)) {
    return invalid(text, "a 64-character hexadecimal string is an image ID, not a repository name");
  }
  ImageReference ref;
  std::string_view rest = text;
  if (const size_t at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view digest = rest.substr(at + 1);
    if (digest.find('@') != std::string_view::npos) return invalid(text, "more than one '@'");
    const size_t colon = digest.find(':');
    if (colon != std::string_view::npos &&
        !std::all_of(digest.begin() + colon + 1, digest.end(), is_hex)) {
      return invalid(text, "digest \"" + std::string(digest) + "\" holds characters that are not hex digits");
    }
    if (const Status s = validate_digest(digest); !s) return invalid(text, s.error().message);
    ref.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  const size_t last_slash = rest.rfind('/');
  const size_t last_colon = rest.rfind(':');
  if (last_colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || last_colon > last_slash)) {
    const std::string_view tag = rest.substr(last_colon + 1);
    if (const std::string why = check_tag(tag); !why.empty()) return invalid(text, why);
    ref.tag = std::string(tag);
    rest = rest.substr(0, last_colon);
  }
  if (rest.empty()) return invalid(text, "repository name is empty");

  // The first component is a registry when it looks like a host: it has '.' or ':', is
  // "localhost", or has upper case (repositories cannot).
  std::string_view path = rest;
  std::string_view domain = "docker.io";
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view first = rest.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
        has_upper(first)) {
      domain = first;
      path = rest.substr(slash + 1);
    }
  }
  if (has_upper(path)) return invalid(text, "repository name must be lowercase");
  if (const std::string why = check_domain(domain); !why.empty()) return invalid(text, why);
  if (const std::string why = check_path(path); !why.empty()) return invalid(text, why);

  ref.registry = domain == "index.docker.io" ? "docker.io" : std::string(domain);
  ref.repository = std::string(path);
  if (ref.registry == "docker.io" && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.name().size() > kNameTotalLengthMax) {
    return invalid(text, "repository name must not be more than 255 characters");
  }
  return ref;
}

}  // namespace castellan::policy
