#!/usr/bin/env bash
# A throwaway MariaDB Spider cluster on loopback for the multi-primary tests: two data nodes
# (plain MariaDB) and two Spider heads, each head holding the table `cluster_test.t` sharded
# over the two data nodes (ids below 1000 on data1, the rest on data2). Every head takes reads
# and writes; a statement that touches a stopped data node's shard fails on the head with the
# Spider error for its remote server. Usage (docs/cluster-testing.md has more):
#
#   bash scripts/cluster-spider.sh start                  prints AIOMYSQL_CLUSTER_* lines (data1 data2 head1 head2)
#   bash scripts/cluster-spider.sh status                 one line per node
#   bash scripts/cluster-spider.sh kill NODE [SIGKILL|SIGTERM|SIGSTOP]
#   bash scripts/cluster-spider.sh resume NODE            SIGCONT after SIGSTOP
#   bash scripts/cluster-spider.sh restart NODE           same port and data
#   bash scripts/cluster-spider.sh sql NODE STATEMENT     as root on the node's socket
#   bash scripts/cluster-spider.sh stop                   stop the cluster, remove its directory
#   bash scripts/cluster-spider.sh stop-all               stop every cluster of this checkout
#
# Every command but start and stop-all takes `--dir DIR` (default: $AIOMYSQL_CLUSTER_DIR, or
# the only Spider cluster of this checkout). Servers are stopped by their pid only.
set -euo pipefail

CLUSTER_TAG="cluster-spider"
# shellcheck source=scripts/cluster-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

# Ids below this boundary live on data1, the others on data2.
SHARD_BOUNDARY=1000

write_cnf() { # write_cnf NAME PORT SERVER_ID
  common_cnf "$@" >"$(node_dir "$1")/my.cnf"
}

# The heads' Spider tables: one partition per data node, each naming its server.
head_sql() {
  local d1 d2
  d1="$(node_port data1)"
  d2="$(node_port data2)"
  cat <<EOF
INSTALL SONAME 'ha_spider';
-- A head gives up on a data node that accepts and never answers after these many seconds.
SET GLOBAL spider_connect_timeout = 2, spider_net_read_timeout = 5, spider_net_write_timeout = 5;
CREATE DATABASE IF NOT EXISTS $CLUSTER_TEST_DB DEFAULT CHARACTER SET utf8mb4;
CREATE OR REPLACE SERVER data1 FOREIGN DATA WRAPPER mysql
  OPTIONS (HOST '127.0.0.1', PORT $d1, DATABASE '$CLUSTER_TEST_DB', USER '$CLUSTER_TEST_USER', PASSWORD '$CLUSTER_TEST_PASSWORD');
CREATE OR REPLACE SERVER data2 FOREIGN DATA WRAPPER mysql
  OPTIONS (HOST '127.0.0.1', PORT $d2, DATABASE '$CLUSTER_TEST_DB', USER '$CLUSTER_TEST_USER', PASSWORD '$CLUSTER_TEST_PASSWORD');
CREATE TABLE $CLUSTER_TEST_DB.t (id INT NOT NULL PRIMARY KEY, v VARCHAR(100)) ENGINE=SPIDER
  COMMENT='wrapper "mysql", table "t"'
  PARTITION BY RANGE (id) (
    PARTITION p1 VALUES LESS THAN ($SHARD_BOUNDARY) COMMENT = 'srv "data1"',
    PARTITION p2 VALUES LESS THAN MAXVALUE COMMENT = 'srv "data2"'
  );
EOF
}

cmd_start() {
  [ $# -eq 0 ] || die "start: no options (got $*)"
  require_tools mariadbd mariadb-install-db mariadb mariadb-admin node setsid timeout
  local plugin_dir
  plugin_dir="$(mariadbd --no-defaults --verbose --help 2>/dev/null | awk '$1 == "plugin-dir" { print $2 }')"
  [ -f "$plugin_dir/ha_spider.so" ] || die "the Spider engine is missing ($plugin_dir/ha_spider.so; on Debian: apt-get install mariadb-plugin-spider)"
  local t0=$SECONDS i name ports
  local names=(data1 data2 head1 head2)
  new_cluster_dir spider
  guard_start
  read -r -a ports <<<"$(pick_ports 4)"
  for ((i = 0; i < 4; i++)); do
    name="${names[$i]}"
    make_node_dir "$name"
    printf '%s %s %s %s\n' "$name" "${ports[$i]}" "$(node_dir "$name")/mysqld.sock" "$((i + 1))" >>"$CLUSTER_DIR/nodes"
    write_cnf "$name" "${ports[$i]}" "$((i + 1))"
  done
  install_and_serve_all
  for name in $(node_names); do
    { accounts_sql; test_account_sql; } | node_sql "$name" || die "$name: setting up the accounts failed"
  done
  for name in data1 data2; do
    node_sql "$name" -e "CREATE TABLE $CLUSTER_TEST_DB.t (id INT NOT NULL PRIMARY KEY, v VARCHAR(100)) ENGINE=InnoDB" ||
      die "$name: creating the shard table failed"
  done
  for name in head1 head2; do
    head_sql | node_sql "$name" || die "$name: setting up Spider failed"
  done
  # One row through each head, on each shard: the heads reach both data nodes.
  node_sql head1 -e "INSERT INTO $CLUSTER_TEST_DB.t VALUES (1, 'setup'), ($SHARD_BOUNDARY, 'setup')" || die "head1 cannot write through Spider"
  [ "$(node_sql head2 -e "SELECT COUNT(*) FROM $CLUSTER_TEST_DB.t")" = 2 ] || die "head2 does not see head1's rows"
  node_sql head2 -e "DELETE FROM $CLUSTER_TEST_DB.t" || die "head2 cannot delete through Spider"
  started_ok
  log "started 2 data nodes and 2 Spider heads in $((SECONDS - t0)) s"
  print_cluster_env
}

cmd_status() {
  local name
  for name in $(node_names); do
    printf '%s\t127.0.0.1:%s\t%s\t%s\n' "$name" "$(node_port "$name")" "$(case "$name" in head*) echo head ;; *) echo data ;; esac)" \
      "$(node_state "$name")"
  done
}

cmd_restart() {
  node_field "$1" 1 >/dev/null
  relaunch_node "$1"
  log "$1 restarted"
}

KIND_STEPS="status restart"
kind_step() {
  case "$1" in
    status) cmd_status ;;
    restart)
      need 1 NODE
      cmd_restart "${ARGS[0]}"
      ;;
  esac
}

cluster_main spider 2,17p "$@"
