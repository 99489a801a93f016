// Checks the package as users install it: `npm pack`, install the tarball in a clean temporary
// project, then import every entry point of the exports map from plain JavaScript (ESM) and
// from TypeScript under moduleResolution node16, nodenext and bundler; then compile the types
// (skipLibCheck off) with the newest @types/node of every maintained Node line and the newest
// TypeScript 5, as a user installing today gets them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

/** Node lines whose newest @types/node the declarations must compile with (maintained and current). */
const NODE_LINES = [20, 22, 24, 26];

const work = mkdtempSync(join(tmpdir(), "aiomysql-pack-"));
let failed = false;
try {
  run("npm", ["run", "build"], root);
  const tarball = join(work, run("npm", ["pack", "--silent", "--pack-destination", work], root).trim().split("\n").pop());
  console.log(`packed ${tarball}`);
  const app = join(work, "app");
  run("mkdir", ["-p", app], work);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  // Optional peers that a subpath needs (kysely, knex, @opentelemetry/api), as users would have them.
  const peers = Object.entries(pkg.peerDependencies ?? {}).map(([name, range]) => `${name}@${range}`);
  const nodeTypes = `@types/node@${pkg.devDependencies["@types/node"]}`;
  run("npm", ["install", "--no-audit", "--no-fund", "--silent", tarball, nodeTypes], app);
  // Without the optional peers (knex, kysely, @opentelemetry/api) the core entry point still loads.
  writeFileSync(
    join(app, "core.mjs"),
    `import * as m from ${JSON.stringify(pkg.name)};\nif (typeof m.connect !== "function") throw new Error("connect missing");\nconsole.log("core import ok without the optional peers");\n`,
  );
  process.stdout.write(run("node", ["core.mjs"], app));
  run("npm", ["install", "--no-audit", "--no-fund", "--silent", ...peers], app);

  const subpaths = Object.keys(pkg.exports).filter((p) => p !== "./package.json");
  const specifier = (p) => (p === "." ? pkg.name : `${pkg.name}/${p.slice(2)}`);

  // Plain JavaScript ESM: every entry point loads and exports something.
  const js = subpaths.map((p, i) => `import * as m${i} from ${JSON.stringify(specifier(p))};`).join("\n");
  const checks = subpaths
    .map((p, i) => `if (Object.keys(m${i}).length === 0) throw new Error("${specifier(p)} exports nothing");`)
    .join("\n");
  writeFileSync(
    join(app, "check.mjs"),
    `${js}\n${checks}\nif (typeof m0.connect !== "function") throw new Error("connect missing");\nconsole.log("ESM import ok:", ${JSON.stringify(subpaths.map(specifier).join(", "))});\n`,
  );
  process.stdout.write(run("node", ["check.mjs"], app));

  // TypeScript: the types resolve and are usable.
  const ts = `${subpaths.map((p, i) => `import * as m${i} from ${JSON.stringify(specifier(p))};`).join("\n")}
import { connect, DictCursor, type Connection } from "${pkg.name}";
export async function use(): Promise<number> {
  const conn: Connection = await connect({ host: "127.0.0.1" });
  await using cur = conn.cursor(DictCursor);
  await cur.execute("SELECT %s AS x", [1]);
  const row = await cur.fetchOne<{ x: number }>();
  return row?.x ?? 0;
}
export const modules = [${subpaths.map((_, i) => `m${i}`).join(", ")}];
`;
  writeFileSync(join(app, "check.ts"), ts);
  for (const [module, resolution] of [
    ["node16", "node16"],
    ["nodenext", "nodenext"],
    ["esnext", "bundler"],
  ]) {
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module,
          moduleResolution: resolution,
          target: "es2022",
          lib: ["es2023", "esnext.disposable"],
          strict: true,
          noEmit: true,
          types: ["node"],
        },
        files: ["check.ts"],
      }),
    );
    try {
      run("node", [tsc, "-p", "tsconfig.json"], app);
      console.log(`TypeScript (moduleResolution ${resolution}) ok`);
    } catch (e) {
      failed = true;
      console.error(`TypeScript (moduleResolution ${resolution}) FAILED\n${e.stdout ?? e}`);
    }
  }

  // The newest type definitions users get: the newest TypeScript 5 with the newest @types/node
  // of each maintained Node line, skipLibCheck off (declarations must compile against them).
  const newest = (spec) => {
    const out = run("npm", ["view", spec, "version", "--json"], app).trim();
    if (out === "") return null;
    const list = [JSON.parse(out)].flat();
    // The registry lists versions in no particular order: take the highest.
    const key = (v) => v.split(/[.-]/).map((n) => Number(n) || 0);
    const cmp = (a, b) => key(a).reduce((d, n, i) => d || n - (key(b)[i] ?? 0), 0);
    return list.sort(cmp).at(-1) ?? null;
  };
  const install = (spec) => run("npm", ["install", "--no-audit", "--no-fund", "--silent", spec], app);
  const ts5 = newest("typescript@^5");
  install(`typescript@${ts5}`);
  const appTsc = join(app, "node_modules", "typescript", "bin", "tsc");
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        lib: ["es2023", "esnext.disposable"],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
      },
      files: ["check.ts"],
    }),
  );
  for (const line of NODE_LINES) {
    const version = newest(`@types/node@^${line}`);
    if (version === null) {
      console.log(`@types/node ${line}: not published yet, skipped`);
      continue;
    }
    install(`@types/node@${version}`);
    try {
      run("node", [appTsc, "-p", "tsconfig.json"], app);
      console.log(`TypeScript ${ts5} with @types/node ${version} (skipLibCheck false) ok`);
    } catch (e) {
      failed = true;
      console.error(`TypeScript ${ts5} with @types/node ${version} FAILED\n${e.stdout ?? e}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
