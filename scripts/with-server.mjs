#!/usr/bin/env node
// Run a command against the throwaway MariaDB test server.
//
//   node scripts/with-server.mjs <command> [args...]
//
// When MYSQL_HOST is already set the caller chose their own server and the
// command runs with the environment unchanged. Otherwise the server is started
// with scripts/mariadb-test-server.sh, its env file is merged into the
// command's environment, and the server is stopped afterwards unless it was
// already running beforehand or AIOMYSQL_KEEP_SERVER=1.
//
// The exit status is the command's (128 + signal number if it was killed).

import { spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import { fileURLToPath } from "node:url";

const serverScript = fileURLToPath(new URL("./mariadb-test-server.sh", import.meta.url));

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write("usage: node scripts/with-server.mjs <command> [args...]\n");
  process.exit(2);
}

/** First signal received while we are running, if any. */
let interrupted = null;
/** The process currently in the foreground (server script or the command). */
let foreground = null;

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    interrupted ??= sig;
    if (foreground && foreground.exitCode === null && foreground.signalCode === null) {
      foreground.kill(sig);
    }
  });
}

/**
 * Spawn and wait. Resolves to { code, signal, stdout }.
 * `shielded` runs the child in its own process group and does not forward
 * signals to it, so a second Ctrl-C cannot interrupt stopping the server.
 * @param {string} cmd
 * @param {string[]} argv
 * @param {{ env?: NodeJS.ProcessEnv, capture?: boolean, quietErrors?: boolean, shielded?: boolean }} [opts]
 */
function run(cmd, argv, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      env: opts.env ?? process.env,
      stdio: opts.capture ? ["ignore", "pipe", opts.quietErrors ? "ignore" : "inherit"] : "inherit",
      detached: Boolean(opts.shielded),
    });
    foreground = opts.shielded ? null : child;
    let stdout = "";
    if (opts.capture) {
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
    }
    child.on("error", (err) => {
      foreground = null;
      const code = /** @type {NodeJS.ErrnoException} */ (err).code === "ENOENT" ? 127 : 126;
      process.stderr.write(`with-server: cannot run ${cmd}: ${err.message}\n`);
      resolve({ code, signal: null, stdout });
    });
    child.on("close", (code, signal) => {
      foreground = null;
      resolve({ code, signal, stdout });
    });
  });
}

/** Exit status a shell would report for a finished child. */
function statusOf({ code, signal }) {
  if (signal) return 128 + (osConstants.signals[signal] ?? 1);
  return code ?? 1;
}

/**
 * Parse `export K=V` / `K=V` lines. Values may be bare, empty, '…' or "…"
 * (with \" \\ \$ \` escapes), or a mix such as 'it'\''s'.
 * @param {string} text
 * @returns {Record<string, string>}
 */
function parseEnvFile(text) {
  /** @type {Record<string, string>} */
  const vars = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const [, key, rest] = m;
    let value = "";
    let i = 0;
    while (i < rest.length) {
      const ch = rest[i];
      if (ch === "'") {
        const end = rest.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated ' in env line: ${rawLine}`);
        value += rest.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        i++;
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === "\\" && i + 1 < rest.length && '"\\$`'.includes(rest[i + 1])) {
            value += rest[i + 1];
            i += 2;
          } else {
            value += rest[i++];
          }
        }
        if (i >= rest.length) throw new Error(`unterminated " in env line: ${rawLine}`);
        i++;
      } else if (ch === "\\" && i + 1 < rest.length) {
        value += rest[i + 1];
        i += 2;
      } else if (ch === " " || ch === "\t" || ch === "#") {
        break; // end of the word (trailing comment or junk)
      } else {
        value += ch;
        i++;
      }
    }
    vars[key] = value;
  }
  return vars;
}

async function main() {
  if (process.env.MYSQL_HOST) {
    return statusOf(await run(command, args));
  }

  const status = await run("bash", [serverScript, "status"], { capture: true, quietErrors: true });
  const alreadyRunning = status.code === 0;

  const started = await run("bash", [serverScript, "start"]);
  const keep = alreadyRunning || process.env.AIOMYSQL_KEEP_SERVER === "1";
  const stopServer = async () => {
    if (keep) return;
    await run("bash", [serverScript, "stop"], { shielded: true });
  };

  if (started.code !== 0 || started.signal) {
    // start cleans up after its own failures; make sure nothing is left if we were interrupted.
    if (interrupted) {
      await stopServer();
      return 128 + (osConstants.signals[interrupted] ?? 1);
    }
    process.stderr.write("with-server: could not start the MariaDB test server\n");
    return statusOf(started);
  }
  if (interrupted) {
    await stopServer();
    return 128 + (osConstants.signals[interrupted] ?? 1);
  }

  const envText = await run("bash", [serverScript, "env"], { capture: true });
  if (envText.code !== 0) {
    await stopServer();
    return statusOf(envText);
  }
  const env = { ...process.env, ...parseEnvFile(envText.stdout) };

  let result;
  try {
    result = await run(command, args, { env });
  } finally {
    await stopServer();
  }
  if (keep && !alreadyRunning) {
    process.stderr.write(`with-server: AIOMYSQL_KEEP_SERVER=1, leaving the server running (stop it with: bash ${serverScript} stop)\n`);
  }
  return statusOf(result);
}

process.exitCode = await main();
