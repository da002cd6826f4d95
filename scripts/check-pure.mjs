// Keeps the pure cores pure (DESIGN.md §2): no node:* imports, clocks, timers, randomness or
// process in them, so the same code runs under the deterministic simulator.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const pureDirs = ['src/util', 'src/jute', 'src/protocol', 'src/tree', 'src/session', 'src/server', 'src/zab', 'src/storage/format', 'src/storage/replay.ts', 'src/storage/snapshot-policy.ts', 'src/client/core', 'src/admin/four-letter.ts', 'src/bench/core', 'src/recipes/core'];
const forbidden = /from ['"]node:|require\(['"]node:|Date\.now\(|Math\.random\(|setTimeout\(|setInterval\(|\bprocess\.|performance\.now\(|crypto\.randomBytes/;

function* files(dir) {
  if (dir.endsWith('.ts')) { yield dir; return; }
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

const hits = [];
for (const dir of pureDirs) {
  for (const file of files(dir)) {
    readFileSync(file, 'utf8').split('\n').forEach((line, index) => {
      if (forbidden.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*')) hits.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
}
if (hits.length > 0) {
  console.error('I/O, clock or randomness inside a pure core (DESIGN.md §2):\n' + hits.join('\n'));
  process.exit(1);
}
