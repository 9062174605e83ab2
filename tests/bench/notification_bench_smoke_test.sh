#!/usr/bin/env bash
# Smoke run of //tests/bench:notification_bench: 2 notifications one at a time, then 20/s for
# one second. Passes when the benchmark exits 0 (every notification reached GT-TAP's inbox with
# its case) and prints every section of its report; timings are printed, never checked.
set -uo pipefail

bench="${TEST_SRCDIR:?}/enlace/tests/bench/notification_bench"
out="${TEST_TMPDIR:?}/bench.out"
"$bench" --unloaded=2 --rate=20 --load_seconds=1 --drain_timeout_seconds=120 \
  --work_dir="$TEST_TMPDIR/work" >"$out" 2>"$TEST_TMPDIR/bench.err"
rc=$?
cat "$out"
if [[ $rc -ne 0 ]]; then
  echo "FAIL: notification_bench exited with $rc; stderr:"
  tail -50 "$TEST_TMPDIR/bench.err"
  exit 1
fi
for section in "### Unloaded: 2 notifications" "| delivered at GT (receive_time) | 2 |" \
  "listed in GT-TAP's inbox with its case (polled)** | 2 |" "receipt back at the host" \
  "### Under load: 20 notifications/s offered for 1 s" "| cases opened at GT |" \
  "20 of 20 seen by the poller, 20 delivered, 20 with a case" "benchmark finished"; do
  if ! grep -qF -- "$section" "$out"; then
    echo "FAIL: the report lacks \"$section\""
    exit 1
  fi
done
if grep -q "ERROR" "$out"; then
  echo "FAIL: the report shows errors"
  exit 1
fi
echo "PASS: the notification benchmark ran end to end and printed its report"
