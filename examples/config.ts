// Where the examples connect: the seed's 127.0.0.1:3306 as root with an empty password,
// unless MYSQL_HOST / MYSQL_PORT / MYSQL_USER / MYSQL_PASSWORD name another server.
export const config = {
  host: process.env.MYSQL_HOST ?? "127.0.0.1",
  port: Number(process.env.MYSQL_PORT ?? 3306),
  user: process.env.MYSQL_USER ?? "root",
  password: process.env.MYSQL_PASSWORD ?? "",
};

/** Runs `main` when the file is executed directly (not when imported by run-all). */
export function runIfMain(url: string, main: () => Promise<void>): void {
  if (process.argv[1] && url === new URL(`file://${process.argv[1]}`).href) {
    main().catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}
