#include "api/validation_rules.h"

#include <arpa/inet.h>

#include <cctype>
#include <string>

namespace castellan::api {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Name part of a label key, or a non-empty label value.
bool is_label_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

bool is_dns1123_label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_lower_alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_dns1123_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    // Subdomain parts follow the label rule, except that the 63 limit is on the whole.
    if (part.empty() || !is_lower_alnum(part.front()) || !is_lower_alnum(part.back())) return false;
    for (char c : part) {
      if (!is_lower_alnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_label_key(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return is_label_name(s);
  return is_dns1123_subdomain(s.substr(0, slash)) && is_label_name(s.substr(slash + 1));
}

bool is_label_value(std::string_view s) { return s.empty() || is_label_name(s); }

bool is_namespace_glob(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!is_lower_alnum(c) && c != '-' && c != '*' && c != '?') return false;
  }
  return true;
}

bool is_registry_pattern(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  if (s.front() == '/' || s.back() == '/' || s.find("//") != std::string_view::npos) return false;
  for (char c : s) {
    // Host names may carry upper case; the reference grammar's separators are . _ - / and a port.
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-' && c != '/' && c != ':' && c != '*' &&
        c != '?') {
      return false;
    }
  }
  return true;
}

bool is_sha256_digest(std::string_view s) {
  constexpr std::string_view kPrefix = "sha256:";
  if (s.size() != kPrefix.size() + 64 || s.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char c : s.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool is_cidr(std::string_view s) {
  size_t slash = s.find('/');
  std::string address(s.substr(0, slash));
  bool v6 = address.find(':') != std::string::npos;
  unsigned char buf[16];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), buf) != 1) return false;
  if (slash == std::string_view::npos) return false;
  std::string_view bits = s.substr(slash + 1);
  if (bits.empty() || bits.size() > 3) return false;
  int n = 0;
  for (char c : bits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  return n <= (v6 ? 128 : 32);
}

bool is_http_url(std::string_view s) {
  std::string_view rest;
  if (s.substr(0, 7) == "http://") {
    rest = s.substr(7);
  } else if (s.substr(0, 8) == "https://") {
    rest = s.substr(8);
  } else {
    return false;
  }
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':') return false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

bool is_absolute_path(std::string_view s) {
  if (s.empty() || s.front() != '/') return false;
  if (s.find('\0') != std::string_view::npos) return false;
  size_t start = 1;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    std::string_view part =
        s.substr(start, slash == std::string_view::npos ? s.npos : slash - start);
    if (part == "." || part == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace castellan::api
