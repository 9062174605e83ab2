#!/usr/bin/env bash
# The federation benchmark of issue #3 (method and results: BENCHMARKS.md).
#
#   bash tests/bench/run_federation.sh            # full run: ceilings (3 rounds of 8 s), latency
#                                                 # of 100 changes, backlog of 1,000,000 envelopes
#                                                 # (~6-10 min; needs ~6 GB free under $TMPDIR)
#   bash tests/bench/run_federation.sh --quick    # smoke run: 2 s ceilings, 20 changes, 20,000
#                                                 # envelopes (~1 min)
#   bash tests/bench/run_federation.sh -- --backlog=200000 --parts=backlog   # extra flags
#
# Builds //tests/bench:federation_bench with -c opt and runs it: two enlace-node child
# processes (MX -> GT) on loopback. The report (Markdown tables) goes to stdout and to a file
# under ${TMPDIR:-/tmp}. Timings are printed, never checked: the exit status only says it ran.
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

if [[ $quick -eq 1 ]]; then
  args=(--ceiling_seconds=2 --warmup_seconds=0.5 --rounds=1 --latency_changes=20
        --backlog=20000 --quiet_wait_seconds=5)
else
  args=(--ceiling_seconds=8 --warmup_seconds=1 --rounds=3 --latency_changes=100
        --backlog=1000000 --quiet_wait_seconds=15)
fi

bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //tests/bench:federation_bench
bin="$root/bazel-bin/tests/bench/federation_bench"
report="$(mktemp "${TMPDIR:-/tmp}/enlace-fedbench-$(date +%Y%m%d-%H%M%S)-XXXXXX.md")"
echo "run_federation.sh: $bin ${args[*]} ${extra[*]+${extra[*]}}" >&2
{
  echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "($(git status --porcelain --untracked-files=no 2>/dev/null | wc -l) files modified in the" \
    "working tree); $(date -u '+%Y-%m-%d %H:%M UTC')"
  "$bin" "${args[@]}" "${extra[@]+"${extra[@]}"}"
} | tee "$report"
echo "run_federation.sh: report saved to $report" >&2
