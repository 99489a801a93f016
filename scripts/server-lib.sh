# Pieces every throwaway-server script shares (scripts/mariadb-test-server.sh and
# scripts/cluster-lib.sh): PATH, a clean client environment, free ports, and starting and
# stopping a mariadbd by the pid in its pid file. Sourced, never run; it starts nothing.

# Debian installs mariadbd in sbin, which is not on every user's PATH.
case ":$PATH:" in *":/usr/sbin:"*) ;; *) PATH="$PATH:/usr/sbin" ;; esac
case ":$PATH:" in *":/sbin:"*) ;; *) PATH="$PATH:/sbin" ;; esac
export PATH

# Client tools must not pick up MYSQL_HOST / MYSQL_PWD / MYSQL_TCP_PORT / MYSQL_UNIX_PORT from
# a sourced env file (the client honours MYSQL_HOST even when --socket is given); every client
# call also passes --no-defaults, against ~/.my.cnf and the system my.cnf.
unset MYSQL_HOST MYSQL_PWD MYSQL_TCP_PORT MYSQL_UNIX_PORT

is_root() { [ "$(id -u)" -eq 0 ]; }

# N distinct free TCP ports on 127.0.0.1, space-separated (all held open together while they
# are chosen, so they differ; a clash with another process afterwards is for callers to retry).
pick_ports() {
  node -e '
    const net = require("net");
    const n = Number(process.argv[1]);
    const servers = [];
    let ready = 0;
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      s.listen(0, "127.0.0.1", () => {
        if (++ready === n) {
          console.log(servers.map((x) => x.address().port).join(" "));
          for (const x of servers) x.close();
        }
      });
    }' "${1:-1}"
}

# The process exists and is no zombie (exited, not yet reaped by its parent).
pid_alive() {
  local st
  st="$(ps -p "$1" -o stat= 2>/dev/null || true)"
  [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

# Pid from a pid file, only if that process is alive and really a MariaDB server (guards
# against a stale file whose pid was reused).
mariadbd_pid() { # mariadbd_pid PID_FILE
  local pid comm
  [ -s "$1" ] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  [ -n "$pid" ] || return 1
  comm="$(ps -p "$pid" -o comm= 2>/dev/null || true)"
  case "$comm" in mariadbd | mysqld) ;; *) return 1 ;; esac
  pid_alive "$pid" || return 1
  printf '%s\n' "$pid"
}

# Start mariadbd detached, output appended to LOG, and record its pid in PID_FILE at once (so
# that an interrupted start can still be cleaned up; mariadbd rewrites the same pid there).
# setsid gives it its own session, so a Ctrl-C aimed at the caller does not reach it; it does
# not fork here (a background job is no process-group leader), so $! is the server's pid.
spawn_mariadbd() { # spawn_mariadbd LOG PID_FILE ARGS...
  local log="$1" pid_file="$2"
  shift 2
  if command -v setsid >/dev/null 2>&1; then
    setsid nohup mariadbd "$@" </dev/null >>"$log" 2>&1 &
  else
    nohup mariadbd "$@" </dev/null >>"$log" 2>&1 &
  fi
  local pid="$!" i comm
  printf '%s\n' "$pid" >"$pid_file"
  # Until setsid and nohup have exec'd mariadbd, the pid's command is theirs and mariadbd_pid
  # would read the starting server as dead: wait (bounded) for the exec, or for an early exit.
  for ((i = 0; i < 100; i++)); do
    comm="$(ps -p "$pid" -o comm= 2>/dev/null || true)"
    case "$comm" in mariadbd | mysqld | "") return 0 ;; esac
    sleep 0.05
  done
}

# Stop a server by its pid: SIGCONT (in case it is frozen), SIGTERM, and SIGKILL if it has
# not exited within BOUND seconds. 0 once it is gone, 1 if it survived even SIGKILL.
stop_pid() { # stop_pid PID [BOUND]
  local pid="$1" bound="${2:-20}" i
  pid_alive "$pid" || return 0
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < bound * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  printf 'server pid %s still alive %s s after SIGTERM; sending SIGKILL\n' "$pid" "$bound" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  printf 'server pid %s survived SIGKILL\n' "$pid" >&2
  return 1
}
