#!/usr/bin/env bash
# The notification benchmark of issue "Cross-border casework" (method and results:
# BENCHMARKS.md, "Consular notifications: host to the receiving post's inbox").
#
#   bash tests/bench/run_notifications.sh           # full run: 100 one at a time, then
#                                                   # 1,000/s offered for 60 s (open loop, fixed
#                                                   # rate), and the drain; reports p50/p99 to
#                                                   # the inbox and what was lost or duplicated
#   bash tests/bench/run_notifications.sh --quick   # smoke run: 10 one at a time, 200/s for 3 s
#   bash tests/bench/run_notifications.sh -- --rate=300 --load_seconds=10   # extra flags
#
# Builds //tests/bench:notification_bench with -c opt and runs it: two enlace-node child
# processes (MX host -> GT receiving) on loopback. The report (Markdown) goes to stdout and to a
# file under ${TMPDIR:-/tmp}. Timings are printed, never checked: the exit status only says it
# ran and every notification reached the inbox.
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
  args=(--unloaded=10 --rate=200 --load_seconds=3)
else
  args=(--unloaded=100 --rate=1000 --load_seconds=60)
fi

bazel="${BAZEL:-bazel}"
"$bazel" build -c opt //tests/bench:notification_bench
bin="$root/bazel-bin/tests/bench/notification_bench"
report="$(mktemp "${TMPDIR:-/tmp}/enlace-notifbench-$(date +%Y%m%d-%H%M%S)-XXXXXX.md")"
echo "run_notifications.sh: $bin ${args[*]} ${extra[*]+${extra[*]}}" >&2
{
  echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "($(git status --porcelain --untracked-files=no 2>/dev/null | wc -l) files modified in the" \
    "working tree); $(date -u '+%Y-%m-%d %H:%M UTC')"
  "$bin" "${args[@]}" "${extra[@]+"${extra[@]}"}"
} | tee "$report"
echo "run_notifications.sh: report saved to $report" >&2
