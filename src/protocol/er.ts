// Server error codes (`ER_*`) that the driver maps or that users commonly test for.
// The full list is in MySQL's mysqld_error.h and MariaDB's errmsg-utf8.txt; any other
// code still reaches the user as `errno` on the error.

/** Server error codes (`ER_*`, the `errno` of a server error), named without the `ER_` prefix. */
export const ER = {
  /** Server error code `ER_HASHCHK` (1000). */
  HASHCHK: 1000,
  /** Server error code `ER_NISAMCHK` (1001). */
  NISAMCHK: 1001,
  /** Server error code `ER_CANT_CREATE_DB` (1006). */
  CANT_CREATE_DB: 1006,
  /** Server error code `ER_DB_CREATE_EXISTS` (1007). */
  DB_CREATE_EXISTS: 1007,
  /** Server error code `ER_DB_DROP_EXISTS` (1008). */
  DB_DROP_EXISTS: 1008,
  /** Server error code `ER_CON_COUNT_ERROR` (1040). */
  CON_COUNT_ERROR: 1040,
  /** Server error code `ER_OUT_OF_RESOURCES` (1041). */
  OUT_OF_RESOURCES: 1041,
  /** Server error code `ER_BAD_HOST_ERROR` (1042). */
  BAD_HOST_ERROR: 1042,
  /** Server error code `ER_HANDSHAKE_ERROR` (1043). */
  HANDSHAKE_ERROR: 1043,
  /** Server error code `ER_DBACCESS_DENIED_ERROR` (1044). */
  DBACCESS_DENIED_ERROR: 1044,
  /** Server error code `ER_ACCESS_DENIED_ERROR` (1045). */
  ACCESS_DENIED_ERROR: 1045,
  /** Server error code `ER_NO_DB_ERROR` (1046). */
  NO_DB_ERROR: 1046,
  /** Server error code `ER_UNKNOWN_COM_ERROR` (1047). */
  UNKNOWN_COM_ERROR: 1047,
  /** Server error code `ER_BAD_NULL_ERROR` (1048). */
  BAD_NULL_ERROR: 1048,
  /** Server error code `ER_BAD_DB_ERROR` (1049). */
  BAD_DB_ERROR: 1049,
  /** Server error code `ER_TABLE_EXISTS_ERROR` (1050). */
  TABLE_EXISTS_ERROR: 1050,
  /** Server error code `ER_BAD_TABLE_ERROR` (1051). */
  BAD_TABLE_ERROR: 1051,
  /** Server error code `ER_NON_UNIQ_ERROR` (1052). */
  NON_UNIQ_ERROR: 1052,
  /** Server error code `ER_SERVER_SHUTDOWN` (1053). */
  SERVER_SHUTDOWN: 1053,
  /** Server error code `ER_BAD_FIELD_ERROR` (1054). */
  BAD_FIELD_ERROR: 1054,
  /** Server error code `ER_WRONG_FIELD_WITH_GROUP` (1055). */
  WRONG_FIELD_WITH_GROUP: 1055,
  /** Server error code `ER_WRONG_GROUP_FIELD` (1056). */
  WRONG_GROUP_FIELD: 1056,
  /** Server error code `ER_WRONG_SUM_SELECT` (1057). */
  WRONG_SUM_SELECT: 1057,
  /** Server error code `ER_WRONG_VALUE_COUNT` (1058). */
  WRONG_VALUE_COUNT: 1058,
  /** Server error code `ER_TOO_LONG_IDENT` (1059). */
  TOO_LONG_IDENT: 1059,
  /** Server error code `ER_DUP_FIELDNAME` (1060). */
  DUP_FIELDNAME: 1060,
  /** Server error code `ER_DUP_KEYNAME` (1061). */
  DUP_KEYNAME: 1061,
  /** Server error code `ER_DUP_ENTRY` (1062). */
  DUP_ENTRY: 1062,
  /** Server error code `ER_WRONG_FIELD_SPEC` (1063). */
  WRONG_FIELD_SPEC: 1063,
  /** Server error code `ER_PARSE_ERROR` (1064). */
  PARSE_ERROR: 1064,
  /** Server error code `ER_EMPTY_QUERY` (1065). */
  EMPTY_QUERY: 1065,
  /** Server error code `ER_NONUNIQ_TABLE` (1066). */
  NONUNIQ_TABLE: 1066,
  /** Server error code `ER_INVALID_DEFAULT` (1067). */
  INVALID_DEFAULT: 1067,
  /** Server error code `ER_MULTIPLE_PRI_KEY` (1068). */
  MULTIPLE_PRI_KEY: 1068,
  /** Server error code `ER_TOO_MANY_KEYS` (1069). */
  TOO_MANY_KEYS: 1069,
  /** Server error code `ER_KEY_COLUMN_DOES_NOT_EXITS` (1072). */
  KEY_COLUMN_DOES_NOT_EXITS: 1072,
  /** Server error code `ER_NO_SUCH_THREAD` (1094). */
  NO_SUCH_THREAD: 1094,
  /** Server error code `ER_WRONG_DB_NAME` (1102). */
  WRONG_DB_NAME: 1102,
  /** Server error code `ER_WRONG_TABLE_NAME` (1103). */
  WRONG_TABLE_NAME: 1103,
  /** Server error code `ER_TOO_BIG_SELECT` (1104). */
  TOO_BIG_SELECT: 1104,
  /** Server error code `ER_UNKNOWN_PROCEDURE` (1106). */
  UNKNOWN_PROCEDURE: 1106,
  /** Server error code `ER_FIELD_SPECIFIED_TWICE` (1110). */
  FIELD_SPECIFIED_TWICE: 1110,
  /** Server error code `ER_INVALID_GROUP_FUNC_USE` (1111). */
  INVALID_GROUP_FUNC_USE: 1111,
  /** Server error code `ER_UNSUPPORTED_EXTENSION` (1112). */
  UNSUPPORTED_EXTENSION: 1112,
  /** Server error code `ER_TABLE_MUST_HAVE_COLUMNS` (1113). */
  TABLE_MUST_HAVE_COLUMNS: 1113,
  /** Server error code `ER_RECORD_FILE_FULL` (1114). */
  RECORD_FILE_FULL: 1114,
  /** Server error code `ER_UNKNOWN_CHARACTER_SET` (1115). */
  UNKNOWN_CHARACTER_SET: 1115,
  /** Server error code `ER_TOO_BIG_ROWSIZE` (1118). */
  TOO_BIG_ROWSIZE: 1118,
  /** Server error code `ER_WRONG_OUTER_JOIN` (1120). */
  WRONG_OUTER_JOIN: 1120,
  /** Server error code `ER_NULL_COLUMN_IN_INDEX` (1121). */
  NULL_COLUMN_IN_INDEX: 1121,
  /** Server error code `ER_PASSWORD_ANONYMOUS_USER` (1131). */
  PASSWORD_ANONYMOUS_USER: 1131,
  /** Server error code `ER_PASSWORD_NOT_ALLOWED` (1132). */
  PASSWORD_NOT_ALLOWED: 1132,
  /** Server error code `ER_PASSWORD_NO_MATCH` (1133). */
  PASSWORD_NO_MATCH: 1133,
  /** Server error code `ER_WRONG_VALUE_COUNT_ON_ROW` (1136). */
  WRONG_VALUE_COUNT_ON_ROW: 1136,
  /** Server error code `ER_NONEXISTING_GRANT` (1141). */
  NONEXISTING_GRANT: 1141,
  /** Server error code `ER_TABLEACCESS_DENIED_ERROR` (1142). */
  TABLEACCESS_DENIED_ERROR: 1142,
  /** Server error code `ER_COLUMNACCESS_DENIED_ERROR` (1143). */
  COLUMNACCESS_DENIED_ERROR: 1143,
  /** Server error code `ER_NO_SUCH_TABLE` (1146). */
  NO_SUCH_TABLE: 1146,
  /** Server error code `ER_SYNTAX_ERROR` (1149). */
  SYNTAX_ERROR: 1149,
  /** Server error code `ER_NET_PACKET_TOO_LARGE` (1153). */
  NET_PACKET_TOO_LARGE: 1153,
  /** Server error code `ER_NET_READ_ERROR_FROM_PIPE` (1154). */
  NET_READ_ERROR_FROM_PIPE: 1154,
  /** Server error code `ER_NET_FCNTL_ERROR` (1155). */
  NET_FCNTL_ERROR: 1155,
  /** Server error code `ER_NET_PACKETS_OUT_OF_ORDER` (1156). */
  NET_PACKETS_OUT_OF_ORDER: 1156,
  /** Server error code `ER_NET_UNCOMPRESS_ERROR` (1157). */
  NET_UNCOMPRESS_ERROR: 1157,
  /** Server error code `ER_NET_READ_ERROR` (1158). */
  NET_READ_ERROR: 1158,
  /** Server error code `ER_NET_READ_INTERRUPTED` (1159). */
  NET_READ_INTERRUPTED: 1159,
  /** Server error code `ER_NET_ERROR_ON_WRITE` (1160). */
  NET_ERROR_ON_WRITE: 1160,
  /** Server error code `ER_NET_WRITE_INTERRUPTED` (1161). */
  NET_WRITE_INTERRUPTED: 1161,
  /** Server error code `ER_TOO_LONG_STRING` (1162). */
  TOO_LONG_STRING: 1162,
  /** Server error code `ER_WRONG_COLUMN_NAME` (1166). */
  WRONG_COLUMN_NAME: 1166,
  /** Server error code `ER_DUP_UNIQUE` (1169). */
  DUP_UNIQUE: 1169,
  /** Server error code `ER_BLOB_KEY_WITHOUT_LENGTH` (1170). */
  BLOB_KEY_WITHOUT_LENGTH: 1170,
  /** Server error code `ER_PRIMARY_CANT_HAVE_NULL` (1171). */
  PRIMARY_CANT_HAVE_NULL: 1171,
  /** Server error code `ER_TOO_MANY_ROWS` (1172). */
  TOO_MANY_ROWS: 1172,
  /** Server error code `ER_REQUIRES_PRIMARY_KEY` (1173). */
  REQUIRES_PRIMARY_KEY: 1173,
  /** Server error code `ER_CANT_DO_THIS_DURING_AN_TRANSACTION` (1179). */
  CANT_DO_THIS_DURING_AN_TRANSACTION: 1179,
  /** Server error code `ER_ERROR_DURING_COMMIT` (1180). */
  ERROR_DURING_COMMIT: 1180,
  /** Server error code `ER_ERROR_DURING_ROLLBACK` (1181). */
  ERROR_DURING_ROLLBACK: 1181,
  /** Server error code `ER_NEW_ABORTING_CONNECTION` (1184). */
  NEW_ABORTING_CONNECTION: 1184,
  /** Server error code `ER_LOCK_OR_ACTIVE_TRANSACTION` (1192). */
  LOCK_OR_ACTIVE_TRANSACTION: 1192,
  /** Server error code `ER_UNKNOWN_SYSTEM_VARIABLE` (1193). */
  UNKNOWN_SYSTEM_VARIABLE: 1193,
  /** Server error code `ER_WARNING_NOT_COMPLETE_ROLLBACK` (1196). */
  WARNING_NOT_COMPLETE_ROLLBACK: 1196,
  /** Server error code `ER_LOCK_WAIT_TIMEOUT` (1205). */
  LOCK_WAIT_TIMEOUT: 1205,
  /** Server error code `ER_READ_ONLY_TRANSACTION` (1207). */
  READ_ONLY_TRANSACTION: 1207,
  /** Server error code `ER_LOCK_DEADLOCK` (1213). */
  LOCK_DEADLOCK: 1213,
  /** Server error code `ER_CANNOT_ADD_FOREIGN` (1215). */
  CANNOT_ADD_FOREIGN: 1215,
  /** Server error code `ER_NO_REFERENCED_ROW` (1216). */
  NO_REFERENCED_ROW: 1216,
  /** Server error code `ER_ROW_IS_REFERENCED` (1217). */
  ROW_IS_REFERENCED: 1217,
  /** Server error code `ER_WRONG_ARGUMENTS` (1210). */
  WRONG_ARGUMENTS: 1210,
  /** Server error code `ER_SPECIFIC_ACCESS_DENIED_ERROR` (1227). */
  SPECIFIC_ACCESS_DENIED_ERROR: 1227,
  /** Server error code `ER_LOCAL_VARIABLE` (1228). */
  LOCAL_VARIABLE: 1228,
  /** Server error code `ER_GLOBAL_VARIABLE` (1229). */
  GLOBAL_VARIABLE: 1229,
  /** Server error code `ER_NO_DEFAULT` (1230). */
  NO_DEFAULT: 1230,
  /** Server error code `ER_WRONG_VALUE_FOR_VAR` (1231). */
  WRONG_VALUE_FOR_VAR: 1231,
  /** Server error code `ER_WRONG_TYPE_FOR_VAR` (1232). */
  WRONG_TYPE_FOR_VAR: 1232,
  /** Server error code `ER_NOT_SUPPORTED_YET` (1235). */
  NOT_SUPPORTED_YET: 1235,
  /** Server error code `ER_WRONG_USAGE` (1221). */
  WRONG_USAGE: 1221,
  /** Server error code `ER_OPERAND_COLUMNS` (1241). */
  OPERAND_COLUMNS: 1241,
  /** Server error code `ER_SUBQUERY_NO_1_ROW` (1242). */
  SUBQUERY_NO_1_ROW: 1242,
  /** Server error code `ER_UNKNOWN_STMT_HANDLER` (1243). */
  UNKNOWN_STMT_HANDLER: 1243,
  /** Server error code `ER_NOT_SUPPORTED_AUTH_MODE` (1251). */
  NOT_SUPPORTED_AUTH_MODE: 1251,
  /** Server error code `ER_WARN_TOO_FEW_RECORDS` (1261). */
  WARN_TOO_FEW_RECORDS: 1261,
  /** Server error code `ER_WARN_TOO_MANY_RECORDS` (1262). */
  WARN_TOO_MANY_RECORDS: 1262,
  /** Server error code `ER_WARN_NULL_TO_NOTNULL` (1263). */
  WARN_NULL_TO_NOTNULL: 1263,
  /** Server error code `ER_WARN_DATA_OUT_OF_RANGE` (1264). */
  WARN_DATA_OUT_OF_RANGE: 1264,
  /** Server error code `ER_WARN_DATA_TRUNCATED` (1265). */
  WARN_DATA_TRUNCATED: 1265,
  /** Server error code `ER_UNKNOWN_STORAGE_ENGINE` (1286). */
  UNKNOWN_STORAGE_ENGINE: 1286,
  /** Server error code `ER_FEATURE_DISABLED` (1289). */
  FEATURE_DISABLED: 1289,
  /** Server error code `ER_TRUNCATED_WRONG_VALUE` (1292). */
  TRUNCATED_WRONG_VALUE: 1292,
  /** Server error code `ER_SP_DOES_NOT_EXIST` (1305). */
  SP_DOES_NOT_EXIST: 1305,
  /** Server error code `ER_SP_WRONG_NO_OF_ARGS` (1318). */
  SP_WRONG_NO_OF_ARGS: 1318,
  /** Server error code `ER_QUERY_INTERRUPTED` (1317). */
  QUERY_INTERRUPTED: 1317,
  /** Server error code `ER_SP_ALREADY_EXISTS` (1304). */
  SP_ALREADY_EXISTS: 1304,
  /** Server error code `ER_TRG_ALREADY_EXISTS` (1359). */
  TRG_ALREADY_EXISTS: 1359,
  /** Server error code `ER_TRUNCATED_WRONG_VALUE_FOR_FIELD` (1366). */
  TRUNCATED_WRONG_VALUE_FOR_FIELD: 1366,
  /** Server error code `ER_ILLEGAL_VALUE_FOR_TYPE` (1367). */
  ILLEGAL_VALUE_FOR_TYPE: 1367,
  /** Server error code `ER_XAER_NOTA` (1397). */
  XAER_NOTA: 1397,
  /** Server error code `ER_XAER_INVAL` (1398). */
  XAER_INVAL: 1398,
  /** Server error code `ER_XAER_RMFAIL` (1399). */
  XAER_RMFAIL: 1399,
  /** Server error code `ER_XAER_OUTSIDE` (1400). */
  XAER_OUTSIDE: 1400,
  /** Server error code `ER_XAER_RMERR` (1401). */
  XAER_RMERR: 1401,
  /** Server error code `ER_XA_RBROLLBACK` (1402). */
  XA_RBROLLBACK: 1402,
  /** Server error code `ER_DATA_TOO_LONG` (1406). */
  DATA_TOO_LONG: 1406,
  /** Server error code `ER_DATETIME_FUNCTION_OVERFLOW` (1441). */
  DATETIME_FUNCTION_OVERFLOW: 1441,
  /** Server error code `ER_ROW_IS_REFERENCED_2` (1451). */
  ROW_IS_REFERENCED_2: 1451,
  /** Server error code `ER_NO_REFERENCED_ROW_2` (1452). */
  NO_REFERENCED_ROW_2: 1452,
  /** Server error code `ER_MAX_PREPARED_STMT_COUNT_REACHED` (1461). */
  MAX_PREPARED_STMT_COUNT_REACHED: 1461,
  /** Server error code `ER_PLUGIN_IS_NOT_LOADED` (1524). */
  PLUGIN_IS_NOT_LOADED: 1524,
  /** Server error code `ER_DUP_ENTRY_WITH_KEY_NAME` (1586). */
  DUP_ENTRY_WITH_KEY_NAME: 1586,
  /** Server error code `ER_ROW_DOES_NOT_MATCH_GIVEN_PARTITION_SET` (1748). */
  ROW_DOES_NOT_MATCH_GIVEN_PARTITION_SET: 1748,
  /** Server error code `ER_XAER_DUPID` (1440). */
  XAER_DUPID: 1440,
  /** Server error code `ER_MUST_CHANGE_PASSWORD` (1820). */
  MUST_CHANGE_PASSWORD: 1820,
  /** Server error code `ER_MUST_CHANGE_PASSWORD_LOGIN` (1862). */
  MUST_CHANGE_PASSWORD_LOGIN: 1862,
  /** Server error code `ER_CHECK_CONSTRAINT_VIOLATED` (3819). */
  CHECK_CONSTRAINT_VIOLATED: 3819,
  /** Server error code `ER_STATEMENT_TIMEOUT` (1969). */
  STATEMENT_TIMEOUT: 1969,
  /** Server error code `ER_CONSTRAINT_FAILED` (4025). */
  CONSTRAINT_FAILED: 4025,
  /** Server error code ER_NOT_ALLOWED_COMMAND (1148): MySQL 5.7 refusing LOAD DATA LOCAL. */
  NOT_ALLOWED_COMMAND: 1148,
  /** Server error code ER_CLIENT_LOCAL_FILES_DISABLED (3948): MySQL 8 refusing LOAD DATA LOCAL. */
  CLIENT_LOCAL_FILES_DISABLED: 3948,
  /** Server error code ER_LOAD_INFILE_CAPABILITY_DISABLED (4166): MariaDB refusing LOAD DATA LOCAL. */
  LOAD_INFILE_CAPABILITY_DISABLED: 4166,
} as const;

export type ErName = keyof typeof ER;
