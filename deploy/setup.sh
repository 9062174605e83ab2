#!/usr/bin/env bash
# Installs what Enlace's build, tests and demo need on Debian 12 (run as root).
#
# Idempotent: every Debian package is checked with dpkg-query first, and `apt-get update` /
# `apt-get install` run only when something is missing, so a second run is fast and needs no
# network. The `buf` CLI (protobuf lint) comes from the npm registry, pinned to BUF_VERSION, and
# ends up at /usr/local/bin/buf.
set -euo pipefail

BUF_VERSION=1.47.2
BUF=/usr/local/bin/buf

PACKAGES=(
  # build
  bazel-bootstrap g++ pkg-config
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libabsl-dev librocksdb-dev libssl-dev libicu-dev
  # tests
  libgtest-dev libgmock-dev
  # demo and integration tests (certificates, ports, processes)
  openssl iproute2 procps
  # clang 14: fuzzing (libFuzzer), the thread-safety build (--config=clang, its toolchain in
  # bazel/toolchains/clang calls /usr/bin/clang-14) and ThreadSanitizer (--config=tsan)
  clang libclang-rt-14-dev
  # buf CLI (npm) and browser tests
  nodejs npm chromium
  # the secretariat's dashboard: HTTPS server (cpp-httplib); the browser test's client
  # certificate goes into chromium's NSS database (certutil, pk12util)
  libcpp-httplib-dev libnss3-tools
  # operations (issue 13): the ops port's metrics (prometheus-cpp), checked by promtool and
  # scraped by a real Prometheus in a test; the offline container image (umoci, skopeo)
  prometheus-cpp-dev prometheus umoci skopeo
  # deploy/ tests: the image's CA bundle and health probe (ca-certificates, curl), the rendered
  # Kubernetes objects (python3-yaml; kubectl is not a Debian package: kustomize_test says so and
  # skips without it), the systemd units (systemd-analyze; strace and setpriv run the node as
  # the unit would)
  ca-certificates curl python3-yaml systemd strace util-linux
  # high availability (issue 14): the loopback HA database of tests/ha (three etcd members, two
  # PostgreSQL 15 under Patroni with synchronous replication) and the lease's libpq client
  etcd-server patroni python3-etcd postgresql-15 postgresql-client-15 libpq-dev
)

say() { echo "setup: $*"; }

is_installed() {
  local pkg=$1
  if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" == "install ok installed" ]]; then
    return 0
  fi
  case "$pkg" in
    # NodeSource's nodejs package ships npm itself ("Provides: npm", and conflicts with Debian's
    # npm package): an npm on PATH is enough, installing Debian's npm would remove nodejs.
    npm) command -v npm >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

need_root() {
  if [[ $EUID -ne 0 ]]; then
    say "ERROR: $1 needs root; run: sudo bash deploy/setup.sh" >&2
    exit 1
  fi
}

# apt's chatter goes to a log (shown when it fails). The apt/dpkg locks may be held by a
# concurrent run (another checkout running this script): wait for them, and retry.
APT_LOG="${TMPDIR:-/tmp}/enlace-setup-apt.log"
apt_get() {
  local try
  for try in 1 2 3 4 5; do
    if DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@" \
        >>"$APT_LOG" 2>&1; then
      return 0
    fi
    say "apt-get $1 failed (attempt $try/5), retrying in 10s; log: $APT_LOG"
    sleep 10
  done
  tail -n 30 "$APT_LOG" >&2
  say "ERROR: apt-get $* failed; full log: $APT_LOG" >&2
  return 1
}

# --- Debian packages -------------------------------------------------------------------------
if [[ -r /etc/debian_version ]]; then
  case "$(cat /etc/debian_version)" in
    12*|bookworm*) ;;
    *) say "warning: expected Debian 12, found Debian $(cat /etc/debian_version)" ;;
  esac
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  say "debian packages: all ${#PACKAGES[@]} present"
else
  need_root "installing ${missing[*]}"
  say "debian packages: installing ${missing[*]} (log: $APT_LOG)"
  : >"$APT_LOG"
  apt_get update
  apt_get install -y --no-install-recommends "${missing[@]}"
  for pkg in "${missing[@]}"; do
    is_installed "$pkg" || { say "ERROR: $pkg still not installed" >&2; exit 1; }
  done
  say "debian packages: installed ${#missing[@]}"
fi

# --- buf (npm: @bufbuild/buf) ------------------------------------------------------------------
buf_version() { "$BUF" --version 2>/dev/null | tail -n1 || true; }

if [[ -x "$BUF" && "$(buf_version)" == "$BUF_VERSION" ]]; then
  say "buf $BUF_VERSION: present at $BUF"
else
  need_root "installing buf"
  say "buf $BUF_VERSION: installing from npm (@bufbuild/buf@$BUF_VERSION)"
  # --prefix: NodeSource's npm defaults to /usr; the README and tests expect /usr/local/bin/buf.
  # --include=optional: the native binary is in the optional package @bufbuild/buf-linux-x64.
  npm install --global --prefix /usr/local --include=optional --no-fund --no-audit \
    "@bufbuild/buf@$BUF_VERSION"
  got="$(buf_version)"
  if [[ "$got" != "$BUF_VERSION" ]]; then
    say "ERROR: $BUF --version printed '${got}', expected $BUF_VERSION" >&2
    "$BUF" --version || true
    exit 1
  fi
  say "buf $BUF_VERSION: installed at $BUF"
fi

# --- web dependencies (npm: uplot, world-atlas, playwright-core, axe-core) ---------------------
# Pinned by web/package-lock.json and installed with `npm ci` into $ENLACE_WEB_DEPS (default
# /usr/local/lib/enlace-web/node_modules): the dashboard serves uPlot from there (never from the
# internet) and tests/browser drives chromium with playwright-core and axe-core from there.
# Reinstalled only when the lock file changed.
WEB_DEPS="${ENLACE_WEB_DEPS:-/usr/local/lib/enlace-web}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if cmp -s "$here/web/package-lock.json" "$WEB_DEPS/package-lock.json" \
    && [[ -f "$WEB_DEPS/node_modules/uplot/dist/uPlot.iife.min.js" ]] \
    && [[ -f "$WEB_DEPS/node_modules/playwright-core/package.json" ]] \
    && [[ -f "$WEB_DEPS/node_modules/axe-core/axe.min.js" ]]; then
  say "web dependencies: present in $WEB_DEPS"
else
  [[ -w "$(dirname "$WEB_DEPS")" || -w "$WEB_DEPS" ]] || need_root "installing web dependencies"
  say "web dependencies: npm ci into $WEB_DEPS"
  tmp="$(mktemp -d "${WEB_DEPS}.tmp.XXXXXX")"
  cp "$here/web/package.json" "$here/web/package-lock.json" "$tmp/"
  (cd "$tmp" && npm ci --no-fund --no-audit --ignore-scripts >/dev/null)
  rm -rf "$WEB_DEPS.old"
  [[ -e "$WEB_DEPS" ]] && mv "$WEB_DEPS" "$WEB_DEPS.old"
  mv "$tmp" "$WEB_DEPS"
  rm -rf "$WEB_DEPS.old"
  say "web dependencies: installed in $WEB_DEPS"
fi

say "done"
