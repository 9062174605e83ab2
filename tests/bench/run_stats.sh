#!/usr/bin/env bash
# The statistics benchmark of issue #12 (method and results: BENCHMARKS.md).
#
#   bash tests/bench/run_stats.sh           # 1,000,000 cases over 60 months; 11 members x 120 months
#   bash tests/bench/run_stats.sh --quick   # 100,000 cases; 11 x 24
#
# Timings are printed, never checked.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
args=(--cases=1000000 --months=60 --members=11 --member_months=120)
[[ "${1:-}" == "--quick" ]] && args=(--cases=100000 --months=60 --members=11 --member_months=24)
bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //tests/bench:stats_bench
echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
"$root/bazel-bin/tests/bench/stats_bench" "${args[@]}"
