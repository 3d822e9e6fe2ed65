#include "controller/admission_report_store.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace castellan::controller {
namespace {

bool valid_config_map_name(const std::string& name) {
  static const std::regex kDns1123(R"([a-z0-9]([-a-z0-9]*[a-z0-9])?)");
  return name.size() <= 253 && std::regex_match(name, kDns1123);
}

// Verifies that a replica id that is already a valid name is used as it is.
TEST(AdmissionReportStoreTest, KeepsValidReplicaIds) {
  EXPECT_EQ(AdmissionReportStore::config_map_name("castellan-manager-7d9f-x2k4l-1767225600"),
            "castellan-admission-castellan-manager-7d9f-x2k4l-1767225600");
}

// Verifies that any replica id becomes a valid ConfigMap name, and that ids differing only in
// what sanitizing removes still get distinct names.
TEST(AdmissionReportStoreTest, SanitizesReplicaIdsIntoDistinctValidNames) {
  const std::vector<std::string> ids = {
      "Manager-A", "manager-a", "manager_a",           "manager.a@2026-01-01T00:00:00Z", "-",
      "",          "retired",   std::string(400, 'x'), std::string(400, 'x') + "y"};
  std::set<std::string> names;
  for (const auto& id : ids) {
    std::string name = AdmissionReportStore::config_map_name(id);
    EXPECT_TRUE(valid_config_map_name(name)) << id << " -> " << name;
    EXPECT_NE(name, AdmissionReportStore::retired_config_map_name()) << id;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), ids.size());
}

}  // namespace
}  // namespace castellan::controller
