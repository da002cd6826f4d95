/**
 * Property tests for the incremental frame decoder (src/jute/frame-decoder.ts): a stream of
 * frames decodes to the same payloads however the bytes are split, down to one byte per push;
 * a bad length (negative, or above frameBytesMax) yields exactly one error and then silence;
 * a frame of exactly frameBytesMax is accepted; peekHead shows the first 4 buffered bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, frame, type FrameEvent } from '../../src/jute/frame-decoder.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Splits `bytes` at the given cut points (any numbers; reduced modulo the length, deduplicated). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % (bytes.length + 1))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    out.push(bytes.subarray(from, point));
    from = point;
  }
  out.push(bytes.subarray(from));
  return out;
}

function feed(decoder: FrameDecoder, chunks: readonly Uint8Array[]): FrameEvent[] {
  const events: FrameEvent[] = [];
  // Copies, so the test also catches a decoder that keeps a view of a chunk the caller reuses.
  for (const chunk of chunks) events.push(...decoder.push(chunk.slice()));
  return events;
}

/** Payload bytes of each frame event, copied (payloads may be views into pushed chunks). */
const payloads = (events: readonly FrameEvent[]) =>
  events.map((event) => (event.kind === 'frame' ? Array.from(event.payload) : event));

const payloadArbitrary = fc.uint8Array({ maxLength: 64 });
const frameBytesMax = 64;

test('frames split at arbitrary points decode the same as unsplit', () => {
  fc.assert(
    fc.property(fc.array(payloadArbitrary, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
      const stream = concat(frames.map(frame));
      const whole = feed(new FrameDecoder(frameBytesMax), [stream]);
      assert.deepStrictEqual(payloads(whole), frames.map((payload) => Array.from(payload)));
      const pieces = feed(new FrameDecoder(frameBytesMax), split(stream, cuts));
      assert.deepStrictEqual(payloads(pieces), payloads(whole));
    }),
    params(500),
  );
});

test('frames fed one byte at a time decode the same as unsplit', () => {
  fc.assert(
    fc.property(fc.array(payloadArbitrary, { maxLength: 6 }), (frames) => {
      const stream = concat(frames.map(frame));
      const oneByOne = [...stream].map((byte) => Uint8Array.of(byte));
      const events = feed(new FrameDecoder(frameBytesMax), oneByOne);
      assert.deepStrictEqual(payloads(events), frames.map((payload) => Array.from(payload)));
    }),
    params(200),
  );
});

test('a partial trailing frame is held back until its last byte arrives', () => {
  fc.assert(
    fc.property(payloadArbitrary, fc.nat(), (payload, cut) => {
      const bytes = frame(payload);
      const at = cut % bytes.length; // strictly inside the frame
      const decoder = new FrameDecoder(frameBytesMax);
      assert.deepStrictEqual(decoder.push(bytes.slice(0, at)), []);
      assert.deepStrictEqual(payloads(decoder.push(bytes.slice(at))), [Array.from(payload)]);
    }),
    params(200),
  );
});

test('an oversized or negative length gives one error event and nothing after, however split', () => {
  const badLength = fc.oneof(
    fc.integer({ min: frameBytesMax + 1, max: 0x7fffffff }),
    fc.integer({ min: -0x80000000, max: -1 }),
  );
  fc.assert(
    fc.property(
      fc.array(payloadArbitrary, { maxLength: 4 }), badLength, fc.uint8Array({ maxLength: 40 }),
      fc.array(payloadArbitrary, { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 10 }),
      (before, length, junk, after, cuts) => {
        const head = new Uint8Array(4);
        new DataView(head.buffer).setInt32(0, length);
        const stream = concat([...before.map(frame), head, junk, ...after.map(frame)]);
        const decoder = new FrameDecoder(frameBytesMax);
        const events = feed(decoder, split(stream, cuts));
        const errors = events.filter((event) => event.kind === 'error');
        assert.equal(errors.length, 1);
        assert.deepStrictEqual(events.at(-1), errors[0], 'the error is the last event');
        assert.equal(errors[0]!.kind === 'error' && errors[0]!.length, length);
        assert.deepStrictEqual(payloads(events.slice(0, -1)), before.map((payload) => Array.from(payload)));
        // Once failed, further input (even well-formed frames) produces nothing.
        assert.deepStrictEqual(decoder.push(frame(new Uint8Array(1))), []);
        assert.equal(decoder.peekHead(), undefined);
      },
    ),
    params(300),
  );
});

test('a length prefix alone is enough to reject an oversized frame: nothing is buffered waiting for it', () => {
  const decoder = new FrameDecoder(1024);
  const events = decoder.push(Uint8Array.of(0x7f, 0xff, 0xff, 0xff));
  assert.deepStrictEqual(events, [{ kind: 'error', reason: 'Len error 2147483647', length: 0x7fffffff }]);
});

test('exactly frameBytesMax is accepted, one more byte is not', () => {
  for (const max of [0, 1, 4, 1000, 0xfffff]) {
    const payload = new Uint8Array(max).fill(7);
    const events = new FrameDecoder(max).push(frame(payload));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.kind, 'frame');
    assert.equal(events[0]!.kind === 'frame' && events[0]!.payload.length, max);
    const tooBig = new FrameDecoder(max).push(frame(new Uint8Array(max + 1)));
    assert.deepStrictEqual(tooBig.map((event) => event.kind), ['error']);
  }
});

test('zero-length frames are frames', () => {
  const events = new FrameDecoder(8).push(concat([frame(new Uint8Array()), frame(Uint8Array.of(1)), frame(new Uint8Array())]));
  assert.deepStrictEqual(payloads(events), [[], [1], []]);
});

test('peekHead: undefined before 4 bytes, then the first 4 bytes without consuming them', () => {
  const decoder = new FrameDecoder(1 << 20);
  assert.equal(decoder.peekHead(), undefined);
  assert.deepStrictEqual(decoder.push(Uint8Array.of(0, 0)), []);
  assert.equal(decoder.peekHead(), undefined);
  assert.deepStrictEqual(decoder.push(new Uint8Array()), []);
  assert.equal(decoder.peekHead(), undefined);
  // A four-letter word read as a length ('ruok' = 0x72756f6b) is far above any frame limit, so a
  // caller that wants to recognise one must do so from the error's length (or before pushing).
  const ruok = new FrameDecoder(1 << 20).push(new TextEncoder().encode('ruok'));
  assert.deepStrictEqual(ruok.map((event) => event.kind === 'error' && event.length), [0x72756f6b]);
  const partial = new FrameDecoder(1 << 20);
  partial.push(Uint8Array.of(0, 0));
  partial.push(Uint8Array.of(0));
  partial.push(Uint8Array.of(9, 1, 2)); // length 9, two payload bytes so far
  assert.deepStrictEqual(Array.from(partial.peekHead()!), [0, 0, 0, 9]);
  assert.deepStrictEqual(Array.from(partial.peekHead()!), [0, 0, 0, 9], 'peeking does not consume');
  assert.deepStrictEqual(payloads(partial.push(Uint8Array.of(3, 4, 5, 6, 7, 8, 9))), [[1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  assert.equal(partial.peekHead(), undefined, 'nothing buffered after a complete frame');
});

test('peekHead across split chunks matches the first four bytes of the stream', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 3 + 4 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
      // A length of at most 3 payload bytes so the first frame is never complete (bytes ≤ 7).
      bytes.set([0, 0, 0, 60], 0);
      const decoder = new FrameDecoder(frameBytesMax);
      feed(decoder, split(bytes, cuts));
      assert.deepStrictEqual(Array.from(decoder.peekHead()!), [0, 0, 0, 60]);
    }),
    params(200),
  );
});
