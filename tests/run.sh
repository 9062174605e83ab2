#!/usr/bin/env bash
# THE test command: installs what is missing (deploy/setup.sh), runs `bazel test`, and prints,
# as its last line, "N passed, N failed" counting test targets.
#
#   bash tests/run.sh                      # every test: bazel test //...
#   bash tests/run.sh //protos/... //common/...
#   bash tests/run.sh --test_filter=Foo.*  # options only: still //...
#
# On a full run (no target pattern) it then builds everything with clang's thread-safety
# analysis (`bazel build --config=clang //...`), reported and counted as one more target.
# Extra arguments go to `bazel test` unchanged. The whole output is kept in a log file under
# ${TMPDIR:-/tmp} (its path is printed just before the summary line).
# Exit status: 0 when every test target passed, non-zero otherwise.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1

log_dir="${TMPDIR:-/tmp}"
log="$(mktemp "$log_dir/enlace-test-$(date +%Y%m%d-%H%M%S)-XXXXXX.log")" || {
  echo "run.sh: cannot create a log file in $log_dir"
  echo "0 passed, 1 failed"
  exit 1
}

if ! bash deploy/setup.sh 2>&1 | tee -a "$log"; then
  echo "run.sh: deploy/setup.sh failed (log: $log)"
  echo "0 passed, 1 failed"
  exit 1
fi

# Target patterns: the arguments that are not options; //... when there are none.
args=("$@")
has_pattern=0
for a in "${args[@]+"${args[@]}"}"; do
  [[ "$a" != -* ]] && has_pattern=1
done
[[ $has_pattern -eq 1 ]] || args+=(//...)

bazel="${BAZEL:-bazel}"
echo "run.sh: $bazel test ${args[*]}  (log: $log)" | tee -a "$log"
# --keep_going: a target that fails to build is reported (FAILED TO BUILD / NO STATUS) and the
# other tests still run. --test_summary=short: one line per test target, parsed below.
"$bazel" test \
  --keep_going \
  --test_output=errors \
  --test_summary=short \
  --color=no --curses=no \
  "${args[@]}" 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}

# The thread-safety build: clang with -Werror=thread-safety checks every ABSL_GUARDED_BY (GCC
# ignores them; docs/static-analysis.md). It counts as one more target, reported like the
# tests: "//bazel/toolchains/clang:thread_safety_build PASSED|FAILED". It runs on full runs
# (no target pattern given, as in CI); ENLACE_CLANG_BUILD=1 forces it, =0 skips it. Its own
# output tree (bazel-out/k8-optclang) leaves the GCC build's untouched.
clang_build="${ENLACE_CLANG_BUILD:-}"
[[ -z "$clang_build" ]] && clang_build=$(( has_pattern == 0 ? 1 : 0 ))
if [[ "$clang_build" == 1 ]]; then
  echo "run.sh: $bazel build --config=clang --keep_going //...  (thread-safety analysis)" \
    | tee -a "$log"
  clang_start=$SECONDS
  "$bazel" build --config=clang --keep_going --color=no --curses=no //... 2>&1 \
    | grep -v '^INFO: From \|^\[[0-9,]* / [0-9,]*\]' | tee -a "$log.clang" \
    | grep -E 'error:|ERROR:|FAILED|warning: .*\[-Wthread-safety' | tee -a "$log"
  clang_rc=${PIPESTATUS[0]}
  clang_status=PASSED
  [[ $clang_rc -ne 0 ]] && clang_status=FAILED
  printf '%-60s %s in %ds\n' //bazel/toolchains/clang:thread_safety_build "$clang_status" \
    $(( SECONDS - clang_start )) | tee -a "$log"
  [[ $clang_rc -ne 0 ]] && echo "run.sh: clang build failed; its full output: $log.clang" \
    | tee -a "$log"
fi

# Summary lines, one per test target, e.g.
#   //common/ids:ids_test                          PASSED in 0.1s
#   //common/ids:ids_test                 (cached) PASSED in 0.1s
#   //x:y                                          FAILED in 2.0s | FAILED TO BUILD | TIMEOUT in
#   //x:y                                          NO STATUS | FLAKY, failed in 1 out of 2 in
# PASSED and FLAKY (passed on a retry; Bazel itself reports success) count as passed,
# every other status as failed. A target listed twice counts once (its last status).
counts="$(awk '
  /^\/\/[^ \t]+[ \t]+(\(cached\)[ \t]+)?(PASSED|FLAKY|FAILED|TIMEOUT|NO STATUS|INCOMPLETE|REMOTE FAILURE|SKIPPED)/ {
    status = $0
    sub(/^\/\/[^ \t]+[ \t]+/, "", status)
    sub(/^\(cached\)[ \t]+/, "", status)
    ok[$1] = (status ~ /^(PASSED|FLAKY)/) ? 1 : 0
  }
  END {
    p = 0; f = 0
    for (t in ok) { if (ok[t]) p++; else f++ }
    print p, f
  }' "$log")"
read -r passed failed <<<"$counts"

if [[ $rc -eq 4 && $passed -eq 0 && $failed -eq 0 ]]; then
  # Bazel exit code 4: the build succeeded but no test target matched the patterns.
  echo "run.sh: no test targets matched: ${args[*]}"
elif [[ $rc -ne 0 && $failed -eq 0 ]]; then
  # The build (or the bazel command itself) failed before any test reported a failure.
  echo "run.sh: bazel test exited with status $rc before any test failed (see $log)"
  failed=1
fi

echo "run.sh: full output in $log"
echo "$passed passed, $failed failed"
if [[ $failed -ne 0 ]]; then
  [[ $rc -ne 0 ]] && exit "$rc"
  exit 1
fi
exit 0
