#!/usr/bin/env bash
# Backup and restore of a node with 1,000,000 cases (issue #13; results: BENCHMARKS.md,
# "Backup and restore").
#
#   bash tests/bench/run_backup.sh           # the 1M store that tests/bench/run.sh bulk-loads
#                                            # (run that first once; it is cached)
#   bash tests/bench/run_backup.sh --quick   # the 20,000-case store of run.sh --quick
#
# The real enlace-node runs on a clone of the cached store (SST files hard-linked, the rest
# copied: the cache is left as it was) with `backup { dir }` set; then, timed with the wall
# clock:
#   1. `enlacectl backup create` as an operator (the data store, then the key vault), node serving;
#   2. a second backup right after (incremental: unchanged SST files are shared);
#   3. `enlacectl backup verify` (every file's checksum);
#   4. node stopped, `enlace-node --restore_from` into empty directories;
#   5. start-up of the restored node until its port file is written.
# Timings are printed, never checked.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
cache="${ENLACE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/enlace/bench}/1m"
if [[ "${1:-}" == "--quick" ]]; then
  cache="${ENLACE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/enlace/bench}/20k"
fi
if [[ ! -f "$cache/LOADED" ]]; then
  echo "run_backup.sh: no loaded store in $cache: run bash tests/bench/run.sh first" >&2
  exit 1
fi

bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //services/node:enlace-node //tools/enlacectl:enlacectl \
  //tools/devpki:enlace-devpki
work="$(mktemp -d "${TMPDIR:-/tmp}/enlace-backup-bench-XXXXXX")"
trap 'if [[ -n "${pid:-}" ]]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
# Copies, so that a concurrent rebuild cannot swap the binaries mid-run.
cp "$root/bazel-bin/services/node/enlace-node" "$root/bazel-bin/tools/enlacectl/enlacectl" \
  "$root/bazel-bin/tools/devpki/enlace-devpki" "$work/"
"$work/enlace-devpki" --out="$work/pki" --countries=MX \
  --clients="ops=spiffe://{cc}.enlace.example/role/operator/user/ops" >/dev/null

clone() {  # SST files are immutable: hard links; MANIFEST, WAL, OPTIONS copied
  mkdir -p "$2"
  for f in "$1"/*; do
    if [[ "$f" == *.sst ]]; then ln "$f" "$2/" 2>/dev/null || cp "$f" "$2/"; else cp "$f" "$2/"; fi
  done
}
clone "$cache/data" "$work/data"
clone "$cache/keys" "$work/keys"
{ cat deploy/config/mx.textproto; echo "backup { dir: \"$work/backups\" keep: 2 }"; } \
  >"$work/node.textproto"
node_args=(--config="$work/node.textproto" --data_dir="$work/data" --keys_dir="$work/keys"
           --master_key="$cache/master.key" --tls_dir="$work/pki/MX"
           --api_address=127.0.0.1:0 --port_file="$work/port")
ms() { date +%s%3N; }
start_node() {
  rm -f "$work/port"
  local t0; t0=$(ms)
  "$work/enlace-node" "${node_args[@]}" >>"$work/node.log" 2>&1 &
  pid=$!
  until [[ -s "$work/port" ]]; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/node.log" >&2; exit 1; }
    sleep 0.05
  done
  startup_ms=$(( $(ms) - t0 ))
}
ctl() {
  "$work/enlacectl" --server="localhost:$(head -1 "$work/port")" --tls_dir="$work/pki/MX" \
    --identity=ops --country=MX --timeout=30m "$@"
}

echo "revision: $(git rev-parse --short HEAD); $(date -u '+%Y-%m-%d %H:%M UTC'); store: $cache"
echo "$(head -1 "$cache/LOADED")"
echo "data dir: $(du -sh "$work/data" | cut -f1), key vault: $(du -sh "$work/keys" | cut -f1)"
start_node
echo "start-up on the clone: $startup_ms ms"
t0=$(ms); ctl backup create; t1=$(ms)
echo "backup 1 (full): $((t1 - t0)) ms"
t0=$(ms); ctl backup create; t1=$(ms)
echo "backup 2 (incremental, nothing changed): $((t1 - t0)) ms"
t0=$(ms); ctl backup verify 2; t1=$(ms)
echo "verify (checksums of every file): $((t1 - t0)) ms"
ctl backup list
echo "backup directories: data $(du -sh "$work/backups" | cut -f1)," \
  "vault $(du -sh "$work/backups.vault" | cut -f1)"
kill -TERM "$pid"; wait "$pid" || true; pid=""
node_args=(--config="$work/node.textproto" --data_dir="$work/restored" --keys_dir="$work/restored.keys"
           --master_key="$cache/master.key" --tls_dir="$work/pki/MX"
           --api_address=127.0.0.1:0 --port_file="$work/port")
t0=$(ms)
"$work/enlace-node" "${node_args[@]}" --restore_from="$work/backups" --backup_id=2
t1=$(ms)
echo "restore (verify, then copy data and vault): $((t1 - t0)) ms"
start_node
echo "start-up of the restored node: $startup_ms ms"
kill -TERM "$pid"; wait "$pid" || true; pid=""
