#include "admission_fixture.h"

#include <nlohmann/json.hpp>

namespace castellan::bench {
namespace {

using nlohmann::json;

json probe(const std::string& path, int port) {
  return {{"httpGet", {{"path", path}, {"port", port}, {"scheme", "HTTP"}}},
          {"initialDelaySeconds", 5},
          {"periodSeconds", 10},
          {"timeoutSeconds", 2},
          {"failureThreshold", 3},
          {"successThreshold", 1}};
}

json container(const std::string& name, const std::string& image, int port) {
  json env = json::array();
  for (int i = 0; i < 8; ++i) {
    env.push_back({{"name", "SETTING_" + std::to_string(i)}, {"value", "value-" + std::to_string(i)}});
  }
  env.push_back({{"name", "DB_PASSWORD"},
                 {"valueFrom", {{"secretKeyRef", {{"name", "payments-db"}, {"key", "password"}}}}}});
  env.push_back({{"name", "POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}});
  return {
      {"name", name},
      {"image", image},
      {"imagePullPolicy", "IfNotPresent"},
      {"args", {"--port=" + std::to_string(port), "--log-format=json"}},
      {"ports", {{{"name", "http"}, {"containerPort", port}, {"protocol", "TCP"}}}},
      {"env", env},
      {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}},
                     {"limits", {{"cpu", "500m"}, {"memory", "256Mi"}}}}},
      {"livenessProbe", probe("/healthz", port)},
      {"readinessProbe", probe("/ready", port)},
      {"startupProbe", probe("/started", port)},
      {"volumeMounts", {{{"name", "config"}, {"mountPath", "/etc/app"}, {"readOnly", true}},
                        {{"name", "tmp"}, {"mountPath", "/tmp"}},
                        {{"name", "kube-api-access"}, {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"}, {"readOnly", true}}}},
      {"securityContext", {{"allowPrivilegeEscalation", false},
                           {"privileged", false},
                           {"readOnlyRootFilesystem", true},
                           {"runAsNonRoot", true},
                           {"runAsUser", 10001},
                           {"runAsGroup", 10001},
                           {"capabilities", {{"drop", {"ALL"}}}},
                           {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"terminationMessagePath", "/dev/termination-log"},
      {"terminationMessagePolicy", "File"},
  };
}

json pod() {
  const std::string digest = "@sha256:" + std::string(64, 'a');
  json volumes = {
      {{"name", "config"}, {"configMap", {{"name", "payments-config"}, {"defaultMode", 420}}}},
      {{"name", "tmp"}, {"emptyDir", {{"sizeLimit", "64Mi"}}}},
      {{"name", "tls"}, {"secret", {{"secretName", "payments-tls"}, {"defaultMode", 256}}}},
      {{"name", "kube-api-access"},
       {"projected", {{"defaultMode", 420},
                      {"sources", {{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}},
                                   {{"configMap", {{"name", "kube-root-ca.crt"}, {"items", {{{"key", "ca.crt"}, {"path", "ca.crt"}}}}}}}}}}}},
  };
  json containers = {container("api", "registry.example.com/payments/api:2.14.1" + digest, 8080),
                     container("worker", "registry.example.com/payments/worker:2.14.1" + digest, 8081),
                     container("metrics", "registry.example.com/observability/exporter:0.9.0" + digest, 9090)};
  // The sidecar from another team lacks two restricted fields, so rules fire and mutations patch.
  containers[2]["securityContext"].erase("allowPrivilegeEscalation");
  containers[2]["securityContext"].erase("capabilities");
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", "payments-api-7d9f8b6c5-x2k4p"},
        {"generateName", "payments-api-7d9f8b6c5-"},
        {"namespace", "prod-payments"},
        {"labels", {{"app.kubernetes.io/name", "payments-api"}, {"app.kubernetes.io/part-of", "payments"},
                    {"pod-template-hash", "7d9f8b6c5"}, {"team", "payments"}, {"tier", "backend"}}},
        {"annotations", {{"prometheus.io/scrape", "true"}, {"prometheus.io/port", "9090"},
                         {"kubectl.kubernetes.io/restartedAt", "2024-05-01T10:00:00Z"}}},
        {"ownerReferences", {{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"},
                              {"name", "payments-api-7d9f8b6c5"}, {"uid", "4b7c2a0e-8a7e-4d0e-9a55-0d6f1c2b3a4d"},
                              {"controller", true}, {"blockOwnerDeletion", true}}}}}},
      {"spec",
       {{"serviceAccountName", "payments-api"},
        {"automountServiceAccountToken", true},
        {"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 10001}, {"fsGroup", 10001},
                             {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
        {"containers", containers},
        {"volumes", volumes},
        {"restartPolicy", "Always"},
        {"terminationGracePeriodSeconds", 30},
        {"dnsPolicy", "ClusterFirst"},
        {"nodeSelector", {{"kubernetes.io/os", "linux"}}},
        {"tolerations", {{{"key", "node.kubernetes.io/not-ready"}, {"operator", "Exists"},
                          {"effect", "NoExecute"}, {"tolerationSeconds", 300}}}},
        {"affinity", {{"podAntiAffinity", {{"preferredDuringSchedulingIgnoredDuringExecution",
                        {{{"weight", 100}, {"podAffinityTerm", {{"topologyKey", "kubernetes.io/hostname"},
                          {"labelSelector", {{"matchLabels", {{"app.kubernetes.io/name", "payments-api"}}}}}}}}}}}}}},
        {"priorityClassName", "business-critical"}}},
      {"status", json::object()},
  };
}

}  // namespace

std::string admission_review_text() {
  const json review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
        {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
        {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
        {"requestKind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
        {"requestResource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
        {"name", "payments-api-7d9f8b6c5-x2k4p"},
        {"namespace", "prod-payments"},
        {"operation", "CREATE"},
        {"userInfo", {{"username", "system:serviceaccount:kube-system:replicaset-controller"},
                      {"uid", "a8e1c3f2-1111-2222-3333-444455556666"},
                      {"groups", {"system:serviceaccounts", "system:serviceaccounts:kube-system",
                                  "system:authenticated"}}}},
        {"object", pod()},
        {"oldObject", nullptr},
        {"dryRun", false},
        {"options", {{"apiVersion", "meta.k8s.io/v1"}, {"kind", "CreateOptions"}}}}},
  };
  return review.dump();
}

std::map<std::string, std::string> namespace_pod_security_labels() {
  return {{"env", "prod"},
          {"pod-security.kubernetes.io/enforce", "restricted"},
          {"pod-security.kubernetes.io/enforce-version", "v1.37"},
          {"pod-security.kubernetes.io/warn", "restricted"}};
}

std::vector<api::SecurityPolicy> benchmark_policies(int count, api::PodSecuritySpec pod_security) {
  std::vector<api::SecurityPolicy> out;
  for (int i = 0; i < count; ++i) {
    api::SecurityPolicy p;
    p.metadata.name = "policy-" + std::to_string(1000 + i);
    auto& spec = p.spec;
    spec.exclude.namespaces = {"kube-system"};
    spec.match.namespaces = {i % 2 == 0 ? "prod-*" : "*"};
    if (i % 3 == 0) spec.match.podSelector = api::LabelSelector{{}, {{"tier", "In", {"backend", "frontend"}}}};
    if (i % 4 == 1) spec.match.namespaceSelector = api::LabelSelector{{{"env", "prod"}}, {}};
    spec.mode = i % 3 == 0 ? api::Mode::Enforce : (i % 3 == 1 ? api::Mode::Audit : api::Mode::Warn);
    spec.podSecurity = pod_security;
    if (!pod_security.fromNamespaceLabels) {
      spec.podSecurity.level =
          i % 2 == 0 ? api::PodSecurityLevel::Restricted : api::PodSecurityLevel::Baseline;
    }
    spec.containers.requireResourceLimits = true;
    spec.containers.requireReadOnlyRootFilesystem = i % 2 == 0;
    spec.images.allowedRegistries = {"registry.example.com/*", "quay.io/org-" + std::to_string(i) + "/*"};
    spec.images.requireDigest = i % 2 == 1;
    spec.images.disallowLatestTag = true;
    spec.images.deniedDigests = {"sha256:" + std::string(63, 'c') + std::to_string(i % 10)};
    if (i % 5 == 0) spec.mutations = {true, true, true, true};
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace castellan::bench
