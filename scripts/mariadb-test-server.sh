#!/usr/bin/env bash
# Throwaway MariaDB server for the aiomysql test suite.
#
#   bash scripts/mariadb-test-server.sh start          start (or reuse) the server
#   bash scripts/mariadb-test-server.sh stop [--clean] stop it; --clean also deletes its directory
#   bash scripts/mariadb-test-server.sh restart        stop and start it again on the same port,
#                                                      socket and data directory (no re-init)
#   bash scripts/mariadb-test-server.sh status         exit 0 when running, 1 otherwise
#   bash scripts/mariadb-test-server.sh env            print the MYSQL_* variables to use
#
# Environment:
#   AIOMYSQL_SERVER_DIR  where data, socket, logs and certificates live
#                        (default: <repo>/.test-server, which is gitignored)
#   AIOMYSQL_TEST_PORT   TCP port to listen on (default: a free port on 127.0.0.1)
#
# The server only listens on 127.0.0.1 and the unix socket; root has an empty
# password. Never point this at anything but a scratch directory.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
# PATH, a clean client environment, is_root, pick_ports, mariadbd_pid, spawn_mariadbd, stop_pid.
# shellcheck source=scripts/server-lib.sh
. "$SCRIPT_DIR/server-lib.sh"

BASE_DIR="${AIOMYSQL_SERVER_DIR:-$REPO_ROOT/.test-server}"
case "$BASE_DIR" in /*) ;; *) BASE_DIR="$PWD/$BASE_DIR" ;; esac
BASE_DIR="${BASE_DIR%/}"
# mariadb-install-db cannot cope with blanks in the data directory path.
case "$BASE_DIR" in *[[:space:]]*) echo "[mariadb-test-server] AIOMYSQL_SERVER_DIR must not contain whitespace: $BASE_DIR" >&2; exit 1 ;; esac
DATA_DIR="$BASE_DIR/data"
PID_FILE="$BASE_DIR/mysqld.pid"
ERROR_LOG="$BASE_DIR/error.log"
INSTALL_LOG="$BASE_DIR/install.log"
CERT_DIR="$BASE_DIR/certs"
ENV_FILE="$BASE_DIR/env"

# Unix socket paths are limited to ~107 bytes; fall back to a short
# per-directory path under the temp dir when the base dir is deep.
SOCKET="$BASE_DIR/mysqld.sock"
SOCKET_DIR=""
if [ "${#SOCKET}" -gt 100 ]; then
  SOCKET_DIR="${TMPDIR:-/tmp}/aiomysql-$(printf '%s' "$BASE_DIR" | cksum | cut -d' ' -f1)"
  SOCKET="$SOCKET_DIR/mysqld.sock"
fi

log() { printf '[mariadb-test-server] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

admin() { mariadb-admin --no-defaults --host=localhost --socket="$SOCKET" -uroot --connect-timeout=2 "$@"; }
sql() { mariadb --no-defaults --host=localhost --socket="$SOCKET" -uroot "$@"; }

server_pid() { mariadbd_pid "$PID_FILE"; }

is_running() {
  server_pid >/dev/null && admin ping >/dev/null 2>&1
}

ensure_installed() {
  command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1 &&
    command -v mariadb >/dev/null 2>&1 && command -v mariadb-admin >/dev/null 2>&1 &&
    command -v openssl >/dev/null 2>&1 && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    log "MariaDB not found; installing mariadb-server mariadb-client openssl with apt-get..."
    local apt_log
    apt_log="$(mktemp)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends mariadb-server mariadb-client openssl; } >"$apt_log" 2>&1; then
      cat "$apt_log" >&2
      rm -f "$apt_log"
      die "apt-get could not install MariaDB"
    fi
    rm -f "$apt_log"
    hash -r
    command -v mariadbd >/dev/null 2>&1 || die "apt-get finished but mariadbd is still not on PATH"
    return 0
  fi
  cat >&2 <<'EOF'
[mariadb-test-server] MariaDB is not installed (mariadbd, mariadb-install-db, mariadb,
mariadb-admin and openssl are needed). On Debian/Ubuntu install them with:

    sudo apt-get install mariadb-server mariadb-client openssl

(the system mariadb service is not used and can stay stopped).
Alternatively run the tests against an existing server by setting
MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD (and optionally
MYSQL_UNIX_SOCKET, MYSQL_SSL_CA, MYSQL_SSL_CERT, MYSQL_SSL_KEY).
EOF
  exit 1
}

pick_port() {
  if [ -n "${AIOMYSQL_TEST_PORT:-}" ]; then
    printf '%s\n' "$AIOMYSQL_TEST_PORT"
    return
  fi
  pick_ports 1
}

# ---------------------------------------------------------------- TLS material
make_certs() {
  rm -rf "$CERT_DIR"
  mkdir -p "$CERT_DIR"
  (
    cd "$CERT_DIR"
    # A private config so the result does not depend on the system openssl.cnf.
    cat >openssl.cnf <<'EOF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    local ossl=(openssl)
    # CA that signs the server and client certificates.
    "${ossl[@]}" req -config openssl.cnf -x509 -newkey rsa:2048 -nodes -days 10 \
      -subj "/CN=aiomysql test CA" -extensions ca_ext \
      -keyout ca-key.pem -out ca.pem
    # Server certificate for localhost / 127.0.0.1.
    "${ossl[@]}" req -config openssl.cnf -new -newkey rsa:2048 -nodes \
      -subj "/CN=localhost" -keyout server-key.pem -out server-req.pem
    "${ossl[@]}" x509 -req -in server-req.pem -days 10 -CA ca.pem -CAkey ca-key.pem \
      -set_serial 0x"$(openssl rand -hex 8)" -extfile openssl.cnf -extensions server_ext \
      -out server-cert.pem
    # Client certificate.
    "${ossl[@]}" req -config openssl.cnf -new -newkey rsa:2048 -nodes \
      -subj "/CN=aiomysql test client" -keyout client-key.pem -out client-req.pem
    "${ossl[@]}" x509 -req -in client-req.pem -days 10 -CA ca.pem -CAkey ca-key.pem \
      -set_serial 0x"$(openssl rand -hex 8)" -extfile openssl.cnf -extensions client_ext \
      -out client-cert.pem
    # An unrelated CA, for "server certificate signed by the wrong CA" tests.
    "${ossl[@]}" req -config openssl.cnf -x509 -newkey rsa:2048 -nodes -days 10 \
      -subj "/CN=aiomysql unrelated CA" -extensions ca_ext \
      -keyout other-ca-key.pem -out other-ca.pem
    rm -f server-req.pem client-req.pem
    chmod 600 ./*-key.pem
  ) >"$BASE_DIR/openssl.log" 2>&1 || {
    cat "$BASE_DIR/openssl.log" >&2
    die "could not create the TLS certificates"
  }
}

# --------------------------------------------------------------------- env file
shell_quote() {
  local v="$1"
  if [[ "$v" =~ ^[A-Za-z0-9_./:@%+,=-]*$ ]]; then
    printf '%s' "$v"
  else
    printf "'%s'" "${v//\'/\'\\\'\'}"
  fi
}

write_env() {
  local port="$1" tmp="$ENV_FILE.tmp"
  {
    echo "# Written by scripts/mariadb-test-server.sh; source it to reach the test server."
    printf 'export MYSQL_HOST=%s\n' 127.0.0.1
    printf 'export MYSQL_PORT=%s\n' "$port"
    printf 'export MYSQL_USER=%s\n' root
    printf 'export MYSQL_PASSWORD=\n'
    printf 'export MYSQL_UNIX_SOCKET=%s\n' "$(shell_quote "$SOCKET")"
    printf 'export MYSQL_SSL_CA=%s\n' "$(shell_quote "$CERT_DIR/ca.pem")"
    printf 'export MYSQL_SSL_CERT=%s\n' "$(shell_quote "$CERT_DIR/client-cert.pem")"
    printf 'export MYSQL_SSL_KEY=%s\n' "$(shell_quote "$CERT_DIR/client-key.pem")"
    printf 'export MYSQL_OTHER_CA=%s\n' "$(shell_quote "$CERT_DIR/other-ca.pem")"
    printf 'export AIOMYSQL_TEST_SERVER_DIR=%s\n' "$(shell_quote "$BASE_DIR")"
  } >"$tmp"
  mv "$tmp" "$ENV_FILE"
}

summary() {
  local port="$1" version
  version="$(sql -N -B -e 'SELECT VERSION()' 2>/dev/null || echo unknown)"
  printf 'MariaDB %s ready on 127.0.0.1:%s (socket %s)\n' "${version%%-*}" "$port" "$SOCKET"
}

# ------------------------------------------------------------------- commands
init_sql() {
  local u
  cat <<'EOF'
-- Anonymous accounts would shadow 'user'@'%' for local connections.
DELETE FROM mysql.global_priv WHERE User = '';
DELETE FROM mysql.db WHERE User = '';
FLUSH PRIVILEGES;
EOF
  for u in "'root'@'localhost'" "'root'@'127.0.0.1'" "'root'@'::1'" "'root'@'%'"; do
    cat <<EOF
CREATE USER IF NOT EXISTS $u IDENTIFIED VIA mysql_native_password USING PASSWORD('');
ALTER USER $u IDENTIFIED VIA mysql_native_password USING PASSWORD('');
GRANT ALL PRIVILEGES ON *.* TO $u WITH GRANT OPTION;
EOF
  done
  cat <<'EOF'
CREATE DATABASE IF NOT EXISTS test_pymysql DEFAULT CHARACTER SET utf8mb4;
CREATE DATABASE IF NOT EXISTS test_pymysql2 DEFAULT CHARACTER SET utf8mb4;
CREATE OR REPLACE USER 'aiomysql_native'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('native_pw');
CREATE OR REPLACE USER 'aiomysql_ed25519'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('ed_pw');
CREATE OR REPLACE USER 'aiomysql_ssl'@'%' IDENTIFIED BY 'ssl_pw' REQUIRE SSL;
CREATE OR REPLACE USER 'aiomysql_nopw'@'%';
EOF
  for u in aiomysql_native aiomysql_ed25519 aiomysql_ssl aiomysql_nopw; do
    printf "GRANT ALL PRIVILEGES ON test_pymysql.* TO '%s'@'%%';\n" "$u"
    printf "GRANT ALL PRIVILEGES ON test_pymysql2.* TO '%s'@'%%';\n" "$u"
  done
  echo "FLUSH PRIVILEGES;"
}

# Launch mariadbd detached; echoes nothing, returns once the server answers
# ping (0), died early with a port clash (2) or failed otherwise (1).
launch() {
  local port="$1" pid i
  local args=(
    --no-defaults
    --datadir="$DATA_DIR"
    --socket="$SOCKET"
    --port="$port"
    --bind-address=127.0.0.1
    --pid-file="$PID_FILE"
    --log-error="$ERROR_LOG"
    --max-allowed-packet=256M
    --local-infile=1
    --performance-schema=ON
    --character-set-server=utf8mb4
    --collation-server=utf8mb4_general_ci
    --ssl-ca="$CERT_DIR/ca.pem"
    --ssl-cert="$CERT_DIR/server-cert.pem"
    --ssl-key="$CERT_DIR/server-key.pem"
    --max-connections=1000
    --innodb-buffer-pool-size=256M
    --skip-log-bin
    --plugin-load-add=auth_ed25519
    --secure-file-priv=
  )
  is_root && args+=(--user=root)
  : >"$ERROR_LOG"
  rm -f "$PID_FILE"
  spawn_mariadbd "$ERROR_LOG" "$PID_FILE" "${args[@]}"
  pid="$(cat "$PID_FILE")"
  for ((i = 0; i < 600; i++)); do
    if admin ping >/dev/null 2>&1; then
      return 0
    fi
    if ! pid_alive "$pid"; then
      # setsid may have forked; trust the pid file if the server wrote one.
      if ! server_pid >/dev/null; then
        grep -q 'Address already in use' "$ERROR_LOG" && return 2
        return 1
      fi
      pid="$(server_pid)"
    fi
    sleep 0.1
  done
  return 1
}

cmd_start() {
  ensure_installed
  mkdir -p "$BASE_DIR"
  if is_running; then
    local port
    if [ ! -s "$ENV_FILE" ]; then
      port="$(sql -N -B -e 'SELECT @@port')"
      write_env "$port"
    fi
    port="$(sed -n 's/^export MYSQL_PORT=//p' "$ENV_FILE")"
    echo "MariaDB test server already running (pid $(server_pid)); reusing it."
    summary "$port"
    return 0
  fi
  # A process that holds the pid file but does not answer is wedged: stop it.
  if server_pid >/dev/null; then
    log "a server process exists but does not answer; stopping it first"
    cmd_stop
  fi

  local t0=$SECONDS
  # Interrupted half-way: leave nothing running.
  trap 'trap - INT TERM; log "interrupted; cleaning up"; cmd_stop >/dev/null 2>&1; exit 130' INT TERM
  rm -rf "$DATA_DIR" "$ENV_FILE"
  rm -f "$SOCKET" "$SOCKET.lock" "$PID_FILE"
  [ -n "$SOCKET_DIR" ] && mkdir -p "$SOCKET_DIR"
  mkdir -p "$DATA_DIR"

  local install_args=(
    --no-defaults
    --datadir="$DATA_DIR"
    --auth-root-authentication-method=normal
    --skip-test-db
    --skip-name-resolve
  )
  is_root && install_args+=(--user=root)
  if ! mariadb-install-db "${install_args[@]}" >"$INSTALL_LOG" 2>&1; then
    cat "$INSTALL_LOG" >&2
    die "mariadb-install-db failed"
  fi

  make_certs

  local port attempt rc
  for attempt in 1 2 3; do
    port="$(pick_port)"
    rc=0
    launch "$port" || rc=$?
    [ "$rc" -eq 0 ] && break
    if [ "$rc" -eq 2 ] && [ -z "${AIOMYSQL_TEST_PORT:-}" ] && [ "$attempt" -lt 3 ]; then
      log "port $port was taken meanwhile; retrying with another port"
      continue
    fi
    log "mariadbd did not come up; tail of $ERROR_LOG:"
    tail -n 40 "$ERROR_LOG" >&2 || true
    server_pid >/dev/null && kill -9 "$(server_pid)" 2>/dev/null || true
    exit 1
  done

  if ! init_sql | sql >"$BASE_DIR/init.log" 2>&1; then
    cat "$BASE_DIR/init.log" >&2
    cmd_stop
    die "initialisation SQL failed"
  fi
  if ! mariadb --no-defaults -h127.0.0.1 -P"$port" -uroot -N -B -e 'SELECT 1' >/dev/null 2>>"$BASE_DIR/init.log"; then
    cat "$BASE_DIR/init.log" >&2
    cmd_stop
    die "root cannot log in over TCP on 127.0.0.1:$port"
  fi

  write_env "$port"
  trap - INT TERM
  summary "$port"
  log "started in $((SECONDS - t0)) s; variables: bash $0 env"
}

cmd_stop() {
  local clean=0 arg pid i
  for arg in "$@"; do
    case "$arg" in
      --clean) clean=1 ;;
      *) die "stop: unknown option $arg" ;;
    esac
  done
  if pid="$(server_pid)"; then
    command -v mariadb-admin >/dev/null 2>&1 && admin shutdown >/dev/null 2>&1 &
    local admin_job=$!
    for ((i = 0; i < 300; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
    kill "$admin_job" 2>/dev/null || true
    wait "$admin_job" 2>/dev/null || true
    if pid_alive "$pid"; then
      log "shutdown did not finish; sending SIGTERM to $pid"
      stop_pid "$pid" 20 || true
    fi
    echo "MariaDB test server stopped."
  else
    echo "MariaDB test server not running."
  fi
  rm -f "$PID_FILE" "$SOCKET" "$SOCKET.lock"
  if [ "$clean" -eq 1 ]; then
    rm -rf "$BASE_DIR"
    [ -n "$SOCKET_DIR" ] && rm -rf "$SOCKET_DIR"
    echo "Removed $BASE_DIR."
  fi
  return 0
}

# Restart the running server in place: same data directory, port and socket, so clients
# configured for it can reconnect without knowing it went away (tests of reconnection).
cmd_restart() {
  [ -d "$DATA_DIR/mysql" ] || die "restart: no data directory at $DATA_DIR; run: bash $0 start"
  [ -s "$ENV_FILE" ] || die "restart: no env file at $ENV_FILE; run: bash $0 start"
  local port rc attempt
  port="$(sed -n 's/^export MYSQL_PORT=//p' "$ENV_FILE")"
  [ -n "$port" ] || die "restart: no MYSQL_PORT in $ENV_FILE"
  cmd_stop >/dev/null
  [ -n "$SOCKET_DIR" ] && mkdir -p "$SOCKET_DIR"
  # The old listener's port may linger for a moment; retry on a clash instead of moving.
  for attempt in 1 2 3 4 5; do
    rc=0
    launch "$port" || rc=$?
    [ "$rc" -eq 0 ] && break
    if [ "$rc" -eq 2 ] && [ "$attempt" -lt 5 ]; then
      log "port $port still busy; retrying"
      sleep 1
      continue
    fi
    log "mariadbd did not come back; tail of $ERROR_LOG:"
    tail -n 40 "$ERROR_LOG" >&2 || true
    server_pid >/dev/null && kill -9 "$(server_pid)" 2>/dev/null || true
    exit 1
  done
  summary "$port"
}

cmd_status() {
  if is_running; then
    local port=""
    [ -s "$ENV_FILE" ] && port="$(sed -n 's/^export MYSQL_PORT=//p' "$ENV_FILE")"
    echo "running (pid $(server_pid)${port:+, 127.0.0.1:$port}, socket $SOCKET)"
    return 0
  fi
  echo "not running"
  return 1
}

cmd_env() {
  [ -s "$ENV_FILE" ] || die "no env file at $ENV_FILE; run: bash $0 start"
  cat "$ENV_FILE"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  status) shift; cmd_status "$@" ;;
  env) shift; cmd_env "$@" ;;
  *)
    echo "usage: bash $0 {start|stop [--clean]|restart|status|env}" >&2
    exit 2
    ;;
esac
