// Every ```ts block of README.md and of the guide pages docs/*.md type-checks against the built
// package (`aiomysql`, `aiomysql/sa`, `aiomysql/kysely`, `aiomysql/knex`, `aiomysql/otel`
// resolve to dist/ through the package's own exports).
// Each block is its own module; names a block uses without defining them (a `conn`, a
// `host`, ...) are declared in a shared globals file, and a block's own definitions win.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { it } from "node:test";
import ts from "typescript";

const GLOBALS = `
type _Connection = import("aiomysql").Connection;
declare const options: import("aiomysql").ConnectOptions;
declare const host: string;
declare const user: string;
declare const password: string;
declare const db: string;
declare const database: string;
declare const connect: typeof import("aiomysql").connect;
declare const signer: { getAuthToken(): Promise<string> };
declare function readFileSync(path: string): Buffer;
declare const conn: _Connection;
declare const cur: import("aiomysql").Cursor;
declare const controller: AbortController;
interface Database {
  tbl: { id: import("kysely").Generated<number>; val: string | null };
}
`;

/** The ```ts blocks of a Markdown text, with the line each starts on. */
export function tsBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== "```ts") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== "```") end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

/** README.md and every docs/*.md page (docs/api/ is generated), relative to the project root. */
function markdownFiles(root: string): string[] {
  const docs = join(root, "docs");
  const pages = existsSync(docs)
    ? readdirSync(docs)
        .filter((f) => f.endsWith(".md"))
        .sort()
    : [];
  return ["README.md", ...pages.map((f) => `docs/${f}`)];
}

it("every TypeScript snippet in README.md and docs/*.md compiles", () => {
  const root = process.cwd();
  const files = markdownFiles(root);
  assert.ok(files.length >= 8, `expected README.md and the docs/ pages, found ${files.join(", ")}`);
  const blocks = files.flatMap((name) => tsBlocks(readFileSync(join(root, name), "utf8")).map((b) => ({ ...b, name })));
  assert.ok(blocks.length >= 25, `expected the snippets of README.md and docs/, found ${blocks.length}`);
  const dir = resolve(root, "build", "readme-snippets");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sources = [join(dir, "globals.d.ts")];
  writeFileSync(sources[0]!, GLOBALS);
  const where = new Map<string, { name: string; line: number }>();
  blocks.forEach((b, i) => {
    const file = join(dir, `snippet-${String(i + 1).padStart(3, "0")}.ts`);
    writeFileSync(file, `${b.code}\nexport {};\n`);
    sources.push(file);
    where.set(file, { name: b.name, line: b.line });
  });
  const program = ts.createProgram(sources, {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noImplicitOverride: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const at = where.get(resolve(d.file.fileName));
    return at === undefined ? `${d.file.fileName}:${line + 1}: ${message}` : `${at.name}:${at.line + line}: ${message}`;
  });
  assert.deepEqual(problems, []);
});
