// The published declarations have no `any`: users get real types everywhere.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";

function declarationFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...declarationFiles(full));
    else if (name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

it("dist/*.d.ts never say `any`", () => {
  const files = declarationFiles("dist");
  assert.ok(files.length > 5, "run `npm run build` first");
  const offenders: string[] = [];
  for (const file of files) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$|\/\*.*?\*\/|^\s*\*.*$/g, "");
        if (/(?<![\w$])any(?![\w$])/.test(code)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, []);
});
