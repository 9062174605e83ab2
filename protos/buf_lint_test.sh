#!/usr/bin/env bash
# `buf lint` over protos/ with protos/buf.yaml (the vendored google/ protos are ignored there;
# google/protobuf/*.proto imports are buf's built-in well-known types). Offline: buf.yaml must
# declare no deps (those would be fetched from the Buf Schema Registry).
# buf missing is a FAILURE (never a skip): install it with deploy/setup.sh.
set -euo pipefail

# The protos directory: the runfiles tree under bazel test, else this script's directory.
if [[ -n "${TEST_SRCDIR:-}" && -f "$TEST_SRCDIR/enlace/protos/buf.yaml" ]]; then
  dir="$TEST_SRCDIR/enlace/protos"
elif [[ -f "$PWD/protos/buf.yaml" ]]; then
  dir="$PWD/protos"
else
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fi
if [[ ! -f "$dir/buf.yaml" ]]; then
  echo "FAIL: protos/buf.yaml not found (looked in $dir)"
  exit 1
fi

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

if grep -Eq '^[[:space:]]*deps[[:space:]]*:' "$dir/buf.yaml"; then
  echo "FAIL: protos/buf.yaml declares deps; buf would fetch them from the network."
  echo "      Vendor the protos instead (as protos/google/rpc is)."
  exit 1
fi

tmp="${TEST_TMPDIR:-$(mktemp -d)}"
export BUF_CACHE_DIR="$tmp/buf-cache"
export HOME="$tmp"  # keep buf away from the real home (config, netrc)
mkdir -p "$BUF_CACHE_DIR"

echo "buf $("$buf" --version 2>&1 | tail -n 1) ($buf): buf lint $dir"
cd "$dir"
# Guard against a lint that passes because it saw nothing (e.g. runfiles symlinks not followed).
nfiles="$("$buf" ls-files . | grep -c '^enlace/.*\.proto$' || true)"
if [[ "$nfiles" -eq 0 ]]; then
  echo "FAIL: buf sees no enlace/**/*.proto files in $dir"
  exit 1
fi
echo "buf sees $nfiles enlace proto files"
# Each violation is printed as file:line:column:message.
if "$buf" lint --error-format=text .; then
  echo "PASS: buf lint found no violations"
else
  rc=$?
  echo "FAIL: buf lint exited with status $rc (violations above, as file:line:column:message)"
  exit 1
fi
