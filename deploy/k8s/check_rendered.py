#!/usr/bin/env python3
"""Checks the objects `kubectl kustomize deploy/k8s/overlays/<cc>` renders, field by field.

  check_rendered.py CC RENDERED.yaml NODE_TEXTPROTO

No cluster is needed: what a cluster would enforce (Pod Security "restricted", the NetworkPolicy
as written) is checked on the objects themselves. Prints every problem and exits 1 if any.
"""

import re
import sys

import yaml  # Debian: python3-yaml (deploy/setup.sh)

# The measured peak of a loaded node (deploy/k8s/measure.sh; docs/operations.md, Sizing).
MEASURED_PEAK_MIB = 145
MEMBERS = ["MX", "GT", "HN"]
SECRETARIAT = "XS"
PORTS = {"api": 7443, "federation": 7501, "ops": 9464}
PLACEHOLDER = "192.0.2.255/32"

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


def mib(quantity):
    m = re.fullmatch(r"(\d+)(Mi|Gi)", str(quantity))
    if not m:
        return -1
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)


def textproto_field(text, field):
    """The first `field: "value"` of a text-format proto (comments stripped), or None."""
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        m = re.search(r'\b%s:\s*"([^"]*)"' % re.escape(field), line)
        if m:
            return m.group(1)
    return None


def textproto_block_field(text, block, field):
    """`field` inside `block { ... }` (one level, as node-deploy.textproto writes it)."""
    m = re.search(r"^%s\s*\{(.*?)^\}" % re.escape(block), text, re.S | re.M)
    inline = re.search(r"^%s\s*\{([^}\n]*)\}" % re.escape(block), text, re.M)
    body = inline.group(1) if inline else (m.group(1) if m else "")
    return textproto_field(body, field)


def main():
    cc, rendered_path, config_path = sys.argv[1], sys.argv[2], sys.argv[3]
    lc = cc.lower()
    docs = [d for d in yaml.safe_load_all(open(rendered_path)) if d]
    config = open(config_path).read()
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    namespace = "enlace-" + lc

    # --- what exists, and where --------------------------------------------------------------
    want_kinds = {"Namespace": 1, "ServiceAccount": 1, "StatefulSet": 1, "Service": 3,
                  "NetworkPolicy": 1, "PodDisruptionBudget": 1, "ConfigMap": 1}
    for kind, n in want_kinds.items():
        check(len(by_kind.get(kind, [])) == n,
              "%s: want %d %s, got %d" % (cc, n, kind, len(by_kind.get(kind, []))))
    check(not by_kind.get("Secret"),
          "%s: a Secret is rendered: keys are created by the operator, never committed" % cc)
    for d in docs:
        if d["kind"] != "Namespace":
            check(d["metadata"].get("namespace") == namespace,
                  "%s: %s/%s not in namespace %s" % (cc, d["kind"], d["metadata"]["name"], namespace))
    if problems:
        return
    ns = by_kind["Namespace"][0]
    check(ns["metadata"]["name"] == namespace, "%s: namespace %s" % (cc, ns["metadata"]["name"]))
    check(ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted",
          "%s: namespace does not enforce Pod Security restricted" % cc)

    # --- the StatefulSet -----------------------------------------------------------------------
    sts = by_kind["StatefulSet"][0]
    spec = sts["spec"]
    pod = spec["template"]["spec"]
    pod_labels = spec["template"]["metadata"]["labels"]
    check(spec.get("replicas") == 1, "%s: replicas %s, want 1 (one writer)" % (cc, spec.get("replicas")))
    check(all(pod_labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
          "%s: the StatefulSet's selector does not select its pods" % cc)
    check(pod_labels.get("enlace.example/member") == cc, "%s: pods lack enlace.example/member" % cc)
    check(pod.get("automountServiceAccountToken") is False, "%s: a service account token is mounted" % cc)
    claims = {c["metadata"]["name"]: c for c in spec.get("volumeClaimTemplates", [])}
    check(set(claims) == {"data", "keys"}, "%s: volume claims %s, want data and keys" % (cc, sorted(claims)))
    psc = pod.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True, "%s: pod runAsNonRoot not true" % cc)
    check(psc.get("runAsUser", 0) != 0 and psc.get("runAsGroup", 0) != 0, "%s: pod runs as root" % cc)
    check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "%s: pod seccomp not RuntimeDefault" % cc)
    check(psc.get("fsGroup") == psc.get("runAsGroup"), "%s: fsGroup is not the pod's group" % cc)
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    containers = pod.get("containers", [])
    inits = pod.get("initContainers", [])
    check(len(containers) == 1, "%s: want one container" % cc)
    for c in containers + inits:
        name = c["name"]
        sc = c.get("securityContext", {})
        check(sc.get("allowPrivilegeEscalation") is False, "%s/%s: allowPrivilegeEscalation not false" % (cc, name))
        check(sc.get("readOnlyRootFilesystem") is True, "%s/%s: root filesystem not read-only" % (cc, name))
        check(sc.get("privileged") is not True, "%s/%s: privileged" % (cc, name))
        check(sc.get("runAsUser", psc.get("runAsUser", 0)) != 0, "%s/%s: runs as root" % (cc, name))
        caps = sc.get("capabilities", {})
        check(caps.get("drop") == ["ALL"] and not caps.get("add"),
              "%s/%s: capabilities %s, want drop [ALL] and none added" % (cc, name, caps))
        check(sc.get("seccompProfile", psc.get("seccompProfile", {})).get("type") == "RuntimeDefault",
              "%s/%s: seccomp not RuntimeDefault" % (cc, name))
        res = c.get("resources", {})
        check(res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory"),
              "%s/%s: no CPU and memory requests" % (cc, name))
        check(res.get("limits", {}).get("memory"), "%s/%s: no memory limit" % (cc, name))
        image = c.get("image", "")
        check(re.search(r":[\w.-]+$|@sha256:[0-9a-f]{64}$", image) and not image.endswith(":latest"),
              "%s/%s: image %r not pinned" % (cc, name, image))
        for m in c.get("volumeMounts", []):
            check(m["name"] in volumes or m["name"] in claims,
                  "%s/%s: mount of an undefined volume %s" % (cc, name, m["name"]))
    if problems:
        return
    node = containers[0]
    mounts = {m["mountPath"]: m for m in node.get("volumeMounts", [])}
    check(mounts.get("/var/lib/enlace", {}).get("name") == "data", "%s: data volume not at /var/lib/enlace" % cc)
    check(mounts.get("/var/lib/enlace-keys", {}).get("name") == "keys",
          "%s: key vault volume not at /var/lib/enlace-keys" % cc)
    for path, m in mounts.items():
        if m["name"] not in ("data", "keys"):
            check(m.get("readOnly") is True, "%s: %s is mounted writable" % (cc, path))
    requests = node["resources"]["requests"]
    check(mib(requests["memory"]) >= MEASURED_PEAK_MIB,
          "%s: memory request %s under the measured peak %d MiB" % (cc, requests["memory"], MEASURED_PEAK_MIB))
    check(mib(node["resources"]["limits"]["memory"]) >= mib(requests["memory"]), "%s: memory limit under the request" % cc)
    ports = {p["name"]: p["containerPort"] for p in node.get("ports", [])}
    check(ports == PORTS, "%s: container ports %s, want %s" % (cc, ports, PORTS))
    probes = {k: node.get(k, {}).get("httpGet", {}) for k in ("startupProbe", "livenessProbe", "readinessProbe")}
    for kind, probe in probes.items():
        check(probe.get("port") in ("ops", PORTS["ops"]), "%s: %s not on the ops port" % (cc, kind))
    check(probes["livenessProbe"].get("path") == "/healthz", "%s: liveness not /healthz" % cc)
    check(probes["startupProbe"].get("path") == "/healthz", "%s: startup not /healthz" % cc)
    check(probes["readinessProbe"].get("path") == "/readyz", "%s: readiness not /readyz" % cc)
    want_command = ["/usr/local/bin/enlace-secretariat"] if cc == SECRETARIAT else None
    check(node.get("command") == want_command, "%s: command %s, want %s" % (cc, node.get("command"), want_command))
    check(node.get("args") == ["--config=/etc/enlace/config/node.textproto"], "%s: args %s" % (cc, node.get("args")))

    # --- the config in the ConfigMap, and the files it names ------------------------------------
    cm = by_kind["ConfigMap"][0]
    check(re.fullmatch(r"enlace-node-config-[a-z0-9]{10}", cm["metadata"]["name"]),
          "%s: ConfigMap %s has no content hash" % (cc, cm["metadata"]["name"]))
    check(volumes.get("config", {}).get("configMap", {}).get("name") == cm["metadata"]["name"],
          "%s: the config volume does not use the generated ConfigMap" % cc)
    check(cm.get("data", {}).get("node.textproto") == config,
          "%s: the ConfigMap's node.textproto differs from overlays/%s/node.textproto" % (cc, lc))
    check(mounts.get("/etc/enlace/config", {}).get("name") == "config", "%s: config not at /etc/enlace/config" % cc)
    check(textproto_field(config, "country") == cc, "%s: config country %s" % (cc, textproto_field(config, "country")))
    check(("secretariat: true" in config) == (cc == SECRETARIAT), "%s: secretariat flag wrong" % cc)
    check(textproto_field(config, "api_address") == "0.0.0.0:%d" % PORTS["api"], "%s: api_address" % cc)
    check(textproto_block_field(config, "federation", "address") == "0.0.0.0:%d" % PORTS["federation"],
          "%s: federation.address" % cc)
    ops = textproto_block_field(config, "ops", "address")
    # The probes and Prometheus need it.
    check(ops == "0.0.0.0:%d" % PORTS["ops"], "%s: ops.address %s, want 0.0.0.0:%d" % (cc, ops, PORTS["ops"]))

    def volume_at(path):
        """The volume name mounted at the longest mount path that holds `path`."""
        best = None
        for mp, m in mounts.items():
            if path == mp or path.startswith(mp.rstrip("/") + "/"):
                if best is None or len(mp) > len(best[0]):
                    best = (mp, m["name"])
        return best[1] if best else None

    check(volume_at(textproto_field(config, "data_dir") or "") == "data", "%s: data_dir not on the data volume" % cc)
    check(volume_at(textproto_block_field(config, "security", "keys_dir") or "") == "keys",
          "%s: keys_dir not on the keys volume" % cc)
    run_keys = volumes.get("run-keys", {}).get("emptyDir", {})
    check(run_keys.get("medium") == "Memory", "%s: the keys' copy is not in memory" % cc)
    init_script = " ".join(" ".join(c.get("command", [])) for c in inits)
    for block, field in (("api_tls", "key_file"), ("federation", "signing_key_file"), ("security", "master_key_file")):
        path = textproto_block_field(config, block, field) or ""
        check(volume_at(path) == "run-keys", "%s: %s.%s %s not in the keys' memory volume" % (cc, block, field, path))
        check(path.rsplit("/", 1)[-1] in init_script, "%s: the init container does not copy %s" % (cc, path))
    for block, field, volume in (("api_tls", "cert_file", "tls"), ("api_tls", "client_ca_file", "tls"),
                                 ("federation", "manifest_file", "manifest")):
        path = textproto_block_field(config, block, field) or ""
        check(volume_at(path) == volume, "%s: %s.%s %s not on volume %s" % (cc, block, field, path, volume))
        items = [i["path"] for i in volumes.get(volume, {}).get("secret", {}).get("items", [])]
        if items:
            check(path.rsplit("/", 1)[-1] in items, "%s: %s is not projected into volume %s" % (cc, path, volume))
    secrets = {v["secret"]["secretName"] for v in volumes.values() if "secret" in v}
    check(secrets == {"enlace-tls", "enlace-signing-key", "enlace-master-key"}, "%s: Secrets %s" % (cc, sorted(secrets)))
    tls_items = [i["key"] for i in volumes["tls"]["secret"].get("items", [])]
    check("node.key" not in tls_items and tls_items, "%s: the node's container sees node.key from the Secret" % cc)
    for c in containers:
        for m in c.get("volumeMounts", []):
            check(m["name"] not in ("tls-key", "signing-key", "master-key"),
                  "%s: the node's container mounts the Secret %s (group-readable keys)" % (cc, m["name"]))

    # --- Services, PDB -------------------------------------------------------------------------
    for svc in by_kind["Service"]:
        sel = svc["spec"].get("selector", {})
        check(sel and all(pod_labels.get(k) == v for k, v in sel.items()),
              "%s: Service %s does not select the pod" % (cc, svc["metadata"]["name"]))
        for p in svc["spec"]["ports"]:
            check(p.get("targetPort") in ports, "%s: Service %s targets port %s" % (cc, svc["metadata"]["name"], p.get("targetPort")))
    services = {s["metadata"]["name"]: s for s in by_kind["Service"]}
    check(spec.get("serviceName") in services and services[spec["serviceName"]]["spec"].get("clusterIP") == "None",
          "%s: the StatefulSet's serviceName is not a headless Service" % cc)
    fed = services.get("enlace-federation", {}).get("spec", {})
    check(fed.get("externalTrafficPolicy") == "Local", "%s: federation Service loses the peers' addresses" % cc)
    check([p["targetPort"] for p in services.get("enlace-api", {}).get("spec", {}).get("ports", [])] == ["api"],
          "%s: enlace-api exposes more than the API" % cc)
    pdb = by_kind["PodDisruptionBudget"][0]["spec"]
    check(all(pod_labels.get(k) == v for k, v in pdb["selector"]["matchLabels"].items()),
          "%s: the PodDisruptionBudget does not select the pod" % cc)
    check(pdb.get("minAvailable") == 1 or pdb.get("maxUnavailable") == 0,
          "%s: the PodDisruptionBudget allows evicting the only replica" % cc)

    # --- NetworkPolicy -------------------------------------------------------------------------
    np = by_kind["NetworkPolicy"][0]["spec"]
    check(all(pod_labels.get(k) == v for k, v in np["podSelector"]["matchLabels"].items()),
          "%s: the NetworkPolicy does not select the pod" % cc)
    check(sorted(np.get("policyTypes", [])) == ["Egress", "Ingress"], "%s: policyTypes %s" % (cc, np.get("policyTypes")))
    admitted = {}
    for rule in np.get("ingress", []):
        check(rule.get("from"), "%s: an ingress rule without `from` admits everyone" % cc)
        check(rule.get("ports"), "%s: an ingress rule without ports opens every port" % cc)
        for p in rule.get("ports", []):
            admitted.setdefault(p["port"], []).extend(rule.get("from", []))
    check(set(admitted) == set(PORTS.values()), "%s: ingress ports %s, want %s" % (cc, sorted(admitted), sorted(PORTS.values())))
    for peer in admitted.get(PORTS["api"], []):
        check(set(peer) == {"namespaceSelector"} and peer["namespaceSelector"].get("matchLabels") == {"enlace.example/api-clients": "true"},
              "%s: the API admits %s" % (cc, peer))
    for peer in admitted.get(PORTS["ops"], []):
        check(peer == {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
              "%s: the ops port admits %s (only the monitoring namespace)" % (cc, peer))
    fed_from = admitted.get(PORTS["federation"], [])
    want_peers = len(MEMBERS) if cc == SECRETARIAT else len(MEMBERS) - 1
    check(len(fed_from) == want_peers, "%s: the federation port admits %d peers, want %d" % (cc, len(fed_from), want_peers))
    for peer in fed_from:
        cidr = peer.get("ipBlock", {}).get("cidr", "")
        check(set(peer) == {"ipBlock"} and cidr.endswith("/32") and cidr != PLACEHOLDER and not peer["ipBlock"].get("except"),
              "%s: the federation port admits %s (want one member address each)" % (cc, peer))
    egress_ports = {}
    for rule in np.get("egress", []):
        check(rule.get("to") and rule.get("ports"), "%s: an egress rule opens everything" % cc)
        for p in rule.get("ports", []):
            egress_ports.setdefault(p["port"], []).extend(rule.get("to", []))
    want_egress = {53} if cc == SECRETARIAT else {53, PORTS["federation"]}
    check(set(egress_ports) == want_egress, "%s: egress ports %s, want %s" % (cc, sorted(egress_ports), sorted(want_egress)))
    if cc != SECRETARIAT:
        to = egress_ports.get(PORTS["federation"], [])
        check(len(to) == len(MEMBERS) and all(set(t) == {"ipBlock"} and t["ipBlock"]["cidr"].endswith("/32")
                                                and t["ipBlock"]["cidr"] != PLACEHOLDER for t in to),
              "%s: federation egress %s, want the other members and the secretariat" % (cc, to))


if __name__ == "__main__":
    main()
    for p in problems:
        print("FAIL: " + p)
    if problems:
        sys.exit(1)
    print("%s: rendered objects OK" % sys.argv[1])
