/**
 * Workload scheduling (src/bench/core/workload.ts) and the compare arithmetic (stats.ts):
 * the read/write mix is exact over every window, key cycles cover the key space evenly, the
 * load tree holds exactly the requested znodes with every parent created a level before its
 * children, and medians and paired ratios are what their definitions say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyCycle, keyName, keyStart, ReadWriteMix, sequentialName, treeDigits, treePath, treeShape } from '../../../src/bench/core/workload.js';
import { comparePaired, median } from '../../../src/bench/core/stats.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

test('a read/write mix gives floor or ceil of n*ratio reads in every run of n picks', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 500 }), (percent, phase, n, skip) => {
    const ratio = percent / 100;
    const mix = new ReadWriteMix(ratio, phase);
    for (let i = 0; i < skip; i++) mix.nextIsRead();
    let reads = 0;
    for (let i = 0; i < n; i++) if (mix.nextIsRead()) reads++;
    assert.ok(reads >= Math.floor(n * ratio - 1e-6) && reads <= Math.ceil(n * ratio + 1e-6), `${reads} reads in ${n} at ${ratio}`);
  }), params(500));
});

test('90/10 is nine reads in every ten, and 0 and 1 are all writes and all reads', () => {
  const mix = new ReadWriteMix(0.9);
  for (let block = 0; block < 1000; block++) {
    let reads = 0;
    for (let i = 0; i < 10; i++) if (mix.nextIsRead()) reads++;
    assert.equal(reads, 9, `block ${block}`);
  }
  const never = new ReadWriteMix(0);
  const always = new ReadWriteMix(1);
  for (let i = 0; i < 100; i++) {
    assert.equal(never.nextIsRead(), false);
    assert.equal(always.nextIsRead(), true);
  }
  assert.throws(() => new ReadWriteMix(1.5), RangeError);
});

test('a key cycle visits every key once per lap from its start, and sessions start spread out', () => {
  const cycle = new KeyCycle(5, 3);
  assert.deepEqual(Array.from({ length: 7 }, () => cycle.take()), [3, 4, 0, 1, 2, 3, 4]);
  assert.deepEqual([0, 1, 2, 3].map((i) => keyStart(i, 4, 1000)), [0, 250, 500, 750]);
  assert.equal(new KeyCycle(4, -1).take(), 3);
});

test('names are fixed width: keys with 7 digits, sequential znodes with 10 as ZooKeeper formats them', () => {
  assert.equal(keyName(42), 'k0000042');
  assert.equal(sequentialName('/r/seq/n', 7), '/r/seq/n0000000007');
});

test('the load tree holds exactly the znodes asked for, at most depth levels deep, parents first', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 6 }), (znodes, depth) => {
    fc.pre(znodes >= depth);
    const shape = treeShape(znodes, depth);
    assert.equal(shape.levels.reduce((a, b) => a + b, 0), znodes);
    assert.ok(shape.levels.length <= depth);
    shape.levels.forEach((count, i) => assert.ok(count <= shape.fanout ** (i + 1)));
    // Every level but the last is full, so each node's parent (its index / fanout) exists.
    for (let level = 1; level < shape.levels.length; level++) assert.equal(shape.levels[level - 1], shape.fanout ** level);
    // The fanout is the smallest that fits.
    if (shape.fanout > 2) {
      let capacity = 0;
      for (let l = 1, w = shape.fanout - 1; l <= depth; l++, w *= shape.fanout - 1) capacity += w;
      assert.ok(capacity < znodes);
    }
  }), params(300));
});

test('tree paths name each node by its base-fanout digits, so a parent path is a prefix of its children', () => {
  const shape = treeShape(1_000_000, 4);
  assert.equal(shape.fanout, 32);
  assert.deepEqual(shape.levels, [32, 1024, 32768, 966_176]);
  assert.equal(treePath('/t', shape, 3, 1000), '/t/n00/n31/n08');
  assert.deepEqual(treeDigits(shape, 3, 1000), [0, 31, 8]);
  const seen = new Set<string>();
  const small = treeShape(300, 3);
  for (let level = 1; level <= small.levels.length; level++) {
    for (let i = 0; i < small.levels[level - 1]!; i++) {
      const path = treePath('/t', small, level, i);
      assert.ok(!seen.has(path), `duplicate ${path}`);
      seen.add(path);
      if (level > 1) assert.ok(seen.has(path.slice(0, path.lastIndexOf('/'))), `parent of ${path} not created before it`);
    }
  }
  assert.equal(seen.size, 300);
});

test('median of odd and even counts, and of an empty list', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]), RangeError);
});

test('paired comparison: ratio of medians, spread of per-round ratios, target either way', () => {
  const c = comparePaired([300, 200, 330], [100, 100, 110], { ratio: 1.5, better: 'higher' });
  assert.equal(c.medianA, 300);
  assert.equal(c.medianB, 100);
  assert.equal(c.ratio, 3);
  assert.equal(c.ratioMin, 2);
  assert.equal(c.ratioMax, 3);
  assert.equal(c.targetMet, true);
  const latency = comparePaired([1.2, 0.8], [1, 1], { ratio: 0.7, better: 'lower' });
  assert.equal(latency.ratio, 1);
  assert.equal(latency.targetMet, false);
  assert.equal(comparePaired([1], [2]).targetMet, undefined);
  assert.ok(Number.isNaN(comparePaired([1], [0]).ratio));
  assert.throws(() => comparePaired([1, 2], [1]), RangeError);
});
