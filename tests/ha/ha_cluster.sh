#!/usr/bin/env bash
# A loopback HA database for tests and demos: three etcd 3.4 members and two PostgreSQL 15
# instances managed by Patroni 3.0 with synchronous_mode (a primary and a synchronous standby),
# all on free 127.0.0.1 ports under one directory. Short ttl/loop_wait so a failover takes
# seconds, not the production default of ~30 s.
#
#   ha_cluster.sh start DIR        starts everything, waits for a primary and a sync standby,
#                                   writes DIR/cluster.env (ports, conninfo) and prints it
#   ha_cluster.sh stop DIR         SIGTERM then SIGKILL everything it started (idempotent)
#   ha_cluster.sh primary DIR      prints the primary member's name (pg0 or pg1)
#   ha_cluster.sh sync DIR         prints the synchronous standby's name (empty if none)
#   ha_cluster.sh kill DIR NAME    "loses the machine": SIGKILL of NAME's patroni and postgres
#                                   together (killing only the postmaster makes Patroni restart it
#                                   in place, which is not a failover)
#   ha_cluster.sh restart DIR NAME starts NAME's patroni again (it rejoins as a replica)
#
# PostgreSQL refuses to run as root: when run as root, etcd, Patroni and PostgreSQL run as
# `nobody` (setpriv), and DIR must be somewhere `nobody` can reach (default mktemp under /tmp).
# Packages: deploy/setup.sh (etcd-server, patroni, postgresql-15, curl).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SCOPE=enlace

die() { echo "ha_cluster: $*" >&2; exit 1; }

# A prefix, not a function: `"${AS_DB_USER[@]}" cmd &` makes $! the command's own pid.
AS_DB_USER=()
if [[ $EUID -eq 0 ]]; then
  AS_DB_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp)
fi

# N distinct free ports (bound together, then released).
free_ports() {
  /usr/bin/python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

load_env() {
  [[ -f "$DIR/cluster.env" ]] || die "$DIR/cluster.env missing (not started?)"
  # shellcheck disable=SC1091
  source "$DIR/cluster.env"
}

# The member whose Patroni REST API answers 200 on /primary (or /sync).
role_of() {
  local want=$1 name port
  for name in pg0 pg1; do
    port=$(eval echo "\$${name^^}_REST_PORT")
    if curl -sf -m 1 -o /dev/null "http://127.0.0.1:$port/$want"; then
      echo "$name"
      return 0
    fi
  done
  return 1
}

start_patroni() {
  local name=$1
  "${AS_DB_USER[@]}" setsid /usr/bin/patroni "$DIR/$name.yml" >>"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.patroni.pid"
}

cmd_start() {
  mkdir -p "$DIR"
  [[ -f "$DIR/cluster.env" ]] && die "$DIR already holds a cluster (stop it first)"
  command -v etcd >/dev/null || die "etcd not installed (bash deploy/setup.sh)"
  [[ -x /usr/bin/patroni ]] || die "patroni not installed (bash deploy/setup.sh)"
  [[ -x "$PG_BIN/postgres" ]] || die "PostgreSQL 15 not found in $PG_BIN (bash deploy/setup.sh)"
  read -r E0C E0P E1C E1P E2C E2P PG0_PORT PG1_PORT PG0_REST_PORT PG1_REST_PORT \
    < <(free_ports 10)
  local etcd_hosts="127.0.0.1:$E0C,127.0.0.1:$E1C,127.0.0.1:$E2C"
  cat >"$DIR/cluster.env" <<EOF
ETCD_ENDPOINTS=$etcd_hosts
PG0_PORT=$PG0_PORT
PG1_PORT=$PG1_PORT
PG0_REST_PORT=$PG0_REST_PORT
PG1_REST_PORT=$PG1_REST_PORT
# libpq multi-host: target_session_attrs=read-write finds whichever member is primary now.
CONNINFO='host=127.0.0.1,127.0.0.1 port=$PG0_PORT,$PG1_PORT user=postgres dbname=postgres target_session_attrs=read-write connect_timeout=2'
EOF
  if [[ $EUID -eq 0 ]]; then chown nobody:nogroup "$DIR"; chmod 0755 "$DIR"; fi

  # etcd: a three-member cluster (Patroni's DCS survives losing one).
  local cluster="e0=http://127.0.0.1:$E0P,e1=http://127.0.0.1:$E1P,e2=http://127.0.0.1:$E2P"
  local i c p
  for i in 0 1 2; do
    c=$(eval echo "\$E${i}C"); p=$(eval echo "\$E${i}P")
    "${AS_DB_USER[@]}" mkdir -p "$DIR/e$i"
    "${AS_DB_USER[@]}" setsid etcd --name "e$i" --data-dir "$DIR/e$i" \
      --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
      --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "$SCOPE" \
      --heartbeat-interval 100 --election-timeout 1000 >"$DIR/e$i.log" 2>&1 &
    echo $! >"$DIR/e$i.pid"
  done

  # Patroni: two PostgreSQL members, synchronous_mode so an acknowledged commit is on both.
  for i in 0 1; do
    local pgport rest
    pgport=$(eval echo "\$PG${i}_PORT"); rest=$(eval echo "\$PG${i}_REST_PORT")
    cat >"$DIR/pg$i.yml" <<EOF
scope: $SCOPE
name: pg$i
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: $etcd_hosts
bootstrap:
  dcs:
    ttl: 8
    loop_wait: 1
    retry_timeout: 2
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 8
        max_replication_slots: 8
        max_connections: 100
        fsync: "on"
        synchronous_commit: "on"
  initdb:
    - encoding: UTF8
    - auth: trust
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$pgport
  connect_address: 127.0.0.1:$pgport
  data_dir: $DIR/pg$i/data
  bin_dir: $PG_BIN
  pgpass: $DIR/pg$i/pgpass
  authentication:
    superuser: {username: postgres, password: postgres}
    replication: {username: replicator, password: replicator}
  parameters:
    unix_socket_directories: $DIR/pg$i
tags: {nofailover: false, noloadbalance: false, clonefrom: false, nosync: false}
EOF
    "${AS_DB_USER[@]}" mkdir -p "$DIR/pg$i"
    "${AS_DB_USER[@]}" chmod 0700 "$DIR/pg$i"
  done
  start_patroni pg0
  # pg0 bootstraps first, so the second member clones it rather than racing for the init lock.
  wait_for "a primary" 60 role_of primary
  start_patroni pg1
  wait_for "a synchronous standby" 90 role_of sync
  # The sync standby is named in synchronous_standby_names once the primary has switched it on.
  wait_for "a writable primary" 30 psql_ok
  cat "$DIR/cluster.env"
}

psql_ok() {
  psql "$CONNINFO" -qtAc "select 1" >/dev/null 2>&1
}

wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  load_env
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "ha_cluster: no $what after ${secs}s; logs in $DIR" >&2
      tail -n 20 "$DIR"/pg*.log >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

# Patroni's and PostgreSQL's pids of one member.
member_pids() {
  local name=$1
  [[ -f "$DIR/$name.patroni.pid" ]] && cat "$DIR/$name.patroni.pid"
  [[ -f "$DIR/$name/data/postmaster.pid" ]] && head -n1 "$DIR/$name/data/postmaster.pid"
  return 0
}

cmd_kill() {
  local name=$1 pids postmaster
  pids=$(member_pids "$name" | tr '\n' ' ')
  # The postmaster's children too: a backend outlives a SIGKILLed postmaster for a moment and
  # could still acknowledge a commit, which a machine that is gone would not.
  postmaster=$(head -n1 "$DIR/$name/data/postmaster.pid" 2>/dev/null || true)
  [[ -n "$postmaster" ]] && pids+=" $(pgrep -P "$postmaster" | tr '\n' ' ')"
  if [[ -n "${pids// /}" ]]; then
    # Frozen first, all at once, so none acts on another's death; then killed.
    kill -STOP $pids 2>/dev/null || true
    kill -KILL $pids 2>/dev/null || true
  fi
  rm -f "$DIR/$name.patroni.pid"
}

cmd_stop() {
  [[ -d "$DIR" ]] || return 0
  local f pid pids=()
  for f in "$DIR"/pg0.patroni.pid "$DIR"/pg1.patroni.pid "$DIR"/e*.pid; do
    [[ -f "$f" ]] && pids+=("$(cat "$f")")
  done
  for f in "$DIR"/pg0/data/postmaster.pid "$DIR"/pg1/data/postmaster.pid; do
    [[ -f "$f" ]] && pids+=("$(head -n1 "$f")")
  done
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  rm -f "$DIR"/*.pid
}

[[ $# -ge 2 ]] || die "usage: ha_cluster.sh start|stop|primary|sync|kill|restart DIR [NAME]"
cmd=$1
DIR=$(realpath -m "$2")
# A working directory `nobody` can enter (a test's runfiles under /root are not one).
mkdir -p "$DIR" && cd "$DIR"
case "$cmd" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  primary) load_env; role_of primary ;;
  sync) load_env; role_of sync || true ;;
  kill) [[ $# -eq 3 ]] || die "kill DIR NAME"; load_env; cmd_kill "$3" ;;
  restart) [[ $# -eq 3 ]] || die "restart DIR NAME"; load_env; start_patroni "$3" ;;
  *) die "unknown command $cmd" ;;
esac
