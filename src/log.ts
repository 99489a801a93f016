// Logging without a logging dependency: `echo` output goes to a replaceable logger named "aiomysql".

/** Receives echo output. Replace it with `setLogger()` to route it elsewhere. */
export interface Logger {
  /** Receives echoed SQL and other informational messages. */
  info(message: string): void;
  /** Receives warnings, such as a connection dropped while in use. */
  warn(message: string): void;
}

let current: Logger = {
  info: (message) => console.info(`aiomysql: ${message}`),
  warn: (message) => console.warn(`aiomysql: ${message}`),
};

/** The logger named "aiomysql" that `echo: true` writes executed statements to. */
export function getLogger(): Logger {
  return current;
}

/** Replaces the "aiomysql" logger (pass `console`, pino, winston, ...). */
export function setLogger(logger: Logger): void {
  current = logger;
}
