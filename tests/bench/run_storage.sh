#!/usr/bin/env bash
# The cases and federation benchmarks on both stores in one run (issue 14): the embedded
# RocksDB store, then the PostgreSQL store on a throwaway local PostgreSQL 15 (unix socket,
# fsync and synchronous_commit on). Results: BENCHMARKS.md, "Storage backends".
#   1. cases_bench --parts=node: CreateCase + AddAction over mTLS, an in-process node, synced
#      commits, at 1, 16 and 64 callers (ENLACE_TEST_STORE=postgres ENLACE_TEST_POSTGRES_DURABLE=1
#      for the PostgreSQL store);
#   2. federation_bench --store=...: two enlace-node processes (MX -> GT), the latency of single
#      changes and the catch-up of a backlog, each node on that store; the stream and RocksDB
#      ceilings of the same machine are measured in the RocksDB run.
#
#   bash tests/bench/run_storage.sh           # 3 rounds of 5 s steps; backlog of 200,000
#   bash tests/bench/run_storage.sh --quick   # 1 round of 2 s steps; backlog of 20,000
#   bash tests/bench/run_storage.sh --replicated   # also on the replicated PostgreSQL of
#                                                  # tests/ha/ha_cluster.sh (Patroni, a
#                                                  # synchronous standby, three etcd)
#   bash tests/bench/run_storage.sh -- --callers=16   # extra flags go to cases_bench
#
# Timings are printed, never checked: the exit status only says it ran.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
args=(--parts=node --step_seconds=5 --warmup_seconds=1 --rounds=3)
fed_args=(--latency_changes=100 --backlog=200000 --quiet_wait_seconds=15 --ceiling_seconds=8
          --warmup_seconds=1 --rounds=3)
extra=()
replicated=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --replicated) replicated=1 ;;
    --quick)
      args=(--parts=node --step_seconds=2 --warmup_seconds=0.5 --rounds=1)
      fed_args=(--latency_changes=20 --backlog=20000 --quiet_wait_seconds=5 --ceiling_seconds=2
                --warmup_seconds=0.5 --rounds=1)
      ;;
    --) shift; extra+=("$@"); break ;;
    *) extra+=("$1") ;;
  esac
  shift
done

bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //tests/bench:cases_bench //tests/bench:federation_bench
work="$(mktemp -d "${TMPDIR:-/tmp}/enlace-storage-bench-XXXXXX")"
stores=(rocksdb postgres)
ha_dir=""
cleanup() {
  [[ -n "$ha_dir" ]] && bash tests/ha/ha_cluster.sh stop "$ha_dir" >/dev/null 2>&1
  [[ -n "$ha_dir" ]] && rm -rf "$ha_dir"
  rm -rf "$work"
}
trap cleanup EXIT
conninfo=""
if [[ $replicated -eq 1 ]]; then
  # Under /tmp: PostgreSQL runs as nobody, who cannot reach a TMPDIR under /root.
  ha_dir="$(mktemp -d /tmp/enlace-ha-XXXXXX)"
  if ! bash tests/ha/ha_cluster.sh start "$ha_dir" >"$ha_dir/start.out" 2>&1; then
    cat "$ha_dir/start.out" >&2
    exit 1
  fi
  conninfo="$(sed -n "s/^CONNINFO='\(.*\)'$/\1/p" "$ha_dir/cluster.env")"
  stores+=(replicated)
fi
# Copies with their runfiles, so that a concurrent rebuild cannot swap a binary mid-run.
for b in cases_bench federation_bench; do
  mkdir -p "$work/$b.d"
  cp -rL "$root/bazel-bin/tests/bench/$b.runfiles" "$work/$b.d/runfiles"
  cp "$root/bazel-bin/tests/bench/$b" "$work/$b.d/"
done

echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "($(git status --porcelain --untracked-files=no 2>/dev/null | wc -l) files modified in the" \
  "working tree); $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores"
for store in "${stores[@]}"; do
  echo
  echo "### cases, store: $store"
  if [[ "$store" == replicated ]]; then
    TEST_SRCDIR="$work/cases_bench.d/runfiles" ENLACE_TEST_STORE=postgres \
      ENLACE_TEST_POSTGRES_CONNINFO="$conninfo" "$work/cases_bench.d/cases_bench" "${args[@]}" \
      --work_dir="$work/cases-$store" "${extra[@]+"${extra[@]}"}"
  elif [[ "$store" == postgres ]]; then
    TEST_SRCDIR="$work/cases_bench.d/runfiles" ENLACE_TEST_STORE=postgres \
      ENLACE_TEST_POSTGRES_DURABLE=1 "$work/cases_bench.d/cases_bench" "${args[@]}" \
      --work_dir="$work/cases-$store" "${extra[@]+"${extra[@]}"}"
  else
    env -u ENLACE_TEST_STORE TEST_SRCDIR="$work/cases_bench.d/runfiles" \
      "$work/cases_bench.d/cases_bench" "${args[@]}" --work_dir="$work/cases-$store" \
      "${extra[@]+"${extra[@]}"}"
  fi
done
for store in "${stores[@]}"; do
  echo
  echo "### federation, store: $store"
  parts=latency,backlog
  [[ "$store" == rocksdb ]] && parts=ceilings,latency,backlog
  engine=(--store="$store")
  [[ "$store" == replicated ]] && engine=(--store=postgres --postgres_conninfo="$conninfo")
  env -u ENLACE_TEST_STORE TEST_SRCDIR="$work/federation_bench.d/runfiles" \
    "$work/federation_bench.d/federation_bench" "${fed_args[@]}" --parts="$parts" \
    "${engine[@]}" --work_dir="$work/federation-$store"
done
