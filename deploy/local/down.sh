#!/usr/bin/env bash
# Stops the local federation's nodes (those up.sh started under run/): SIGTERM, then waits for
# each to drain and close its store. --purge also deletes run/ (data, PKI, logs, binaries).
#
#   bash deploy/local/down.sh [--purge]
#
# ENLACE_STOP_TIMEOUT (default 60 s) bounds the wait; a node still running then gets SIGKILL
# (its acknowledged writes survive that too, but the log says so).
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    -h|--help) usage "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument $arg (--purge or nothing)" ;;
  esac
done
TIMEOUT="${ENLACE_STOP_TIMEOUT:-60}"

declare -A PIDS=() LOGSIZE=()
running=0
for cc in $(known_countries); do
  if pid="$(node_pid "$cc")"; then
    PIDS[$cc]=$pid
    running=$((running + 1))
  else
    rm -f "$(node_dir "$cc")/node.pid"
  fi
done

if [[ $running -eq 0 ]]; then
  say "no node is running"
else
  for cc in "${!PIDS[@]}"; do
    # Where the log ends now: only this stop's messages are looked at below.
    LOGSIZE[$cc]=$(stat -c %s "$(node_dir "$cc")/node.log" 2>/dev/null || echo 0)
    kill -TERM "${PIDS[$cc]}" 2>/dev/null || true
    say "$cc: SIGTERM to pid ${PIDS[$cc]}"
  done
  # All were signalled at once; now wait for each (they drain in parallel).
  deadline=$((SECONDS + TIMEOUT))
  failed=0
  for cc in $(printf '%s\n' "${!PIDS[@]}" | sort); do
    pid=${PIDS[$cc]}
    while kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.2; done
    log="$(node_dir "$cc")/node.log"
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      say "$cc: still running after ${TIMEOUT}s; sent SIGKILL (see run/$(lower "$cc")/node.log)"
      failed=1
    elif tail -c +"$((LOGSIZE[$cc] + 1))" "$log" 2>/dev/null | grep -q 'store closed cleanly'; then
      say "$cc: stopped (store closed cleanly)"
    else
      say "$cc: stopped, but the log does not say the store closed cleanly:"
      tail -c +"$((LOGSIZE[$cc] + 1))" "$log" 2>/dev/null | tail -n 5 | sed 's/^/    /'
      failed=1
    fi
    rm -f "$(node_dir "$cc")/node.pid" "$(node_dir "$cc")/ports"
  done
  [[ $failed -eq 0 ]] || [[ $PURGE -eq 1 ]] || exit 1
fi

if [[ $PURGE -eq 1 ]]; then
  # Only the runner's own directory, resolved from this script's location.
  rm -rf -- "$RUN"
  say "deleted $RUN"
fi
