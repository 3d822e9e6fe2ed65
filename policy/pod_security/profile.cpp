#include "policy/pod_security/profile.h"

#include <array>
#include <string>

#include "policy/pod_security/safe_lists.h"

namespace castellan::policy::pss {

Profile::Profile(api::PodSecurityLevel level, int minor, const char* name)
    : level_(level), minor_(minor), name_(name) {
  for (const VariantSince& v : kVariantSince) {
    if (minor >= v.since_minor) variants_.set(static_cast<size_t>(v.variant));
  }
  while (safe_sysctls_ < kSafeSysctls.size() && kSafeSysctls[safe_sysctls_].since_minor <= minor) {
    ++safe_sysctls_;
  }
}

// Every (level, version) profile with its name, built on first use: index kNewestMinor + 1 is
// `latest`.
struct ProfileTable {
  static constexpr size_t kVersions = kNewestMinor + 2;
  std::array<std::array<std::string, kVersions>, 3> names;
  std::array<std::array<Profile, kVersions>, 3> profiles;

  ProfileTable() {
    static constexpr const char* kLevels[] = {"privileged", "baseline", "restricted"};
    for (size_t l = 0; l < 3; ++l) {
      const auto level = static_cast<api::PodSecurityLevel>(l);
      for (size_t v = 0; v < kVersions; ++v) {
        const bool latest = v == kVersions - 1;
        names[l][v] = std::string(kLevels[l]) + ":" +
                      (latest ? std::string("latest") : "v1." + std::to_string(v));
        profiles[l][v] =
            Profile(level, latest ? kNewestMinor : static_cast<int>(v), names[l][v].c_str());
      }
    }
  }
};

const Profile& Profile::of(api::PodSecurityLevel level, api::PodSecurityVersion version) {
  static const ProfileTable table;
  const size_t index =
      version.latest ? ProfileTable::kVersions - 1 : static_cast<size_t>(effective_minor(version));
  return table.profiles[static_cast<size_t>(level)][index];
}

}  // namespace castellan::policy::pss
