#!/usr/bin/env node
// bench/compare: zkts against Apache ZooKeeper 3.8 on this machine (src/bench/compare.ts, built
// into dist/ by `npx tsc -p .`). `node bench/compare.mjs --help` lists the options.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/bench/compare.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('bench/compare: build first (npx tsc -p .)\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
