# shellcheck shell=bash
# Shared by up.sh and down.sh; sourced, not run.
#
# Layout (repository-relative, gitignored):
#   run/bin/                 the binaries the nodes run (copied from bazel-bin, so a later build
#                            in the workspace does not change them under running nodes)
#   run/pki/<CC>/            enlace-devpki's output: ca.pem, node.pem/.key, admin.pem/.key,
#                            sampleload.pem/.key, signing.key/.pub
#   run/manifest.textproto   the federation manifest every node reads
#   run/<cc>/                one node: data/ (RocksDB), data.keys/ (its key vault), master.key
#                            (0600; given to the node as ENLACE_MASTER_KEY), node.log, node.pid,
#                            ports, sample.done
#   run/sample.as_of         the day of the first sample load (reruns reuse it)
#   run/crisis/              the sample crisis: <cc>-registrations.jsonl (+ .progress), crisis.log,
#                            done (the crisis's name once every step succeeded)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="$ROOT/run"

say() { echo "enlace-local: $*"; }
die() { echo "enlace-local: ERROR: $*" >&2; exit 1; }

lower() { tr '[:upper:]' '[:lower:]' <<<"$1"; }

node_dir() { echo "$RUN/$(lower "$1")"; }

# The pid of country $1's node (or of the secretariat's process) when it is running (pid file and a live enlace-node process whose
# command line names this node's data directory, so a recycled pid is not mistaken for it).
node_pid() {
  local dir pid
  dir="$(node_dir "$1")"
  [[ -f "$dir/node.pid" ]] || return 1
  pid="$(cat "$dir/node.pid" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
  [[ "$cmdline" == *enlace-node* || "$cmdline" == *enlace-secretariat* ]] || return 1
  [[ "$cmdline" == *"--data_dir=$dir/data"* ]] || return 1
  echo "$pid"
}

# Countries that have a node directory under run/ (whatever ENLACE_COUNTRIES says now).
known_countries() {
  local d
  for d in "$RUN"/*/; do
    d="$(basename "$d")"
    [[ "$d" =~ ^[a-z][a-z]$ ]] && tr '[:lower:]' '[:upper:]' <<<"$d"
  done
  return 0
}

# Prints the leading comment block of script $1 (its usage).
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1"; }
