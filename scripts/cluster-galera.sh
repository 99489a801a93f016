#!/usr/bin/env bash
# A throwaway MariaDB Galera cluster on loopback (3 nodes by default) for the cluster-pool
# tests, with Debian's galera-4 provider and rsync state transfers. Usage
# (docs/cluster-testing.md has more):
#
#   bash scripts/cluster-galera.sh start [--nodes N]     prints AIOMYSQL_CLUSTER_* lines once all are Synced
#   bash scripts/cluster-galera.sh status                one line per node
#   bash scripts/cluster-galera.sh kill NODE [SIGKILL|SIGTERM|SIGSTOP]
#   bash scripts/cluster-galera.sh resume NODE           SIGCONT after SIGSTOP
#   bash scripts/cluster-galera.sh restart NODE          same port and data; returns once Synced
#   bash scripts/cluster-galera.sh isolate NODE on|off   gmcast.isolate: leave the Primary component / rejoin
#   bash scripts/cluster-galera.sh desync NODE on|off    wsrep_desync
#   bash scripts/cluster-galera.sh sql NODE STATEMENT    as root on the node's socket
#   bash scripts/cluster-galera.sh stop                  stop the cluster, remove its directory
#   bash scripts/cluster-galera.sh stop-all              stop every cluster of this checkout
#
# Every command but start and stop-all takes `--dir DIR` (default: $AIOMYSQL_CLUSTER_DIR, or
# the only Galera cluster of this checkout). Nodes are node1 (which bootstraps), node2, ...
set -euo pipefail

CLUSTER_TAG="cluster-galera"
# shellcheck source=scripts/cluster-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

GALERA_PROVIDER="${AIOMYSQL_GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}"
# Joining (a full rsync SST) is the slowest step; on a busy machine give it room.
JOIN_BOUND=180

# Each node has four ports: SQL, group communication, incremental and full state transfer.
# The nodes file keeps the SQL port; the others live in <node>/galera-ports.
write_cnf() { # write_cnf NAME SQL_PORT SERVER_ID GCOMM_PORT IST_PORT SST_PORT CLUSTER_ADDRESS
  local dir
  dir="$(node_dir "$1")"
  {
    common_cnf "$1" "$2" "$3"
    cat <<EOF
binlog-format=ROW
default-storage-engine=InnoDB
innodb-autoinc-lock-mode=2
wsrep-on=ON
wsrep-provider=$GALERA_PROVIDER
wsrep-cluster-name=aiomysql-$(basename "$CLUSTER_DIR")
wsrep-cluster-address=$7
wsrep-node-name=$1
wsrep-node-address=127.0.0.1:$4
wsrep-node-incoming-address=127.0.0.1:$2
wsrep-sst-method=rsync
wsrep-sst-receive-address=127.0.0.1:$6
wsrep-slave-threads=1
wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:$4;ist.recv_addr=127.0.0.1:$5;gcache.size=16M
EOF
  } >"$dir/my.cnf"
}

# One wsrep status variable of a node (empty when it does not answer).
wsrep() { node_sql "$1" -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2; }

is_synced() {
  [ "$(wsrep "$1" wsrep_local_state_comment)" = Synced ] && [ "$(wsrep "$1" wsrep_cluster_status)" = Primary ] &&
    [ "$(wsrep "$1" wsrep_ready)" = ON ]
}

is_non_primary() {
  local s
  s="$(wsrep "$1" wsrep_cluster_status)"
  [ -n "$s" ] && [ "$s" != Primary ]
}

is_desynced() { [ "$(wsrep "$1" wsrep_local_state_comment)" = Donor/Desynced ]; }

live_count() {
  local n=0 name
  for name in $(node_names); do node_live "$name" && n=$((n + 1)); done
  echo "$n"
}

# Every live node but EXCEPT (if given) sees a Primary component of exactly SIZE nodes.
cluster_size_is() { # cluster_size_is SIZE [EXCEPT]
  local name
  for name in $(node_names); do
    [ "$name" = "${2:-}" ] && continue
    node_live "$name" || continue
    [ "$(wsrep "$name" wsrep_cluster_status)" = Primary ] && [ "$(wsrep "$name" wsrep_cluster_size)" = "$1" ] || return 1
  done
}

# Start NAME and wait until it serves and is Synced. With "bootstrap", it forms a new cluster.
start_node() { # start_node NAME [bootstrap]
  local name="$1" rc=0 extra=()
  if [ "${2:-}" = bootstrap ]; then
    extra+=(--wsrep-new-cluster)
    # A node that was not the last to leave refuses to bootstrap unless told it is safe.
    [ -f "$(node_dir "$name")/data/grastate.dat" ] &&
      sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$(node_dir "$name")/data/grastate.dat"
  fi
  launch_node "$name" "${extra[@]}"
  wait_serving "$name" "$JOIN_BOUND" || rc=$?
  if [ "$rc" -ne 0 ]; then
    fail_start "$name" "did not come up (rc $rc)"
    return 1
  fi
  local deadline=$((SECONDS + JOIN_BOUND))
  until is_synced "$name"; do
    if [ "$SECONDS" -gt "$deadline" ] || ! node_pid "$name" >/dev/null; then
      fail_start "$name" "did not reach Synced"
      return 1
    fi
    sleep 0.2
  done
}

cmd_start() {
  local n=3
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes)
        n="${2:-}"
        shift 2
        ;;
      *) die "start: unknown option $1" ;;
    esac
  done
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 5 ] || die "start: --nodes must be 1..5"
  require_tools mariadbd mariadb-install-db mariadb mariadb-admin node setsid timeout rsync wsrep_sst_rsync
  [ -f "$GALERA_PROVIDER" ] || die "no Galera provider at $GALERA_PROVIDER (on Debian: apt-get install galera-4)"
  [ "$SERVER_USER" != root ] || die "as root, Galera needs a 'mysql' system user to run mariadbd as (see cluster-lib.sh)"
  local t0=$SECONDS i name ports address="gcomm://" sep=""
  new_cluster_dir galera
  guard_start
  read -r -a ports <<<"$(pick_ports $((4 * n)))"
  for ((i = 0; i < n; i++)); do
    address+="${sep}127.0.0.1:${ports[$((4 * i + 1))]}"
    sep=","
  done
  for ((i = 1; i <= n; i++)); do
    name="node$i"
    make_node_dir "$name"
    local p=("${ports[@]:$((4 * (i - 1))):4}")
    printf '%s %s %s %s\n' "$name" "${p[0]}" "$(node_dir "$name")/mysqld.sock" "$i" >>"$CLUSTER_DIR/nodes"
    write_cnf "$name" "${p[0]}" "$i" "${p[1]}" "${p[2]}" "${p[3]}" "$address"
  done
  # Only the first node is initialised; the others receive its data directory by SST, so the
  # accounts below (direct writes to the mysql tables, which Galera does not replicate) reach them.
  install_node_db node1
  start_node node1 bootstrap || exit 1
  { accounts_sql; test_account_sql; } | node_sql node1 || die "setting up the accounts failed"
  # One joiner at a time: node1 is the donor of each full transfer.
  for ((i = 2; i <= n; i++)); do
    start_node "node$i" || exit 1
  done
  started_ok
  log "started $n nodes in $((SECONDS - t0)) s"
  print_cluster_env
}

cmd_status() {
  local name state info
  for name in $(node_names); do
    state="$(node_state "$name")"
    info=""
    [ "$state" = running ] && info="$(wsrep "$name" wsrep_local_state_comment) $(wsrep "$name" wsrep_cluster_status) size=$(wsrep "$name" wsrep_cluster_size)"
    printf '%s\t127.0.0.1:%s\t%s\t%s\n' "$name" "$(node_port "$name")" "$state" "$info"
  done
}

cmd_restart() {
  local name="$1" other mode=join
  node_field "$name" 1 >/dev/null
  stop_node "$name"
  # With every other node down there is no cluster to join: this node forms a new one.
  mode=bootstrap
  for other in $(node_names); do
    [ "$other" != "$name" ] && node_live "$other" && mode=join
  done
  start_node "$name" "$([ "$mode" = bootstrap ] && echo bootstrap)" || exit 1
  log "$name restarted ($mode) and Synced"
}

cmd_isolate() {
  local name="$1" on="$2" size
  node_live "$name" || die "isolate: $name is not running"
  case "$on" in
    on)
      size=$(($(live_count) - 1))
      node_sql "$name" -e "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'"
      wait_until 60 "$name non-Primary" is_non_primary "$name"
      # The rest must have re-formed without it, so that they take writes again.
      [ "$size" -gt 0 ] && wait_until 60 "the other nodes re-form as $size" cluster_size_is "$size" "$name"
      ;;
    off)
      node_sql "$name" -e "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'"
      wait_until "$JOIN_BOUND" "$name Synced again" is_synced "$name"
      wait_until 60 "every node sees $(live_count) nodes" cluster_size_is "$(live_count)"
      ;;
    *) die "isolate: on or off, not $on" ;;
  esac
}

cmd_desync() {
  local name="$1" on="$2"
  case "$on" in
    on)
      node_sql "$name" -e "SET GLOBAL wsrep_desync = ON"
      wait_until 60 "$name Donor/Desynced" is_desynced "$name"
      ;;
    off)
      node_sql "$name" -e "SET GLOBAL wsrep_desync = OFF"
      wait_until 60 "$name Synced" is_synced "$name"
      ;;
    *) die "desync: on or off, not $on" ;;
  esac
}

KIND_STEPS="status restart isolate desync"
kind_step() {
  case "$1" in
    status) cmd_status ;;
    restart)
      need 1 NODE
      cmd_restart "${ARGS[0]}"
      ;;
    isolate)
      need 2 "NODE on|off"
      cmd_isolate "${ARGS[0]}" "${ARGS[1]}"
      ;;
    desync)
      need 2 "NODE on|off"
      cmd_desync "${ARGS[0]}" "${ARGS[1]}"
      ;;
  esac
}

cluster_main galera 2,19p "$@"
