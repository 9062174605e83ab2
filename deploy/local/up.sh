#!/usr/bin/env bash
# Starts a local Enlace federation: one enlace-node per country on this machine, federated
# through a manifest, loaded with sample data. See deploy/local/README.md.
#
#   bash deploy/local/up.sh            # fresh Debian 12, as root: installs, builds, starts, loads
#   bash deploy/local/down.sh [--purge]
#
# Idempotent: with every node already running it only tops up what is missing (sample data of a
# node whose load did not finish) and prints how to use it. Environment:
#   ENLACE_COUNTRIES="MX GT HN"   countries, each with deploy/config/<cc>.textproto
#   ENLACE_API_PORT=7443          API port of the first country; the next ones count up
#   ENLACE_FEDERATION_PORT=7501   federation port of the first country; likewise
#   ENLACE_OPS_PORT=9464          ops port (HTTP: /healthz, /readyz, /metrics) of the first; likewise
#   ENLACE_SAMPLE_PERSONS=300     sample persons per country
#   ENLACE_SAMPLE_ORGANISATIONS=10  directory organisations per country
#   ENLACE_SAMPLE_SEED=1
#   ENLACE_SAMPLE_CRISIS=1        0: no sample crisis (deploy/local/crisis.sh; needs MX, GT, HN)
#   ENLACE_SECRETARIAT=XS         the regional secretariat's member code; empty: none
#   ENLACE_SAMPLE_HISTORY_MONTHS=36  months of sample statistics from before the nodes
# Options: --no-setup (skip deploy/setup.sh), --no-build (use the binaries already in run/bin).
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=deploy/local/crisis.sh
source "$(dirname "${BASH_SOURCE[0]}")/crisis.sh"
# shellcheck source=deploy/local/children.sh
source "$(dirname "${BASH_SOURCE[0]}")/children.sh"
# shellcheck source=deploy/local/workers.sh
source "$(dirname "${BASH_SOURCE[0]}")/workers.sh"

SETUP=1
BUILD=1
for arg in "$@"; do
  case "$arg" in
    --no-setup) SETUP=0 ;;
    --no-build) BUILD=0 ;;
    -h|--help) usage "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument $arg (see --help)" ;;
  esac
done

read -r -a COUNTRIES <<<"$(tr '[:lower:],' '[:upper:] ' <<<"${ENLACE_COUNTRIES:-MX GT HN}")"
API_PORT="${ENLACE_API_PORT:-7443}"
FEDERATION_PORT="${ENLACE_FEDERATION_PORT:-7501}"
OPS_PORT="${ENLACE_OPS_PORT:-9464}"
PERSONS="${ENLACE_SAMPLE_PERSONS:-300}"
ORGANISATIONS="${ENLACE_SAMPLE_ORGANISATIONS:-10}"
SEED="${ENLACE_SAMPLE_SEED:-1}"
SAMPLE_CRISIS="${ENLACE_SAMPLE_CRISIS:-1}"
SECRETARIAT="$(tr '[:lower:]' '[:upper:]' <<<"${ENLACE_SECRETARIAT-XS}")"
HISTORY_MONTHS="${ENLACE_SAMPLE_HISTORY_MONTHS:-36}"
# Seconds for a node to listen (RocksDB open and WAL replay; fast, but slow disks exist).
START_TIMEOUT="${ENLACE_START_TIMEOUT:-60}"

TARGETS=(//services/node:enlace-node //services/node:enlace-secretariat //tools/devpki:enlace-devpki
         //tools/sampleload:enlace-sample-load //tools/enlacectl:enlacectl)
BINARIES=(services/node/enlace-node services/node/enlace-secretariat tools/devpki/enlace-devpki
          tools/sampleload/enlace-sample-load tools/enlacectl/enlacectl)

[[ ${#COUNTRIES[@]} -gt 0 ]] || die "ENLACE_COUNTRIES is empty"
for n in "$API_PORT" "$FEDERATION_PORT" "$OPS_PORT" "$PERSONS" "$ORGANISATIONS" "$SEED" "$SAMPLE_CRISIS" \
         "$HISTORY_MONTHS"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "ports, sample sizes and seed must be numbers (got '$n')"
done
declare -A API=() FED=() OPS=()
i=0
for cc in "${COUNTRIES[@]}"; do
  [[ "$cc" =~ ^[A-Z][A-Z]$ ]] || die "ENLACE_COUNTRIES: '$cc' is not an ISO 3166-1 alpha-2 code"
  [[ -z "${API[$cc]:-}" ]] || die "ENLACE_COUNTRIES: $cc is listed twice"
  [[ -f "$ROOT/deploy/config/$(lower "$cc").textproto" ]] ||
    die "no node config for $cc: deploy/config/$(lower "$cc").textproto"
  API[$cc]=$((API_PORT + i))
  FED[$cc]=$((FEDERATION_PORT + i))
  OPS[$cc]=$((OPS_PORT + i))
  i=$((i + 1))
done
# The secretariat runs beside the nodes (its own process, ports after theirs); MEMBERS is all.
MEMBERS=("${COUNTRIES[@]}")
if [[ -n "$SECRETARIAT" ]]; then
  [[ "$SECRETARIAT" =~ ^(X[A-Z]|Q[M-Z]|AA|ZZ)$ ]] ||
    die "ENLACE_SECRETARIAT: '$SECRETARIAT' is not a user-assigned ISO 3166-1 code (e.g. XS)"
  [[ -z "${API[$SECRETARIAT]:-}" ]] || die "ENLACE_SECRETARIAT: $SECRETARIAT is also a country"
  API[$SECRETARIAT]=$((API_PORT + i))
  FED[$SECRETARIAT]=$((FEDERATION_PORT + i))
  OPS[$SECRETARIAT]=$((OPS_PORT + i))
  MEMBERS+=("$SECRETARIAT")
fi
CSV="$(IFS=,; echo "${COUNTRIES[*]}")"
MEMBERS_CSV="$(IFS=,; echo "${MEMBERS[*]}")"
is_secretariat() { [[ -n "$SECRETARIAT" && "$1" == "$SECRETARIAT" ]]; }

config_of() { echo "$ROOT/deploy/config/$(lower "$1").textproto"; }

port_in_use() { [[ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]]; }

# --- what is running already ------------------------------------------------------------------
missing=()
for cc in "${MEMBERS[@]}"; do
  if pid="$(node_pid "$cc")"; then
    ports="$(tr '\n' ' ' <"$(node_dir "$cc")/ports" 2>/dev/null || true)"
    say "$cc: already running (pid $pid, ports ${ports% })"
  else
    missing+=("$cc")
  fi
done
for cc in $(known_countries); do
  if [[ " ${MEMBERS[*]} " != *" $cc "* ]] && pid="$(node_pid "$cc")"; then
    say "warning: $cc is running (pid $pid) but not in ENLACE_COUNTRIES; it is left alone"
  fi
done

if [[ ${#missing[@]} -gt 0 ]]; then
  # --- install and build ----------------------------------------------------------------------
  if [[ $SETUP -eq 1 ]]; then
    say "deploy/setup.sh (Debian packages; needs root only when something is missing)"
    bash "$ROOT/deploy/setup.sh"
  fi
  mkdir -p "$RUN/bin"
  if [[ $BUILD -eq 1 ]]; then
    command -v bazel >/dev/null || die "bazel not found; run deploy/setup.sh as root"
    say "bazel build ${TARGETS[*]} (waits if another build holds the workspace)"
    (cd "$ROOT" && bazel build "${TARGETS[@]}") || die "bazel build failed (see above); nothing was started"
    bin_dir="$(cd "$ROOT" && bazel info bazel-bin 2>/dev/null)"
    # Copies, replaced by rename: running nodes keep their binary, and a later build in this
    # workspace (or a changed bazel-bin link) does not swap binaries under them.
    for b in "${BINARIES[@]}"; do
      cp -f "$bin_dir/$b" "$RUN/bin/.$(basename "$b").tmp"
      mv -f "$RUN/bin/.$(basename "$b").tmp" "$RUN/bin/$(basename "$b")"
    done
  fi
  for b in "${BINARIES[@]}"; do
    [[ -x "$RUN/bin/$(basename "$b")" ]] || die "run/bin/$(basename "$b") missing; run without --no-build"
  done

  # --- PKI and manifest -----------------------------------------------------------------------
  endpoints=()
  for cc in "${MEMBERS[@]}"; do endpoints+=("$cc=127.0.0.1:${FED[$cc]}"); done
  say "dev PKI for $MEMBERS_CSV in run/pki, manifest run/manifest.textproto"
  # Idempotent: existing keys and certificates are kept, the manifest is rewritten (with a new
  # version) only when its members change. "kept" lines are left out to keep the output short.
  devpki_out="$("$RUN/bin/enlace-devpki" --out="$RUN/pki" --countries="$MEMBERS_CSV" \
    --secretariat="$SECRETARIAT" \
    --clients='admin=spiffe://{cc}.enlace.example/role/supervisor/user/admin,sampleload=spiffe://{cc}.enlace.example/role/supervisor/user/sample-load,crm=spiffe://{cc}.enlace.example/role/secretariat/user/crm' \
    --manifest="$RUN/manifest.textproto" \
    --federation_endpoints="$(IFS=,; echo "${endpoints[*]}")")" || die "enlace-devpki failed"
  grep -v '^kept ' <<<"$devpki_out" || true
  # Running nodes poll the manifest every second anyway; SIGHUP makes them trust a new member's
  # CA before that member starts dialling them (else its first handshakes fail and are retried).
  if grep -q "^wrote .*manifest" <<<"$devpki_out"; then
    for cc in "${MEMBERS[@]}"; do
      if pid="$(node_pid "$cc")"; then
        kill -HUP "$pid" && say "$cc: SIGHUP (re-read the manifest)"
      fi
    done
    sleep 0.5
  fi

  # --- start the missing nodes ----------------------------------------------------------------
  for cc in "${missing[@]}"; do
    for p in "${API[$cc]}" "${FED[$cc]}" "${OPS[$cc]}"; do
      if port_in_use "$p"; then
        die "$cc: port $p is already in use ($(ss -Hltnp "( sport = :$p )" | head -1 | awk '{print $NF}')); stop it or set ENLACE_API_PORT / ENLACE_FEDERATION_PORT / ENLACE_OPS_PORT"
      fi
    done
  done
  for cc in "${missing[@]}"; do
    dir="$(node_dir "$cc")"
    mkdir -p "$dir/data"
    rm -f "$dir/ports" "$dir/node.pid"
    # The master key that wraps the node's per-person data keys (personal data is sealed at
    # rest). Made once and kept: a new one would make the sealed data unreadable.
    if [[ ! -s "$dir/master.key" ]]; then
      if [[ -d "$dir/data.keys" ]]; then
        die "$cc: run/$(lower "$cc")/master.key is missing but the node has sealed data; restore the key or start afresh with down.sh --purge"
      fi
      (umask 077; echo "1:$(head -c 32 /dev/urandom | base64 -w0)" >"$dir/master.key.tmp")
      mv -f "$dir/master.key.tmp" "$dir/master.key"
    fi
    echo "=== $(date -u +%FT%TZ) started by deploy/local/up.sh ===" >>"$dir/node.log"
    # setsid: the node gets its own session, so it outlives this script and its terminal (the
    # node treats SIGHUP as "reload the manifest", so it must not get the terminal's hangup).
    # The inner shell writes its own pid and then execs the node, which keeps that pid.
    (
      cd "$ROOT"
      # The configs in deploy/config hold no secrets, so the key goes by the environment
      # (ENLACE_MASTER_KEY, "VERSION:BASE64[,...]"), which only the node's owner can read.
      ENLACE_MASTER_KEY="$(grep -v '^#' "$dir/master.key" | paste -sd, -)"
      export ENLACE_MASTER_KEY
      # shellcheck disable=SC2016  # expanded by the inner shell
      binary="$RUN/bin/enlace-node"
      is_secretariat "$cc" && binary="$RUN/bin/enlace-secretariat"
      setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/node.pid" \
        "$binary" \
        --config="$(config_of "$cc")" \
        --data_dir="$dir/data" \
        --api_address="localhost:${API[$cc]}" \
        --tls_dir="$RUN/pki/$cc" \
        --port_file="$dir/ports" \
        --federation_address="127.0.0.1:${FED[$cc]}" \
        --ops_address="127.0.0.1:${OPS[$cc]}" \
        --manifest="$RUN/manifest.textproto" \
        --signing_key="$RUN/pki/$cc/signing.key" \
        </dev/null >>"$dir/node.log" 2>&1 &
    )
  done
  for cc in "${missing[@]}"; do
    dir="$(node_dir "$cc")"
    deadline=$((SECONDS + START_TIMEOUT))
    while [[ ! -s "$dir/ports" ]]; do
      sleep 0.2
      pid="$(cat "$dir/node.pid" 2>/dev/null || true)"
      if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
        tail -n 20 "$dir/node.log" >&2
        die "$cc: $(is_secretariat "$cc" && echo enlace-secretariat || echo enlace-node) exited during start; log: run/$(lower "$cc")/node.log"
      fi
      [[ $SECONDS -lt $deadline ]] || die "$cc: no port file after ${START_TIMEOUT}s; log: run/$(lower "$cc")/node.log"
    done
    say "$cc: started (pid $(node_pid "$cc"), API localhost:${API[$cc]}, federation 127.0.0.1:${FED[$cc]}, ops http://127.0.0.1:${OPS[$cc]}/)"
  done
fi

# --- sample data --------------------------------------------------------------------------------
# The load is idempotent (request ids from the seed), but skipping a finished one saves time.
# The first load's day is kept so that a rerun on a later day sends identical requests.
if [[ $PERSONS -gt 0 || $ORGANISATIONS -gt 0 ]]; then
  [[ -s "$RUN/sample.as_of" ]] || date -u +%F >"$RUN/sample.as_of"
  as_of="$(cat "$RUN/sample.as_of")"
  for cc in "${COUNTRIES[@]}"; do
    dir="$(node_dir "$cc")"
    want="persons=$PERSONS organisations=$ORGANISATIONS seed=$SEED as_of=$as_of history=$HISTORY_MONTHS"
    if [[ "$(cat "$dir/sample.done" 2>/dev/null || true)" == "$want" ]]; then
      say "$cc: sample data already loaded ($want)"
      continue
    fi
    "$RUN/bin/enlace-sample-load" --server="localhost:${API[$cc]}" --tls_dir="$RUN/pki/$cc" \
      --identity=sampleload --config="$(config_of "$cc")" --persons="$PERSONS" \
      --cases_per_person=1.5 --actions_per_case=2 --organisations="$ORGANISATIONS" \
      --seed="$SEED" --as_of="$as_of" --parallel=8 --history_months="$HISTORY_MONTHS" ||
      die "$cc: sample load failed (it is safe to rerun up.sh); log: run/$(lower "$cc")/node.log"
    echo "$want" >"$dir/sample.done"
  done
fi

# --- the directory is shared: every node should hold every member's entries ---------------------
replicated=1
if [[ $ORGANISATIONS -gt 0 && ${#COUNTRIES[@]} -gt 1 ]]; then
  expect="$(for cc in "${COUNTRIES[@]}"; do printf '%s=%s,' "$cc" "$ORGANISATIONS"; done)"
  say "checking that every node holds every member's directory entries"
  for cc in "${COUNTRIES[@]}"; do
    if ! "$RUN/bin/enlace-sample-load" --check_directory --server="localhost:${API[$cc]}" \
        --tls_dir="$RUN/pki/$cc" --expect="${expect%,}" --wait=60s; then
      replicated=0
    fi
  done
fi

# --- a sample crisis (MICIC): HN declares it, MX and GT account for their nationals -----------
# deploy/local/crisis.sh; one line of output, idempotent like the sample data.
CRISIS_NAME=""
if [[ $SAMPLE_CRISIS -ne 0 ]]; then
  [[ -s "$RUN/sample.as_of" ]] || date -u +%F >"$RUN/sample.as_of"
  sample_crisis
fi

# --- sample child-protection records: GT's and HN's consulates in Mexico (deploy/local/children.sh)
[[ -s "$RUN/sample.as_of" ]] || date -u +%F >"$RUN/sample.as_of"
sample_children

# --- sample temporary workers: MX's SAWP workers in Ontario and H-2A workers in Georgia, their
# contracts, labour claims and Labor Rights Week events (deploy/local/workers.sh)
sample_workers

# --- how to use it --------------------------------------------------------------------------------
rel() { echo "${1#"$ROOT"/}"; }
echo
echo "Enlace local federation (manifest $(rel "$RUN/manifest.textproto"), version $(sed -n 's/^version: //p' "$RUN/manifest.textproto" 2>/dev/null)):"
for cc in "${COUNTRIES[@]}"; do
  dir="$(node_dir "$cc")"
  post="$(grep -m1 -o 'code: "[A-Z0-9-]*"' "$(config_of "$cc")" | cut -d'"' -f2)"
  echo
  echo "  $cc  API localhost:${API[$cc]}  federation 127.0.0.1:${FED[$cc]}  pid $(node_pid "$cc" || echo '?')  log $(rel "$dir")/node.log"
  echo "      ops: http://127.0.0.1:${OPS[$cc]}/metrics  /healthz  /readyz"
  echo "      run/bin/enlacectl --server localhost:${API[$cc]} --tls_dir run/pki/$cc --country $cc case list post=$post page_size=5"
done
if [[ -n "$SECRETARIAT" ]]; then
  dir="$(node_dir "$SECRETARIAT")"
  echo
  echo "  $SECRETARIAT  the regional secretariat (enlace-secretariat): API localhost:${API[$SECRETARIAT]}  pid $(node_pid "$SECRETARIAT" || echo '?')  log $(rel "$dir")/node.log"
  echo "      ops: http://127.0.0.1:${OPS[$SECRETARIAT]}/metrics  /healthz  /readyz"
  echo "      receives each member's protected monthly statistics once the month ends ($HISTORY_MONTHS months of sample history are there already);"
  # The secretariat user's certificate bundled for a browser (empty password, development only).
  p12="$RUN/pki/$SECRETARIAT/crm.p12"
  if [[ ! -s "$p12" ]]; then
    openssl pkcs12 -export -in "$RUN/pki/$SECRETARIAT/crm.pem" -inkey "$RUN/pki/$SECRETARIAT/crm.key" \
      -name enlace-secretariat -out "$p12" -passout pass: 2>/dev/null || true
  fi
  dash="$(grep -o 'address: "[^"]*"' "$(config_of "$SECRETARIAT")" | head -1 | cut -d'"' -f2)"
  echo "      dashboard: https://$dash/  (import $(rel "$p12") into the browser, empty password, and"
  echo "      trust $(rel "$RUN/pki/$SECRETARIAT/ca.pem") for websites; docs/secretariat.md says how)"
fi
first="${COUNTRIES[0]}"
echo
echo "  Directory (shared by all members) and federation links, as one node sees them:"
# enlacectl gained directory and federation commands later than cases; offer them when present.
# (The help text is captured first: grep -q would close the pipe early, and pipefail would then
# count enlacectl's SIGPIPE as a failure.)
ctl_help="$("$RUN/bin/enlacectl" help 2>/dev/null || true)"
if grep -q 'org list' <<<"$ctl_help"; then
  other="${COUNTRIES[1]:-$first}"
  echo "      run/bin/enlacectl --server localhost:${API[$first]} --tls_dir run/pki/$first --country $first org list country=$other"
fi
if grep -q 'federation status' <<<"$ctl_help"; then
  echo "      run/bin/enlacectl --server localhost:${API[$first]} --tls_dir run/pki/$first --country $first federation status"
fi
echo "      run/bin/enlace-sample-load --check_directory --server localhost:${API[$first]} --tls_dir run/pki/$first"
if [[ -n "$CRISIS_NAME" ]]; then
  echo "  The sample crisis, as Mexico accounts for its nationals (see README.md, \"A crisis (MICIC)\"):"
  echo "      run/bin/enlacectl --server localhost:${API[MX]} --tls_dir run/pki/MX --country MX crisis board $CRISIS_NAME"
fi
echo "  More commands: run/bin/enlacectl help.  Stop: bash deploy/local/down.sh (--purge also deletes run/)."
if [[ $replicated -eq 0 ]]; then
  echo
  say "WARNING: directory entries did not reach every node (see MISSING above and the node logs)"
  exit 3
fi
