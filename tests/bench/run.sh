#!/usr/bin/env bash
# The cases benchmark of issue #2 (method and results: BENCHMARKS.md).
#
#   bash tests/bench/run.sh            # full run: 5 rounds of 5 s steps and 1,000,000 cases:
#                                      # ~8 min; the first run also loads the cases (+6-8 min),
#                                      # reruns reuse them
#   bash tests/bench/run.sh --quick    # smoke run: 2 s per step, 20,000 cases (~1 min)
#   bash tests/bench/run.sh -- --callers=16 --parts=node   # extra flags go to cases_bench
#
# Builds //tests/bench:cases_bench with -c opt and runs it. The loaded store is kept in
# $ENLACE_BENCH_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/enlace/bench) so that reruns
# skip the bulk load. The report (Markdown tables) goes to stdout and to a file under
# ${TMPDIR:-/tmp}. Timings are printed, never checked: the exit status only says it ran.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

quick=0
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --) shift; extra+=("$@"); break ;;
    *) extra+=("$1") ;;
  esac
  shift
done

cache="${ENLACE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/enlace/bench}"
if [[ $quick -eq 1 ]]; then
  args=(--step_seconds=2 --warmup_seconds=0.5 --rounds=1 --million=20000 --list_calls=50
        --data_cache="$cache/20k")
else
  args=(--step_seconds=5 --warmup_seconds=1 --rounds=5 --million=1000000 --list_calls=200
        --data_cache="$cache/1m")
fi

bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //tests/bench:cases_bench
bin="$root/bazel-bin/tests/bench/cases_bench"
report="$(mktemp "${TMPDIR:-/tmp}/enlace-bench-$(date +%Y%m%d-%H%M%S)-XXXXXX.md")"
echo "run.sh: $bin ${args[*]} ${extra[*]+${extra[*]}}" >&2
{
  echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "($(git status --porcelain --untracked-files=no 2>/dev/null | wc -l) files modified in the" \
    "working tree); $(date -u '+%Y-%m-%d %H:%M UTC')"
  "$bin" "${args[@]}" "${extra[@]+"${extra[@]}"}"
} | tee "$report"
echo "run.sh: report saved to $report" >&2
