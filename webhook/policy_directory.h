#pragma once
// Standalone mode's policy source: the SecurityPolicy and Namespace manifests of a directory,
// compiled into the PolicyStore, and compiled again whenever a file there changes. A directory
// with any invalid policy is refused as a whole and the previous snapshot keeps serving.

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/security_policy.h"
#include "common/result.h"
#include "webhook/policy_store.h"

namespace castellan::webhook {

struct PolicyDirectoryContents {
  std::vector<api::SecurityPolicy> policies;             // in name order
  std::map<std::string, policy::Labels> namespace_labels;  // from Namespace objects
  size_t other_objects = 0;                              // manifests of other kinds, ignored
};

// Every problem in every file is reported, one per line, located by file and document.
Result<PolicyDirectoryContents> load_policy_directory(const std::string& dir);

class PolicyDirectory {
 public:
  PolicyDirectory(std::string dir, PolicyStore& store);
  ~PolicyDirectory();

  // Loads the directory and serves it; an error leaves the store as it was.
  Status load();
  // Loads again when a file was added, removed or changed since the last attempt.
  // True when a new snapshot is served.
  Result<bool> reload_if_changed();
  // Polls in a thread until the destructor or stop().
  void watch(std::chrono::milliseconds interval);
  void stop();

  uint64_t generation() const { return generation_; }

 private:
  std::string fingerprint() const;

  std::string dir_;
  PolicyStore& store_;
  std::string last_fingerprint_;
  std::atomic<uint64_t> generation_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace castellan::webhook
