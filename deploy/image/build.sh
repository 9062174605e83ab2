#!/usr/bin/env bash
# Builds Enlace's container image offline: an OCI image FROM scratch holding enlace-node and
# enlace-secretariat, exactly the shared libraries `ldd` lists for them, the dynamic loader, a
# CA bundle, nss files and a non-root user (65532). Nothing is pulled from a registry and nothing
# is downloaded: the files come from this Debian 12 machine (umoci and skopeo from Debian).
#
#   bash deploy/image/build.sh                       # bazel-builds the binaries, writes run/image/
#   bash deploy/image/build.sh --node BIN --secretariat BIN --out DIR [--tag TAG]
#
# Writes, under --out (default: the repository's run/image, gitignored):
#   oci/                     the OCI image layout (umoci; tag TAG, default "latest")
#   enlace-TAG.oci.tar       the same as an oci-archive (skopeo), for `skopeo copy`/`podman load`
#   enlace-TAG.docker.tar    a docker-archive (`docker load -i ...`), image enlace:TAG
# and prints the image's sizes. The entrypoint is enlace-node; run the secretariat with
# `--entrypoint /usr/local/bin/enlace-secretariat` (Kubernetes: `command:`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
node_bin="" secretariat_bin="" out="" tag="latest"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --node) node_bin="$2"; shift ;;
    --secretariat) secretariat_bin="$2"; shift ;;
    --out) out="$2"; shift ;;
    --tag) tag="$2"; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "build.sh: ERROR: $*" >&2; exit 1; }
for tool in umoci skopeo ldd; do
  command -v "$tool" >/dev/null || die "$tool is missing: run deploy/setup.sh (Debian packages umoci, skopeo)"
done
[[ $EUID -eq 0 ]] || die "run as root: the image's files must be owned by root and 65532, which needs chown"

if [[ -z "$node_bin" || -z "$secretariat_bin" ]]; then
  (cd "$root" && "${BAZEL:-bazel}" build //services/node:enlace-node //services/node:enlace-secretariat)
  bin_dir="$(cd "$root" && "${BAZEL:-bazel}" info bazel-bin 2>/dev/null)"
  node_bin="${node_bin:-$bin_dir/services/node/enlace-node}"
  secretariat_bin="${secretariat_bin:-$bin_dir/services/node/enlace-secretariat}"
fi
[[ -x "$node_bin" ]] || die "$node_bin is not an executable"
[[ -x "$secretariat_bin" ]] || die "$secretariat_bin is not an executable"
out="${out:-$root/run/image}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

work="$(mktemp -d "${TMPDIR:-/tmp}/enlace-image-XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{usr/local/bin,usr/lib/x86_64-linux-gnu,usr/lib64,etc/ssl/certs,etc/enlace,var/lib/enlace,var/lib/enlace-keys,tmp}
# Debian 12's merged /usr: /lib and /lib64 are links, so the paths ldd prints resolve as on the host.
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"
# Debug info out (about 3/4 of the binaries); the symbol table stays, for stack traces.
for pair in "enlace-node:$node_bin" "enlace-secretariat:$secretariat_bin"; do
  name="${pair%%:*}" src="${pair#*:}"
  if command -v strip >/dev/null; then
    strip --strip-debug -o "$rootfs/usr/local/bin/$name" "$src"
  else
    cp "$src" "$rootfs/usr/local/bin/$name"
  fi
  chmod 0755 "$rootfs/usr/local/bin/$name"
done

# Exactly what ldd lists (the "=> /path" libraries and the loader), copied to their real
# directory under their soname; linux-vdso is the kernel's.
libs="$(ldd "$node_bin" "$secretariat_bin" | awk '
  /=> not found/ { print "MISSING " $1; next }
  /=> \// { print $3; next }
  /^\t\// { print $1 }' | sort -u)"
if grep -q '^MISSING' <<<"$libs"; then
  die "a library is not installed: $(grep '^MISSING' <<<"$libs" | tr '\n' ' ')"
fi
count=0
while read -r lib; do
  [[ -n "$lib" ]] || continue
  dir="$(readlink -f "$(dirname "$lib")")"   # /lib/x86_64-linux-gnu -> /usr/lib/x86_64-linux-gnu
  mkdir -p "$rootfs$dir"
  cp -L "$lib" "$rootfs$dir/$(basename "$lib")"
  chmod 0644 "$rootfs$dir/$(basename "$lib")"
  count=$((count + 1))
done <<<"$libs"
chmod 0755 "$rootfs"/usr/lib64/ld-linux-x86-64.so.2 2>/dev/null || true
echo "$libs" >"$out/libraries.txt"

# Users, name resolution and trust roots. glibc 2.36 has the files and dns NSS modules built in,
# so no libnss_*.so is needed; /etc/hosts and /etc/resolv.conf are the runtime's (Kubernetes and
# systemd-nspawn mount them), the ones here serve a bare chroot.
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
enlace:x:65532:65532:Enlace node:/var/lib/enlace:/sbin/nologin
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
enlace:x:65532:
EOF
cat >"$rootfs/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
: >"$rootfs/etc/resolv.conf"
[[ -r /etc/ssl/certs/ca-certificates.crt ]] || die "/etc/ssl/certs/ca-certificates.crt missing (Debian package ca-certificates)"
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
chmod 0644 "$rootfs"/etc/passwd "$rootfs"/etc/group "$rootfs"/etc/nsswitch.conf "$rootfs"/etc/hosts \
  "$rootfs"/etc/resolv.conf "$rootfs"/etc/ssl/certs/ca-certificates.crt
# The node's volumes (mount points); owned by the image's user for runtimes without fsGroup.
chown 65532:65532 "$rootfs"/var/lib/enlace "$rootfs"/var/lib/enlace-keys
chmod 0700 "$rootfs"/var/lib/enlace "$rootfs"/var/lib/enlace-keys
chmod 1777 "$rootfs/tmp"
# Reproducible file times: the commit's time when there is one.
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"
find "$rootfs" -exec touch -h -d "@$epoch" {} +

created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
layout="$out/oci"
rm -rf "$layout"
umoci init --layout "$layout"
umoci new --image "$layout:$tag"
umoci insert --image "$layout:$tag" --history.created="$created" \
  --history.created_by="deploy/image/build.sh" "$rootfs" /
umoci config --image "$layout:$tag" --created="$created" \
  --config.user=65532:65532 \
  --config.entrypoint=/usr/local/bin/enlace-node \
  --config.workingdir=/var/lib/enlace \
  --config.env=PATH=/usr/local/bin \
  --config.exposedports=7443/tcp --config.exposedports=7501/tcp --config.exposedports=9464/tcp \
  --config.volume=/var/lib/enlace --config.volume=/var/lib/enlace-keys \
  --config.label=org.opencontainers.image.title=enlace \
  --config.label=org.opencontainers.image.source=deploy/image/build.sh \
  --architecture=amd64 --os=linux \
  --history.created="$created" --history.created_by="deploy/image/build.sh (config)"
umoci gc --layout "$layout"

oci_tar="$out/enlace-$tag.oci.tar"
docker_tar="$out/enlace-$tag.docker.tar"
rm -f "$oci_tar" "$docker_tar"
skopeo copy --quiet "oci:$layout:$tag" "oci-archive:$oci_tar:$tag"
skopeo copy --quiet "oci:$layout:$tag" "docker-archive:$docker_tar:enlace:$tag"

unpacked="$(du -sb "$rootfs" | cut -f1)"
layer="$(du -sb "$layout/blobs" | cut -f1)"
echo "image enlace:$tag: $count libraries; unpacked $((unpacked / 1048576)) MiB ($unpacked bytes), compressed layer+config $((layer / 1048576)) MiB ($layer bytes)"
echo "  OCI layout   $layout"
echo "  oci-archive  $oci_tar ($(($(stat -c %s "$oci_tar") / 1048576)) MiB)"
echo "  docker-archive $docker_tar ($(($(stat -c %s "$docker_tar") / 1048576)) MiB)"
