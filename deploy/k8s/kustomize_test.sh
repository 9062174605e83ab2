#!/usr/bin/env bash
# Renders every overlay with `kubectl kustomize` (no cluster needed) and checks the objects with
# check_rendered.py; checks that the overlays' node.textproto are in sync with deploy/config;
# then breaks a rendered MX in several ways and expects the checker to name each break.
# Without kubectl (it is not a Debian package) the rendering cannot be checked: the test says so
# loudly and passes, the only case where it skips.
set -euo pipefail

R="$TEST_SRCDIR/enlace"
K="$R/deploy/k8s"
T="$TEST_TMPDIR"
fail() { echo "FAIL: $*" >&2; exit 1; }

ROOT="$R" bash "$K/sync_configs.sh" --check || fail "overlays' node.textproto out of date"
! grep -rlE 'BEGIN [A-Z ]*PRIVATE KEY' "$K" || fail "a private key is committed under deploy/k8s"

if ! command -v kubectl >/dev/null; then
  echo "############################################################################"
  echo "## SKIPPED: kubectl is not installed, so the overlays were NOT rendered or  ##"
  echo "## checked. Install kubectl (not a Debian package) and rerun this test.     ##"
  echo "############################################################################"
  exit 0
fi
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml missing (deploy/setup.sh installs it)"

for cc in MX GT HN XS; do
  lc="$(tr 'A-Z' 'a-z' <<<"$cc")"
  # A copy: kustomize refuses files reached through the runfiles' symlinks out of the tree.
  rm -rf "$T/k8s" && cp -rL "$K" "$T/k8s"
  kubectl kustomize "$T/k8s/overlays/$lc" >"$T/$lc.yaml" || fail "kubectl kustomize overlays/$lc"
  python3 "$K/check_rendered.py" "$cc" "$T/$lc.yaml" "$K/overlays/$lc/node.textproto" ||
    fail "overlays/$lc: rendered objects"
done

# The checker must catch what it is there for: each mutation of MX's objects must fail with its
# message.
mutate() {  # NAME EXPECTED-MESSAGE PYTHON-STATEMENT (on `docs`, `sts`, `pod`, `node`, `np`)
  local name="$1" want="$2" stmt="$3"
  python3 - "$T/mx.yaml" "$T/bad.yaml" "$stmt" <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kind = lambda k: [d for d in docs if d["kind"] == k][0]
sts = kind("StatefulSet"); pod = sts["spec"]["template"]["spec"]; node = pod["containers"][0]
np = kind("NetworkPolicy")["spec"]
exec(sys.argv[3])
yaml.safe_dump_all(docs, open(sys.argv[2], "w"))
EOF
  if python3 "$K/check_rendered.py" MX "$T/bad.yaml" "$K/overlays/mx/node.textproto" >"$T/bad.out" 2>&1; then
    fail "mutation '$name' passed the checker"
  fi
  grep -q -- "$want" "$T/bad.out" || { cat "$T/bad.out"; fail "mutation '$name': no '$want'"; }
  echo "caught: $name"
}
mutate "two replicas" "replicas 2" 'sts["spec"]["replicas"] = 2'
mutate "writable root" "root filesystem not read-only" 'node["securityContext"]["readOnlyRootFilesystem"] = False'
mutate "a capability" "capabilities" 'node["securityContext"]["capabilities"]["add"] = ["NET_ADMIN"]'
mutate "init as root" "keys: runs as root" 'pod["initContainers"][0]["securityContext"]["runAsUser"] = 0'
mutate "no seccomp" "seccomp" 'del pod["securityContext"]["seccompProfile"]; del node["securityContext"]["seccompProfile"]'
mutate "one volume" "key vault volume" 'node["volumeMounts"] = [m for m in node["volumeMounts"] if m["name"] != "keys"]'
mutate "gRPC probe" "readinessProbe not on the ops port" 'node["readinessProbe"] = {"grpc": {"port": 7443}}'
mutate "ops from anywhere" "ingress rule without" 'del np["ingress"][2]["from"]'
mutate "federation from everyone" "federation port admits" 'np["ingress"][1]["from"] = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]'
mutate "API from an IP" "the API admits" 'np["ingress"][0]["from"].append({"ipBlock": {"cidr": "10.0.0.0/8"}})'
mutate "small request" "under the measured peak" 'node["resources"]["requests"]["memory"] = "64Mi"'
mutate "key from the Secret" "sees node.key" 'pod["volumes"] = [dict(v, secret=dict(v["secret"], items=v["secret"]["items"] + [{"key": "node.key", "path": "node.key"}])) if v["name"] == "tls" else v for v in pod["volumes"]]'
mutate "committed Secret" "a Secret is rendered" 'docs.append({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "x", "namespace": "enlace-mx"}, "data": {}})'
mutate "latest image" "not pinned" 'node["image"] = "registry.example.org/enlace/enlace:latest"'
# The active/standby variant (deploy/k8s/ha/mx): its config is MX's plus ha.textproto, and it
# renders two replicas apart, in parallel, on one shared vault volume, with MX's probes.
cmp -s <(cat "$K/overlays/mx/node.textproto" "$K/ha/mx/ha.textproto") "$K/ha/mx/node.textproto" ||
  fail "ha/mx/node.textproto is not overlays/mx/node.textproto + ha/mx/ha.textproto (regenerate it)"
rm -rf "$T/k8s" && cp -rL "$K" "$T/k8s"
kubectl kustomize "$T/k8s/ha/mx" >"$T/mx-ha.yaml" || fail "kubectl kustomize ha/mx"
python3 - "$T/mx-ha.yaml" <<'EOF' || fail "ha/mx: rendered objects"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
sts = [d for d in docs if d["kind"] == "StatefulSet"][0]
pod = sts["spec"]["template"]["spec"]
node = pod["containers"][0]
cm = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("enlace-node-config")][0]
config = cm["data"]["node.textproto"]
problems = []
if sts["spec"]["replicas"] != 2: problems.append("replicas is not 2")
if sts["spec"]["podManagementPolicy"] != "Parallel": problems.append("not Parallel")
anti = pod.get("affinity", {}).get("podAntiAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution", [])
if not any(t["topologyKey"] == "kubernetes.io/hostname" for t in anti): problems.append("no anti-affinity by host")
keys = [v for v in pod["volumes"] if v["name"] == "keys"]
if not keys or keys[0].get("persistentVolumeClaim", {}).get("claimName") != "enlace-keys-shared":
    problems.append("the vault volume is not the shared claim")
if any(t["metadata"]["name"] == "keys" for t in sts["spec"]["volumeClaimTemplates"]): problems.append("a per-pod keys claim remains")
pvc = [d for d in docs if d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] == "enlace-keys-shared"]
if not pvc or pvc[0]["spec"]["accessModes"] != ["ReadWriteMany"]: problems.append("shared claim not ReadWriteMany")
if node["readinessProbe"]["httpGet"]["path"] != "/readyz": problems.append("readiness is not /readyz")
if "lease_conninfo:" not in config or "postgres {" not in config: problems.append("config lacks the lease or the PostgreSQL store")
mounted = [v["configMap"]["name"] for v in pod["volumes"] if v["name"] == "config"]
if mounted != [cm["metadata"]["name"]]: problems.append("the pods do not mount the HA config")
for p in problems: print("ha/mx:", p)
sys.exit(1 if problems else 0)
EOF
echo "PASS: 4 overlays rendered and checked, 14 mutations caught, the HA variant checked"
