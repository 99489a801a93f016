// Connection settings for the integration tests.
//
// Values come from the environment written by scripts/mariadb-test-server.sh
// (scripts/with-server.mjs exports them), or from variables the user set to
// point the suite at a server of their own.

/** Name of the main test database (created by the test server script). */
export const TEST_DB = "test_pymysql";
/** Name of the second test database. */
export const TEST_DB2 = "test_pymysql2";

/** Plain connection options for the test server. */
export interface TestOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  db: string;
  unixSocket?: string | undefined;
}

function envString(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

function envPort(name: string, fallback: number): number {
  const raw = envString(name);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`${name} must be a TCP port number, got ${JSON.stringify(raw)}`);
  }
  return port;
}

/** Unix socket of the test server, when it has one. */
export const TEST_SOCKET: string | undefined = envString("MYSQL_UNIX_SOCKET");
/** CA certificate that signed the server certificate. */
export const SSL_CA: string | undefined = envString("MYSQL_SSL_CA");
/** Client certificate signed by SSL_CA. */
export const SSL_CERT: string | undefined = envString("MYSQL_SSL_CERT");
/** Private key of SSL_CERT. */
export const SSL_KEY: string | undefined = envString("MYSQL_SSL_KEY");
/** A CA unrelated to the server certificate, for verification-failure tests. */
export const OTHER_CA: string | undefined = envString("MYSQL_OTHER_CA");

/**
 * Options to connect to the test server as the default test user, on
 * database TEST_DB over TCP. `overrides` win over the defaults and may carry
 * any other connection option (ssl, autocommit, ...); the result's type keeps
 * them.
 */
export function testOptions<const O extends object = {}>(overrides?: O): Omit<TestOptions, keyof O> & O {
  const defaults: TestOptions = {
    host: envString("MYSQL_HOST") ?? "127.0.0.1",
    port: envPort("MYSQL_PORT", 3306),
    user: envString("MYSQL_USER") ?? "root",
    password: process.env.MYSQL_PASSWORD ?? "",
    db: TEST_DB,
    unixSocket: undefined,
  };
  return { ...defaults, ...overrides } as unknown as Omit<TestOptions, keyof O> & O;
}
