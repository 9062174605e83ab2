#!/usr/bin/env bash
# Measures what one enlace-node process uses, for the resource requests in base/statefulset.yaml
# and the sizing table of docs/operations.md: resident memory (VmRSS, VmHWM) and CPU (utime +
# stime from /proc/PID/stat over wall time) at idle and under the sample load
# (enlace-sample-load: persons, cases and actions over mTLS; --loaders loaders at once, each its
# own supervisor identity, since one identity is held to the node's rate limit of 500 calls/s,
# each with --parallel callers and --persons persons).
#
#   bash deploy/k8s/measure.sh [--persons N] [--parallel N] [--idle_seconds S] [--loaders N]
#                               [--no_build] [--node BIN]
#
# Builds the node, devpki and the sample loader, runs Mexico's node (deploy/config/mx.textproto,
# federated with no peer up) in a temp dir on free loopback ports, prints one table, deletes it.
# Figures are printed, never checked; other processes on the machine disturb them (the load
# client shares the cores).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
persons=5000 parallel=16 idle=30 build=1 node="" loaders=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --persons) persons="$2"; shift ;;
    --parallel) parallel="$2"; shift ;;
    --idle_seconds) idle="$2"; shift ;;
    --loaders) loaders="$2"; shift ;;
    --no_build) build=0 ;;
    --node) node="$2"; shift ;;
    *) echo "measure.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
cd "$root"
bazel="${BAZEL:-bazel}"
if [[ $build == 1 ]]; then
  "$bazel" build //services/node:enlace-node //tools/devpki:enlace-devpki \
    //tools/sampleload:enlace-sample-load
fi
bin="$("$bazel" info bazel-bin 2>/dev/null)"
w="$(mktemp -d "${TMPDIR:-/tmp}/enlace-measure-XXXXXX")"
pid=""
trap '[[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null; [[ -n "${KEEP:-}" ]] || rm -rf "$w"' EXIT
# Copies: a concurrent rebuild cannot swap the binaries under the measurement.
cp "$bin/services/node/enlace-node" "$bin/tools/devpki/enlace-devpki" \
  "$bin/tools/sampleload/enlace-sample-load" "$w/"
[[ -n "$node" ]] && cp -f "$node" "$w/enlace-node"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api="$(free_port)" fed="$(free_port)"
clients=""
for i in $(seq 1 "$loaders"); do
  clients+="${clients:+,}load$i=spiffe://{cc}.enlace.example/role/supervisor/user/load-$i"
done
"$w/enlace-devpki" --out="$w/pki" --countries=MX --clients="$clients" \
  --manifest="$w/manifest.textproto" --federation_endpoints="MX=127.0.0.1:$fed" >/dev/null
(umask 077; echo "1:$(head -c 32 /dev/urandom | base64 -w0)" >"$w/master.key")
"$w/enlace-node" --config=deploy/config/mx.textproto --data_dir="$w/data" --keys_dir="$w/keys" \
  --api_address="localhost:$api" --tls_dir="$w/pki/MX" --port_file="$w/ports" \
  --federation_address="127.0.0.1:$fed" --manifest="$w/manifest.textproto" \
  --signing_key="$w/pki/MX/signing.key" --master_key="$w/master.key" >"$w/node.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do [[ -s "$w/ports" ]] && break; sleep 0.1; done
[[ -s "$w/ports" ]] || { cat "$w/node.log"; echo "measure.sh: the node did not start" >&2; exit 1; }

hz="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN{printf "%.0f", k / 1024}'; }

sleep 2
rss_start="$(kib VmRSS)"
t0="$(date +%s.%N)" c0="$(cpu_ticks)"
sleep "$idle"
t1="$(date +%s.%N)" c1="$(cpu_ticks)"
idle_cores="$(awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", c / hz / (b - a)}')"
rss_idle="$(kib VmRSS)"

t2="$(date +%s.%N)" c2="$(cpu_ticks)"
loads=()
for i in $(seq 1 "$loaders"); do
  "$w/enlace-sample-load" --server="localhost:$api" --tls_dir="$w/pki/MX" --identity="load$i" \
    --config=deploy/config/mx.textproto --persons="$persons" --cases_per_person=1.5 \
    --actions_per_case=2 --organisations=10 --parallel="$parallel" --seed="$i" >"$w/load$i.log" 2>&1 &
  loads+=($!)
done
peak_rss=0
running() { for l in "${loads[@]}"; do kill -0 "$l" 2>/dev/null && return 0; done; return 1; }
while running; do
  r="$(kib VmRSS)"; [[ "$r" -gt "$peak_rss" ]] && peak_rss="$r"
  sleep 0.5
done
for i in "${!loads[@]}"; do
  wait "${loads[$i]}" || { tail "$w/load$((i + 1)).log"; echo "measure.sh: a sample load failed" >&2; exit 1; }
done
t3="$(date +%s.%N)" c3="$(cpu_ticks)"
load_s="$(awk -v a="$t2" -v b="$t3" 'BEGIN{printf "%.1f", b - a}')"
load_cores="$(awk -v c="$((c3 - c2))" -v hz="$hz" -v s="$load_s" 'BEGIN{printf "%.2f", c / hz / s}')"
calls="$(cat "$w"/load*.log | grep -Eo '[0-9]+ calls,' | awk '{n += $1} END {print n + 0}')"
sleep 5
rss_after="$(kib VmRSS)"
hwm="$(kib VmHWM)"
store="$(du -sm "$w/data" | cut -f1)"

echo "enlace-node (MX, $(nproc) cores), $(date -u +%F), commit $(git rev-parse --short HEAD)"
echo "| phase | resident memory | CPU (cores) |"
echo "|---|---:|---:|"
echo "| started | $(mib "$rss_start") MiB | - |"
echo "| idle, ${idle} s | $(mib "$rss_idle") MiB | $idle_cores |"
echo "| sample load: $loaders x $persons persons, ~1.5 cases and ~3 actions each, $loaders x $parallel callers, $calls calls in ${load_s} s ($(awk -v c="$calls" -v s="$load_s" 'BEGIN{printf "%.0f", c / s}') calls/s) | peak $(mib "$peak_rss") MiB | $load_cores |"
echo "| idle after the load | $(mib "$rss_after") MiB (VmHWM $(mib "$hwm") MiB) | - |"
echo "store after the load: $store MiB"
tail -qn1 "$w"/load*.log
