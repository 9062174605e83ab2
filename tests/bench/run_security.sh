#!/usr/bin/env bash
# The security-cost benchmark of issue #4 (method and results: BENCHMARKS.md).
#
#   bash tests/bench/run_security.sh            # full run: 5 interleaved rounds of 6 s steps,
#                                               # 1 and 16 callers (~6 min)
#   bash tests/bench/run_security.sh --quick    # smoke run: 1 round of 2 s steps (~40 s)
#   bash tests/bench/run_security.sh -- --callers=16,64   # extra flags go to security_bench
#
# Builds //tests/bench:security_bench with -c opt and runs it: two in-process nodes, security
# on (default) and off (security.disable_sealing, security.disable_read_audit), the same
# callers against each in turn. The report goes to stdout and to a file under ${TMPDIR:-/tmp}.
# Timings are printed, never checked: the exit status only says it ran.
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
  args=(--step_seconds=2 --warmup_seconds=0.5 --rounds=1 --quiet_wait_seconds=5)
else
  args=(--step_seconds=6 --warmup_seconds=1 --rounds=5 --quiet_wait_seconds=15)
fi

bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //tests/bench:security_bench
bin="$root/bazel-bin/tests/bench/security_bench"
report="$(mktemp "${TMPDIR:-/tmp}/enlace-secbench-$(date +%Y%m%d-%H%M%S)-XXXXXX.md")"
echo "run_security.sh: $bin ${args[*]} ${extra[*]+${extra[*]}}" >&2
{
  echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "($(git status --porcelain --untracked-files=no 2>/dev/null | wc -l) files modified in the" \
    "working tree); $(date -u '+%Y-%m-%d %H:%M UTC')"
  "$bin" "${args[@]}" "${extra[@]+"${extra[@]}"}"
} | tee "$report"
echo "run_security.sh: report saved to $report" >&2
