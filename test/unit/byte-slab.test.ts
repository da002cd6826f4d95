/**
 * ByteSlab: copies are exact, independent of their source, and never overwritten by later ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteSlab } from '../../src/util/byte-slab.js';

test('copies stay intact across many later copies and chunk changes; big ones get their own buffer', () => {
  const slab = new ByteSlab();
  const source = new Uint8Array(2000);
  const kept: { copy: Uint8Array; length: number; fill: number }[] = [];
  for (let i = 0; i < 500; i++) {
    const length = (i * 37) % 300;
    source.fill(i & 0xff, 0, length);
    kept.push({ copy: slab.copyOf(source.subarray(0, length)), length, fill: i & 0xff });
  }
  source.fill(0xee);
  for (const { copy, length, fill } of kept) {
    assert.equal(copy.length, length);
    assert.ok(copy.every((byte) => byte === fill));
    assert.equal(copy.byteOffset % 8, 0);
  }
  const big = slab.copyOf(source);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, source.length);
});

test('big copies of a Buffer are copies, not views of it', () => {
  const slab = new ByteSlab(1024, 100);
  const file = Buffer.alloc(5000, 3);
  // Over copyBytesMax: its own buffer. Buffer#slice would have been a view of the whole file.
  const big = slab.copyOf(file.subarray(10, 4010));
  assert.equal(big.buffer.byteLength, 4000);
  assert.ok(big.every((byte) => byte === 3));
});
