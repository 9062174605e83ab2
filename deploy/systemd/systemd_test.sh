#!/usr/bin/env bash
# The systemd units, without a running systemd (none is PID 1 here):
#  1. `systemd-analyze verify` of enlace-node@mx.service and enlace-secretariat.service in a root
#     holding the binaries: no warning at all (an unknown or misspelt key is only a warning);
#  2. `systemd-analyze security --offline=yes --threshold=11`: exposure 1.1 or better for both
#     (what is left is being a network server: sockets, the host's network, no IP allow list);
#  3. MX's node and the secretariat (XS) each run as their unit would run them: ExecStart from
#     the unit with %i and %d filled in, the config from render_config.sh, the keys as
#     credentials (0400, owned by the node's user),
#     under setpriv as an unprivileged user with no capabilities and no_new_privs, traced by
#     strace: it serves (grpc health SERVING over mTLS, /readyz 200), reloads on the unit's
#     ExecReload signal, stops cleanly on SIGTERM, and every system call it made is allowed by the
#     unit's SystemCallFilter and every socket by its RestrictAddressFamilies.
# Runs as root (setpriv, namespaces).
set -euo pipefail

R="$TEST_SRCDIR/enlace"
S="$R/deploy/systemd"
T="$TEST_TMPDIR"
export PATH="$PATH:/usr/sbin:/sbin"
fail() { echo "FAIL: $*" >&2; [[ -f "${W:-$T}/node.log" ]] && tail -n 20 "${W:-$T}/node.log" >&2; exit 1; }
[[ $EUID -eq 0 ]] || fail "needs root (setpriv, network namespace)"
for tool in systemd-analyze strace setpriv unshare curl ip; do
  command -v "$tool" >/dev/null || fail "$tool missing (deploy/setup.sh installs it)"
done
UNITS=(enlace-node@mx.service enlace-secretariat.service)

# --- 1. verify ------------------------------------------------------------------------------------
root="$T/root"
mkdir -p "$root/etc/systemd/system" "$root/usr/local/bin" "$root/usr/lib/systemd" "$root/usr/bin"
ln -s usr/bin "$root/bin"
cp "$S/enlace-node@.service" "$S/enlace-secretariat.service" "$root/etc/systemd/system/"
cp "$R/services/node/enlace-node" "$R/services/node/enlace-secretariat" "$root/usr/local/bin/"
cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"   # the targets the units order against
cp "$(type -P kill)" "$root/usr/bin/kill"
verify() { systemd-analyze verify --man=no --root="$root" "$@" >"$T/verify.out" 2>&1; }
verify "${UNITS[@]}" || { cat "$T/verify.out"; fail "systemd-analyze verify"; }
[[ ! -s "$T/verify.out" ]] || { cat "$T/verify.out"; fail "systemd-analyze verify warned"; }
echo "verify: ${UNITS[*]} clean"
# The gate catches a misspelt key (a warning, exit 0, for systemd-analyze itself).
sed -i 's/^PrivateMounts=yes/PrivateMountz=yes/' "$root/etc/systemd/system/enlace-node@.service"
verify enlace-node@mx.service || true
grep -q "Unknown key 'PrivateMountz'" "$T/verify.out" || fail "verify did not report a misspelt key"
cp "$S/enlace-node@.service" "$root/etc/systemd/system/"

# --- 2. security ----------------------------------------------------------------------------------
for u in "${UNITS[@]}"; do
  systemd-analyze security --offline=yes --root="$root" --threshold=11 "$u" >"$T/security.out" 2>&1 ||
    { grep '✗' "$T/security.out"; fail "$u: exposure above 1.1 ($(grep Overall "$T/security.out"))"; }
  echo "security: $(grep -o 'Overall exposure level.*' "$T/security.out")"
done
for d in 'ProtectSystem=strict' 'DynamicUser=yes' 'PrivateUsers=yes' 'NoNewPrivileges=yes' \
    'CapabilityBoundingSet=$' 'SystemCallFilter=@system-service' 'MemoryDenyWriteExecute=yes' \
    'LoadCredential=master.key:' 'StateDirectory=enlace/' 'RestrictAddressFamilies='; do
  for f in "$S/enlace-node@.service" "$S/enlace-secretariat.service"; do
    grep -q "^$d" "$f" || fail "$(basename "$f") lacks $d"
  done
done

# --- 3. run MX as the unit runs it ----------------------------------------------------------------
# Under /tmp: the node's user must reach its files, and Bazel's TEST_TMPDIR is under /root (0700).
W="$(mktemp -d /tmp/enlace-systemd-test-XXXXXX)"
trap 'rm -rf "$W"' EXIT
chmod 0755 "$W"
expand() {
  systemd-analyze syscall-filter "$1" | sed -n '2,$p' | sed 's/^ *//' | grep -v '^#\|^$' |
    while read -r s; do if [[ "$s" == @* ]]; then expand "$s"; else echo "$s"; fi; done
}

# Runs unit $2 (instance $1, named $3) as systemd would, its binary $4 traced; see the top.
run_unit() {
  local lc="$1" unit="$2" name="$3" bin="$4" cc
  cc="$(tr 'a-z' 'A-Z' <<<"$lc")"
  local W="$W/$lc"
  mkdir -p "$W" && chmod 0755 "$W"
  local creds="$W/run/credentials/$name"
  mkdir -p "$creds" "$W/etc/enlace/$lc/tls" "$W/var/lib/enlace/$lc" "$W/var/lib/enlace-keys/$lc"
  "$R/tools/devpki/enlace-devpki" --out="$W/pki" --countries="$cc" $([[ $lc == xs ]] && echo --secretariat=XS) \
    --manifest="$W/etc/enlace/manifest.textproto" --federation_endpoints="$cc=127.0.0.1:7501" >/dev/null ||
    fail "devpki"
  cp "$W/pki/$cc/node.pem" "$W/etc/enlace/$lc/tls/node.pem"
  cp "$W/pki/$cc/ca.pem" "$W/etc/enlace/$lc/tls/client-ca.pem"
  ROOT="$R" bash "$S/render_config.sh" "$lc" >"$W/etc/enlace/$lc/node.textproto" || fail "render_config.sh"
  # The unit's absolute paths, moved under $W; addresses onto this namespace's loopback.
  sed -i "s|\"/var/lib/|\"$W/var/lib/|; s|\"/etc/enlace/|\"$W/etc/enlace/|; s|\"/run/credentials/|\"$W/run/credentials/|; s|0\.0\.0\.0:|127.0.0.1:|" \
    "$W/etc/enlace/$lc/node.textproto"
  # LoadCredential= copies: 0400, owned by the service's user.
  cp "$W/pki/$cc/node.key" "$creds/node.key"
  cp "$W/pki/$cc/signing.key" "$creds/signing.key"
  echo "1:$(head -c 32 /dev/urandom | base64 -w0)" >"$creds/master.key"
  chown -R 65532:65532 "$creds" "$W/var/lib/enlace/$lc" "$W/var/lib/enlace-keys/$lc"
  chmod 0400 "$creds"/*
  chmod 0700 "$creds" "$W/var/lib/enlace/$lc" "$W/var/lib/enlace-keys/$lc"
  chmod 0755 "$W/run" "$W/run/credentials" "$W/var" "$W/var/lib" "$W/var/lib/enlace" "$W/var/lib/enlace-keys" "$W/etc" "$W/etc/enlace" "$W/etc/enlace/$lc" "$W/etc/enlace/$lc/tls"
  chmod 0644 "$W/etc/enlace/$lc/tls"/* "$W/etc/enlace/$lc/node.textproto" "$W/etc/enlace/manifest.textproto"
  # ExecStart exactly as the unit has it, with the specifiers systemd would fill in.
  local exec_start reload_signal start outside families allowed_families allow deny
  exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
  exec_start="${exec_start//%i/$lc}"
  exec_start="${exec_start//%d/$creds}"
  exec_start="${exec_start//\/etc\/enlace\//$W/etc/enlace/}"
  grep -q "$W/etc/enlace/$lc/node.textproto" <<<"$exec_start" || fail "ExecStart: $exec_start"
  cp "$R/services/node/$bin" "$W/$bin"
  exec_start="${exec_start//\/usr\/local\/bin\/$bin/$W/$bin}"
  reload_signal="$(sed -n 's/^ExecReload=.*kill -\([A-Z]*\) \$MAINPID$/\1/p' "$unit")"
  [[ "$reload_signal" == HUP ]] || fail "ExecReload does not send SIGHUP"

  cat >"$W/inside.sh" <<'EOF'
set -euo pipefail
W="$1" cc="$2" bin="$3"; shift 3
ip link set lo up
# UMask=0077, no capabilities, no_new_privs, an unprivileged user: as the unit runs it.
umask 0077
strace -f -qq -o "$W/trace.txt" setpriv --reuid=65532 --regid=65532 --clear-groups \
  --no-new-privs --inh-caps=-all --bounding-set=-all -- env -i "$@" >"$W/node.log" 2>&1 &
tracer=$!
for _ in $(seq 1 300); do grep -q 'ready in' "$W/node.log" && break; kill -0 "$tracer" || exit 1; sleep 0.1; done
grep -q 'ready in' "$W/node.log" || { echo "not ready"; exit 1; }
node="$(pgrep -f "^$W/$bin" | head -1)"
grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$node/status" || { echo "has capabilities"; exit 1; }
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$node/status" || { echo "no no_new_privs"; exit 1; }
printf '\0\0\0\0\0' >"$W/health.req"
curl -sS --http2 --max-time 10 --cacert "$W/pki/$cc/ca.pem" --cert "$W/pki/$cc/admin.pem" \
  --key "$W/pki/$cc/admin.key" -H 'content-type: application/grpc' -H 'te: trailers' \
  --data-binary @"$W/health.req" -o "$W/health" "https://localhost:7443/grpc.health.v1.Health/Check"
[[ "$(od -An -tx1 "$W/health" | tr -d ' \n')" == 00000000020801 ]] || { echo "health not SERVING"; exit 1; }
echo "$cc: grpc health SERVING over mTLS"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:9464/readyz)"
[[ "$code" == 200 ]] || { echo "/readyz answered $code"; exit 1; }
echo "$cc: /readyz 200"
kill -HUP "$node"
for _ in $(seq 1 100); do grep -q 'SIGHUP' "$W/node.log" && break; sleep 0.1; done
grep -q 'SIGHUP' "$W/node.log" || { echo "no reload on SIGHUP"; exit 1; }
kill -TERM "$node"
rc=0; wait "$tracer" || rc=$?
[[ $rc == 0 ]] || { echo "exit $rc after SIGTERM"; exit 1; }
grep -q 'store closed cleanly' "$W/node.log" || { echo "no clean close"; exit 1; }
echo "$cc: reloaded on SIGHUP, stopped cleanly on SIGTERM"
EOF
  # shellcheck disable=SC2086  # ExecStart's words, as systemd splits them
  unshare --net bash "$W/inside.sh" "$W" "$cc" "$bin" $exec_start >"$W/inside.out" 2>&1 ||
    { cat "$W/inside.out"; fail "$cc did not run as $name runs it"; }
  cat "$W/inside.out"

  # The system calls the node made (after its execve; setpriv's own are not the node's) against the
  # unit's filter: @system-service minus @privileged and @resources, expanded by systemd itself.
  allow="$(sed -n 's/^SystemCallFilter=\(@.*\)$/\1/p' "$unit" | grep -v '^~')"
  deny="$(sed -n 's/^SystemCallFilter=~//p' "$unit")"
  [[ "$allow" == @system-service && -n "$deny" ]] || fail "unexpected SystemCallFilter lines: $allow / $deny"
  expand "$allow" | sort -u >"$W/allowed"
  for set in $deny; do expand "$set"; done | sort -u >"$W/denied"
  comm -23 "$W/allowed" "$W/denied" >"$W/permitted"
  start="$(grep -n "execve(\"[^\"]*/$bin\"" "$W/trace.txt" | head -1 | cut -d: -f1)"
  [[ -n "$start" ]] || fail "no execve of $bin in the trace"
  tail -n +"$start" "$W/trace.txt" |
    sed -n 's/^[0-9]\+ \+\([a-z_0-9]\+\)(.*/\1/p; s/^[0-9]\+ \+<\.\.\. \([a-z_0-9]\+\) resumed>.*/\1/p' |
    sort -u >"$W/used"
  [[ $(wc -l <"$W/used") -gt 30 ]] || fail "the trace holds too few system calls: $(tr '\n' ' ' <"$W/used")"
  outside="$(comm -23 "$W/used" "$W/permitted" | tr '\n' ' ')"
  [[ -z "$outside" ]] || fail "$bin made system calls the unit's SystemCallFilter refuses: $outside"
  echo "$cc syscalls: $(wc -l <"$W/used") distinct, all within SystemCallFilter (of $(wc -l <"$W/permitted") permitted)"
  families="$(tail -n +"$start" "$W/trace.txt" | grep -o 'socket(AF_[A-Z0-9]*' | sed 's/socket(//' | sort -u | tr '\n' ' ')"
  allowed_families="$(sed -n 's/^RestrictAddressFamilies=//p' "$unit")"
  for f in $families; do
    [[ " $allowed_families " == *" $f "* ]] || fail "$bin opened an $f socket; RestrictAddressFamilies=$allowed_families"
  done
  echo "$cc socket families used: ${families:-none} (allowed: $allowed_families)"
}

run_unit mx "$S/enlace-node@.service" enlace-node@mx.service enlace-node
run_unit xs "$S/enlace-secretariat.service" enlace-secretariat.service enlace-secretariat
echo "PASS: units verified, exposure <= 1.1, MX and XS ran as their units run them within their filters"
