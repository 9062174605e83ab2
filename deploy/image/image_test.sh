#!/usr/bin/env bash
# The container image end to end, without a container runtime: build.sh makes the OCI image from
# the Bazel-built binaries, umoci unpacks it, and its root filesystem runs under chroot as the
# image's user (65532), read-only, in a network and mount namespace of its own, with the
# Kubernetes overlay's config (deploy/k8s/overlays/{mx,xs}/node.textproto), a dev PKI and
# volumes mounted where the StatefulSet mounts them. Mexico's node and the secretariat (XS)
# federate; each must answer grpc.health.v1.Health/Check SERVING over mTLS (and /readyz on the
# ops port when the config has one). Runs as root (chroot, mounts); says so and fails otherwise.
set -euo pipefail

R="$TEST_SRCDIR/enlace"
T="$TEST_TMPDIR"
# Bazel's PATH lacks the sbin directories (chroot, ip).
export PATH="$PATH:/usr/sbin:/sbin"
fail() { echo "FAIL: $*" >&2; for f in "$T"/*.log; do [[ -f "$f" ]] && { echo "--- $f"; tail -n 30 "$f"; }; done >&2; exit 1; }
[[ $EUID -eq 0 ]] || fail "needs root (chroot, mount and network namespaces)"
for tool in umoci skopeo unshare chroot curl ip; do
  command -v "$tool" >/dev/null || fail "$tool missing (deploy/setup.sh installs it)"
done

# --- build ---------------------------------------------------------------------------------------
bash "$R/deploy/image/build.sh" --node "$R/services/node/enlace-node" \
  --secretariat "$R/services/node/enlace-secretariat" --out "$T/out" --tag test >"$T/build.log" 2>&1 ||
  fail "build.sh failed"
cat "$T/build.log"
[[ -s "$T/out/enlace-test.oci.tar" && -s "$T/out/enlace-test.docker.tar" ]] || fail "archives missing"
# skopeo reads both archives back (what `podman load` / `docker load` would get).
skopeo inspect --config "oci-archive:$T/out/enlace-test.oci.tar:test" >"$T/config.json" ||
  fail "skopeo cannot read the oci-archive"
skopeo inspect "docker-archive:$T/out/enlace-test.docker.tar" >/dev/null || fail "skopeo cannot read the docker-archive"
python3 - "$T/config.json" <<'EOF' || fail "image config"
import json, sys
c = json.load(open(sys.argv[1]))
cfg = c["config"]
assert cfg["User"] == "65532:65532", cfg["User"]
assert cfg["Entrypoint"] == ["/usr/local/bin/enlace-node"], cfg["Entrypoint"]
assert set(cfg["Volumes"]) == {"/var/lib/enlace", "/var/lib/enlace-keys"}, cfg["Volumes"]
assert c["architecture"] == "amd64" and c["os"] == "linux"
assert len(c["rootfs"]["diff_ids"]) == 1, "one layer, FROM scratch"
EOF

# --- unpack and inspect --------------------------------------------------------------------------
umoci unpack --image "$T/out/oci:test" "$T/bundle" >/dev/null || fail "umoci unpack"
FS="$T/bundle/rootfs"
# Exactly the libraries ldd names: none missing (ldd inside the image finds all), none extra.
want="$(sort -u "$T/out/libraries.txt" | xargs -n1 basename | sort)"
have="$(cd "$FS" && find usr/lib usr/lib64 -type f | xargs -n1 basename | sort)"
[[ "$want" == "$have" ]] || fail "libraries differ from ldd's list: $(diff <(echo "$want") <(echo "$have") | tr '\n' ' ')"
for b in enlace-node enlace-secretariat; do
  missing="$(chroot "$FS" /lib64/ld-linux-x86-64.so.2 --list "/usr/local/bin/$b" 2>&1 | grep -c 'not found' || true)"
  [[ "$missing" == 0 ]] || fail "$b: $missing libraries not found inside the image"
done
[[ ! -e "$FS/bin/sh" && ! -e "$FS/usr/bin" ]] || fail "the image has a shell or /usr/bin"
[[ -z "$(find "$FS" -perm /6000 -type f)" ]] || fail "setuid/setgid files: $(find "$FS" -perm /6000 -type f)"
[[ "$(stat -c %u:%g "$FS/var/lib/enlace")" == 65532:65532 ]] || fail "/var/lib/enlace not owned by 65532"
grep -q '^enlace:x:65532:65532:' "$FS/etc/passwd" || fail "no user 65532 in /etc/passwd"
[[ -s "$FS/etc/ssl/certs/ca-certificates.crt" ]] || fail "no CA bundle"
size_mib=$(( $(du -sb "$FS" | cut -f1) / 1048576 ))
echo "image root filesystem: $size_mib MiB unpacked; oci-archive $(( $(stat -c %s "$T/out/enlace-test.oci.tar") / 1048576 )) MiB"

# --- the volumes, Secrets and ConfigMaps, as the StatefulSet mounts them ------------------------
# Ports are the overlay's fixed ones: the namespace below has its own loopback, so they are free.
"$R/tools/devpki/enlace-devpki" --out="$T/pki" --countries=MX,XS --secretariat=XS \
  --clients='admin=spiffe://{cc}.enlace.example/role/supervisor/user/admin' \
  --manifest="$T/manifest.textproto" \
  --federation_endpoints=MX=127.0.0.1:7501,XS=127.0.0.1:7502 >"$T/devpki.log" 2>&1 || fail "devpki"
for cc in MX XS; do
  lc="$(tr 'A-Z' 'a-z' <<<"$cc")"
  v="$T/vol/$lc"
  mkdir -p "$v/etc-enlace/config" "$v/etc-enlace/tls" "$v/etc-enlace/manifest" "$v/keys" "$v/data" "$v/vault"
  cp "$R/deploy/k8s/overlays/$lc/node.textproto" "$v/etc-enlace/config/node.textproto"
  # On loopback; XS on the next ports (two pods would have two IPs and the same ports).
  if [[ $cc == MX ]]; then
    sed -i 's/0\.0\.0\.0:/127.0.0.1:/' "$v/etc-enlace/config/node.textproto"
  else
    sed -i 's/0\.0\.0\.0:7443/127.0.0.1:7444/; s/0\.0\.0\.0:7501/127.0.0.1:7502/; s/0\.0\.0\.0:9464/127.0.0.1:9465/' \
      "$v/etc-enlace/config/node.textproto"
  fi
  grep -q '0\.0\.0\.0' "$v/etc-enlace/config/node.textproto" && fail "$cc: an address left unmapped"
  cp "$T/pki/$cc/node.pem" "$v/etc-enlace/tls/node.pem"
  cp "$T/pki/$cc/ca.pem" "$v/etc-enlace/tls/client-ca.pem"
  cp "$T/manifest.textproto" "$v/etc-enlace/manifest/manifest.textproto"
  cp "$T/pki/$cc/node.key" "$v/keys/node.key"
  cp "$T/pki/$cc/signing.key" "$v/keys/signing.key"
  (umask 077; echo "1:$(head -c 32 /dev/urandom | base64 -w0)" >"$v/keys/master.key")
  chmod 0644 "$v"/etc-enlace/tls/* "$v"/etc-enlace/config/node.textproto "$v"/etc-enlace/manifest/*
  chown -R 65532:65532 "$v/keys" "$v/data" "$v/vault"
  chmod 0400 "$v"/keys/*
  chmod 0700 "$v/keys" "$v/data" "$v/vault"
done
ops_in_config=0
grep -q '^ops {' "$R/deploy/k8s/overlays/mx/node.textproto" && ops_in_config=1

# Inside the namespaces: a read-only bind of the image per process with its volumes over it, the
# process chrooted as 65532 with an empty environment, then the probes from outside the chroot.
cat >"$T/inside.sh" <<'EOF'
set -euo pipefail
T="$1" FS="$2" ops="$3"
ip link set lo up
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait || true; }
trap cleanup EXIT
for lc in mx xs; do
  root="$T/root-$lc"; v="$T/vol/$lc"
  mkdir -p "$root"
  mount --bind "$FS" "$root"
  mount --bind "$v/data" "$root/var/lib/enlace"
  mount --bind "$v/vault" "$root/var/lib/enlace-keys"
  mount -t tmpfs -o size=1m,mode=0755 tmpfs "$root/etc/enlace"     # /etc/enlace is in the image
  cp -a "$v/etc-enlace/." "$root/etc/enlace/"
  mkdir -p "$root/run" && mount -t tmpfs -o size=1m,mode=0755 tmpfs "$root/run"
  mkdir -p "$root/run/enlace/keys" && cp -a "$v/keys/." "$root/run/enlace/keys/"
  chown 65532:65532 "$root/run/enlace/keys" && chmod 0700 "$root/run/enlace/keys"
  mount -o remount,bind,ro "$root"                                   # readOnlyRootFilesystem
  bin=/usr/local/bin/enlace-node
  [[ $lc == xs ]] && bin=/usr/local/bin/enlace-secretariat
  env -i "$(command -v chroot)" --userspec=65532:65532 "$root" "$bin" --config=/etc/enlace/config/node.textproto \
    >"$T/$lc.log" 2>&1 &
  pids+=($!)
done
# Ready: the node prints "ready in" once both ports listen.
for i in $(seq 1 300); do
  n=$(cat "$T/mx.log" "$T/xs.log" 2>/dev/null | grep -c 'ready in' || true)
  [[ $n == 2 ]] && break
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "a process exited at start"; exit 1; }; done
  sleep 0.1
done
[[ $n == 2 ]] || { echo "not ready after 30 s"; exit 1; }
for lc in mx xs; do
  # Runs as 65532 with no capabilities, whatever chroot's pid is (it execs the node).
  status="/proc/${pids[$([[ $lc == mx ]] && echo 0 || echo 1)]}/status"
  grep -q '^Uid:[[:space:]]*65532[[:space:]]65532[[:space:]]65532' "$status" || { echo "$lc: not uid 65532"; grep Uid "$status"; exit 1; }
  grep -q '^CapEff:[[:space:]]*0000000000000000' "$status" || { echo "$lc: has capabilities"; exit 1; }
done
# grpc.health.v1.Health/Check {service: ""} over mTLS with an HTTP/2 client: the request is the
# 5-byte gRPC frame of an empty message; the answer must be the frame of {status: SERVING}
# (field 1 = 1: 08 01) with grpc-status 0.
printf '\0\0\0\0\0' >"$T/health.req"
for lc in mx xs; do
  cc="$(tr 'a-z' 'A-Z' <<<"$lc")"; api=7443 ops_port=9464
  [[ $lc == xs ]] && api=7444 ops_port=9465
  curl -sS --http2 --max-time 10 --cacert "$T/pki/$cc/ca.pem" --cert "$T/pki/$cc/admin.pem" \
    --key "$T/pki/$cc/admin.key" \
    -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @"$T/health.req" \
    -D "$T/$lc.headers" -o "$T/$lc.health" "https://localhost:$api/grpc.health.v1.Health/Check"
  got="$(od -An -tx1 "$T/$lc.health" | tr -d ' \n')"
  [[ "$got" == 00000000020801 ]] || { echo "$lc: health answer $got, want 00000000020801 (SERVING)"; cat "$T/$lc.headers"; exit 1; }
  grep -qi '^grpc-status: 0' "$T/$lc.headers" || { echo "$lc: no grpc-status 0"; cat "$T/$lc.headers"; exit 1; }
  echo "$cc: grpc health SERVING over mTLS"
  if [[ $ops == 1 ]]; then
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$ops_port/readyz")"
    [[ "$code" == 200 ]] || { echo "$lc: /readyz answered $code"; exit 1; }
    echo "$cc: ops port /readyz 200"
  fi
done
# Nothing was written outside the volumes: the image's tree is read-only, so a write would have
# failed; the node's data is in the volumes.
[[ -e "$T/vol/mx/data/data/CURRENT" ]] || { echo "mx: no RocksDB store in the data volume"; exit 1; }
[[ -n "$(ls -A "$T/vol/mx/vault/vault")" ]] || { echo "mx: no vault in the keys volume"; exit 1; }
# SIGTERM: a clean stop (exit 0), as Kubernetes stops a pod.
for i in 0 1; do
  kill -TERM "${pids[$i]}"
  rc=0; wait "${pids[$i]}" || rc=$?
  [[ $rc == 0 ]] || { echo "process $i exited $rc after SIGTERM"; exit 1; }
done
pids=()
grep -q 'store closed cleanly' "$T/mx.log" || { echo "mx: no clean close"; exit 1; }
echo "inside: OK"
EOF
unshare --mount --net --propagation private bash "$T/inside.sh" "$T" "$FS" "$ops_in_config" \
  >"$T/inside.out" 2>&1 || { cat "$T/inside.out"; fail "the image's nodes did not serve"; }
cat "$T/inside.out"
grep -q 'MX: grpc health SERVING' "$T/inside.out" || fail "MX not SERVING"
grep -q 'XS: grpc health SERVING' "$T/inside.out" || fail "XS not SERVING"
echo "PASS: image enlace:test ($size_mib MiB unpacked) serves MX and XS as uid 65532, read-only"
