#pragma once
// Walks spec.volumes for the volume controls (hostPathVolumes, volumeTypes).

#include <string>
#include <vector>

#include "policy/pod_security/pod_view.h"
#include "policy/pod_security/report.h"

namespace castellan::policy::pss {

// `volume "data"` (`volume [2]` when the name is missing).
inline std::string volume_who(const json& volume, size_t index) {
  const auto name = read_string(&volume, "name");
  if (name.present() && !name.value.empty()) return "volume " + quote(name.value);
  return "volume [" + std::to_string(index) + "]";
}

// Calls fn(index, volume) for every object in spec.volumes; a list or entry of the wrong
// type is reported under `rule`.
template <typename Fn>
void for_each_volume(const PodView& pod, const char* rule, std::vector<Violation>& out, Fn fn) {
  const auto volumes = read_array(pod.spec(), "volumes");
  if (volumes.malformed()) {
    add_malformed(out, rule, "spec.volumes", "pod", "spec.volumes", "a list", *volumes.raw);
    return;
  }
  if (!volumes.present()) return;
  for (size_t i = 0; i < volumes.value->size(); ++i) {
    const json& volume = (*volumes.value)[i];
    if (!volume.is_object()) {
      const std::string field = "spec.volumes[" + std::to_string(i) + "]";
      add_malformed(out, rule, field, volume_who(volume, i), field, "an object", volume);
      continue;
    }
    fn(i, volume);
  }
}

inline std::string volume_path(size_t index, std::string_view source) {
  return "spec.volumes[" + std::to_string(index) + "]." + std::string(source);
}

}  // namespace castellan::policy::pss
