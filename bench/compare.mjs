#!/usr/bin/env node
// bench/compare: zkts against Apache ZooKeeper 3.8 on this machine (src/bench/compare.ts).
// `node bench/compare.mjs --help` lists the options; docs/performance.md says how to use it.
import { runBuilt } from './run-built.mjs';

await runBuilt('compare');
