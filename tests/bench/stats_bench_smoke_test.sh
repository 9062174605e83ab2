#!/usr/bin/env bash
# Smoke run of //tests/bench:stats_bench with tiny settings. Passes when the benchmark exits 0
# and prints every step of its report; timings are printed, never checked.
set -uo pipefail

bench="${TEST_SRCDIR:?}/enlace/tests/bench/stats_bench"
out="${TEST_TMPDIR:?}/bench.out"
"$bench" --cases=20000 --months=6 --members=3 --member_months=6 \
  --work_dir="$TEST_TMPDIR/work" >"$out" 2>"$TEST_TMPDIR/bench.err"
rc=$?
cat "$out"
if [[ $rc -ne 0 ]]; then
  echo "FAIL: stats_bench exited with $rc; stderr:"
  tail -50 "$TEST_TMPDIR/bench.err"
  exit 1
fi
for section in "| counters of 20000 cases over 6 months" "one month's release" \
  "| ceiling: bare RocksDB prefix scan" "| secretariat: 18 releases received" \
  "| regional view of one month, 3 members" "| regional view of all 6 months" \
  "benchmark finished"; do
  if ! grep -qF -- "$section" "$out"; then
    echo "FAIL: the report lacks \"$section\""
    exit 1
  fi
done
if grep -q "ERROR" "$out" "$TEST_TMPDIR/bench.err"; then
  echo "FAIL: the run shows errors"
  exit 1
fi
echo "PASS: the statistics benchmark ran end to end and printed its report"
