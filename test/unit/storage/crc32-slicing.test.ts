/**
 * CRC-32's slicing-by-8 loop (src/storage/format/crc32.ts) against the plain byte-at-a-time
 * definition, for every length and alignment around the 8-byte step and any split of the input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Crc32, crc32, crc32Final, crc32UpdateView, CRC32_INITIAL } from '../../../src/storage/format/crc32.js';

function bytewise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('slicing-by-8 CRC-32 equals the bitwise definition at every length, offset and split', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
    const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
    const split = start + (bytes.length - start === 0 ? 0 : b % (bytes.length - start + 1));
    const expected = bytewise(bytes.subarray(start));
    assert.equal(crc32(bytes, start), expected);
    assert.equal(new Crc32().update(bytes, start, split).update(bytes, split).value, expected);
    // The DataView variant, on a view that starts inside its buffer.
    const inner = new Uint8Array(bytes.length + 3);
    inner.set(bytes, 3);
    const view = new DataView(inner.buffer, 3, bytes.length);
    assert.equal(crc32Final(crc32UpdateView(crc32UpdateView(CRC32_INITIAL, view, start, split), view, split, bytes.length)), expected);
  }), { numRuns: 2000 });
  for (let length = 0; length <= 40; length++) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
    assert.equal(crc32(bytes), bytewise(bytes));
  }
});
