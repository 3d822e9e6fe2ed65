#pragma once
// The API resources Castellan reads and writes, named once.

#include "kube/api_client.h"

namespace castellan::kube {

inline const GroupVersionResource kPods{"", "v1", "pods", true};
inline const GroupVersionResource kConfigMaps{"", "v1", "configmaps", true};
inline const GroupVersionResource kSecrets{"", "v1", "secrets", true};
inline const GroupVersionResource kNamespaces{"", "v1", "namespaces", false};
inline const GroupVersionResource kNodes{"", "v1", "nodes", false};
inline const GroupVersionResource kCoreEvents{"", "v1", "events", true};
inline const GroupVersionResource kReplicaSets{"apps", "v1", "replicasets", true};
inline const GroupVersionResource kStatefulSets{"apps", "v1", "statefulsets", true};
inline const GroupVersionResource kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies",
                                                   true};
inline const GroupVersionResource kSecurityPolicies{"castellan.io", "v1alpha1", "securitypolicies",
                                                    false};
inline const GroupVersionResource kNodeSensors{"castellan.io", "v1alpha1", "nodesensors", false};

}  // namespace castellan::kube
