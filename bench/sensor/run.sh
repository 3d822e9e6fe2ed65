#!/usr/bin/env bash
# Measures what castellan-sensor costs the workloads it watches, beside peers, in one run:
# exec, open and connect storms under no tracer, empty programs at the same hooks (the
# floor), castellan-sensor with rules for another cgroup / rules that miss / rules that
# match every event, bpftrace counting at the hook, and libbpf-tools execsnoop/opensnoop.
# Writes bench/results/sensor.md. Needs root.
#
#   bench/sensor/run.sh                       # defaults below
#   EXEC_N=20000 OPEN_N=2000000 REPS=5 bench/sensor/run.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
EXEC_N=${EXEC_N:-5000}
OPEN_N=${OPEN_N:-1000000}
CONNECT_N=${CONNECT_N:-100000}
REPS=${REPS:-3}
out_md=$root/bench/results/sensor.md

if [ "$(id -u)" -ne 0 ]; then
  echo "run.sh: needs root (it loads BPF programs and creates cgroups)" >&2
  exit 2
fi

missing=()
command -v bpftrace >/dev/null 2>&1 || missing+=(bpftrace)
{ command -v execsnoop >/dev/null 2>&1 && command -v opensnoop >/dev/null 2>&1; } || missing+=(libbpf-tools)
command -v jq >/dev/null 2>&1 || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
fi
# libbpf-tools may install under /usr/sbin with a suffix-free name; bpfcc tools are not used.
execsnoop_bin=$(command -v execsnoop)
opensnoop_bin=$(command -v opensnoop)

echo "==> Building castellan-sensor and the workloads in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCASTELLAN_BUILD_SENSOR=ON \
  -DCASTELLAN_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target bench_sensor -j "$(nproc)" >/dev/null
bin=$build/bench/sensor
sensor=$build/bin/castellan-sensor

[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing
cg_root=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
tmp=$(mktemp -d /tmp/castellan-bench-XXXXXX)
cg_work=$cg_root/castellan-bench-work-$$
cg_other=$cg_root/castellan-bench-other-$$
mkdir -p "$cg_work" "$cg_other" "$tmp/work" "$tmp/elsewhere"
tracer_pid=""
# The kernel's own accounting of BPF run time: per hook call, free of scheduling noise.
stats_before=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
cleanup() {
  sysctl -qw kernel.bpf_stats_enabled="$stats_before" || true
  [ -n "$tracer_pid" ] && kill -INT "$tracer_pid" 2>/dev/null && wait "$tracer_pid" 2>/dev/null || true
  rmdir "$cg_work" "$cg_other" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
clk_tck=$(getconf CLK_TCK)

rules() {  # rules NAME EXEC_NAME PREFIX CONNECT_SPEC
  cat >"$tmp/$1.yaml" <<YAML
apiVersion: castellan.io/v1alpha1
kind: SecurityPolicy
metadata: {name: bench-$1}
spec:
  runtime:
    rules:
    - name: exec
      exec: {names: ["$2"]}
    - name: write
      fileWrite: {pathPrefixes: [$3]}
    - name: connect
      connect: $4
YAML
}
rules match true "$tmp/work" "{exceptCIDRs: [\"10.0.0.0/8\"]}"
rules miss not-a-program "$tmp/elsewhere" "{exceptPorts: [9]}"

workload() {  # workload KIND → prints "wall=… cpu=…"
  local cmd
  case $1 in
    exec) cmd=("$bin/exec_storm" "$EXEC_N" /bin/true) ;;
    open) cmd=("$bin/open_storm" "$OPEN_N" "$tmp/work/file" write) ;;
    connect) cmd=("$bin/connect_storm" "$CONNECT_N" 9) ;;
  esac
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg_work" "${cmd[@]}"
}

wait_for() {  # wait_for FILE PATTERN: until the tracer ($tracer_pid) prints PATTERN
  for _ in $(seq 1 300); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$tracer_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: tracer did not become ready; its output:" >&2
  cat "$1" >&2
  exit 1
}

# Average ns per call of the tracer's programs (by name prefix), from kernel.bpf_stats_enabled.
bpf_ns_per_call() {
  local prefix
  case $1 in
    castellan-*) prefix=castellan_ ;;
    empty) prefix=empty_ ;;
    bpftrace-count) prefix=tracepoint_ ;;
    execsnoop | opensnoop) prefix=tracepoint__ ;;
    *) echo -; return ;;
  esac
  bpftool prog show -j | jq -r --arg p "$prefix" '
    [.[] | select(.name | startswith($p))] as $progs
    | ($progs | map(.run_time_ns // 0) | add // 0) as $t
    | ($progs | map(.run_cnt // 0) | add // 0) as $n
    | if $n > 0 then ($t / $n * 10 | round / 10 | tostring) else "-" end'
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }

hook_of() {
  case $1 in
    exec) echo tracepoint:sched:sched_process_exec ;;
    open) echo tracepoint:syscalls:sys_enter_openat ;;
    connect) echo tracepoint:syscalls:sys_enter_connect ;;
  esac
}

start_tracer() {  # start_tracer CONFIG KIND; sets tracer_pid
  local log=$tmp/tracer.log
  : >"$log"
  case $1 in
    none) tracer_pid="" ;;
    empty)
      "$bin/empty_probe" "$bin/empty.bpf.o" 2>"$log" &
      tracer_pid=$!
      wait_for "$log" ready ;;
    castellan-other-cgroup | castellan-miss | castellan-match)
      local rules_file=$tmp/match.yaml cgroup=$cg_other
      [ "$1" = castellan-miss ] && rules_file=$tmp/miss.yaml && cgroup=$cg_work
      [ "$1" = castellan-match ] && cgroup=$cg_work
      "$sensor" --standalone --rules "$rules_file" --cgroup "$cgroup" >/dev/null 2>"$log" &
      tracer_pid=$!
      wait_for "$log" '"ready":"true"' ;;
    bpftrace-count)
      bpftrace -e "$(hook_of "$2") { @events = count(); }" >"$log" 2>&1 &
      tracer_pid=$!
      wait_for "$log" Attaching
      sleep 1 ;;
    execsnoop | opensnoop)
      local tool=$execsnoop_bin
      [ "$1" = opensnoop ] && tool=$opensnoop_bin
      "$tool" >"$log" 2>&1 &
      tracer_pid=$!
      wait_for "$log" PID ;;
  esac
}

stop_tracer() {  # stop_tracer CONFIG: stops it in this shell; sets delivered and drops
  local log=$tmp/tracer.log
  delivered=- drops=-
  [ -z "$tracer_pid" ] && return 0
  kill -INT "$tracer_pid"
  wait "$tracer_pid" 2>/dev/null || true
  tracer_pid=""
  case $1 in
    castellan-*)
      delivered=$(grep -o 'records=[0-9]*' "$log" | cut -d= -f2 || true)
      drops=$(grep -o 'dropped_ringbuf=[0-9]*' "$log" | cut -d= -f2 || true) ;;
    execsnoop | opensnoop) delivered=$(($(grep -c . "$log") - 1)) ;;
    bpftrace-count) delivered=$(grep -o '@events: [0-9]*' "$log" | awk '{print $2}' || true) ;;
  esac
  return 0
}

configs_for() {
  case $1 in
    exec) echo none empty castellan-other-cgroup castellan-miss castellan-match bpftrace-count execsnoop ;;
    open) echo none empty castellan-other-cgroup castellan-miss castellan-match bpftrace-count opensnoop ;;
    connect) echo none empty castellan-other-cgroup castellan-miss castellan-match bpftrace-count ;;
  esac
}

results=$tmp/results.txt  # kind config rep wall cpu delivered drops tracer_cpu_s tracer_rss_mb bpf_ns
: >"$results"
for rep in $(seq 1 "$REPS"); do
  for kind in exec open connect; do
    for config in $(configs_for "$kind"); do
      start_tracer "$config" "$kind"
      before=0
      [ -n "$tracer_pid" ] && before=$(cpu_ticks "$tracer_pid")
      measured=$(workload "$kind")
      tcpu=- trss=- bpfns=-
      if [ -n "$tracer_pid" ]; then
        sleep 0.5  # let the consumer drain
        bpfns=$(bpf_ns_per_call "$config")
        tcpu=$(awk -v a="$before" -v b="$(cpu_ticks "$tracer_pid")" -v t="$clk_tck" 'BEGIN {printf "%.2f", (b - a) / t}')
        trss=$(peak_rss_mb "$tracer_pid")
      fi
      stop_tracer "$config"
      wall=$(sed -n 's/.*wall=\([0-9.]*\).*/\1/p' <<<"$measured")
      cpu=$(sed -n 's/.*cpu=\([0-9.]*\).*/\1/p' <<<"$measured")
      echo "$kind $config $rep $wall $cpu ${delivered:--} ${drops:--} $tcpu $trss $bpfns" >>"$results"
      printf '  rep %s %-8s %-24s wall %8.3fs cpu %8.3fs delivered %s drops %s\n' "$rep" "$kind" "$config" "$wall" "$cpu" "${delivered:--}" "${drops:--}"
    done
  done
done

mkdir -p "$(dirname "$out_md")"
awk -v exec_n="$EXEC_N" -v open_n="$OPEN_N" -v connect_n="$CONNECT_N" -v reps="$REPS" \
    -v kernel="$(uname -r)" -v cpus="$(nproc)" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
function median(list,   n, a, i, j, t) {
  n = split(list, a, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
  key = $1 SUBSEP $2
  if (!(key in seen)) { seen[key] = 1; order[$1] = order[$1] " " $2 }
  wall[key] = wall[key] " " $4; cpu[key] = cpu[key] " " $5
  if ($6 != "-") del[key] = del[key] " " $6
  if ($7 != "-") drops[key] = drops[key] " " $7
  if ($8 != "-") tcpu[key] = tcpu[key] " " $8
  if ($9 != "-") trss[key] = trss[key] " " $9
  if ($10 != "-" && $10 != "") bpfns[key] = bpfns[key] " " $10
}
END {
  print "# castellan-sensor overhead"
  print ""
  print "Generated by `bench/sensor/run.sh` on " date " (kernel " kernel ", " cpus " CPUs, shared and noisy)."
  print "Workloads run in their own cgroup v2: exec storm " exec_n " × `/bin/true`; open storm " open_n " open(O_WRONLY|O_CREAT)/close;"
  print "connect storm " connect_n " TCP connects to 127.0.0.1:9. Medians of " reps " interleaved repetitions."
  print ""
  print "Overhead is the own CPU time (user+system, children included) divided by the same"
  print "workload with no tracer, measured in the same run: BPF programs run in the workload"
  print "context, and CPU time is steadier than wall time on a shared machine."
  print ""
  print "Configurations: **none**; **empty**: empty programs at the five hooks of the sensor (the floor);"
  print "**castellan-other-cgroup**: rules that would match everything, scoped to another cgroup (the"
  print "common case on a node); **castellan-miss**: rules scoped to the workload whose events miss"
  print "them (other exec names, another path prefix, the port excepted); **castellan-match**: every"
  print "event matches and is delivered as a JSON line (to /dev/null); **bpftrace-count**: `count()` at"
  print "the one tracepoint of that workload; **execsnoop/opensnoop** from libbpf-tools (output to a file)."
  print ""
  print "**BPF ns per hook call** is the kernel accounting of the programs of that configuration"
  print "(`kernel.bpf_stats_enabled`): total run time over calls, every process on the machine"
  print "included. It does not count the tracepoint dispatch itself, which the empty programs pay too."
  split("exec open connect", kinds, " ")
  for (k = 1; k <= 3; k++) {
    kind = kinds[k]
    base = median(cpu[kind SUBSEP "none"])
    basewall = median(wall[kind SUBSEP "none"])
    print ""
    print "## " kind " storm"
    print ""
    print "| configuration | workload CPU s | overhead (CPU) | wall s | overhead (wall) | BPF ns per hook call | events delivered | delivered/s | drops | tracer CPU s | tracer peak RSS MB |"
    print "|---|---|---|---|---|---|---|---|---|---|---|"
    n = split(order[kind], cfgs, " ")
    for (c = 1; c <= n; c++) {
      key = kind SUBSEP cfgs[c]
      mc = median(cpu[key]); mw = median(wall[key])
      d = (key in del) ? median(del[key]) : "-"
      rate = (d != "-" && mw > 0) ? sprintf("%.0f", d / mw) : "-"
      ns = (key in bpfns) ? median(bpfns[key]) : "-"
      nsper[kind, cfgs[c]] = ns
      printf "| %s | %.3f | %.3f× | %.3f | %.3f× | %s | %s | %s | %s | %s | %s |\n", cfgs[c], mc, mc / base, mw, mw / basewall, ns, d, rate, (key in drops) ? median(drops[key]) : "-", (key in tcpu) ? median(tcpu[key]) : "-", (key in trss) ? median(trss[key]) : "-"
      ratio[kind, cfgs[c]] = mc / base
      cost[kind, cfgs[c]] = mc - base
      delivered[kind, cfgs[c]] = d
    }
  }
  print ""
  print "## Targets (issue 6)"
  print ""
  printf "- exec storm, no rule applies: %.3f× (target ≤ 1.03×; BPF %s ns per call vs empty %s ns)\n", ratio["exec", "castellan-other-cgroup"], nsper["exec", "castellan-other-cgroup"], nsper["exec", "empty"]
  for (k = 2; k <= 3; k++) {
    kind = kinds[k]
    printf "- %s storm, no rule applies: %.3f× of the empty program (target ≤ 1.2×; BPF %s ns per call vs empty %s ns)\n", kind, ratio[kind, "castellan-other-cgroup"] / ratio[kind, "empty"], nsper[kind, "castellan-other-cgroup"], nsper[kind, "empty"]
    printf "- %s storm, rules apply but miss: %.3f× vs bpftrace counting at %.3f× (target: below bpftrace; BPF %s ns per call vs %s ns)\n", kind, ratio[kind, "castellan-miss"], ratio[kind, "bpftrace-count"], nsper[kind, "castellan-miss"], nsper[kind, "bpftrace-count"]
  }
  if (delivered["open", "castellan-match"] + 0 > 0 && delivered["open", "opensnoop"] + 0 > 0)
    printf "- open storm, every event matches: %.2f µs of workload CPU per delivered event vs opensnoop %.2f µs (target: below opensnoop)\n", cost["open", "castellan-match"] / delivered["open", "castellan-match"] * 1e6, cost["open", "opensnoop"] / delivered["open", "opensnoop"] * 1e6
}' "$results" >"$out_md"
echo "==> Wrote $out_md"
cat "$out_md"
