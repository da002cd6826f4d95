/**
 * The txn log framing (src/storage/format/txn-log.ts) as recovery reads it: readLog hands out
 * exactly scanLog's entries and ends where and why scanLog does, on clean, torn and damaged files;
 * recordsReach tells a reader of a growing prefix whether it holds all the records, looking at
 * lengths only, and never takes a record head cut by the end of the prefix for the padding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLogEntry, encodeLogHeader, readLog, recordsReach, scanLog, type ScannedEntry } from '../../../src/storage/format/txn-log.js';
import { sampleEntries } from './fixtures.js';

function logOf(paddingBytes: number): { bytes: Uint8Array; records: { offset: number; end: number }[] } {
  const parts = [encodeLogHeader(), ...sampleEntries().map((entry) => encodeLogEntry(entry))];
  const records: { offset: number; end: number }[] = [];
  let length = 0;
  for (const [index, part] of parts.entries()) {
    if (index > 0) records.push({ offset: length, end: length + part.length });
    length += part.length;
  }
  const bytes = new Uint8Array(length + paddingBytes);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, records };
}

test('readLog visits the entries scanLog lists and ends as it does, whatever the damage', () => {
  const { bytes, records } = logOf(64);
  const third = records[2]!;
  const variants: Record<string, Uint8Array> = { clean: bytes, 'no padding': bytes.subarray(0, records.at(-1)!.end) };
  for (const cut of [third.offset + 3, third.offset + 12, third.end - 1]) variants[`cut at ${cut}`] = bytes.subarray(0, cut);
  for (const at of [third.offset + 2, third.offset + 9, third.offset + 20, third.end - 1]) {
    const damaged = bytes.slice();
    damaged[at] = damaged[at]! ^ 0x10;
    variants[`byte ${at} flipped`] = damaged;
  }
  const unknownType = bytes.slice();
  new DataView(unknownType.buffer).setInt32(third.offset + 12 + 28, 4);
  variants['op code 4, checksum matching'] = unknownType;
  for (const [what, input] of Object.entries(variants)) {
    const scan = scanLog(input, 'log.1');
    const visited: ScannedEntry[] = [];
    const read = readLog(input, 'log.1', (entry, offset, end) => visited.push({ entry, offset, end }));
    assert.deepEqual(visited, scan.entries, what);
    assert.deepEqual(read, { header: scan.header, end: scan.end }, what);
  }
  assert.equal(scanLog(bytes).entries.length, records.length);
});

test('an exception from the visitor ends readLog', () => {
  const { bytes } = logOf(64);
  let seen = 0;
  assert.throws(() => readLog(bytes, 'log.1', () => {
    if (++seen === 3) throw new Error('stop');
  }), /stop/);
  assert.equal(seen, 3);
});

test('recordsReach: the padding, a record or head cut by the end of the prefix, damage', () => {
  const { bytes, records } = logOf(64);
  const last = records.at(-1)!;
  const third = records[2]!;
  assert.deepEqual(recordsReach(bytes), { kind: 'padding', offset: last.end });
  assert.deepEqual(recordsReach(bytes.subarray(0, 10)), { kind: 'short', offset: 0, bytesNeeded: 16 });
  assert.deepEqual(recordsReach(bytes.subarray(0, third.end - 1)), { kind: 'short', offset: third.offset, bytesNeeded: third.end });
  // A record head starts with the checksum's high half, always 0: cut there, it is not padding.
  for (const cut of [third.offset + 2, third.offset + 4, third.offset + 11]) {
    assert.deepEqual(recordsReach(bytes.subarray(0, cut)), { kind: 'short', offset: third.offset, bytesNeeded: third.offset + 12 }, `cut at ${cut}`);
  }
  assert.deepEqual(recordsReach(bytes.subarray(0, last.end)), { kind: 'short', offset: last.end, bytesNeeded: last.end + 12 });

  const damage = (at: number, value: number, size: 1 | 4 = 1): Uint8Array => {
    const damaged = bytes.slice();
    if (size === 1) damaged[at] = value;
    else new DataView(damaged.buffer).setInt32(at, value);
    return damaged;
  };
  assert.deepEqual(recordsReach(damage(0, 0x11)), { kind: 'damaged', offset: 0 }, 'bad magic');
  assert.deepEqual(recordsReach(damage(4, 3, 4)), { kind: 'damaged', offset: 0 }, 'unknown version');
  assert.deepEqual(recordsReach(damage(third.offset + 8, 0, 4)), { kind: 'damaged', offset: third.offset }, 'zero length after a checksum');
  assert.deepEqual(recordsReach(damage(third.offset + 8, -5, 4)), { kind: 'damaged', offset: third.offset }, 'negative length');
  assert.deepEqual(recordsReach(damage(third.end - 1, 0)), { kind: 'damaged', offset: third.offset }, 'no 0x42');
  // A bad checksum is not looked at: scanLog judges the records.
  assert.deepEqual(recordsReach(damage(third.offset + 20, 0xee)), { kind: 'padding', offset: last.end });
});
