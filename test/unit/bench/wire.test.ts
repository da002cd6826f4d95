/**
 * The bench's wire parts against the jute codec: a patched request template decodes (with
 * src/jute's schemas) to exactly the request it stands for, with the xid and digits patched in;
 * the reply scanner finds the same replies however a stream of frames is cut into chunks, down
 * to one byte at a time, and refuses a bad length once and for good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteReader, JuteWriter } from '../../../src/jute/archive.js';
import { CreateRequest, GetDataRequest, ReplyHeader, RequestHeader, SetDataRequest } from '../../../src/jute/records.js';
import { readRecord, writeRecord } from '../../../src/jute/schema.js';
import { frame } from '../../../src/jute/frame-decoder.js';
import { OpCode } from '../../../src/protocol/codes.js';
import { RequestTemplate } from '../../../src/bench/core/request-template.js';
import { ReplyScanner, type ReplySink } from '../../../src/bench/core/reply-scanner.js';
import { treeDigits, treePath, treePathDigitFields, treeShape } from '../../../src/bench/core/workload.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

/** Reads one framed request: its header and body, checking the length prefix. */
function decodeFrame<T>(bytes: Uint8Array, at: number, schema: Parameters<typeof readRecord>[1]): { xid: number; type: number; body: T; end: number } {
  const reader = new JuteReader(bytes, at);
  const length = reader.readInt();
  const header = readRecord(reader, RequestHeader);
  const body = readRecord(reader, schema) as T;
  assert.equal(reader.position - at - 4, length, 'length prefix matches the body');
  return { ...header, body, end: reader.position };
}

test('a template patched with an xid and digits decodes to that request', () => {
  fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 9_999_999 }), fc.uint8Array({ maxLength: 300 }), fc.constantFrom('/zkts-bench/run-1', '/é/ü'), (xid, key, data, run) => {
    const path = `${run}/k0000000`;
    const template = RequestTemplate.forPath(OpCode.setData, SetDataRequest, { path, data, version: -1 }, [{ at: run.length + 2, width: 7 }]);
    // Written at an offset into a dirty buffer, as the pipeline batches them.
    const target = new Uint8Array(template.length + 10).fill(0xee);
    template.writeTo(target, 5, xid);
    template.setDigits(target, 5, 0, key);
    const decoded = decodeFrame<{ path: string; data: Uint8Array; version: number }>(target, 5, SetDataRequest);
    assert.equal(decoded.xid, xid);
    assert.equal(decoded.type, OpCode.setData);
    assert.equal(decoded.body.path, `${run}/k${String(key).padStart(7, '0')}`);
    assert.deepEqual([...decoded.body.data], [...data]);
    assert.equal(decoded.body.version, -1);
    assert.equal(decoded.end, 5 + template.length);
  }), params(200));
});

test('a load-tree template patched segment by segment decodes to that node\'s path', () => {
  const shape = treeShape(1_000_000, 4);
  for (const [level, index] of [[1, 0], [3, 1000], [4, 966_175], [2, 1023]] as const) {
    const template = RequestTemplate.forPath(OpCode.create, CreateRequest, { path: treePath('/t', shape, level, 0), data: new Uint8Array([1]), acl: [], flags: 0 }, treePathDigitFields('/t', shape, level));
    const target = new Uint8Array(template.length);
    template.writeTo(target, 0, 9);
    treeDigits(shape, level, index).forEach((digit, field) => template.setDigits(target, 0, field, digit));
    assert.equal(decodeFrame<{ path: string }>(target, 0, CreateRequest).body.path, treePath('/t', shape, level, index));
  }
  const template = RequestTemplate.forPath(OpCode.create, CreateRequest, { path: '/t/n00', data: null, acl: [], flags: 0 }, treePathDigitFields('/t', shape, 1));
  const target = new Uint8Array(template.length);
  assert.throws(() => template.setDigits(target, 0, 0, 100), RangeError);
  assert.throws(() => RequestTemplate.forPath(OpCode.getData, GetDataRequest, { path: '/a', watch: false }, [{ at: 1, width: 5 }]), RangeError);
});

test('a bodiless template is a header alone', () => {
  const ping = RequestTemplate.bodiless(OpCode.ping);
  const target = new Uint8Array(ping.length);
  ping.writeTo(target, 0, -2);
  const reader = new JuteReader(target);
  assert.equal(reader.readInt(), 8);
  assert.deepEqual(readRecord(reader, RequestHeader), { xid: -2, type: OpCode.ping });
});

interface SeenReply { xid: number; err: number; body: number[] }

function replyFrame(xid: number, err: number, body: Uint8Array): Uint8Array {
  const writer = new JuteWriter();
  writeRecord(writer, ReplyHeader, { xid, zxid: 0x1234_5678_9abcn, err });
  writer.writeRaw(body);
  return frame(writer.toBytes());
}

function collect(scanner: ReplyScanner, chunks: readonly Uint8Array[]): SeenReply[] {
  const seen: SeenReply[] = [];
  const sink: ReplySink = { onReply: (xid, err, bytes, start, end) => { seen.push({ xid, err, body: [...bytes.subarray(start, end)] }); } };
  // Copies, and scribbles over each chunk after the push, so a scanner that keeps a view fails.
  for (const chunk of chunks) {
    const copy = chunk.slice();
    assert.equal(scanner.push(copy, sink), true);
    copy.fill(0xff);
  }
  return seen;
}

test('the reply scanner finds every frame however the stream is split', () => {
  const reply = fc.record({ xid: fc.integer({ min: -2, max: 1000 }), err: fc.constantFrom(0, -101, -110), body: fc.uint8Array({ maxLength: 40 }) });
  fc.assert(fc.property(fc.array(reply, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (replies, cuts) => {
    const stream = new Uint8Array(replies.reduce((sum, r) => sum + 20 + r.body.length, 0));
    let at = 0;
    for (const r of replies) {
      const bytes = replyFrame(r.xid, r.err, r.body);
      stream.set(bytes, at);
      at += bytes.length;
    }
    const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let from = 0;
    for (const point of points) { chunks.push(stream.subarray(from, point)); from = point; }
    chunks.push(stream.subarray(from));
    const expected = replies.map((r) => ({ xid: r.xid, err: r.err, body: [...r.body] }));
    assert.deepEqual(collect(new ReplyScanner(1 << 20), chunks), expected);
  }), params(300));
});

test('the reply scanner takes a stream one byte at a time', () => {
  const stream = [replyFrame(1, 0, new Uint8Array([7, 8, 9])), replyFrame(-1, 0, new Uint8Array(0)), replyFrame(2, -101, new Uint8Array(0))];
  const bytes = stream.flatMap((f) => [...f]).map((b) => new Uint8Array([b]));
  assert.deepEqual(collect(new ReplyScanner(1024), bytes), [
    { xid: 1, err: 0, body: [7, 8, 9] }, { xid: -1, err: 0, body: [] }, { xid: 2, err: -101, body: [] },
  ]);
});

test('a length too small for a reply header, or above the maximum, is refused once', () => {
  for (const length of [-1, 15, 1025]) {
    const scanner = new ReplyScanner(1024);
    const head = new Uint8Array(20);
    new DataView(head.buffer).setInt32(0, length);
    let calls = 0;
    const sink: ReplySink = { onReply: () => { calls++; } };
    assert.equal(scanner.push(head.subarray(0, 2), sink), true, 'not yet known');
    assert.equal(scanner.push(head.subarray(2), sink), false);
    assert.match(scanner.error ?? '', new RegExp(`length ${length}`));
    assert.equal(scanner.push(replyFrame(1, 0, new Uint8Array(0)), sink), false, 'silent after a refusal');
    assert.equal(calls, 0);
  }
});
