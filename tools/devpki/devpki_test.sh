#!/usr/bin/env bash
# enlace-devpki end to end: files and modes, idempotent reruns, signing keys, and the manifest's
# version rules (kept when unchanged, +1 when members change, explicit --manifest_version).
set -euo pipefail

DEVPKI="$TEST_SRCDIR/enlace/tools/devpki/enlace-devpki"
OUT="$TEST_TMPDIR/pki"
M="$OUT/manifest.textproto"
fail() { echo "FAIL: $*" >&2; exit 1; }
version() { sed -n 's/^version: //p' "$M"; }
run() { "$DEVPKI" --out="$OUT" "$@" >"$TEST_TMPDIR/out.txt" 2>&1 || { cat "$TEST_TMPDIR/out.txt"; return 1; }; }

EP2=MX=127.0.0.1:7501,GT=127.0.0.1:7502
run --countries=MX,GT --manifest="$M" --federation_endpoints="$EP2"
for cc in MX GT; do
  for f in ca.pem ca.key node.pem node.key admin.pem admin.key signing.key signing.pub; do
    [[ -s "$OUT/$cc/$f" ]] || fail "$cc/$f missing"
  done
  [[ "$(stat -c %a "$OUT/$cc/signing.key")" == 600 ]] || fail "$cc/signing.key is not 0600"
  [[ "$(stat -c %a "$OUT/$cc/signing.pub")" == 644 ]] || fail "$cc/signing.pub is not 0644"
  grep -q 'BEGIN PUBLIC KEY' "$OUT/$cc/signing.pub" || fail "$cc/signing.pub is not a PEM key"
done
# Nodes present node.pem to their peers as clients too.
openssl x509 -in "$OUT/MX/node.pem" -noout -ext extendedKeyUsage | grep -q 'Client Authentication' ||
  fail "node.pem lacks clientAuth"
[[ "$(version)" == 1 ]] || fail "first manifest version $(version), want 1"
grep -q 'node_identity: "spiffe://gt.enlace.example/node"' "$M" || fail "GT identity missing"
grep -q 'federation_endpoint: "127.0.0.1:7502"' "$M" || fail "GT endpoint missing"
[[ "$(grep -c '^members {' "$M")" == 2 ]] || fail "want 2 members"

# A rerun changes nothing: same keys, same manifest file (not even rewritten).
cp "$OUT/MX/signing.key" "$TEST_TMPDIR/mx.key"
before="$(stat -c %Y.%i "$M")"
run --countries=MX,GT --manifest="$M" --federation_endpoints="$EP2"
grep -q '^wrote' "$TEST_TMPDIR/out.txt" && fail "rerun wrote: $(grep '^wrote' "$TEST_TMPDIR/out.txt")"
cmp -s "$OUT/MX/signing.key" "$TEST_TMPDIR/mx.key" || fail "rerun replaced the signing key"
[[ "$(stat -c %Y.%i "$M")" == "$before" ]] || fail "rerun rewrote an unchanged manifest"

# A changed --clients URI reissues that certificate (under the same CA); the others stay.
cp "$OUT/MX/node.pem" "$TEST_TMPDIR/mx-node.pem"
run --countries=MX,GT --manifest="$M" --federation_endpoints="$EP2" \
  --clients='admin=spiffe://{cc}.enlace.example/role/operator/user/admin'
grep -q "reissuing $OUT/MX/admin.pem" "$TEST_TMPDIR/out.txt" || fail "changed admin URI not reissued"
openssl x509 -in "$OUT/MX/admin.pem" -noout -ext subjectAltName | grep -q 'role/operator/user/admin' ||
  fail "admin.pem has not the new URI"
cmp -s "$OUT/MX/node.pem" "$TEST_TMPDIR/mx-node.pem" || fail "node.pem reissued needlessly"
[[ "$(version)" == 1 ]] || fail "a client certificate changed the manifest"

# A new member: version 2, the old members' keys kept.
run --countries=MX,GT,HN --manifest="$M" --federation_endpoints="$EP2,HN=127.0.0.1:7503"
[[ "$(version)" == 2 ]] || fail "version after adding HN is $(version), want 2"
cmp -s "$OUT/MX/signing.key" "$TEST_TMPDIR/mx.key" || fail "adding HN replaced MX's signing key"

# A moved endpoint is a change too; an explicit version wins.
run --countries=MX,GT,HN --manifest="$M" --federation_endpoints="$EP2,HN=127.0.0.1:7600"
[[ "$(version)" == 3 ]] || fail "version after moving HN is $(version), want 3"
run --countries=MX,GT,HN --manifest="$M" --federation_endpoints="$EP2,HN=127.0.0.1:7600" \
  --manifest_version=10
[[ "$(version)" == 10 ]] || fail "explicit version not used: $(version)"

# A signing key without its public half (a crash between the two writes) is replaced, and the
# manifest follows.
rm "$OUT/HN/signing.pub"
run --countries=MX,GT,HN --manifest="$M" --federation_endpoints="$EP2,HN=127.0.0.1:7600"
[[ -s "$OUT/HN/signing.pub" ]] || fail "HN/signing.pub not recreated"
[[ "$(version)" == 11 ]] || fail "version after the new HN key is $(version), want 11"

# Halves of different pairs are refused, not silently published.
cp "$OUT/GT/signing.pub" "$OUT/MX/signing.pub"
if run --countries=MX,GT,HN --manifest="$M" --federation_endpoints="$EP2,HN=127.0.0.1:7600"; then
  fail "mismatched MX signing key pair accepted"
fi
grep -q 'not a matching Ed25519 key pair' "$TEST_TMPDIR/out.txt" || fail "unclear mismatch error"

# Revocation: the CRL of MX's CA names admin's certificate, verifies with the CA, and nothing
# else of the PKI changes.
sums() { (cd "$OUT/MX" && md5sum $(ls | grep -v '^revoked.pem$')); }
before=$(sums)
run --revoke=MX:admin || fail "--revoke failed"
serial=$(openssl x509 -in "$OUT/MX/admin.pem" -noout -serial | cut -d= -f2)
openssl crl -in "$OUT/MX/revoked.pem" -CAfile "$OUT/MX/ca.pem" -noout 2>"$TEST_TMPDIR/crl.txt" ||
  fail "the CRL does not verify with its CA"
openssl crl -in "$OUT/MX/revoked.pem" -noout -text | tr -d ' ' | grep -qi "SerialNumber:$serial" ||
  fail "admin's serial $serial is not in the CRL"
[[ "$(sums)" == "$before" ]] || fail "--revoke changed other files"
run --revoke=MX: || fail "an empty CRL"
if run --revoke=MX:nobody; then fail "revoked a client that does not exist"; fi
if run --revoke=XX; then fail "accepted --revoke without a colon"; fi

# Usage errors.
for args in "--countries=MX,GT --manifest=$M --federation_endpoints=MX=127.0.0.1:7501" \
            "--countries=MX --manifest=$M --federation_endpoints=MX=127.0.0.1:7501,GT=h:1" \
            "--countries=MX --manifest=$M --federation_endpoints=MX=127.0.0.1:port" \
            "--countries=MX --federation_endpoints=MX=127.0.0.1:7501"; do
  # shellcheck disable=SC2086
  if "$DEVPKI" --out="$TEST_TMPDIR/other" $args >/dev/null 2>&1; then fail "accepted: $args"; fi
done
echo PASS
