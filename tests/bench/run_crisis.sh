#!/usr/bin/env bash
# The crisis benchmark of issue #10 (method and results: BENCHMARKS.md), beside the same run's
# ceilings of this machine.
#
#   bash tests/bench/run_crisis.sh            # 100,000 registrations, 5,000 cases, 16 callers
#   bash tests/bench/run_crisis.sh --quick    # 10,000 registrations, 500 cases, 3 s of notes
#
# First the ceilings (a bare gRPC echo over the node's mTLS setup and bare synced RocksDB
# WriteBatches, from //tests/bench:cases_bench --parts=echo,rocksdb), then
# //tests/bench:crisis_bench. Timings are printed, never checked.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
args=(--registrations=100000 --cases=5000 --callers=16 --note_seconds=10)
ceiling=(--parts=echo,rocksdb --step_seconds=5 --warmup_seconds=1 --rounds=1)
if [[ "${1:-}" == "--quick" ]]; then
  args=(--registrations=10000 --cases=500 --callers=16 --note_seconds=3)
  ceiling=(--parts=echo,rocksdb --step_seconds=2 --warmup_seconds=0.5 --rounds=1)
fi
bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //tests/bench:crisis_bench //tests/bench:cases_bench
echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "### Ceilings (same run)"
"$root/bazel-bin/tests/bench/cases_bench" "${ceiling[@]}"
echo
"$root/bazel-bin/tests/bench/crisis_bench" "${args[@]}"
