#pragma once
// The policy snapshot and namespace labels being served, each behind an atomically swapped
// shared_ptr: a request takes its own reference and never waits on an update.

#include <atomic>
#include <memory>

#include "policy/policy_snapshot.h"

namespace castellan::webhook {

using NamespaceLabelSourcePtr = std::shared_ptr<const policy::NamespaceLabelSource>;

class PolicyStore {
 public:
  void set_snapshot(policy::PolicySnapshotPtr snapshot) { snapshot_.store(std::move(snapshot)); }
  policy::PolicySnapshotPtr snapshot() const { return snapshot_.load(); }

  void set_namespaces(NamespaceLabelSourcePtr namespaces) {
    namespaces_.store(std::move(namespaces));
  }
  NamespaceLabelSourcePtr namespaces() const { return namespaces_.load(); }

 private:
  std::atomic<policy::PolicySnapshotPtr> snapshot_;
  std::atomic<NamespaceLabelSourcePtr> namespaces_;
};

}  // namespace castellan::webhook
