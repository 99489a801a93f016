# Shared pieces of scripts/cluster-replication.sh and scripts/cluster-galera.sh.
# Sourced, never run: it defines functions and a few variables, and starts nothing.
#
# A cluster lives in its own directory under CLUSTER_ROOT (a per-checkout directory under the
# temp dir, so that `stop-all` of one checkout never touches another's servers):
#
#   <cluster dir>/kind            "replication" or "galera"
#   <cluster dir>/nodes           one line per node: name port socket server_id
#   <cluster dir>/primary         (replication) the name of the current primary
#   <cluster dir>/<node>/my.cnf   the node's whole configuration (mariadbd --defaults-file)
#   <cluster dir>/<node>/data     its data directory
#   <cluster dir>/<node>/mysqld.pid, mysqld.sock, error.log
#
# Every server listens on 127.0.0.1 and its unix socket only, and is stopped by the pid in
# its pid file (checked to be a live mariadbd first), never by name.

CLUSTER_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER_REPO_ROOT="$(cd "$CLUSTER_LIB_DIR/.." && pwd)"
# shellcheck source=scripts/server-lib.sh
. "$CLUSTER_LIB_DIR/server-lib.sh"

# Keep socket paths short (unix sockets are limited to ~107 bytes): the root sits directly
# under the temp dir, named after a checksum of the checkout's path.
CLUSTER_ROOT="${AIOMYSQL_CLUSTER_ROOT:-${TMPDIR:-/tmp}/aiomysql-clusters-$(printf '%s' "$CLUSTER_REPO_ROOT" | cksum | cut -d' ' -f1)}"
CLUSTER_ROOT="${CLUSTER_ROOT%/}"

# The account tests use, and the one replicas use to reach their primary.
CLUSTER_TEST_USER="cluster_test"
CLUSTER_TEST_PASSWORD="cluster_pw"
CLUSTER_TEST_DB="cluster_test"
CLUSTER_REPL_USER="cluster_repl"
CLUSTER_REPL_PASSWORD="cluster_repl_pw"

# Upper bound, in seconds, of every SQL statement the scripts run (a SIGSTOPped server
# accepts the connection in the kernel and then never answers).
CLUSTER_SQL_TIMEOUT="${AIOMYSQL_CLUSTER_SQL_TIMEOUT:-30}"

CLUSTER_DIR=""
CLUSTER_TAG="${CLUSTER_TAG:-cluster}"

log() { printf '[%s] %s\n' "$CLUSTER_TAG" "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# The user mariadbd runs as. Not root when we are root: a Galera joiner receives its SST from
# an rsync daemon that mariadbd starts, and an rsync daemon started by root writes as "nobody"
# (rsyncd.conf's default uid), which cannot write a root-owned data directory. Run as an
# unprivileged user instead, the rsync daemon writes as that same user, who owns the data
# directory (the same holds after a SIGKILL and restart, when the joiner needs a full SST).
if is_root; then
  if id mysql >/dev/null 2>&1; then SERVER_USER=mysql; else SERVER_USER=root; fi
else
  SERVER_USER="$(id -un)"
fi

# Hand a path over to SERVER_USER (a no-op unless we are root).
give() { if is_root; then chown -R "$SERVER_USER:" "$@"; fi; }

require_tools() {
  local t missing=()
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  die "missing tools: ${missing[*]} (on Debian: apt-get install mariadb-server mariadb-client galera-4 rsync)"
}

# ------------------------------------------------------------------ cluster directory

# Resolve the cluster directory: --dir DIR (already parsed into CLUSTER_DIR), else
# AIOMYSQL_CLUSTER_DIR, else the only cluster of this kind under CLUSTER_ROOT.
resolve_cluster_dir() {
  local kind="$1" d found=()
  [ -z "$CLUSTER_DIR" ] && CLUSTER_DIR="${AIOMYSQL_CLUSTER_DIR:-}"
  if [ -z "$CLUSTER_DIR" ]; then
    for d in "$CLUSTER_ROOT"/*/; do
      [ -f "$d/kind" ] && [ "$(cat "$d/kind")" = "$kind" ] && found+=("${d%/}")
    done
    [ "${#found[@]}" -eq 1 ] || die "${#found[@]} $kind clusters under $CLUSTER_ROOT; pick one with --dir DIR"
    CLUSTER_DIR="${found[0]}"
  fi
  [ -f "$CLUSTER_DIR/kind" ] || die "no cluster at $CLUSTER_DIR"
  [ "$(cat "$CLUSTER_DIR/kind")" = "$kind" ] || die "$CLUSTER_DIR is a $(cat "$CLUSTER_DIR/kind") cluster, not $kind"
}

new_cluster_dir() {
  local kind="$1"
  mkdir -p "$CLUSTER_ROOT"
  CLUSTER_DIR="$(mktemp -d "$CLUSTER_ROOT/$kind-XXXXXX")"
  # SERVER_USER must be able to reach its node directories.
  chmod 755 "$CLUSTER_ROOT" "$CLUSTER_DIR"
  printf '%s\n' "$kind" >"$CLUSTER_DIR/kind"
  : >"$CLUSTER_DIR/nodes"
}

node_names() { cut -d' ' -f1 "$CLUSTER_DIR/nodes"; }
node_field() { # node_field NAME COLUMN
  local v
  v="$(awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$CLUSTER_DIR/nodes")"
  [ -n "$v" ] || die "no node named $1 in $CLUSTER_DIR (nodes: $(node_names | tr '\n' ' '))"
  printf '%s\n' "$v"
}
node_port() { node_field "$1" 2; }
node_socket() { node_field "$1" 3; }
node_dir() { printf '%s/%s\n' "$CLUSTER_DIR" "$1"; }

# ------------------------------------------------------------------------- processes

# Pid of the node's server, only if it is alive and really a MariaDB server.
node_pid() { mariadbd_pid "$(node_dir "$1")/mysqld.pid"; }

# "running", "frozen" (SIGSTOPped) or "down".
node_state() {
  local pid st
  pid="$(node_pid "$1")" || {
    echo down
    return
  }
  st="$(ps -p "$pid" -o stat= 2>/dev/null || true)"
  case "$st" in T* | t*) echo frozen ;; *) echo running ;; esac
}

node_live() { [ "$(node_state "$1")" = running ]; }

node_sql() { # node_sql NAME STATEMENT... : root over the socket, tab-separated, no headers
  local name="$1"
  shift
  timeout "$CLUSTER_SQL_TIMEOUT" mariadb --no-defaults --host=localhost --socket="$(node_socket "$name")" -uroot \
    --connect-timeout=5 -N -B "$@"
}

# One field of SHOW SLAVE STATUS (empty when the node replicates from nobody).
slave_field() { # slave_field NAME FIELD
  timeout "$CLUSTER_SQL_TIMEOUT" mariadb --no-defaults --host=localhost --socket="$(node_socket "$1")" -uroot \
    --connect-timeout=5 -e 'SHOW SLAVE STATUS\G' | awk -v f="$2:" '$1 == f { print $2 }'
}

node_ping() {
  timeout 5 mariadb-admin --no-defaults --host=localhost --socket="$(node_socket "$1")" -uroot --connect-timeout=2 ping \
    >/dev/null 2>&1
}

# Start the node's mariadbd detached with its my.cnf plus any extra arguments. Returns at once.
launch_node() {
  local name="$1" dir
  shift
  dir="$(node_dir "$name")"
  [ -s "$dir/error.log" ] && cat "$dir/error.log" >>"$dir/error.log.old"
  : >"$dir/error.log"
  rm -f "$dir/mysqld.sock" "$dir/mysqld.sock.lock"
  # Both files belong to the server's user before it starts, so that it can rewrite them.
  : >"$dir/mysqld.pid"
  give "$dir/mysqld.pid" "$dir/error.log"
  spawn_mariadbd "$dir/error.log" "$dir/mysqld.pid" --defaults-file="$dir/my.cnf" "$@"
}

# Wait (bounded by SECONDS) until the node answers ping. 0: serving; 2: died with a port clash;
# 1: died otherwise or the bound passed.
wait_serving() {
  local name="$1" bound="$2" deadline dir pid
  dir="$(node_dir "$name")"
  # The pid spawn_mariadbd recorded: mariadbd truncates and rewrites its pid file while it
  # starts, so for a moment the file is empty although the server is alive.
  pid="$(tr -dc '0-9' <"$dir/mysqld.pid" 2>/dev/null || true)"
  deadline=$((SECONDS + bound))
  while [ "$SECONDS" -le "$deadline" ]; do
    node_ping "$name" && return 0
    if ! { [ -n "$pid" ] && pid_alive "$pid"; } && ! node_pid "$name" >/dev/null; then
      grep -q 'Address already in use' "$dir/error.log" 2>/dev/null && return 2
      return 1
    fi
    sleep 0.2
  done
  return 1
}

fail_start() { # fail_start NAME WHAT
  log "$1: $2; tail of $(node_dir "$1")/error.log:"
  tail -n 30 "$(node_dir "$1")/error.log" >&2 || true
}

# The extra mariadbd arguments of a node; a kind's script may redefine it (replication: read_only).
launch_args() { :; }

# Start the node with its kind's launch_args. Returns at once.
launch_kind_node() {
  # shellcheck disable=SC2046
  launch_node "$1" $(launch_args "$1")
}

# After launching every node at start: wait (bounded) until each serves. A node whose port was
# taken meanwhile moves to a fresh one (the script's write_cnf NAME PORT SERVER_ID rewrites its
# configuration). Exits when a node does not come up.
wait_all_serving() {
  local name rc attempt port
  for name in $(node_names); do
    for attempt in 1 2 3; do
      rc=0
      wait_serving "$name" 60 || rc=$?
      [ "$rc" -eq 0 ] && break
      if [ "$rc" -eq 2 ] && [ "$attempt" -lt 3 ]; then
        # Another process took the port meanwhile: move this node to a fresh one.
        port="$(pick_ports 1)"
        log "$name: port taken meanwhile; moving to $port"
        awk -v n="$name" -v p="$port" '$1 == n { $2 = p } { print }' "$CLUSTER_DIR/nodes" >"$CLUSTER_DIR/nodes.tmp"
        mv "$CLUSTER_DIR/nodes.tmp" "$CLUSTER_DIR/nodes"
        write_cnf "$name" "$port" "$(node_field "$name" 4)"
        launch_kind_node "$name"
        continue
      fi
      fail_start "$name" "did not come up"
      exit 1
    done
  done
}

# At start, once every node's directory and my.cnf exist: install the data directories in
# parallel, launch every node, and wait until all serve. Exits on failure.
install_and_serve_all() {
  local name pids=() p
  for name in $(node_names); do
    install_node_db "$name" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "installing the data directories failed"; done
  for name in $(node_names); do launch_kind_node "$name"; done
  wait_all_serving
}

# Stop the node (by pid) and start it again on the same port, retrying while the port is still
# busy; bounded. Exits when it does not come back.
relaunch_node() {
  local name="$1" rc attempt
  stop_node "$name"
  for attempt in 1 2 3 4 5; do
    rc=0
    launch_kind_node "$name"
    wait_serving "$name" 60 || rc=$?
    [ "$rc" -eq 0 ] && return 0
    if [ "$rc" -eq 2 ] && [ "$attempt" -lt 5 ]; then
      log "$name: port $(node_port "$name") still busy; retrying"
      sleep 1
      continue
    fi
    fail_start "$name" "did not come back"
    exit 1
  done
}

# Send SIGNAL to the node and wait (bounded) for its effect: gone for KILL/TERM, frozen for STOP.
signal_node() {
  local name="$1" sig="${2:-SIGKILL}" pid i
  sig="${sig#SIG}"
  case "$sig" in KILL | TERM | STOP | CONT) ;; *) die "kill: unsupported signal $2 (KILL, TERM, STOP, CONT)" ;; esac
  pid="$(node_pid "$name")" || die "$name is not running"
  [ "$sig" = TERM ] && kill -CONT "$pid" 2>/dev/null
  kill "-$sig" "$pid"
  for ((i = 0; i < 600; i++)); do
    case "$sig" in
      KILL | TERM) node_pid "$name" >/dev/null || return 0 ;;
      STOP) [ "$(node_state "$name")" = frozen ] && return 0 ;;
      CONT) [ "$(node_state "$name")" != frozen ] && return 0 ;;
    esac
    sleep 0.1
  done
  die "$name (pid $pid) did not react to SIG$sig within 60 s"
}

# Stop a node by its pid (SIGTERM, SIGKILL after BOUND seconds). Quiet when it is already down.
stop_node() { # stop_node NAME [BOUND]
  local pid
  pid="$(node_pid "$1")" || return 0
  stop_pid "$pid" "${2:-20}"
}

# Stop every node of the cluster at CLUSTER_DIR in parallel and remove its directory.
stop_cluster() {
  local name pids=() rc=0 p
  [ -f "$CLUSTER_DIR/nodes" ] || return 0
  for name in $(node_names); do
    stop_node "$name" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ "$rc" -eq 0 ] || {
    log "some servers of $CLUSTER_DIR could not be stopped; keeping the directory"
    return 1
  }
  if [ "${AIOMYSQL_CLUSTER_KEEP:-0}" = 1 ]; then
    log "AIOMYSQL_CLUSTER_KEEP=1: keeping $CLUSTER_DIR (logs in <node>/error.log)"
    return 0
  fi
  rm -rf "$CLUSTER_DIR"
}

# Stop every cluster (of either kind) under CLUSTER_ROOT.
stop_all_clusters() {
  local d rc=0
  [ -d "$CLUSTER_ROOT" ] || return 0
  for d in "$CLUSTER_ROOT"/*/; do
    [ -d "$d" ] || continue
    CLUSTER_DIR="${d%/}"
    if [ -f "$CLUSTER_DIR/nodes" ]; then
      stop_cluster || rc=1
    else
      rm -rf "$CLUSTER_DIR"
    fi
  done
  rmdir "$CLUSTER_ROOT" 2>/dev/null || true
  return "$rc"
}

# ---------------------------------------------------------------------- node set-up

# The my.cnf part every node shares: loopback only, small memory, fast and unsafe durability
# (these are throwaway servers).
common_cnf() { # common_cnf NAME PORT SERVER_ID
  local dir
  dir="$(node_dir "$1")"
  cat <<EOF
[mariadbd]
datadir=$dir/data
socket=$dir/mysqld.sock
pid-file=$dir/mysqld.pid
log-error=$dir/error.log
tmpdir=$dir/tmp
port=$2
bind-address=127.0.0.1
server-id=$3
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
max-connections=300
max-allowed-packet=64M
performance-schema=OFF
innodb-buffer-pool-size=24M
innodb-log-file-size=16M
innodb-log-buffer-size=4M
innodb-flush-log-at-trx-commit=2
innodb-doublewrite=0
aria-pagecache-buffer-size=8M
key-buffer-size=1M
table-open-cache=400
EOF
  is_root && echo "user=$SERVER_USER"
  return 0
}

# Create a node's directory (data and tmp inside), owned by SERVER_USER.
make_node_dir() {
  local dir
  dir="$(node_dir "$1")"
  mkdir -p "$dir/data" "$dir/tmp"
  give "$dir"
}

install_node_db() {
  local name="$1" dir args
  dir="$(node_dir "$name")"
  args=(--no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve
    --innodb-log-file-size=16M --innodb-buffer-pool-size=24M)
  # As the user mariadbd runs as, so that it owns the data directory.
  is_root && args+=(--user="$SERVER_USER")
  mariadb-install-db "${args[@]}" >"$dir/install.log" 2>&1 || {
    cat "$dir/install.log" >&2
    die "$name: mariadb-install-db failed"
  }
}

# SQL that removes the anonymous accounts and creates the replication account, on one node.
accounts_sql() {
  cat <<EOF
DELETE FROM mysql.global_priv WHERE User = '';
DELETE FROM mysql.db WHERE User = '';
FLUSH PRIVILEGES;
CREATE OR REPLACE USER '$CLUSTER_REPL_USER'@'127.0.0.1' IDENTIFIED BY '$CLUSTER_REPL_PASSWORD';
GRANT REPLICATION SLAVE, SLAVE MONITOR ON *.* TO '$CLUSTER_REPL_USER'@'127.0.0.1';
EOF
}

# SQL that creates the test database and account (run once; replication or Galera copies it).
test_account_sql() {
  cat <<EOF
CREATE DATABASE IF NOT EXISTS $CLUSTER_TEST_DB DEFAULT CHARACTER SET utf8mb4;
CREATE OR REPLACE USER '$CLUSTER_TEST_USER'@'%' IDENTIFIED BY '$CLUSTER_TEST_PASSWORD';
GRANT ALL PRIVILEGES ON $CLUSTER_TEST_DB.* TO '$CLUSTER_TEST_USER'@'%';
GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO '$CLUSTER_TEST_USER'@'%';
EOF
}

# Lines the TypeScript harness (and a human) read after `start`.
print_cluster_env() {
  printf 'AIOMYSQL_CLUSTER_DIR=%s\n' "$CLUSTER_DIR"
  printf 'AIOMYSQL_CLUSTER_USER=%s\n' "$CLUSTER_TEST_USER"
  printf 'AIOMYSQL_CLUSTER_PASSWORD=%s\n' "$CLUSTER_TEST_PASSWORD"
  printf 'AIOMYSQL_CLUSTER_DATABASE=%s\n' "$CLUSTER_TEST_DB"
  local name
  for name in $(node_names); do
    printf 'AIOMYSQL_CLUSTER_NODE=%s\n' "$(awk -v n="$name" '$1 == n' "$CLUSTER_DIR/nodes")"
  done
}

# Start of `start`: whatever way the script ends before `started_ok`, failing or interrupted,
# it leaves no server of the half-built cluster running.
guard_start() {
  trap 'rc=$?; trap - EXIT; [ "$rc" -eq 0 ] || { log "start failed; stopping what it started"; stop_cluster || true; }; exit "$rc"' EXIT
  trap 'log "interrupted"; exit 130' INT TERM
}
started_ok() { trap - EXIT INT TERM; }

# Bounded poll: wait_until SECONDS WHAT COMMAND... (the command's success ends the wait).
wait_until() {
  local bound="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + bound))
  while [ "$SECONDS" -le "$deadline" ]; do
    "$@" && return 0
    sleep 0.2
  done
  die "gave up after $bound s waiting for: $what"
}

# ------------------------------------------------------------------ command line

# Sets CLUSTER_DIR from --dir DIR; the other arguments stay in ARGS.
parse_dir() {
  ARGS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir)
        CLUSTER_DIR="${2:-}"
        shift 2
        ;;
      *)
        ARGS+=("$1")
        shift
        ;;
    esac
  done
}

need() { [ "${#ARGS[@]}" -ge "$1" ] || die "usage: $0 $CMD $2"; }

# The steps both kinds of cluster have, on the arguments parse_dir left in ARGS.
common_step() { # common_step CMD
  case "$1" in
    stop) stop_cluster ;;
    kill)
      need 1 "NODE [SIGKILL|SIGTERM|SIGSTOP]"
      signal_node "${ARGS[0]}" "${ARGS[1]:-SIGKILL}"
      ;;
    resume)
      need 1 NODE
      signal_node "${ARGS[0]}" SIGCONT
      ;;
    sql)
      need 2 "NODE STATEMENT"
      node_sql "${ARGS[0]}" -e "${ARGS[1]}"
      ;;
  esac
}

# The whole command line of a cluster script: start, stop-all, the common steps, and the
# kind's own steps (KIND_STEPS, run by the script's kind_step function). USAGE is the sed
# range of the script's header comment to print on a bad command.
cluster_main() { # cluster_main KIND USAGE ARGS...
  local kind="$1" usage="$2"
  shift 2
  CMD="${1:-}"
  [ $# -gt 0 ] && shift
  case " start stop-all stop kill resume sql $KIND_STEPS " in
    *" $CMD "*) ;;
    *)
      [ -n "$CMD" ] && log "unknown command: $CMD"
      sed -n "$usage" "$0" >&2
      exit 2
      ;;
  esac
  case "$CMD" in
    start) cmd_start "$@" ;;
    stop-all) stop_all_clusters ;;
    *)
      parse_dir "$@"
      resolve_cluster_dir "$kind"
      case "$CMD" in
        stop | kill | resume | sql) common_step "$CMD" ;;
        *) kind_step "$CMD" ;;
      esac
      ;;
  esac
}
