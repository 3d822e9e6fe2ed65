#include "e2e/loop/fake_kubelet.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "kube/resources.h"

namespace castellan::e2e {
namespace {

using nlohmann::json;

pid_t fork_into(const std::string& cgroup, const std::vector<std::string>& argv) {
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open((cgroup + "/cgroup.procs").c_str(), O_WRONLY);
  if (fd < 0 || write(fd, "0", 1) != 1) _exit(120);
  close(fd);
  int null = open("/dev/null", O_WRONLY);  // keep the test's output readable
  if (null >= 0) {
    dup2(null, 1);
    dup2(null, 2);
  }
  execv(args[0], args.data());
  _exit(121);
}

}  // namespace

std::string random_hex64() {
  static std::mt19937_64 random(std::random_device{}());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 64; ++i) out += hex[random() % 16];
  return out;
}

FakeKubelet::FakeKubelet(kube::ApiClientPtr api, std::string node, std::string cgroup_mount)
    : api_(std::move(api)), node_(std::move(node)) {
  root_ = cgroup_mount + "/castellan-e2e-" + std::to_string(getpid()) + "-" + node_;
}

FakeKubelet::~FakeKubelet() {
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
    // Processes still in a cgroup keep it; move them out first.
    rmdir(it->c_str());
  }
}

Status FakeKubelet::make_cgroup(const std::string& path) {
  if (mkdir(path.c_str(), 0755) != 0) {
    if (errno == EEXIST) return Status::Ok();
    return Error::make("mkdir " + path + ": " + std::strerror(errno));
  }
  made_.push_back(path);
  return Status::Ok();
}

Status FakeKubelet::register_node() {
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", node_}, {"labels", {{"kubernetes.io/hostname", node_}}}}}};
  auto created = api_->create(kube::kNodes, "", node);
  if (!created && created.error().code != 409) return created.error();
  return Status::Ok();
}

Result<FakeContainer> FakeKubelet::start(const std::string& namespace_, const std::string& pod,
                                         const std::string& container, const std::string& image,
                                         const std::string& image_id) {
  auto got = api_->get(kube::kPods, namespace_, pod);
  if (!got) return got.error();
  FakeContainer out{
      namespace_,     pod, got->value("/metadata/uid"_json_pointer, std::string()), container,
      random_hex64(), ""};
  const std::string started = "2026-01-01T00:00:00Z";
  json status = {
      {"status",
       {{"phase", "Running"},
        {"conditions",
         {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", started}},
          {{"type", "ContainersReady"}, {"status", "True"}, {"lastTransitionTime", started}}}},
        {"containerStatuses",
         {{{"name", container},
           {"ready", true},
           {"started", true},
           {"restartCount", 0},
           {"image", image},
           {"imageID", image_id},
           {"containerID", "containerd://" + out.id},
           {"state", {{"running", {{"startedAt", started}}}}}}}}}}};
  // The container's cgroup exists before its status says it started, as with a kubelet.
  std::string path = root_;
  for (const auto& part : {std::string(), std::string("/kubepods"), std::string("/besteffort"),
                           "/pod" + out.pod_uid, "/" + out.id}) {
    path += part;
    if (auto made = make_cgroup(path); !made.ok()) return made.error();
  }
  out.cgroup = path;
  kube::PatchOptions options;
  options.subresource = "status";
  auto patched =
      api_->patch(kube::kPods, namespace_, pod, kube::PatchType::Merge, status.dump(), options);
  if (!patched) return patched.error();
  return out;
}

pid_t FakeKubelet::spawn(const FakeContainer& container, const std::vector<std::string>& argv) {
  return fork_into(container.cgroup, argv);
}

int FakeKubelet::exec(const FakeContainer& container, const std::vector<std::string>& argv) {
  pid_t pid = spawn(container, argv);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  return status;
}

}  // namespace castellan::e2e
