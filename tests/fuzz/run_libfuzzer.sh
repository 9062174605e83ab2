#!/usr/bin/env bash
# The long fuzzing run: builds the fuzz targets of tests/fuzz with clang, libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer (directly with clang++, not through Bazel,
# whose toolchain here is gcc) and runs each under libFuzzer for a while.
#
#   tests/fuzz/run_libfuzzer.sh [TARGET|all] [SECONDS]       # default: all, 60 s each
#   tests/fuzz/run_libfuzzer.sh envelope 3600
#   tests/fuzz/run_libfuzzer.sh envelope -- -runs=0 crash-xyz  # extra args go to libFuzzer
#
# TARGET is one of: envelope page_token request_validation config.
# Needs clang++ and libclang-rt-14-dev (deploy/setup.sh installs both), Bazel (to generate
# the protobuf sources, //protos:all, and to list each target's sources with bazel query),
# and the system libraries (pkg-config grpc++ protobuf openssl, Abseil, RocksDB).
#
# Everything goes under $FUZZ_OUT (default ${TMPDIR:-/tmp}/enlace-libfuzzer):
#   obj/ bin/        objects (reused while newer than every source and header) and binaries
#   corpus/TARGET/   the growing corpus (the checked-in seeds in tests/fuzz/corpus/TARGET
#                    are read, never written)
#   artifacts/TARGET/ crash-*, leak-*, timeout-* inputs; reproduce one with
#                    bin/TARGET_fuzzer FILE, or with the gcc build:
#                    bazel-bin/tests/fuzz/TARGET_fuzz_test FILE
#   logs/TARGET.log  libFuzzer's output; the summary (execs/s, coverage) is printed at the end
# Exit status: non-zero when a target crashed, leaked, timed out or failed to build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

all_targets=(envelope crisis_envelope page_token request_validation config)
which="${1:-all}"
seconds="${2:-60}"
shift $(( $# > 2 ? 2 : $# ))
[[ "${1:-}" == "--" ]] && shift
extra=("$@")

if [[ "$which" == "all" ]]; then
  targets=("${all_targets[@]}")
else
  case " ${all_targets[*]} " in
    *" $which "*) targets=("$which") ;;
    *) echo "unknown target '$which' (one of: ${all_targets[*]}, all)" >&2; exit 2 ;;
  esac
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "SECONDS must be a number" >&2; exit 2; }

CXX="${CXX:-clang++}"
if ! command -v "$CXX" >/dev/null; then
  echo "$CXX not found: apt-get install clang libclang-rt-14-dev (deploy/setup.sh does)" >&2
  exit 2
fi
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
     "$CXX" -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
  echo "$CXX cannot link -fsanitize=fuzzer: apt-get install libclang-rt-14-dev" >&2
  exit 2
fi

out="${FUZZ_OUT:-${TMPDIR:-/tmp}/enlace-libfuzzer}"
mkdir -p "$out"/{obj,bin,logs}
jobs="$(nproc)"

echo "== generating protobuf sources (bazel build //protos:all)"
bazel build //protos:all >/dev/null 2>&1 || bazel build //protos:all
gen="$(bazel info bazel-bin 2>/dev/null)/protos"

# Clang refuses `namespace v1 = ::enlace::X::v1;` written inside namespace enlace::X (an alias
# with the name of the namespace it denotes, in the scope that already declares it; gcc accepts
# it, and it is redundant there). Such files are compiled from a copy without that line, in
# $out/shadow, which comes first on the include path. Nothing else differs.
shadow="$out/shadow"
mkdir -p "$shadow"
while IFS= read -r f; do
  ns="$(sed -nE 's/^namespace v1 = ::enlace::([a-z_]+)::v1;.*/\1/p' "$f" | head -n 1)"
  grep -q "^namespace enlace::$ns {" "$f" || continue
  mkdir -p "$shadow/$(dirname "$f")"
  sed -E "/^namespace v1 = ::enlace::$ns::v1;/d" "$f" >"$shadow/$f.tmp"
  if cmp -s "$shadow/$f.tmp" "$shadow/$f"; then rm "$shadow/$f.tmp"; else mv "$shadow/$f.tmp" "$shadow/$f"; fi
  echo "   note: $f compiled without its 'namespace v1 = ::enlace::$ns::v1;' (clang rejects it)"
done < <(grep -rlE '^namespace v1 = ::enlace::[a-z_]+::v1;' common services --include='*.h' --include='*.cc')

common_flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer
              -fsanitize=address,undefined -fno-sanitize-recover=undefined
              -I"$shadow" -I"$root" -I"$gen" -Wno-deprecated-declarations)
absl_modules=(absl_strings absl_str_format absl_status absl_statusor absl_synchronization
              absl_time absl_hash absl_random_random)
read -r -a libs <<<"$(pkg-config --libs grpc++ protobuf openssl "${absl_modules[@]}") -lrocksdb -lpthread"

# Objects are rebuilt when older than their source or than the newest header of the project.
newest_header="$(find common services tests/fuzz "$gen" "$shadow" \( -name '*.h' -o -name '*.inc' \) \
                 -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)"

export CXX newest_header
export common_flags_str="${common_flags[*]}"

sources_of() {  # the project sources a target links, from its Bazel test target
  bazel query "deps(//tests/fuzz:$1_fuzz_test)" --output=label 2>/dev/null |
    grep -E '^//.*\.cc$' | grep -v '^//tests/fuzz:' |
    while read -r label; do
      local pkg="${label#//}"; pkg="${pkg%%:*}"; local file="${label#*:}"
      if [[ "$file" == *.pb.cc ]]; then
        echo "$gen/$file"
      elif [[ -f "$shadow/$pkg/$file" ]]; then
        echo "$shadow/$pkg/$file"
      else
        echo "$pkg/$file"
      fi
    done
}

build() {  # build TARGET -> $out/bin/TARGET_fuzzer
  local t="$1" srcs objs=() pairs=()
  mapfile -t srcs < <(sources_of "$t"; echo "tests/fuzz/${t}_fuzzer.cc")
  for s in "${srcs[@]}"; do
    local rel="${s#"$root"/}"; rel="${rel#"$gen"/}"; rel="${rel#"$shadow"/}"
    local o="$out/obj/${rel//\//_}.o"
    objs+=("$o"); pairs+=("$s" "$o")
  done
  printf '%s\0%s\0' "${pairs[@]}" |
    xargs -0 -n 2 -P "$jobs" bash -c 'read -r -a f <<<"$common_flags_str"; src="$0"; obj="$1";
      if [[ -f "$obj" && "$obj" -nt "$src" && "$obj" -nt "$newest_header" ]]; then exit 0; fi
      echo "   compiling ${src##*/bin/}"; "$CXX" "${f[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"'
  "$CXX" "${common_flags[@]}" -fsanitize=fuzzer "${objs[@]}" "${libs[@]}" -o "$out/bin/${t}_fuzzer"
}

declare -A status summary
failed=0
for t in "${targets[@]}"; do
  echo "== building ${t}_fuzzer"
  if ! build "$t"; then
    status[$t]="BUILD FAILED"; failed=1; continue
  fi
  mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
  work="$(mktemp -d "${TMPDIR:-/tmp}/enlace-fuzz-$t-XXXXXX")"  # the target's temp files
  echo "== fuzzing $t for ${seconds}s (log: $out/logs/$t.log)"
  set +e
  TMPDIR="$work" \
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    "$out/bin/${t}_fuzzer" \
      -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2560 \
      -max_len=8192 -dict="tests/fuzz/dicts/$t.dict" -artifact_prefix="$out/artifacts/$t/" \
      "${extra[@]}" "$out/corpus/$t" "tests/fuzz/corpus/$t" >"$out/logs/$t.log" 2>&1
  rc=$?
  set -e
  rm -rf "$work"
  last="$(grep -E '^#[0-9]+' "$out/logs/$t.log" | tail -n 1 || true)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$t.log")"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/logs/$t.log")"
  rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$out/logs/$t.log")"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  corp="$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")"
  summary[$t]="execs ${execs:-?}, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, peak rss ${rss:-?} MB"
  if [[ $rc -eq 0 ]]; then
    status[$t]="ok"
  else
    status[$t]="FAILED (status $rc; see the log and $out/artifacts/$t/)"
    failed=1
    grep -E 'ERROR|SUMMARY|invariant|runtime error' "$out/logs/$t.log" | head -n 20 || true
  fi
done

echo
echo "== libFuzzer summary (${seconds}s per target; outputs in $out)"
for t in "${targets[@]}"; do
  printf '%-20s %s  %s\n' "$t" "${status[$t]}" "${summary[$t]:-}"
done
exit "$failed"
