#!/usr/bin/env bash
# A throwaway MariaDB GTID replication cluster on loopback: one primary and N replicas
# (2 by default), for the cluster-pool tests. Usage (docs/cluster-testing.md has more):
#
#   bash scripts/cluster-replication.sh start [--replicas N]   prints AIOMYSQL_CLUSTER_* lines
#   bash scripts/cluster-replication.sh status                  one line per node
#   bash scripts/cluster-replication.sh promote NODE            failover: NODE becomes the primary
#   bash scripts/cluster-replication.sh switchover NODE         old primary read-only, NODE catches up, promote
#   bash scripts/cluster-replication.sh kill NODE [SIGKILL|SIGTERM|SIGSTOP]
#   bash scripts/cluster-replication.sh resume NODE             SIGCONT after SIGSTOP
#   bash scripts/cluster-replication.sh restart NODE            same port and data, as primary or replica
#   bash scripts/cluster-replication.sh stop-applier NODE       STOP SLAVE SQL_THREAD
#   bash scripts/cluster-replication.sh start-applier NODE      START SLAVE SQL_THREAD
#   bash scripts/cluster-replication.sh delay NODE SECONDS      MASTER_DELAY (0 removes it)
#   bash scripts/cluster-replication.sh sql NODE STATEMENT      as root on the node's socket
#   bash scripts/cluster-replication.sh stop                    stop the cluster, remove its directory
#   bash scripts/cluster-replication.sh stop-all                stop every cluster of this checkout
#
# Every command but start and stop-all takes `--dir DIR` (default: $AIOMYSQL_CLUSTER_DIR, or
# the only replication cluster of this checkout). Nodes are node1 (the first primary),
# node2, ...; their server ids are 1, 2, ...
set -euo pipefail

CLUSTER_TAG="cluster-replication"
# shellcheck source=scripts/cluster-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

# Bound of each MASTER_GTID_WAIT, in seconds: under the scripts' bound of one SQL statement.
GTID_WAIT=$((CLUSTER_SQL_TIMEOUT - 5))

primary_name() { cat "$CLUSTER_DIR/primary"; }

write_cnf() { # write_cnf NAME PORT SERVER_ID
  {
    common_cnf "$@"
    cat <<EOF
log-bin=mysql-bin
log-slave-updates
gtid-strict-mode=1
binlog-format=ROW
relay-log=relay-bin
# Crash-safe replicas: after a SIGKILL, throw the relay log away and fetch again from the
# GTID position (kept in the transactional mysql.gtid_slave_pos).
relay-log-recovery=1
report-host=127.0.0.1
report-port=$2
slave-net-timeout=10
EOF
  } >"$(node_dir "$1")/my.cnf"
}

# A replica has --read-only; the primary is whichever node the primary file names.
launch_args() {
  if [ "$1" = "$(primary_name)" ]; then echo "--read-only=OFF"; else echo "--read-only=ON"; fi
}

# Point NAME at the current primary. Former primaries (no replica configuration) start from
# their own binlog position (current_pos); replicas from what they have applied (slave_pos).
# A stopped SQL thread stays stopped (a test stopped it on purpose).
point_at_primary() {
  local name="$1" primary port use=slave_pos sql_running
  primary="$(primary_name)"
  port="$(node_port "$primary")"
  sql_running="$(slave_field "$name" Slave_SQL_Running)"
  if [ -z "$sql_running" ]; then
    use=current_pos
    sql_running=Yes
  fi
  node_sql "$name" -e "SET GLOBAL read_only = ON; STOP SLAVE;
    CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $port, MASTER_USER = '$CLUSTER_REPL_USER',
      MASTER_PASSWORD = '$CLUSTER_REPL_PASSWORD', MASTER_USE_GTID = $use, MASTER_CONNECT_RETRY = 1;"
  if [ "$sql_running" = Yes ]; then
    node_sql "$name" -e "START SLAVE"
  else
    node_sql "$name" -e "START SLAVE IO_THREAD"
  fi
}

# Wait until every live replica has applied the primary's binlog (bounded).
wait_replicas_caught_up() {
  local primary pos name r
  primary="$(primary_name)"
  pos="$(node_sql "$primary" -e 'SELECT @@gtid_binlog_pos')"
  for name in $(node_names); do
    [ "$name" = "$primary" ] && continue
    node_live "$name" || continue
    r="$(node_sql "$name" -e "SELECT MASTER_GTID_WAIT('$pos', $GTID_WAIT)")"
    [ "$r" = 0 ] || die "$name did not reach the primary's position $pos within $GTID_WAIT s"
  done
}

cmd_start() {
  local replicas=2
  while [ $# -gt 0 ]; do
    case "$1" in
      --replicas)
        replicas="${2:-}"
        shift 2
        ;;
      *) die "start: unknown option $1" ;;
    esac
  done
  [[ "$replicas" =~ ^[0-9]+$ ]] && [ "$replicas" -le 8 ] || die "start: --replicas must be 0..8"
  require_tools mariadbd mariadb-install-db mariadb mariadb-admin node setsid timeout
  local t0=$SECONDS n=$((replicas + 1)) i name ports
  new_cluster_dir replication
  guard_start
  read -r -a ports <<<"$(pick_ports "$n")"
  for ((i = 1; i <= n; i++)); do
    name="node$i"
    make_node_dir "$name"
    printf '%s %s %s %s\n' "$name" "${ports[$((i - 1))]}" "$(node_dir "$name")/mysqld.sock" "$i" >>"$CLUSTER_DIR/nodes"
    write_cnf "$name" "${ports[$((i - 1))]}" "$i"
  done
  echo node1 >"$CLUSTER_DIR/primary"
  install_and_serve_all
  for name in $(node_names); do
    { echo "SET sql_log_bin = 0;"; accounts_sql; } | node_sql "$name" || die "$name: setting up the accounts failed"
  done
  # Written to the primary's binlog: the replicas get it through replication.
  test_account_sql | node_sql node1 || die "creating the test account failed"
  for name in $(node_names); do
    [ "$name" = node1 ] || point_at_primary "$name"
  done
  wait_replicas_caught_up
  started_ok
  log "started $n nodes in $((SECONDS - t0)) s"
  print_cluster_env
}

cmd_status() {
  local name state ro="" primary
  primary="$(primary_name)"
  for name in $(node_names); do
    state="$(node_state "$name")"
    ro=""
    [ "$state" = running ] && ro="read_only=$(node_sql "$name" -e 'SELECT @@read_only' 2>/dev/null || echo '?')"
    printf '%s\t127.0.0.1:%s\t%s\t%s\t%s\n' "$name" "$(node_port "$name")" "$([ "$name" = "$primary" ] && echo primary || echo replica)" \
      "$state" "$ro"
  done
}

# Before a replica is promoted, let it apply what it has already received, so that no
# transaction the others may have is lost (gtid-strict-mode would then stop them replicating
# from it). Skipped when a test stopped its applier or delayed it on purpose; bounded.
apply_received() {
  local name="$1" io_pos r
  [ "$(slave_field "$name" Slave_SQL_Running)" = Yes ] || return 0
  [ "$(slave_field "$name" SQL_Delay)" = 0 ] || return 0
  node_sql "$name" -e "STOP SLAVE IO_THREAD"
  io_pos="$(slave_field "$name" Gtid_IO_Pos)"
  [ -n "$io_pos" ] || return 0
  r="$(node_sql "$name" -e "SELECT MASTER_GTID_WAIT('$io_pos', $GTID_WAIT)")"
  [ "$r" = 0 ] || log "promote: $name had not applied up to $io_pos after $GTID_WAIT s; promoting it anyway"
}

# Failover: NODE stops replicating and takes writes; every other live node follows it.
cmd_promote() {
  local name="$1" other old
  node_field "$name" 1 >/dev/null
  node_live "$name" || die "promote: $name is not running"
  old="$(primary_name)"
  # An old primary that is still up must not keep taking writes.
  if [ "$old" != "$name" ] && node_live "$old"; then node_sql "$old" -e "SET GLOBAL read_only = ON"; fi
  apply_received "$name"
  node_sql "$name" -e "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF"
  echo "$name" >"$CLUSTER_DIR/primary.tmp"
  mv "$CLUSTER_DIR/primary.tmp" "$CLUSTER_DIR/primary"
  for other in $(node_names); do
    [ "$other" = "$name" ] && continue
    node_live "$other" || continue
    point_at_primary "$other"
  done
  log "$name is the primary"
}

# Switchover without disconnecting anyone: the old primary turns read-only (clients keep their
# connections and get 1290 on writes), NODE applies everything it had, then is promoted.
cmd_switchover() {
  local name="$1" old pos r
  old="$(primary_name)"
  [ "$old" != "$name" ] || die "switchover: $name is already the primary"
  node_live "$old" || die "switchover: the primary $old is not running (use promote)"
  node_live "$name" || die "switchover: $name is not running"
  node_sql "$old" -e "SET GLOBAL read_only = ON"
  pos="$(node_sql "$old" -e 'SELECT @@gtid_binlog_pos')"
  r="$(node_sql "$name" -e "SELECT MASTER_GTID_WAIT('$pos', $GTID_WAIT)")"
  if [ "$r" != 0 ]; then
    # Leave the cluster as it was: the old primary takes writes again.
    node_sql "$old" -e "SET GLOBAL read_only = OFF"
    die "switchover: $name did not reach $old's position $pos within $GTID_WAIT s (applier stopped?); $old stays the primary"
  fi
  cmd_promote "$name"
}

cmd_restart() {
  local name="$1"
  node_field "$name" 1 >/dev/null
  relaunch_node "$name"
  # A replica may have missed a promotion while it was down: point it at today's primary.
  [ "$name" = "$(primary_name)" ] || point_at_primary "$name"
  log "$name restarted"
}

cmd_applier() { # cmd_applier NAME START|STOP
  local name="$1"
  [ "$name" != "$(primary_name)" ] || die "$2 applier: $name is the primary"
  node_sql "$name" -e "$2 SLAVE SQL_THREAD"
}

cmd_delay() {
  local name="$1" seconds="${2:-}" running
  [[ "$seconds" =~ ^[0-9]+$ ]] || die "delay: SECONDS must be a whole number"
  [ "$name" != "$(primary_name)" ] || die "delay: $name is the primary"
  running="$(slave_field "$name" Slave_SQL_Running)"
  node_sql "$name" -e "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = $seconds"
  if [ "$running" = Yes ]; then node_sql "$name" -e "START SLAVE"; else node_sql "$name" -e "START SLAVE IO_THREAD"; fi
}

KIND_STEPS="status promote switchover restart stop-applier start-applier delay"
kind_step() {
  case "$1" in
    status) cmd_status ;;
    delay)
      need 2 "NODE SECONDS"
      cmd_delay "${ARGS[0]}" "${ARGS[1]}"
      ;;
    *)
      need 1 NODE
      case "$1" in
        promote) cmd_promote "${ARGS[0]}" ;;
        switchover) cmd_switchover "${ARGS[0]}" ;;
        restart) cmd_restart "${ARGS[0]}" ;;
        stop-applier) cmd_applier "${ARGS[0]}" STOP ;;
        start-applier) cmd_applier "${ARGS[0]}" START ;;
      esac
      ;;
  esac
}

cluster_main replication 2,21p "$@"
