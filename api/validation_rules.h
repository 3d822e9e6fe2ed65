#pragma once
// Syntax predicates used by SecurityPolicy validation (and by anyone checking the same
// kinds of strings). Pure functions, no allocation of errors.

#include <string_view>

namespace castellan::api {

// RFC 1123 subdomain: lower-case alphanumerics, '-' and '.', at most 253 characters.
bool is_dns1123_subdomain(std::string_view s);
// RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters.
bool is_dns1123_label(std::string_view s);
// Label key: optional DNS subdomain prefix and '/', then a name of at most 63 characters of
// alphanumerics, '-', '_' and '.', starting and ending with an alphanumeric.
bool is_label_key(std::string_view s);
// Label value: empty, or at most 63 characters like the name part of a key.
bool is_label_value(std::string_view s);
// Namespace glob: a namespace name that may contain '*' (any run) and '?' (one character).
bool is_namespace_glob(std::string_view s);
// Registry pattern: a glob over "registry/repository", e.g. "registry.example.com/team/*".
bool is_registry_pattern(std::string_view s);
// "sha256:" followed by 64 lower-case hex digits.
bool is_sha256_digest(std::string_view s);
// IPv4 or IPv6 CIDR with its prefix length, e.g. 10.0.0.0/8, 192.0.2.1/32 or fd00::/8.
bool is_cidr(std::string_view s);
// An absolute http:// or https:// URL with a host.
bool is_http_url(std::string_view s);
// An absolute path: starts with '/', no NUL, no "." or ".." components.
bool is_absolute_path(std::string_view s);

}  // namespace castellan::api
