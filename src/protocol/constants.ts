// Protocol constants, named as in the MySQL and MariaDB client/server protocol docs
// (https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html,
//  https://mariadb.com/kb/en/clientserver-protocol/).

/** Capability flags (`CLIENT_*`), exchanged in the handshake. */
export const CLIENT = {
  LONG_PASSWORD: 1,
  FOUND_ROWS: 1 << 1,
  LONG_FLAG: 1 << 2,
  CONNECT_WITH_DB: 1 << 3,
  NO_SCHEMA: 1 << 4,
  COMPRESS: 1 << 5,
  ODBC: 1 << 6,
  LOCAL_FILES: 1 << 7,
  IGNORE_SPACE: 1 << 8,
  PROTOCOL_41: 1 << 9,
  INTERACTIVE: 1 << 10,
  SSL: 1 << 11,
  IGNORE_SIGPIPE: 1 << 12,
  TRANSACTIONS: 1 << 13,
  RESERVED: 1 << 14,
  SECURE_CONNECTION: 1 << 15,
  MULTI_STATEMENTS: 1 << 16,
  MULTI_RESULTS: 1 << 17,
  PS_MULTI_RESULTS: 1 << 18,
  PLUGIN_AUTH: 1 << 19,
  CONNECT_ATTRS: 1 << 20,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 1 << 21,
  CAN_HANDLE_EXPIRED_PASSWORDS: 1 << 22,
  SESSION_TRACK: 1 << 23,
  DEPRECATE_EOF: 1 << 24,
  // Flags above bit 31 are MariaDB extensions sent in the handshake's "extended" field,
  // kept here as numbers of the upper 32 bits (see MARIADB_CLIENT below).
} as const;

/** MariaDB extended capabilities: bits 32..63, sent in the 4 bytes that MySQL leaves as filler. */
export const MARIADB_CLIENT = {
  PROGRESS: 1 << 0,
  COM_MULTI: 1 << 1,
  STMT_BULK_OPERATIONS: 1 << 2,
  EXTENDED_TYPE_INFO: 1 << 3,
  CACHE_METADATA: 1 << 4,
} as const;

/** Command bytes (`COM_*`), the first byte of every client command packet. */
export const COM = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  CREATE_DB: 0x05,
  DROP_DB: 0x06,
  REFRESH: 0x07,
  SHUTDOWN: 0x08,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  CONNECT: 0x0b,
  PROCESS_KILL: 0x0c,
  DEBUG: 0x0d,
  PING: 0x0e,
  TIME: 0x0f,
  DELAYED_INSERT: 0x10,
  CHANGE_USER: 0x11,
  BINLOG_DUMP: 0x12,
  TABLE_DUMP: 0x13,
  CONNECT_OUT: 0x14,
  REGISTER_SLAVE: 0x15,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  DAEMON: 0x1d,
  BINLOG_DUMP_GTID: 0x1e,
  RESET_CONNECTION: 0x1f,
  STMT_BULK_EXECUTE: 0xfa,
} as const;

/** Column types (`MYSQL_TYPE_*`), as sent in column definitions and binary rows. */
export const FIELD_TYPE = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  VECTOR: 242,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

export type FieldTypeCode = (typeof FIELD_TYPE)[keyof typeof FIELD_TYPE];

/** Column definition flags (`*_FLAG`). */
export const FIELD_FLAG = {
  NOT_NULL: 1,
  PRI_KEY: 2,
  UNIQUE_KEY: 4,
  MULTIPLE_KEY: 8,
  BLOB: 16,
  UNSIGNED: 32,
  ZEROFILL: 64,
  BINARY: 128,
  ENUM: 256,
  AUTO_INCREMENT: 512,
  TIMESTAMP: 1024,
  SET: 2048,
  NO_DEFAULT_VALUE: 4096,
  ON_UPDATE_NOW: 8192,
  PART_KEY: 16384,
  NUM: 32768,
} as const;

/** Server status flags (`SERVER_*`), carried by every OK and EOF packet. */
export const SERVER_STATUS = {
  IN_TRANS: 0x0001,
  AUTOCOMMIT: 0x0002,
  MORE_RESULTS_EXISTS: 0x0008,
  QUERY_NO_GOOD_INDEX_USED: 0x0010,
  QUERY_NO_INDEX_USED: 0x0020,
  CURSOR_EXISTS: 0x0040,
  LAST_ROW_SENT: 0x0080,
  DB_DROPPED: 0x0100,
  NO_BACKSLASH_ESCAPES: 0x0200,
  METADATA_CHANGED: 0x0400,
  QUERY_WAS_SLOW: 0x0800,
  PS_OUT_PARAMS: 0x1000,
  IN_TRANS_READONLY: 0x2000,
  SESSION_STATE_CHANGED: 0x4000,
} as const;

/** First byte of a server response packet. */
export const PACKET = {
  OK: 0x00,
  EOF: 0xfe,
  ERR: 0xff,
  LOCAL_INFILE: 0xfb,
  AUTH_MORE_DATA: 0x01,
  AUTH_SWITCH: 0xfe,
} as const;

/** The length prefix of a payload that continues in the next packet (2^24 - 1). */
export const MAX_PACKET_PAYLOAD = 0xffffff;

/** Client-side error codes (`CR_*`), from MySQL's errmsg.h. */
export const CR = {
  UNKNOWN_ERROR: 2000,
  SOCKET_CREATE_ERROR: 2001,
  CONNECTION_ERROR: 2002,
  CONN_HOST_ERROR: 2003,
  IPSOCK_ERROR: 2004,
  UNKNOWN_HOST: 2005,
  SERVER_GONE_ERROR: 2006,
  VERSION_ERROR: 2007,
  OUT_OF_MEMORY: 2008,
  WRONG_HOST_INFO: 2009,
  LOCALHOST_CONNECTION: 2010,
  TCP_CONNECTION: 2011,
  SERVER_HANDSHAKE_ERR: 2012,
  SERVER_LOST: 2013,
  COMMANDS_OUT_OF_SYNC: 2014,
  NAMEDPIPE_CONNECTION: 2015,
  SSL_CONNECTION_ERROR: 2026,
  MALFORMED_PACKET: 2027,
  NET_PACKET_TOO_LARGE: 2020,
  AUTH_PLUGIN_CANNOT_LOAD: 2059,
  AUTH_PLUGIN_ERR: 2061,
} as const;
