#!/usr/bin/env bash
# Smoke run of //tests/bench:cases_bench: one second per step, 2,000 cases instead of 1M.
# Passes when the benchmark exits 0 and prints every section of its report; timings are
# printed, never checked.
set -uo pipefail

bench="${TEST_SRCDIR:?}/enlace/tests/bench/cases_bench"
out="${TEST_TMPDIR:?}/bench.out"
"$bench" --step_seconds=1 --warmup_seconds=0.2 --callers=1,4 --rocksdb_threads=1,2 --rounds=1 \
  --ceiling_threads=2 --persons=20 --million=2000 --list_calls=5 --quiet_wait_seconds=0 --million_repeats=1 \
  --work_dir="$TEST_TMPDIR/work" >"$out" 2>"$TEST_TMPDIR/bench.err"
rc=$?
cat "$out"
if [[ $rc -ne 0 ]]; then
  echo "FAIL: cases_bench exited with $rc; stderr:"
  cat "$TEST_TMPDIR/bench.err"
  exit 1
fi
for section in "### Ceilings" "| gRPC echo, mTLS | 4 |" "| RocksDB WriteBatch, sync | 2 |" \
  "### Node: CreateCase + AddAction" "### Node vs the lower ceiling" "2000 cases loaded" \
  "| post + status |" "| person |" "node resident memory: VmRSS" "benchmark finished"; do
  if ! grep -qF -- "$section" "$out"; then
    echo "FAIL: the report lacks \"$section\""
    exit 1
  fi
done
# Every step must have done some work, and no call may have failed.
if grep -q "ERROR:\|first error" "$out"; then
  echo "FAIL: the report shows errors"
  exit 1
fi
echo "PASS: the benchmark ran end to end and printed its report"
