// Runs one of the bench tools from the built dist/ (npx tsc -p . builds it): each is a module
// in src/bench/ exporting main(argv) that resolves to the exit code.
import { existsSync } from 'node:fs';

export async function runBuilt(name) {
  const entry = new URL(`../dist/src/bench/${name}.js`, import.meta.url);
  if (!existsSync(entry)) {
    process.stderr.write(`bench/${name}: build first (npx tsc -p .)\n`);
    process.exit(2);
  }
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
