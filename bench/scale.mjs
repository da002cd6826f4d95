#!/usr/bin/env node
// bench/scale: a large data set (default 50k znodes; the is 1M) loaded into zkts and
// Apache ZooKeeper 3.8, then recovered after kill -9 (src/bench/scale.ts). `--help` for options.
import { runBuilt } from './run-built.mjs';

await runBuilt('scale');
