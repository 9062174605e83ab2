#!/usr/bin/env bash
# `buf breaking` of protos/ against the last released protos, protos/baseline/v1.binpb (a buf
# image; protos/README.md says how it was made and when to replace it). The FILE rules of
# buf.yaml: no field, message, enum value or method of a released proto may be removed,
# renumbered, retyped or renamed; additive changes pass, which is how nodes of different
# releases keep federating. Offline; buf missing is a FAILURE, never a skip.
set -euo pipefail

if [[ -n "${TEST_SRCDIR:-}" && -f "$TEST_SRCDIR/enlace/protos/buf.yaml" ]]; then
  dir="$TEST_SRCDIR/enlace/protos"
elif [[ -f "$PWD/protos/buf.yaml" ]]; then
  dir="$PWD/protos"
else
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fi
baseline="$dir/baseline/v1.binpb"
for f in "$dir/buf.yaml" "$baseline"; do
  if [[ ! -f "$f" ]]; then
    echo "FAIL: $f not found"
    exit 1
  fi
done

buf=""
if [[ -x /usr/local/bin/buf ]]; then
  buf=/usr/local/bin/buf
elif command -v buf >/dev/null 2>&1; then
  buf="$(command -v buf)"
else
  echo "FAIL: the buf CLI is not installed (looked at /usr/local/bin/buf and PATH=$PATH)."
  echo "      Install it with: sudo bash deploy/setup.sh"
  exit 1
fi

tmp="${TEST_TMPDIR:-$(mktemp -d)}"
export BUF_CACHE_DIR="$tmp/buf-cache"
export HOME="$tmp"
mkdir -p "$BUF_CACHE_DIR"
cd "$dir"

# The baseline must hold the federation wire protocol, or the check below proves nothing.
# (Listed into a variable first: grep -q ending the pipe early would fail it under pipefail.)
listed="$("$buf" ls-files "$baseline" 2>&1 || true)"
if ! grep -q 'enlace/federation/v1/federation.proto' <<<"$listed"; then
  echo "$listed" | head -n 5
  echo "FAIL: $baseline does not hold enlace/federation/v1/federation.proto"
  exit 1
fi

# The check must be able to fail: a copy of the protos with a released field removed from
# the Hello has to be reported as breaking.
mutant="$tmp/mutant"
rm -rf "$mutant"
mkdir -p "$mutant"
cp -rL "$dir/enlace" "$dir/google" "$dir/buf.yaml" "$mutant/"
chmod -R u+w "$mutant"
sed -i 's/^  string receiver = 2;$/  reserved 2;/' "$mutant/enlace/federation/v1/federation.proto"
if ! grep -q '^  reserved 2;$' "$mutant/enlace/federation/v1/federation.proto"; then
  echo "FAIL: could not make the mutant (Hello.receiver not found)"
  exit 1
fi
if (cd "$mutant" && "$buf" breaking . --against "$baseline" >/dev/null 2>&1); then
  echo "FAIL: buf breaking did not notice Hello.receiver removed: the check is blind"
  exit 1
fi
echo "buf breaking catches a removed released field (Hello.receiver)"

echo "buf $("$buf" --version 2>&1 | tail -n 1): buf breaking $dir --against baseline/v1.binpb"
if "$buf" breaking . --against "$baseline" --error-format=text; then
  echo "PASS: no breaking change against the last released protos"
else
  rc=$?
  echo "FAIL: buf breaking exited with status $rc (each change above as file:line:column:message)."
  echo "      Make the change additive (new field numbers, reserve removed ones) so that nodes"
  echo "      of the released version keep federating with this one."
  exit 1
fi
