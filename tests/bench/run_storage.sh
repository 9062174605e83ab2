#!/usr/bin/env bash
# The cases benchmark's node part (CreateCase + AddAction over mTLS, an in-process node,
# synced commits) on both stores in one run: the embedded RocksDB store, then the PostgreSQL
# store on a throwaway local PostgreSQL 15 (unix socket, fsync and synchronous_commit on:
# ENLACE_TEST_POSTGRES_DURABLE=1). Results: BENCHMARKS.md, "Storage backends".
#
#   bash tests/bench/run_storage.sh           # 3 rounds of 5 s steps at 1, 16 and 64 callers
#   bash tests/bench/run_storage.sh --quick   # 1 round of 2 s steps
#   bash tests/bench/run_storage.sh -- --callers=16   # extra flags go to cases_bench
#
# Timings are printed, never checked: the exit status only says it ran.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
args=(--parts=node --step_seconds=5 --warmup_seconds=1 --rounds=3)
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) args=(--parts=node --step_seconds=2 --warmup_seconds=0.5 --rounds=1) ;;
    --) shift; extra+=("$@"); break ;;
    *) extra+=("$1") ;;
  esac
  shift
done

bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //tests/bench:cases_bench
work="$(mktemp -d "${TMPDIR:-/tmp}/enlace-storage-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# A copy with its runfiles, so that a concurrent rebuild cannot swap the binary mid-run.
cp -rL "$root/bazel-bin/tests/bench/cases_bench.runfiles" "$work/runfiles"
cp "$root/bazel-bin/tests/bench/cases_bench" "$work/"
export TEST_SRCDIR="$work/runfiles"

echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "($(git status --porcelain --untracked-files=no 2>/dev/null | wc -l) files modified in the" \
  "working tree); $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores"
for store in rocksdb postgres; do
  echo
  echo "### store: $store"
  if [[ "$store" == postgres ]]; then
    ENLACE_TEST_STORE=postgres ENLACE_TEST_POSTGRES_DURABLE=1 \
      "$work/cases_bench" "${args[@]}" --work_dir="$work/$store" "${extra[@]+"${extra[@]}"}"
  else
    env -u ENLACE_TEST_STORE \
      "$work/cases_bench" "${args[@]}" --work_dir="$work/$store" "${extra[@]+"${extra[@]}"}"
  fi
done
