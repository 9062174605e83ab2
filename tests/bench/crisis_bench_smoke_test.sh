#!/usr/bin/env bash
# Smoke run of //tests/bench:crisis_bench with tiny settings. Passes when the benchmark exits 0
# and prints every step of its report; timings are printed, never checked.
set -uo pipefail

bench="${TEST_SRCDIR:?}/enlace/tests/bench/crisis_bench"
out="${TEST_TMPDIR:?}/bench.out"
"$bench" --registrations=1200 --cases=20 --callers=4 --note_seconds=1 \
  --work_dir="$TEST_TMPDIR/work" >"$out" 2>"$TEST_TMPDIR/bench.err"
rc=$?
cat "$out"
if [[ $rc -ne 0 ]]; then
  echo "FAIL: crisis_bench exited with $rc; stderr:"
  tail -50 "$TEST_TMPDIR/bench.err"
  exit 1
fi
for section in "| load | 1200 registrations imported" "| declare to full worklist | 1220 subjects" \
  "all 1220 entries paged" "| worklist first page of 100, idle |" "| welfare notes, 4 callers |" \
  "while notes stream in |" "benchmark finished"; do
  if ! grep -qF -- "$section" "$out"; then
    echo "FAIL: the report lacks \"$section\""
    exit 1
  fi
done
if grep -q "ERROR" "$out" "$TEST_TMPDIR/bench.err"; then
  echo "FAIL: the run shows errors"
  exit 1
fi
echo "PASS: the crisis benchmark ran end to end and printed its report"
