# Pod manifests of the demo, printed by functions (sourced by scripts/demo.sh).

# A pod that passes restricted-prod: restricted securityContext, resource limits, an image
# pinned by digest, bound to the demo node (there is no scheduler).
compliant_pod() {  # name image
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: prod-web
  labels: {app: web}
spec:
  nodeName: demo-node
  containers:
  - name: web
    image: $2
    resources:
      limits: {cpu: 100m, memory: 64Mi}
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
      seccompProfile: {type: RuntimeDefault}
YAML
}

# What a kubelet writes once the container started: Running, Ready, its containerID and the
# digest the image resolved to.
started_status() {  # container-id image
  cat <<JSON
{"status": {"phase": "Running",
  "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
  "containerStatuses": [{"name": "web", "ready": true, "started": true, "restartCount": 0,
    "image": "$2", "imageID": "$2", "containerID": "containerd://$1",
    "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}}
JSON
}
