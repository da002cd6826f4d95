/**
 * Property tests for the jute record codec, driven by the schemas themselves: for every record in
 * `allRecords` an arbitrary is derived by walking `schema.fields`, so a record added to records.ts
 * is covered without touching this file.
 *
 * Properties: encode→decode is the identity (and decode→encode gives the same bytes back); every
 * strict prefix of an encoding is rejected with JuteError; random and mutated bytes either decode
 * or throw JuteError (never another exception, never a hang); impossible vector counts are
 * rejected up front. Golden vectors pin a few encodings to bytes captured from ZooKeeper 3.8.0
 * (zk380-captures/wire_probe_output.txt) and to the sizes in zookeeper-facts.md §1.7/§1.2.
 * Not here: the archive primitives one by one (test/unit/jute-archive.test.ts) and framing
 * (frame-decoder.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteError, JuteWriter } from '../../src/jute/archive.js';
import { decode, encode, record, type FieldType, type Fields, type RecordOf, type RecordSchema } from '../../src/jute/schema.js';
import { frame } from '../../src/jute/frame-decoder.js';
import {
  allRecords, ConnectRequest, ConnectResponse, ReplyHeader, RequestHeader, Stat, StatPersisted, GetDataRequest,
  CreateRequest, WatcherEvent,
} from '../../src/jute/records.js';

type AnySchema = RecordSchema<Fields>;
const schemas = Object.entries(allRecords as Record<string, AnySchema>);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

// Seeds come from fast-check's defaults unless FC_SEED is set; fast-check prints the seed and path
// of any failure, and `FC_SEED=<seed>` replays it.
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

/** Strings of whole code points (no lone surrogates: they cannot survive UTF-8), mixing scripts. */
const ustringArbitrary = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 24 }),
);

/** An arbitrary for one jute field type, derived structurally. */
function arbitraryFor(type: FieldType): fc.Arbitrary<unknown> {
  if (typeof type === 'string') {
    switch (type) {
      case 'int': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
      case 'long': return fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
      case 'boolean': return fc.boolean();
      case 'buffer': return fc.option(fc.uint8Array({ maxLength: 48 }), { nil: null, freq: 4 });
      case 'ustring': return ustringArbitrary;
    }
  }
  if ('vector' in type) return fc.array(arbitraryFor(type.vector), { maxLength: 4 });
  return recordArbitrary(type);
}

function recordArbitrary(schema: AnySchema): fc.Arbitrary<RecordOf<Fields>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, type] of schema.fields) shape[name] = arbitraryFor(type);
  // Plain prototypes, like the objects decode() builds, so deepStrictEqual compares fields only.
  return fc.record(shape, { noNullPrototype: true }) as fc.Arbitrary<RecordOf<Fields>>;
}

/** The smallest encoding of a field type, computed independently of schema.ts. */
function minimumBytes(type: FieldType): number {
  if (typeof type === 'string') return { int: 4, long: 8, boolean: 1, buffer: 4, ustring: 4 }[type];
  if ('vector' in type) return 4;
  return type.fields.reduce((sum, [, fieldType]) => sum + minimumBytes(fieldType), 0);
}

function vectorElementTypes(type: FieldType, out: FieldType[] = []): FieldType[] {
  if (typeof type === 'string') return out;
  if ('vector' in type) {
    out.push(type.vector);
    return vectorElementTypes(type.vector, out);
  }
  for (const [, fieldType] of type.fields) vectorElementTypes(fieldType, out);
  return out;
}

/** Runs `fn`, and fails the property unless it returns or throws a JuteError. */
function returnsOrThrowsJuteError(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof JuteError)) {
      throw new Error(`${what}: expected JuteError, got ${String(error)}`, { cause: error });
    }
  }
}

test('allRecords is non-empty and every record has a name matching its key', () => {
  assert.ok(schemas.length >= 70, `only ${schemas.length} schemas`);
  for (const [key, schema] of schemas) assert.equal(schema.name, key);
});

test('every vector element has a positive minimum size, so the early count check bounds allocation', () => {
  for (const [name, schema] of schemas) {
    for (const element of vectorElementTypes(schema)) {
      assert.ok(minimumBytes(element) > 0, `${name} has a vector of zero-size elements`);
    }
  }
});

for (const [name, schema] of schemas) {
  const arbitrary = recordArbitrary(schema);

  test(`${name}: encode then decode is the identity, and re-encoding gives the same bytes`, () => {
    fc.assert(
      fc.property(arbitrary, (value) => {
        const bytes = encode(schema, value);
        const decoded = decode(schema, bytes);
        assert.deepStrictEqual(decoded, value);
        assert.deepStrictEqual(encode(schema, decoded), bytes);
        assert.ok(bytes.length >= minimumBytes(schema));
      }),
      params(150),
    );
  });

  test(`${name}: every strict prefix of an encoding throws JuteError`, () => {
    fc.assert(
      fc.property(arbitrary, (value) => {
        const bytes = encode(schema, value);
        for (let length = 0; length < bytes.length; length++) {
          assert.throws(() => decode(schema, bytes.subarray(0, length)), JuteError, `${name} prefix ${length}/${bytes.length}`);
        }
        // One byte too many is rejected too: decode consumes a whole record and nothing else.
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        assert.throws(() => decode(schema, longer), JuteError);
      }),
      params(40),
    );
  });

  test(`${name}: random and mutated bytes decode or throw JuteError`, () => {
    const randomBytes = fc.uint8Array({ maxLength: 160 });
    // Mutations of a valid encoding get past the first fields, where pure noise rarely does.
    const mutated = fc
      .tuple(arbitrary, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([value, edits]) => {
        const bytes = encode(schema, value);
        if (bytes.length === 0) return bytes;
        for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
        return bytes;
      });
    // Length fields set to the extremes exercise the count and length checks.
    const extremeLengths = fc
      .tuple(arbitrary, fc.nat(), fc.constantFrom(-1, -2, 0x7fffffff, -0x80000000, 0x40000000, 0x10000))
      .map(([value, at, length]) => {
        const bytes = encode(schema, value);
        if (bytes.length < 4) return bytes;
        new DataView(bytes.buffer, bytes.byteOffset).setInt32(at % (bytes.length - 3), length);
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(randomBytes, mutated, extremeLengths), (bytes) => {
        returnsOrThrowsJuteError(() => decode(schema, bytes), name);
      }),
      params(300),
    );
  });

  // Every vector in records.ts is a top-level field, so its count sits right after the encoding
  // of the fields before it; replace it with a count that cannot fit.
  const vectorFields = schema.fields
    .map(([, type], index) => ({ type, index }))
    .filter((field): field is { type: { readonly vector: FieldType }; index: number } =>
      typeof field.type !== 'string' && 'vector' in field.type);
  if (vectorFields.length > 0) {
    test(`${name}: vector counts that cannot fit are rejected before any element is read`, () => {
      fc.assert(
        fc.property(arbitrary, fc.constantFrom(0x7fffffff, 0x10000000, 1_000_000), (value, hugeCount) => {
          for (const { index } of vectorFields) {
            const before = record('before', schema.fields.slice(0, index));
            const at = encode(before, value).length;
            const bytes = encode(schema, value);
            new DataView(bytes.buffer, bytes.byteOffset).setInt32(at, hugeCount);
            // Rejected by the count check itself (not by a short read while reading elements).
            assert.throws(() => decode(schema, bytes), (error: unknown) =>
              error instanceof JuteError && /vector count/.test(error.message));
            new DataView(bytes.buffer, bytes.byteOffset).setInt32(at, -2);
            assert.throws(() => decode(schema, bytes), JuteError);
          }
        }),
        params(30),
      );
    });
  }
}

test('a vector count that exactly fits the remaining bytes is accepted', () => {
  // GetChildrenResponse{vector<ustring>}: count 3 then three empty strings = 4 + 3*4 bytes.
  const writer = new JuteWriter();
  writer.writeInt(3);
  for (let i = 0; i < 3; i++) writer.writeUstring('');
  assert.deepStrictEqual(decode(allRecords.GetChildrenResponse, writer.toBytes()), { children: ['', '', ''] });
  // One more element than the bytes can hold fails at the count, before reading any element.
  const tooMany = writer.toBytes();
  new DataView(tooMany.buffer).setInt32(0, 4);
  assert.throws(() => decode(allRecords.GetChildrenResponse, tooMany), /vector count 4/);
});

test('golden: ConnectRequest frame matches the bytes a 3.8 client sends (facts §1.3)', () => {
  const body = encode(ConnectRequest, {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: new Uint8Array(16),
  });
  assert.equal(body.length, 44);
  const withReadOnly = new Uint8Array(body.length + 1);
  withReadOnly.set(body);
  withReadOnly[body.length] = 1;
  assert.equal(
    hex(frame(withReadOnly)),
    '0000002d' + '00000000' + '0000000000000000' + '00007530' + '0000000000000000' + '00000010' + '00'.repeat(16) + '01',
  );
});

test('golden: ConnectResponse captured from ZooKeeper 3.8.0 decodes and re-encodes byte for byte', () => {
  const captured = fromHex('00000000 00007530 0100000c02e90000 00000010 3d82234f8673f25be35f8e553f0eab2c 00');
  assert.equal(captured.length, 37);
  // The 37th byte is the readOnly flag outside the 3.8 record; the record itself is 36 bytes.
  const response = decode(ConnectResponse, captured.subarray(0, 36));
  assert.equal(response.protocolVersion, 0);
  assert.equal(response.timeOut, 30000);
  assert.equal(response.sessionId, 0x0100000c02e90000n);
  assert.equal(hex(response.passwd!), '3d82234f8673f25be35f8e553f0eab2c');
  assert.equal(hex(encode(ConnectResponse, response)), hex(captured.subarray(0, 36)));
  assert.throws(() => decode(ConnectResponse, captured), JuteError, 'the trailing readOnly byte is not part of the 3.8 record');
});

test('golden: fixed record sizes (Stat 68, StatPersisted 60, ReplyHeader 16, RequestHeader 8)', () => {
  const stat = {
    czxid: 2n, mzxid: 5n, ctime: 1795322062638n, mtime: 1795322062676n, version: 1, cversion: 1, aversion: 0,
    ephemeralOwner: 0n, dataLength: 5, numChildren: 1, pzxid: 4n,
  };
  const statBytes = encode(Stat, stat);
  assert.equal(statBytes.length, 68);
  assert.equal(
    hex(statBytes),
    '0000000000000002' + '0000000000000005' + '000001a20188a72e' + '000001a20188a754' +
      '00000001' + '00000001' + '00000000' + '0000000000000000' + '00000005' + '00000001' + '0000000000000004',
  );
  const { dataLength: _dataLength, numChildren: _numChildren, ...persisted } = stat;
  assert.equal(encode(StatPersisted, persisted).length, 60);
  // ReplyHeader of a notification in 3.8: xid -1, zxid -1, err 0 (facts §1.8).
  assert.equal(hex(encode(ReplyHeader, { xid: -1, zxid: -1n, err: 0 })), 'ffffffff' + 'ffffffffffffffff' + '00000000');
  assert.equal(hex(encode(ReplyHeader, { xid: -2, zxid: 1n, err: -101 })), 'fffffffe' + '0000000000000001' + 'ffffff9b');
  assert.equal(hex(encode(RequestHeader, { xid: -2, type: 11 })), 'fffffffe0000000b');
});

test('golden: strings, buffers and vectors use int32 lengths with -1 for null', () => {
  assert.equal(hex(encode(GetDataRequest, { path: '/t', watch: true })), '00000002' + '2f74' + '01');
  // 'é' is two UTF-8 bytes: the length counts bytes, not UTF-16 units.
  assert.equal(hex(encode(WatcherEvent, { type: 3, state: 3, path: '/é' })), '00000003' + '00000003' + '00000003' + '2fc3a9');
  assert.equal(
    hex(encode(CreateRequest, {
      path: '/a', data: null, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0,
    })),
    '00000002' + '2f61' + 'ffffffff' + '00000001' + '0000001f' + '00000005' + Buffer.from('world').toString('hex') +
      '00000006' + Buffer.from('anyone').toString('hex') + '00000000',
  );
});
