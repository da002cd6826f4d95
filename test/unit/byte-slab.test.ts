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

test('copyOfRange copies a range without keeping the source; big copies of a Buffer are copies, not views', () => {
  const slab = new ByteSlab(1024, 100);
  const file = Buffer.alloc(5000);
  for (let i = 0; i < file.length; i++) file[i] = i & 0xff;
  const kept: { copy: Uint8Array; start: number; end: number }[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let start = 0; start + 150 < file.length; start += 97) {
    const end = start + (start % 151);
    // With a DataView of the source (word copies) and without (set).
    kept.push({ copy: slab.copyOfRange(file, start, end, start % 2 === 0 ? view : undefined), start, end });
  }
  const original = Buffer.from(file);
  file.fill(0);
  for (const { copy, start, end } of kept) {
    assert.deepEqual([...copy], [...original.subarray(start, end)]);
    assert.notEqual(copy.buffer, file.buffer);
    assert.equal(copy.byteOffset % 8, 0);
    assert.ok(!Buffer.isBuffer(copy));
  }
  // Over copyBytesMax: its own buffer. Buffer#slice would have been a view of the whole file.
  file.fill(3);
  for (const big of [slab.copyOf(file.subarray(10, 4010)), slab.copyOfRange(file, 10, 4010)]) {
    assert.equal(big.buffer.byteLength, 4000);
    assert.ok(big.every((byte) => byte === 3));
  }
});
