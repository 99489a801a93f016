// The house rule "imports run downward only", checked from the import lines of src/. The
// runtime graph is read from the compiled JavaScript (what Node actually loads, with type-only
// imports erased); the type graph from the TypeScript sources.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { describe, it } from "node:test";

const SRC_TS = new URL("../../../src/", import.meta.url).pathname;
const SRC_JS = new URL("../../src/", import.meta.url).pathname;

/**
 * The layers, lowest first. A file may import its own layer and the layers below it, never
 * one above. Back-references go through small interfaces declared by the lower layer
 * (CommandHost, StatementHost, ConnectionOwner, TransportSink).
 */
const LAYERS: { name: string; files: RegExp }[] = [
  {
    name: "ground (errors and their caller frames, types, log, backoff timer, protocol constants, error codes and names)",
    files: /^(errors|caller-frames|types|log|backoff-timer|protocol\/constants|protocol\/(er|er-names|error-names))$/,
  },
  {
    name: "protocol (bytes <-> values, value mappings, auth plugins)",
    files: /^(protocol\/.+|converters|value-mapping|wkb|auth\/.+|authenticate)$/,
  },
  {
    name: "sql text and settings (lexer, escaping, redaction, options, cluster settings and GTIDs, tracing)",
    files: /^(sql\/.+|tracing|options|options-check|deadline|result-limit|cluster\/(options|classify|gtid))$/,
  },
  { name: "session (transport, queue, commands)", files: /^session\/.+$/ },
  {
    name: "DB-API (Connection, cursors, prepared statements, cancellation)",
    files: /^(connection|cursors|column-description|ss-cursors|statement|cancel|bulk)$/,
  },
  { name: "pool", files: /^(pool|pool-options|pool-pipeline|pool-lease|pool-query|pool-transaction)$/ },
  { name: "cluster pool (nodes, probes, selectors) and createPool()", files: /^(cluster\/.+|create-pool)$/ },
  { name: "integrations and the public index (sa, kysely, knex, otel)", files: /^(sa\/.+|kysely\/.+|knex\/.+|otel\/.+|index)$/ },
];

/**
 * Type-only imports that run up the table, each with its reason. Types vanish at runtime, so
 * these cannot create a loading cycle; the list keeps them few and visible.
 */
const TYPE_ONLY_UPWARD = new Set<string>([
  // The `cursorClass` option names the cursor class type; options are resolved below the session.
  "options -> cursors",
]);

function files(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...files(full, ext));
    else if (name.endsWith(ext) && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** Module id: the path under src/ without extension, with forward slashes. */
function moduleId(root: string, file: string): string {
  return relative(root, file)
    .split(sep)
    .join("/")
    .replace(/\.(ts|js)$/, "");
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^;"']*?\sfrom\s+)?["']([^"']+)["']/gm;

/** The relative imports of one file: target module id and whether the import is type-only. */
function importsOf(root: string, file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(file, "utf8");
  const from = posix.dirname(moduleId(root, file));
  const out: { target: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[3]!;
    if (!spec.startsWith(".")) continue;
    out.push({ target: posix.normalize(posix.join(from, spec)).replace(/\.js$/, ""), typeOnly: m[2] !== undefined });
  }
  return out;
}

function layerOf(id: string): number {
  const i = LAYERS.findIndex((l) => l.files.test(id));
  assert.notEqual(i, -1, `src/${id}.ts is in no layer of the table: add it to LAYERS`);
  return i;
}

describe("layers of src/", () => {
  const tsFiles = files(SRC_TS, ".ts");
  const jsFiles = files(SRC_JS, ".js");

  it("every source file has a layer, and the compiled tree matches the sources", () => {
    assert.ok(tsFiles.length > 30);
    for (const f of tsFiles) layerOf(moduleId(SRC_TS, f));
    assert.deepEqual(jsFiles.map((f) => moduleId(SRC_JS, f)).sort(), tsFiles.map((f) => moduleId(SRC_TS, f)).sort());
  });

  it("has no runtime import cycle", () => {
    const graph = new Map<string, string[]>();
    for (const f of jsFiles)
      graph.set(
        moduleId(SRC_JS, f),
        importsOf(SRC_JS, f).map((i) => i.target),
      );
    const state = new Map<string, "active" | "done">();
    const cycles: string[] = [];
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === "done") return;
      if (state.get(id) === "active") {
        cycles.push([...path.slice(path.indexOf(id)), id].join(" -> "));
        return;
      }
      state.set(id, "active");
      for (const next of graph.get(id) ?? []) visit(next, [...path, id]);
      state.set(id, "done");
    };
    for (const id of graph.keys()) visit(id, []);
    assert.deepEqual(cycles, []);
  });

  it("imports only run downward (or within a layer)", () => {
    const upward: string[] = [];
    for (const f of tsFiles) {
      const id = moduleId(SRC_TS, f);
      for (const { target, typeOnly } of importsOf(SRC_TS, f)) {
        if (layerOf(target) <= layerOf(id)) continue;
        const edge = `${id} -> ${target}`;
        if (typeOnly && TYPE_ONLY_UPWARD.has(edge)) continue;
        upward.push(`${edge} (${LAYERS[layerOf(id)]!.name} imports ${LAYERS[layerOf(target)]!.name}${typeOnly ? ", type-only" : ""})`);
      }
    }
    assert.deepEqual(upward, []);
  });

  it("the runtime graph of the compiled code obeys the same table", () => {
    const upward: string[] = [];
    for (const f of jsFiles) {
      const id = moduleId(SRC_JS, f);
      for (const { target } of importsOf(SRC_JS, f)) if (layerOf(target) > layerOf(id)) upward.push(`${id} -> ${target}`);
    }
    assert.deepEqual(upward, []);
  });

  it("no source file is over 600 lines, except data tables", () => {
    const DATA_TABLES = new Set(["protocol/charsets", "protocol/er", "protocol/constants"]);
    const long: string[] = [];
    for (const f of tsFiles) {
      const id = moduleId(SRC_TS, f);
      const lines = readFileSync(f, "utf8").split("\n").length;
      if (lines > 600 && !DATA_TABLES.has(id)) long.push(`src/${id}.ts: ${lines} lines`);
    }
    assert.deepEqual(long, []);
  });
});
