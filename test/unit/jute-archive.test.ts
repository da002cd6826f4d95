/**
 * Unit tests for the jute archive primitives (src/jute/archive.ts): exact bytes of each type,
 * the edges of int and long, null encodings, and the reader's refusal to read past its end.
 * Record-level properties are in test/property/jute.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JuteError, JuteReader, JuteWriter } from '../../src/jute/archive.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

function written(fill: (writer: JuteWriter) => void): string {
  const writer = new JuteWriter(1);
  fill(writer);
  return hex(writer.toBytes());
}

test('int is 4 bytes big-endian two-complement', () => {
  assert.equal(written((w) => w.writeInt(0)), '00000000');
  assert.equal(written((w) => w.writeInt(1)), '00000001');
  assert.equal(written((w) => w.writeInt(-1)), 'ffffffff');
  assert.equal(written((w) => w.writeInt(0x7fffffff)), '7fffffff');
  assert.equal(written((w) => w.writeInt(-0x80000000)), '80000000');
  assert.equal(written((w) => w.writeInt(30000)), '00007530');
  const reader = new JuteReader(fromHex('7fffffff 80000000 ffffffff 00007530'));
  assert.deepEqual([reader.readInt(), reader.readInt(), reader.readInt(), reader.readInt()], [0x7fffffff, -0x80000000, -1, 30000]);
  assert.equal(reader.remaining, 0);
});

test('long is 8 bytes big-endian, read and written as bigint at the full 64-bit range', () => {
  const cases: [bigint, string][] = [
    [0n, '0000000000000000'],
    [-1n, 'ffffffffffffffff'],
    [2n ** 63n - 1n, '7fffffffffffffff'],
    [-(2n ** 63n), '8000000000000000'],
    [0x0100000c02e90000n, '0100000c02e90000'],
    // Above 2^53: a JS number would lose the low bits.
    [2n ** 53n + 1n, '0020000000000001'],
    [-(2n ** 32n), 'ffffffff00000000'],
    [0xffffffffn, '00000000ffffffff'],
  ];
  for (const [value, bytes] of cases) {
    assert.equal(written((w) => w.writeLong(value)), bytes, `write ${value}`);
    const reader = new JuteReader(fromHex(bytes));
    assert.equal(reader.readLong(), value, `read ${bytes}`);
    assert.equal(typeof value, 'bigint');
  }
});

test('boolean is one byte; any non-zero byte reads as true', () => {
  assert.equal(written((w) => { w.writeBoolean(true); w.writeBoolean(false); }), '0100');
  const reader = new JuteReader(fromHex('00 01 ff'));
  assert.deepEqual([reader.readBoolean(), reader.readBoolean(), reader.readBoolean()], [false, true, true]);
});

test('buffer: int32 length then bytes, -1 for null, an empty buffer is distinct from null', () => {
  assert.equal(written((w) => w.writeBuffer(null)), 'ffffffff');
  assert.equal(written((w) => w.writeBuffer(new Uint8Array())), '00000000');
  assert.equal(written((w) => w.writeBuffer(fromHex('cafe'))), '00000002cafe');
  const reader = new JuteReader(fromHex('ffffffff 00000000 00000002 cafe'));
  assert.equal(reader.readBuffer(), null);
  assert.deepEqual(reader.readBuffer(), new Uint8Array());
  assert.equal(hex(reader.readBuffer()!), 'cafe');
});

test('ustring: int32 UTF-8 byte length then bytes; null (-1) reads as the empty string', () => {
  assert.equal(written((w) => w.writeUstring('')), '00000000');
  assert.equal(written((w) => w.writeUstring('/zk')), '000000032f7a6b');
  // U+1F600 is one code point, two UTF-16 units, four UTF-8 bytes.
  assert.equal(written((w) => w.writeUstring('\u{1F600}')), '00000004f09f9880');
  const reader = new JuteReader(fromHex('ffffffff 00000004 f09f9880 00000002 c3a9'));
  assert.equal(reader.readUstring(), '');
  assert.equal(reader.readUstring(), '\u{1F600}');
  assert.equal(reader.readUstring(), 'é');
});

test('ustring: malformed UTF-8 decodes with replacement characters rather than throwing', () => {
  // ZooKeeper's Java reader is lenient in the same way (new String(bytes, UTF_8)).
  const reader = new JuteReader(fromHex('00000002 c328'));
  assert.equal(reader.readUstring(), '\uFFFD(');
});

test('negative lengths other than -1 are rejected', () => {
  assert.throws(() => new JuteReader(fromHex('fffffffe')).readBuffer(), JuteError);
  assert.throws(() => new JuteReader(fromHex('80000000')).readBuffer(), JuteError);
  assert.throws(() => new JuteReader(fromHex('fffffffe')).readUstring(), JuteError);
  assert.throws(() => new JuteReader(fromHex('fffffffe')).readVectorCount(4), JuteError);
});

test('short reads throw JuteError and report the offset', () => {
  assert.throws(() => new JuteReader(fromHex('000000')).readInt(), JuteError);
  assert.throws(() => new JuteReader(fromHex('00000000000000')).readLong(), JuteError);
  assert.throws(() => new JuteReader(new Uint8Array()).readBoolean(), JuteError);
  assert.throws(() => new JuteReader(fromHex('00000003 6162')).readBuffer(), /needs 3 bytes at offset 4, 2 left/);
  assert.throws(() => new JuteReader(fromHex('7fffffff')).readUstring(), JuteError);
});

test('a reader over a window never reads outside it', () => {
  const bytes = fromHex('aaaaaaaa 00000001 bbbbbbbb');
  const reader = new JuteReader(bytes, 4, 8);
  assert.equal(reader.position, 4);
  assert.equal(reader.remaining, 4);
  assert.equal(reader.readInt(), 1);
  assert.throws(() => reader.readInt(), JuteError);
  // A buffer whose length points into the bytes after the window is refused.
  assert.throws(() => new JuteReader(fromHex('00000004 cccccccc'), 0, 6).readBuffer(), JuteError);
});

test('vector counts: -1 is zero elements, and a count that cannot fit is refused up front', () => {
  assert.equal(new JuteReader(fromHex('ffffffff')).readVectorCount(4), 0);
  assert.equal(new JuteReader(fromHex('00000000')).readVectorCount(4), 0);
  assert.equal(new JuteReader(fromHex('00000002 0000000000000000')).readVectorCount(4), 2);
  assert.throws(() => new JuteReader(fromHex('00000003 0000000000000000')).readVectorCount(4), /vector count 3/);
  assert.throws(() => new JuteReader(fromHex('7fffffff 00000000')).readVectorCount(1), /vector count/);
  // The product count*size stays exact in a double even for the largest count and element size.
  assert.throws(() => new JuteReader(fromHex('7fffffff')).readVectorCount(68), /vector count/);
});

test('the writer grows past its initial size and toBytes is a copy', () => {
  const writer = new JuteWriter(2);
  for (let i = 0; i < 100; i++) writer.writeInt(i);
  assert.equal(writer.length, 400);
  const first = writer.toBytes();
  writer.reset();
  writer.writeInt(-1);
  assert.equal(hex(first.subarray(0, 8)), '0000000000000001');
  assert.equal(hex(writer.toBytes()), 'ffffffff');
});

test('patchInt back-fills a length prefix', () => {
  const writer = new JuteWriter();
  writer.writeInt(-1);
  writer.writeUstring('ab');
  writer.patchInt(0, writer.length - 4);
  assert.equal(hex(writer.toBytes()), '00000006' + '00000002' + '6162');
});

test('writeLong keeps the low 64 bits of an out-of-range value (callers must stay in range)', () => {
  // asIntN(64) keeps the low 64 bits; 2^64 + 5 becomes 5. Documented so nobody relies on a throw.
  assert.equal(written((w) => w.writeLong(2n ** 64n + 5n)), '0000000000000005');
  assert.equal(written((w) => w.writeLong(2n ** 63n)), '8000000000000000');
});
