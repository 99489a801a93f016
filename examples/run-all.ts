// Runs every example in order: `npm run demo` starts a throwaway server and runs this file.
import { config } from "./config.js";
import { EXAMPLES } from "./list.js";

const examples = EXAMPLES;

console.log(`Running ${examples.length} examples against ${config.host}:${config.port} as ${config.user}\n`);
let failed = 0;
for (const name of examples) {
  console.log(`=== examples/${name}.ts`);
  try {
    const mod = (await import(`./${name}.js`)) as { main: () => Promise<void> };
    await mod.main();
  } catch (e) {
    failed++;
    console.error(`example ${name} failed:`, e);
  }
  console.log();
}
console.log(failed === 0 ? `All ${examples.length} examples ran.` : `${failed} example(s) failed.`);
process.exitCode = failed === 0 ? 0 : 1;
