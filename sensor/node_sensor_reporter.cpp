#include "sensor/node_sensor_reporter.h"

#include <sys/utsname.h>
#include <unistd.h>

#include "api/node_sensor_codec.h"

namespace castellan::sensor {

HostFacts HostFacts::probe() {
  HostFacts facts;
  struct utsname u {};
  if (uname(&u) == 0) facts.kernel = u.release;
  facts.btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
  return facts;
}

const kube::GroupVersionResource& NodeSensorReporter::gvr() {
  static const kube::GroupVersionResource kGvr{"castellan.io", "v1alpha1", "nodesensors", false};
  return kGvr;
}

Status NodeSensorReporter::ensure_exists() {
  if (exists_) return Status::Ok();
  auto got = api_->get(gvr(), "", node_name_);
  if (got.ok()) {
    exists_ = true;
    return Status::Ok();
  }
  if (got.error().code != 404) return got.error();
  nlohmann::json object = {{"apiVersion", "castellan.io/v1alpha1"},
                           {"kind", api::kNodeSensorKind},
                           {"metadata", {{"name", node_name_}}}};
  auto created = api_->create(gvr(), "", object);
  if (!created.ok() && created.error().code != 409) return created.error();
  exists_ = true;
  return Status::Ok();
}

Status NodeSensorReporter::report(const api::NodeSensorStatus& status) {
  if (auto st = ensure_exists(); !st.ok()) return st;
  nlohmann::json body = {{"status", api::to_json(status)}};
  kube::PatchOptions options;
  options.subresource = "status";
  auto patched = api_->patch(gvr(), "", node_name_, kube::PatchType::Merge, body.dump(), options);
  if (!patched.ok()) {
    if (patched.error().code == 404) exists_ = false;  // deleted under us: create it next time
    return patched.error();
  }
  return Status::Ok();
}

}  // namespace castellan::sensor
