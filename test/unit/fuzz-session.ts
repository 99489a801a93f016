// The session recorded in test/fixtures/session-mariadb.json (by scripts/record-fixtures.mjs)
// and replayed, mutated, by the fuzz tests: the same options and statements on both sides.

/** Connection options of the recorded session (plus host, port, user and password). */
export const FUZZ_CONNECT_OPTIONS = { db: "test_pymysql", autocommit: true, connectTimeout: 2 } as const;

/** The statements of the recorded session, in order, each answered by one turn. */
export const FUZZ_STATEMENTS: readonly string[] = [
  "SELECT 1",
  "SELECT CAST(-12345678901234567 AS SIGNED) AS big, CAST(1.25 AS DECIMAL(10,3)) AS d, 'text' AS s, NULL AS n, " +
    "CAST('2024-02-29 12:34:56.789' AS DATETIME(3)) AS dt, DATE '2024-01-02' AS dd, TIME '-12:00:01' AS t, " +
    "X'00ff' AS b, 1.5e300 AS f, JSON_OBJECT('k', 'v') AS j",
  "SELECT seq, CONCAT('row', seq), seq * 1.5 FROM seq_1_to_20",
  "SELECT 1 AS a; SELECT 'x' AS b, 2 AS c",
  "SELECT * FROM no_such_table_for_fuzz",
  "DO 1",
];
