// Protocol constants, named as in the MySQL and MariaDB client/server protocol docs
// (https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html,
//  https://mariadb.com/kb/en/clientserver-protocol/).

/** Capability flags (`CLIENT_*`), exchanged in the handshake. */
export const CLIENT = {
  /** Capability flag `CLIENT_LONG_PASSWORD` (0x1). */
  LONG_PASSWORD: 1,
  /** Capability flag `CLIENT_FOUND_ROWS` (0x2). */
  FOUND_ROWS: 1 << 1,
  /** Capability flag `CLIENT_LONG_FLAG` (0x4). */
  LONG_FLAG: 1 << 2,
  /** Capability flag `CLIENT_CONNECT_WITH_DB` (0x8). */
  CONNECT_WITH_DB: 1 << 3,
  /** Capability flag `CLIENT_NO_SCHEMA` (0x10). */
  NO_SCHEMA: 1 << 4,
  /** Capability flag `CLIENT_COMPRESS` (0x20). */
  COMPRESS: 1 << 5,
  /** Capability flag `CLIENT_ODBC` (0x40). */
  ODBC: 1 << 6,
  /** Capability flag `CLIENT_LOCAL_FILES` (0x80). */
  LOCAL_FILES: 1 << 7,
  /** Capability flag `CLIENT_IGNORE_SPACE` (0x100). */
  IGNORE_SPACE: 1 << 8,
  /** Capability flag `CLIENT_PROTOCOL_41` (0x200). */
  PROTOCOL_41: 1 << 9,
  /** Capability flag `CLIENT_INTERACTIVE` (0x400). */
  INTERACTIVE: 1 << 10,
  /** Capability flag `CLIENT_SSL` (0x800). */
  SSL: 1 << 11,
  /** Capability flag `CLIENT_IGNORE_SIGPIPE` (0x1000). */
  IGNORE_SIGPIPE: 1 << 12,
  /** Capability flag `CLIENT_TRANSACTIONS` (0x2000). */
  TRANSACTIONS: 1 << 13,
  /** Capability flag `CLIENT_RESERVED` (0x4000). */
  RESERVED: 1 << 14,
  /** Capability flag `CLIENT_SECURE_CONNECTION` (0x8000). */
  SECURE_CONNECTION: 1 << 15,
  /** Capability flag `CLIENT_MULTI_STATEMENTS` (0x10000). */
  MULTI_STATEMENTS: 1 << 16,
  /** Capability flag `CLIENT_MULTI_RESULTS` (0x20000). */
  MULTI_RESULTS: 1 << 17,
  /** Capability flag `CLIENT_PS_MULTI_RESULTS` (0x40000). */
  PS_MULTI_RESULTS: 1 << 18,
  /** Capability flag `CLIENT_PLUGIN_AUTH` (0x80000). */
  PLUGIN_AUTH: 1 << 19,
  /** Capability flag `CLIENT_CONNECT_ATTRS` (0x100000). */
  CONNECT_ATTRS: 1 << 20,
  /** Capability flag `CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA` (0x200000). */
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 1 << 21,
  /** Capability flag `CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS` (0x400000). */
  CAN_HANDLE_EXPIRED_PASSWORDS: 1 << 22,
  /** Capability flag `CLIENT_SESSION_TRACK` (0x800000). */
  SESSION_TRACK: 1 << 23,
  /** Capability flag `CLIENT_DEPRECATE_EOF` (0x1000000). */
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
  /** Command byte `COM_SLEEP` (0x0). */
  SLEEP: 0x00,
  /** Command byte `COM_QUIT` (0x1). */
  QUIT: 0x01,
  /** Command byte `COM_INIT_DB` (0x2). */
  INIT_DB: 0x02,
  /** Command byte `COM_QUERY` (0x3). */
  QUERY: 0x03,
  /** Command byte `COM_FIELD_LIST` (0x4). */
  FIELD_LIST: 0x04,
  /** Command byte `COM_CREATE_DB` (0x5). */
  CREATE_DB: 0x05,
  /** Command byte `COM_DROP_DB` (0x6). */
  DROP_DB: 0x06,
  /** Command byte `COM_REFRESH` (0x7). */
  REFRESH: 0x07,
  /** Command byte `COM_SHUTDOWN` (0x8). */
  SHUTDOWN: 0x08,
  /** Command byte `COM_STATISTICS` (0x9). */
  STATISTICS: 0x09,
  /** Command byte `COM_PROCESS_INFO` (0xa). */
  PROCESS_INFO: 0x0a,
  /** Command byte `COM_CONNECT` (0xb). */
  CONNECT: 0x0b,
  /** Command byte `COM_PROCESS_KILL` (0xc). */
  PROCESS_KILL: 0x0c,
  /** Command byte `COM_DEBUG` (0xd). */
  DEBUG: 0x0d,
  /** Command byte `COM_PING` (0xe). */
  PING: 0x0e,
  /** Command byte `COM_TIME` (0xf). */
  TIME: 0x0f,
  /** Command byte `COM_DELAYED_INSERT` (0x10). */
  DELAYED_INSERT: 0x10,
  /** Command byte `COM_CHANGE_USER` (0x11). */
  CHANGE_USER: 0x11,
  /** Command byte `COM_BINLOG_DUMP` (0x12). */
  BINLOG_DUMP: 0x12,
  /** Command byte `COM_TABLE_DUMP` (0x13). */
  TABLE_DUMP: 0x13,
  /** Command byte `COM_CONNECT_OUT` (0x14). */
  CONNECT_OUT: 0x14,
  /** Command byte `COM_REGISTER_SLAVE` (0x15). */
  REGISTER_SLAVE: 0x15,
  /** Command byte `COM_STMT_PREPARE` (0x16). */
  STMT_PREPARE: 0x16,
  /** Command byte `COM_STMT_EXECUTE` (0x17). */
  STMT_EXECUTE: 0x17,
  /** Command byte `COM_STMT_SEND_LONG_DATA` (0x18). */
  STMT_SEND_LONG_DATA: 0x18,
  /** Command byte `COM_STMT_CLOSE` (0x19). */
  STMT_CLOSE: 0x19,
  /** Command byte `COM_STMT_RESET` (0x1a). */
  STMT_RESET: 0x1a,
  /** Command byte `COM_SET_OPTION` (0x1b). */
  SET_OPTION: 0x1b,
  /** Command byte `COM_STMT_FETCH` (0x1c). */
  STMT_FETCH: 0x1c,
  /** Command byte `COM_DAEMON` (0x1d). */
  DAEMON: 0x1d,
  /** Command byte `COM_BINLOG_DUMP_GTID` (0x1e). */
  BINLOG_DUMP_GTID: 0x1e,
  /** Command byte `COM_RESET_CONNECTION` (0x1f). */
  RESET_CONNECTION: 0x1f,
  /** Command byte `COM_STMT_BULK_EXECUTE` (0xfa). */
  STMT_BULK_EXECUTE: 0xfa,
} as const;

/** Column types (`MYSQL_TYPE_*`), as sent in column definitions and binary rows. */
export const FIELD_TYPE = {
  /** Column type `MYSQL_TYPE_DECIMAL` (0). */
  DECIMAL: 0,
  /** Column type `MYSQL_TYPE_TINY` (1). */
  TINY: 1,
  /** Column type `MYSQL_TYPE_SHORT` (2). */
  SHORT: 2,
  /** Column type `MYSQL_TYPE_LONG` (3). */
  LONG: 3,
  /** Column type `MYSQL_TYPE_FLOAT` (4). */
  FLOAT: 4,
  /** Column type `MYSQL_TYPE_DOUBLE` (5). */
  DOUBLE: 5,
  /** Column type `MYSQL_TYPE_NULL` (6). */
  NULL: 6,
  /** Column type `MYSQL_TYPE_TIMESTAMP` (7). */
  TIMESTAMP: 7,
  /** Column type `MYSQL_TYPE_LONGLONG` (8). */
  LONGLONG: 8,
  /** Column type `MYSQL_TYPE_INT24` (9). */
  INT24: 9,
  /** Column type `MYSQL_TYPE_DATE` (10). */
  DATE: 10,
  /** Column type `MYSQL_TYPE_TIME` (11). */
  TIME: 11,
  /** Column type `MYSQL_TYPE_DATETIME` (12). */
  DATETIME: 12,
  /** Column type `MYSQL_TYPE_YEAR` (13). */
  YEAR: 13,
  /** Column type `MYSQL_TYPE_NEWDATE` (14). */
  NEWDATE: 14,
  /** Column type `MYSQL_TYPE_VARCHAR` (15). */
  VARCHAR: 15,
  /** Column type `MYSQL_TYPE_BIT` (16). */
  BIT: 16,
  /** Column type `MYSQL_TYPE_TIMESTAMP2` (17). */
  TIMESTAMP2: 17,
  /** Column type `MYSQL_TYPE_DATETIME2` (18). */
  DATETIME2: 18,
  /** Column type `MYSQL_TYPE_TIME2` (19). */
  TIME2: 19,
  /** Column type `MYSQL_TYPE_VECTOR` (242). */
  VECTOR: 242,
  /** Column type `MYSQL_TYPE_JSON` (245). */
  JSON: 245,
  /** Column type `MYSQL_TYPE_NEWDECIMAL` (246). */
  NEWDECIMAL: 246,
  /** Column type `MYSQL_TYPE_ENUM` (247). */
  ENUM: 247,
  /** Column type `MYSQL_TYPE_SET` (248). */
  SET: 248,
  /** Column type `MYSQL_TYPE_TINY_BLOB` (249). */
  TINY_BLOB: 249,
  /** Column type `MYSQL_TYPE_MEDIUM_BLOB` (250). */
  MEDIUM_BLOB: 250,
  /** Column type `MYSQL_TYPE_LONG_BLOB` (251). */
  LONG_BLOB: 251,
  /** Column type `MYSQL_TYPE_BLOB` (252). */
  BLOB: 252,
  /** Column type `MYSQL_TYPE_VAR_STRING` (253). */
  VAR_STRING: 253,
  /** Column type `MYSQL_TYPE_STRING` (254). */
  STRING: 254,
  /** Column type `MYSQL_TYPE_GEOMETRY` (255). */
  GEOMETRY: 255,
} as const;

export type FieldTypeCode = (typeof FIELD_TYPE)[keyof typeof FIELD_TYPE];

/** Column definition flags (`*_FLAG`). */
export const FIELD_FLAG = {
  /** Column definition flag `NOT_NULL_FLAG` (0x1). */
  NOT_NULL: 1,
  /** Column definition flag `PRI_KEY_FLAG` (0x2). */
  PRI_KEY: 2,
  /** Column definition flag `UNIQUE_KEY_FLAG` (0x4). */
  UNIQUE_KEY: 4,
  /** Column definition flag `MULTIPLE_KEY_FLAG` (0x8). */
  MULTIPLE_KEY: 8,
  /** Column definition flag `BLOB_FLAG` (0x10). */
  BLOB: 16,
  /** Column definition flag `UNSIGNED_FLAG` (0x20). */
  UNSIGNED: 32,
  /** Column definition flag `ZEROFILL_FLAG` (0x40). */
  ZEROFILL: 64,
  /** Column definition flag `BINARY_FLAG` (0x80). */
  BINARY: 128,
  /** Column definition flag `ENUM_FLAG` (0x100). */
  ENUM: 256,
  /** Column definition flag `AUTO_INCREMENT_FLAG` (0x200). */
  AUTO_INCREMENT: 512,
  /** Column definition flag `TIMESTAMP_FLAG` (0x400). */
  TIMESTAMP: 1024,
  /** Column definition flag `SET_FLAG` (0x800). */
  SET: 2048,
  /** Column definition flag `NO_DEFAULT_VALUE_FLAG` (0x1000). */
  NO_DEFAULT_VALUE: 4096,
  /** Column definition flag `ON_UPDATE_NOW_FLAG` (0x2000). */
  ON_UPDATE_NOW: 8192,
  /** Column definition flag `PART_KEY_FLAG` (0x4000). */
  PART_KEY: 16384,
  /** Column definition flag `NUM_FLAG` (0x8000). */
  NUM: 32768,
} as const;

/** Server status flags (`SERVER_*`), carried by every OK and EOF packet. */
export const SERVER_STATUS = {
  /** Server status flag `SERVER_IN_TRANS` (0x1). */
  IN_TRANS: 0x0001,
  /** Server status flag `SERVER_AUTOCOMMIT` (0x2). */
  AUTOCOMMIT: 0x0002,
  /** Server status flag `SERVER_MORE_RESULTS_EXISTS` (0x8). */
  MORE_RESULTS_EXISTS: 0x0008,
  /** Server status flag `SERVER_QUERY_NO_GOOD_INDEX_USED` (0x10). */
  QUERY_NO_GOOD_INDEX_USED: 0x0010,
  /** Server status flag `SERVER_QUERY_NO_INDEX_USED` (0x20). */
  QUERY_NO_INDEX_USED: 0x0020,
  /** Server status flag `SERVER_CURSOR_EXISTS` (0x40). */
  CURSOR_EXISTS: 0x0040,
  /** Server status flag `SERVER_LAST_ROW_SENT` (0x80). */
  LAST_ROW_SENT: 0x0080,
  /** Server status flag `SERVER_DB_DROPPED` (0x100). */
  DB_DROPPED: 0x0100,
  /** Server status flag `SERVER_NO_BACKSLASH_ESCAPES` (0x200). */
  NO_BACKSLASH_ESCAPES: 0x0200,
  /** Server status flag `SERVER_METADATA_CHANGED` (0x400). */
  METADATA_CHANGED: 0x0400,
  /** Server status flag `SERVER_QUERY_WAS_SLOW` (0x800). */
  QUERY_WAS_SLOW: 0x0800,
  /** Server status flag `SERVER_PS_OUT_PARAMS` (0x1000). */
  PS_OUT_PARAMS: 0x1000,
  /** Server status flag `SERVER_IN_TRANS_READONLY` (0x2000). */
  IN_TRANS_READONLY: 0x2000,
  /** Server status flag `SERVER_SESSION_STATE_CHANGED` (0x4000). */
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
  /** Client error code `CR_UNKNOWN_ERROR` (2000). */
  UNKNOWN_ERROR: 2000,
  /** Client error code `CR_SOCKET_CREATE_ERROR` (2001). */
  SOCKET_CREATE_ERROR: 2001,
  /** Client error code `CR_CONNECTION_ERROR` (2002). */
  CONNECTION_ERROR: 2002,
  /** Client error code `CR_CONN_HOST_ERROR` (2003). */
  CONN_HOST_ERROR: 2003,
  /** Client error code `CR_IPSOCK_ERROR` (2004). */
  IPSOCK_ERROR: 2004,
  /** Client error code `CR_UNKNOWN_HOST` (2005). */
  UNKNOWN_HOST: 2005,
  /** Client error code `CR_SERVER_GONE_ERROR` (2006). */
  SERVER_GONE_ERROR: 2006,
  /** Client error code `CR_VERSION_ERROR` (2007). */
  VERSION_ERROR: 2007,
  /** Client error code `CR_OUT_OF_MEMORY` (2008). */
  OUT_OF_MEMORY: 2008,
  /** Client error code `CR_WRONG_HOST_INFO` (2009). */
  WRONG_HOST_INFO: 2009,
  /** Client error code `CR_LOCALHOST_CONNECTION` (2010). */
  LOCALHOST_CONNECTION: 2010,
  /** Client error code `CR_TCP_CONNECTION` (2011). */
  TCP_CONNECTION: 2011,
  /** Client error code `CR_SERVER_HANDSHAKE_ERR` (2012). */
  SERVER_HANDSHAKE_ERR: 2012,
  /** Client error code `CR_SERVER_LOST` (2013). */
  SERVER_LOST: 2013,
  /** Client error code `CR_COMMANDS_OUT_OF_SYNC` (2014). */
  COMMANDS_OUT_OF_SYNC: 2014,
  /** Client error code `CR_NAMEDPIPE_CONNECTION` (2015). */
  NAMEDPIPE_CONNECTION: 2015,
  /** Client error code `CR_SSL_CONNECTION_ERROR` (2026). */
  SSL_CONNECTION_ERROR: 2026,
  /** Client error code `CR_MALFORMED_PACKET` (2027). */
  MALFORMED_PACKET: 2027,
  /** Client error code `CR_NET_PACKET_TOO_LARGE` (2020). */
  NET_PACKET_TOO_LARGE: 2020,
  /** Client error code `CR_AUTH_PLUGIN_CANNOT_LOAD` (2059). */
  AUTH_PLUGIN_CANNOT_LOAD: 2059,
  /** Client error code `CR_AUTH_PLUGIN_ERR` (2061). */
  AUTH_PLUGIN_ERR: 2061,
} as const;
