#!/usr/bin/env bash
# Smoke run of //tests/bench:security_bench: one round of half-second steps, 1 and 2 callers,
# 10 persons. Passes when the benchmark exits 0, prints every section of its report and no call
# failed; timings are printed, never checked.
set -uo pipefail

bench="${TEST_SRCDIR:?}/enlace/tests/bench/security_bench"
out="${TEST_TMPDIR:?}/bench.out"
"$bench" --step_seconds=0.5 --warmup_seconds=0.2 --rounds=1 --callers=1,2 --target_callers=2 \
  --persons=10 --quiet_wait_seconds=0 --work_dir="$TEST_TMPDIR/work" \
  >"$out" 2>"$TEST_TMPDIR/bench.err"
rc=$?
cat "$out"
if [[ $rc -ne 0 ]]; then
  echo "FAIL: security_bench exited with $rc; stderr:"
  tail -50 "$TEST_TMPDIR/bench.err"
  exit 1
fi
for section in "| CreateCase | 2 | on |" "| CreateCase | 2 | off |" "| GetCase | 2 | on |" \
  "| GetCase | 2 | off |" "### Ratios" "### What an audited read costs" "benchmark finished"; do
  if ! grep -qF -- "$section" "$out"; then
    echo "FAIL: the report lacks \"$section\""
    exit 1
  fi
done
if grep -q "first error" "$out"; then
  echo "FAIL: some calls failed"
  exit 1
fi
echo "PASS: the security benchmark ran end to end and printed its report"
