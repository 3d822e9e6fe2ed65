#include "sensor/container_cgroup.h"

#include <algorithm>
#include <cctype>

namespace castellan::sensor {
namespace {

bool is_hex_id(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

bool strip_prefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool strip_suffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

bool is_uid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

Result<ContainerRef> parse_container_id(std::string_view container_id) {
  auto sep = container_id.find("://");
  if (sep == std::string_view::npos) {
    return Error::make("container ID \"" + std::string(container_id) +
                       "\" is not of the form <runtime>://<id>", "Invalid");
  }
  ContainerRef ref{std::string(container_id.substr(0, sep)),
                   std::string(container_id.substr(sep + 3))};
  if (ref.runtime != "containerd" && ref.runtime != "cri-o" && ref.runtime != "docker") {
    return Error::make("container runtime \"" + ref.runtime +
                       "\" is not supported (containerd, cri-o, docker)", "Invalid");
  }
  if (!is_hex_id(ref.id)) {
    return Error::make("container ID \"" + ref.id + "\" is not 64 lowercase hex digits", "Invalid");
  }
  return ref;
}

std::optional<std::string> container_id_from_cgroup(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::string_view last = path.substr(path.rfind('/') + 1);
  if (strip_suffix(last, ".scope")) {
    if (!strip_prefix(last, "cri-containerd-") && !strip_prefix(last, "crio-") &&
        !strip_prefix(last, "docker-")) {
      return std::nullopt;
    }
  } else {
    strip_prefix(last, "crio-");
  }
  if (!is_hex_id(last)) return std::nullopt;  // also rejects crio-conmon-<id>
  return std::string(last);
}

std::optional<std::string> pod_uid_from_cgroup(std::string_view path) {
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view part = path.substr(pos, next - pos);
    pos = next + 1;
    std::string uid;
    if (strip_suffix(part, ".slice")) {
      auto at = part.rfind("-pod");
      if (at == std::string_view::npos) continue;
      uid = std::string(part.substr(at + 4));
      std::replace(uid.begin(), uid.end(), '_', '-');  // systemd escapes '-' in unit names
    } else if (strip_prefix(part, "pod")) {
      uid = std::string(part);
    } else {
      continue;
    }
    if (is_uid(uid)) return uid;
  }
  return std::nullopt;
}

}  // namespace castellan::sensor
