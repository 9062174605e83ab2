#!/usr/bin/env bash
# Smoke run of //tests/bench:federation_bench: half-second ceilings, 5 changes, a backlog of
# 2,000 envelopes. Passes when the benchmark exits 0, prints every section of its report and
# GT quarantined nothing; timings are printed, never checked.
set -uo pipefail

bench="${TEST_SRCDIR:?}/enlace/tests/bench/federation_bench"
out="${TEST_TMPDIR:?}/bench.out"
"$bench" --ceiling_seconds=0.5 --warmup_seconds=0.2 --rounds=1 --rocksdb_batches=1,64 \
  --latency_changes=5 --latency_gap_ms=5 --backlog=2000 --quiet_wait_seconds=0 \
  --drain_timeout_seconds=200 --work_dir="$TEST_TMPDIR/work" >"$out" 2>"$TEST_TMPDIR/bench.err"
rc=$?
cat "$out"
if [[ $rc -ne 0 ]]; then
  echo "FAIL: federation_bench exited with $rc; stderr:"
  tail -50 "$TEST_TMPDIR/bench.err"
  exit 1
fi
for section in "### Ceilings" "| gRPC bidi stream, mTLS" "| RocksDB WriteBatch, sync, 1 writer | 64 puts" \
  "Ed25519 on one core" "### Latency of one change" "| end to end" \
  "### Backlog after a partition: 2000 envelopes" "| quarantined on GT | 0 |" \
  "### Throughput vs the lower ceiling" "benchmark finished"; do
  if ! grep -qF -- "$section" "$out"; then
    echo "FAIL: the report lacks \"$section\""
    exit 1
  fi
done
if grep -q "ERROR" "$out"; then
  echo "FAIL: the report shows errors"
  exit 1
fi
echo "PASS: the federation benchmark ran end to end and printed its report"
