#!/usr/bin/env bash
# The admission webhook against its floor, side by side in one run:
#   castellan-manager --standalone with 10 policies (POST /validate and POST /mutate), and
#   nginx (Debian) answering a fixed AdmissionReview of the same size, same certificate,
#   same TLS settings.
# Same load for both (wrk, keep-alive, same connections; server pinned to CPU 0 and the load
# generator to CPU 1 when there are two), a 7 KB Pod AdmissionReview. Writes
# bench/results/webhook.md.
#
# Usage: bench/webhook/run.sh
# Environment: DURATION (seconds per run, default 10), CONNECTIONS (default 32),
#   CASTELLAN_MANAGER (a built binary; default: build it in build-bench/).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-32}"
results="$root/bench/results/webhook.md"
castellan_port=18443
nginx_port=18444

log() { echo "bench/webhook: $*" >&2; }

# Tools: installed from Debian when missing.
missing=()
for tool in nginx:nginx wrk:wrk h2load:nghttp2-client curl:curl python3:python3 taskset:util-linux; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then log "must run as root to install ${missing[*]}"; exit 2; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

manager="${CASTELLAN_MANAGER:-}"
if [ -z "$manager" ]; then
  build="$root/build-bench"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCASTELLAN_BUILD_TESTS=OFF \
    -DCASTELLAN_BUILD_SENSOR=OFF >/dev/null
  cmake --build "$build" --target castellan-manager -j"$(nproc)"
  manager="$build/bin/castellan-manager"
fi

server_cpu=() load_cpu=()
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0); load_cpu=(taskset -c 1); fi

work="$(mktemp -d /tmp/castellan-bench-webhook-XXXXXX)"
manager_pid="" nginx_pid=""
cleanup() {
  [ -n "$manager_pid" ] && kill "$manager_pid" 2>/dev/null && wait "$manager_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

body="$here/pod-review.json"

# 1. castellan-manager: one I/O thread, like nginx's one worker.
"${server_cpu[@]}" "$manager" --standalone --policies "$here/policies" --bind-address 127.0.0.1 \
  --webhook-port "$castellan_port" --cert-dir "$work/certs" --threads 1 --log-level error \
  >"$work/manager.out" 2>"$work/manager.log" &
manager_pid=$!
for _ in $(seq 100); do grep -q '^serving' "$work/manager.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^serving' "$work/manager.out" || { log "castellan-manager did not start:"; cat "$work/manager.log" >&2; exit 1; }
castellan="https://127.0.0.1:$castellan_port"

post() { curl -sS --fail --cacert "$work/certs/tls.crt" -H 'Content-Type: application/json' --data-binary @"$body" "$1"; }
post "$castellan/validate" >"$work/validate.json"
post "$castellan/mutate" >"$work/mutate.json"
python3 - "$work" <<'EOF'
import json, sys
w = sys.argv[1]
v = json.load(open(w + "/validate.json"))["response"]
m = json.load(open(w + "/mutate.json"))["response"]
assert v["allowed"], "the benchmark pod must be admitted: %s" % v
assert m.get("patchType") == "JSONPatch", "the benchmark pod must be patched: %s" % m
EOF

# 2. nginx: the same answers, fixed, with the same certificate and TLS settings.
nginx_string() { python3 -c 'import sys; s=open(sys.argv[1]).read(); print("\x27" + s.replace("\\","\\\\").replace("\x27","\\\x27") + "\x27")' "$1"; }
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_max_body_size 3m;
  client_body_buffer_size 16k;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/certs/tls.crt;
    ssl_certificate_key $work/certs/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_prefer_server_ciphers on;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    location = /validate { default_type application/json; return 200 $(nginx_string "$work/validate.json"); }
    location = /mutate { default_type application/json; return 200 $(nginx_string "$work/mutate.json"); }
  }
}
EOF
"${server_cpu[@]}" nginx -p "$work/nginx" -c "$work/nginx.conf" -g 'daemon off;' 2>>"$work/nginx-error.log" &
nginx_pid=$!
nginx="https://127.0.0.1:$nginx_port"
for _ in $(seq 100); do curl -sk -o /dev/null "$nginx/" 2>/dev/null && break; sleep 0.1; done
cmp -s <(post "$nginx/validate") "$work/validate.json" || { log "nginx does not serve the fixed answer"; cat "$work/nginx-error.log" >&2; exit 1; }

# 3. Load. wrk prints one RESULT line (see post.lua).
run_wrk() {  # url connections close
  BODY_FILE="$body" CLOSE="$3" "${load_cpu[@]}" wrk -t1 -c"$2" -d"${duration}s" --latency \
    -s "$here/post.lua" "$1" | awk '/^RESULT/ {print}'
}
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1"; }

declare -A result
for endpoint in validate mutate; do
  for target in nginx castellan; do
    url="${!target}/$endpoint"
    run_wrk "$url" 4 0 >/dev/null  # warm up
    log "keep-alive load on $target /$endpoint ($connections connections, ${duration}s)"
    result[$target.$endpoint]="$(run_wrk "$url" "$connections" 0)"
  done
done
for target in nginx castellan; do
  log "new connection per request on $target /validate"
  result[$target.handshake]="$(run_wrk "${!target}/validate" 16 1)"
done

# 4. Server-side latency at half of saturation, from castellan's own histogram.
metrics() { curl -sS --cacert "$work/certs/tls.crt" "$castellan/metrics"; }
saturation="$(field "${result[castellan.validate]}" rps)"
clients=8
per_client="$(python3 -c "print(max(1, int(float('$saturation') / 2 / $clients)))")"
metrics >"$work/metrics-before.txt"
log "half saturation: $clients clients x $per_client requests/s on castellan /validate"
"${load_cpu[@]}" h2load --h1 -c "$clients" --rps "$per_client" -D "$duration" -d "$body" \
  -H 'Content-Type: application/json' "$castellan/validate" >"$work/h2load.txt" 2>&1 || true
metrics >"$work/metrics-after.txt"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
nginx_rss=0
for pid in "$nginx_pid" $(pgrep -P "$nginx_pid"); do nginx_rss=$((nginx_rss + $(rss_kb "$pid"))); done

# 5. Report.
mkdir -p "$(dirname "$results")"
python3 - "$work" "$results" <<EOF
import re, sys, datetime, os, platform
work, out = sys.argv[1], sys.argv[2]
def parse(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}
r = {
$(for k in "${!result[@]}"; do printf '    "%s": parse("%s"),\n' "$k" "${result[$k]}"; done)
}
def histogram(path):
    b = {}
    for line in open(path):
        m = re.match(r'castellan_webhook_request_duration_seconds_bucket\{endpoint="validate",le="([^"]+)"\} (\d+)', line)
        if m: b[m.group(1)] = int(m.group(2))
    return b
before, after = histogram(work + "/metrics-before.txt"), histogram(work + "/metrics-after.txt")
delta = [(float("inf") if le == "+Inf" else float(le), after[le] - before.get(le, 0)) for le in after]
delta.sort()
total = delta[-1][1] if delta else 0
def quantile(q):
    prev_le, prev_n = 0.0, 0
    for le, n in delta:
        if n >= q * total and total:
            if le == float("inf"): return prev_le * 1000, ">"
            frac = (q * total - prev_n) / max(1, n - prev_n)
            return (prev_le + (le - prev_le) * frac) * 1000, "~"
        prev_le, prev_n = le, n
    return 0.0, "?"
p50, _ = quantile(0.5)
p99, p99_sign = quantile(0.99)
h2 = open(work + "/h2load.txt").read()
h2_rps = re.search(r"finished in [^,]+, ([0-9.]+) req/s", h2)
size = os.path.getsize("$body")
vsize, msize = os.path.getsize(work + "/validate.json"), os.path.getsize(work + "/mutate.json")
def row(name, key, base):
    x = r[key]
    ratio = x["rps"] / r[base]["rps"] if r[base]["rps"] else 0
    return "| %s | %.0f | %.2f | %.2f | %.2f | %d | %.2f |" % (name, x["rps"], x["p50_ms"], x["p99_ms"], x["p999_ms"], x["errors"], ratio)
lines = [
"# Webhook benchmark: castellan-manager vs nginx",
"",
"Recorded by \`bench/webhook/run.sh\` on %s (UTC), %d CPUs, Linux %s." % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), os.cpu_count(), platform.release()),
"",
"- castellan-manager \`--standalone\` with the 10 policies of \`bench/webhook/policies/\` (8 match the pod: Pod Security baseline and restricted, resource limits, read-only root filesystem, registry allowlist, no latest tag, digests, secure-default mutations), 1 I/O thread.",
"- nginx %s, 1 worker, answering a fixed AdmissionReview of the same size (validate %d B, mutate %d B) from \`return 200\`, same ECDSA P-256 certificate, TLS 1.2/1.3 and ciphers." % (os.popen("nginx -v 2>&1").read().strip().split("/")[-1], vsize, msize),
"- Request: a %d-byte Pod AdmissionReview (\`bench/webhook/pod-review.json\`): Deployment-made pod, init container, app and sidecar, probes, env, volumes, managedFields." % size,
"- Load: wrk, 1 thread, %s connections, keep-alive, %s s per run; servers pinned to CPU 0, wrk to CPU 1 (both sides share one machine: compare the ratios, not absolute numbers)." % ("$connections", "$duration"),
"",
"## Throughput and client-side latency (keep-alive)",
"",
"| target | req/s | p50 ms | p99 ms | p99.9 ms | errors | ratio to nginx |",
"|---|---|---|---|---|---|---|",
row("nginx, fixed /validate answer", "nginx.validate", "nginx.validate"),
row("castellan /validate", "castellan.validate", "nginx.validate"),
row("nginx, fixed /mutate answer", "nginx.mutate", "nginx.mutate"),
row("castellan /mutate", "castellan.mutate", "nginx.mutate"),
"",
"Target: castellan at least 0.7 of nginx's throughput.",
"",
"## New connections (TLS handshake per request, 16 connections, \`Connection: close\`)",
"",
"| target | handshakes/s | p50 ms | p99 ms | p99.9 ms | errors | ratio to nginx |",
"|---|---|---|---|---|---|---|",
row("nginx", "nginx.handshake", "nginx.handshake"),
row("castellan", "castellan.handshake", "nginx.handshake"),
"",
"## Server-side latency at half of saturation",
"",
"h2load, 8 connections, %s req/s in all (half of castellan's keep-alive /validate rate), %s s; latency from castellan's own histogram (time from a whole request read to its answer; interpolated within buckets)." % (h2_rps.group(1) if h2_rps else "?", "$duration"),
"",
"| requests | p50 ms | p99 ms |",
"|---|---|---|",
"| %d | %.3f | %s%.3f |" % (total, p50, p99_sign if p99_sign != "~" else "", p99),
"",
"Target: server-side p99 under 1 ms.",
"",
"## Resident memory after the runs",
"",
"| process | RSS MiB | peak RSS MiB |",
"|---|---|---|",
"| castellan-manager | %.1f | %.1f |" % ($(rss_kb "$manager_pid") / 1024, $(hwm_kb "$manager_pid") / 1024),
"| nginx (master + worker) | %.1f | |" % ($nginx_rss / 1024),
"",
]
open(out, "w").write("\n".join(lines))
print("\n".join(lines))
EOF
log "wrote $results"
