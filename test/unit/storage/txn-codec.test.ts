/**
 * The txn entry codec (src/storage/format/txn-codec.ts): ZooKeeper 3.8.0's own entries decode to
 * the expected txns and re-encode to the same bytes; every txn type round-trips (fast-check);
 * what ZooKeeper may write but we never do (CreateTxnV0, closeSession without a record,
 * reconfig) decodes; unknown and inconsistent entries fail with a typed error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteWriter } from '../../../src/jute/archive.js';
import { encode } from '../../../src/jute/schema.js';
import * as R from '../../../src/jute/records.js';
import type { ACLT } from '../../../src/jute/records.js';
import type { LoggedTxn } from '../../../src/server/zk-server.js';
import { decodeTxnEntry, encodeTxnEntry, TxnCodecError, TxnEntryReader, writeTxnEntry, type LogEntry } from '../../../src/storage/format/txn-codec.js';
import { DataTree } from '../../../src/tree/data-tree.js';
import type { Txn } from '../../../src/tree/txn.js';
import { capture, hex, OPEN, READ_AND_DIGEST, sampleEntries, text } from './fixtures.js';

// The server's LoggedTxn must be accepted wherever a LogEntry is (compile-time check).
const _loggedIsEntry = (logged: LoggedTxn): LogEntry => logged;
void _loggedIsEntry;

/** The two complete entries of the LIVE log head: offset 28 (49 bytes) and 89 (92 bytes) — see txn-log tests. */
function liveEntries(): Uint8Array[] {
  const log = capture('txnlog_head.hex');
  const view = new DataView(log.buffer, log.byteOffset);
  const first = 16 + 12;
  const firstLength = view.getInt32(16 + 8);
  const second = first + firstLength + 1 + 12;
  const secondLength = view.getInt32(second - 4);
  return [log.slice(first, first + firstLength), log.slice(second, second + secondLength)];
}

test('ZooKeeper 3.8.0 entries decode to the expected txns and re-encode byte for byte', () => {
  const [sessionBytes, createBytes] = liveEntries();
  const session = decodeTxnEntry(sessionBytes!);
  assert.deepEqual(session, {
    header: { clientId: 0x0100000c02e90000n, cxid: 0, zxid: 1n, timeMs: 0x1a20188a70an },
    type: -10,
    txn: { type: 'createSession', timeOut: 30000 },
    digest: { version: 2, treeDigest: 0x51c6d660n },
  });
  const create = decodeTxnEntry(createBytes!);
  assert.deepEqual(create, {
    header: { clientId: 0x0100000c02e90000n, cxid: 1, zxid: 2n, timeMs: 0x1a20188a72en },
    type: 1,
    txn: { type: 'create', path: '/t', data: text('hello'), acl: OPEN, ephemeral: false, parentCVersion: 1 },
    digest: { version: 2, treeDigest: 0x1353c1c50n },
  });
  assert.equal(hex(encodeTxnEntry(session)), hex(sessionBytes!));
  assert.equal(hex(encodeTxnEntry(create)), hex(createBytes!));
});

test('exact layout: header, record, optional digest', () => {
  const entry: LogEntry = { header: { clientId: 5n, cxid: 7, zxid: 0x100000002n, timeMs: 9n }, type: -11, txn: { type: 'closeSession', paths2Delete: ['/e'] } };
  assert.equal(hex(encodeTxnEntry(entry)),
    '0000000000000005' + '00000007' + '0000000100000002' + '0000000000000009' + 'fffffff5' + '00000001' + '00000002' + hex(text('/e')));
  assert.equal(hex(encodeTxnEntry({ ...entry, digest: { version: 2, treeDigest: -1n } })).slice(-24), '00000002ffffffffffffffff');
});

test('every sample txn type round-trips, with and without a digest', () => {
  for (const entry of sampleEntries()) {
    assert.deepEqual(decodeTxnEntry(encodeTxnEntry(entry)), entry, entry.txn.type);
    const digested = { ...entry, digest: { version: 2, treeDigest: 0x1234n } };
    assert.deepEqual(decodeTxnEntry(encodeTxnEntry(digested)), digested, entry.txn.type);
  }
});

const path = fc.string({ minLength: 1, maxLength: 12 }).map((s) => `/${s.replace(/\//g, '_')}`);
const data = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null });
const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const acl = fc.array(fc.record({ perms: fc.integer({ min: 0, max: 31 }), id: fc.record({ scheme: fc.constantFrom('world', 'digest', 'ip'), id: fc.string({ maxLength: 10 }) }) }), { maxLength: 3 });
const subTxn: fc.Arbitrary<Txn> = fc.oneof(
  fc.record({ type: fc.constant('create' as const), path, data, acl, ephemeral: fc.boolean(), parentCVersion: int }),
  fc.record({ type: fc.constant('createContainer' as const), path, data, acl, parentCVersion: int }),
  fc.record({ type: fc.constant('createTTL' as const), path, data, acl, parentCVersion: int, ttl: long }),
  fc.record({ type: fc.constantFrom('delete' as const, 'deleteContainer' as const), path }),
  fc.record({ type: fc.constant('setData' as const), path, data, version: int }),
  fc.record({ type: fc.constant('check' as const), path, version: int }),
  fc.record({ type: fc.constant('error' as const), err: int }),
);
const anyTxn: fc.Arbitrary<Txn> = fc.oneof(
  subTxn,
  fc.record({ type: fc.constant('create2' as const), path, data, acl, ephemeral: fc.boolean(), parentCVersion: int }),
  fc.record({ type: fc.constant('setACL' as const), path, acl, version: int }),
  fc.record({ type: fc.constant('createSession' as const), timeOut: int }),
  fc.record({ type: fc.constant('closeSession' as const), paths2Delete: fc.array(path, { maxLength: 4 }) }),
  fc.record({ type: fc.constant('multi' as const), txns: fc.array(subTxn, { maxLength: 5 }) }),
);
const opCodeOf: Record<Txn['type'], number> = {
  create: 1, create2: 15, createContainer: 19, createTTL: 21, delete: 2, deleteContainer: 20, setData: 5, setACL: 7,
  check: 13, createSession: -10, closeSession: -11, error: -1, multi: 14,
};

test('any txn round-trips (property)', () => {
  fc.assert(fc.property(anyTxn, long, int, long, long, fc.option(fc.record({ version: int, treeDigest: long }), { nil: undefined }), (txn, clientId, cxid, zxid, timeMs, digest) => {
    const entry: LogEntry = digest === undefined
      ? { header: { clientId, cxid, zxid, timeMs }, type: opCodeOf[txn.type], txn }
      : { header: { clientId, cxid, zxid, timeMs }, type: opCodeOf[txn.type], txn, digest };
    // structuredClone: fast-check builds records without a prototype, which deepEqual would tell apart.
    assert.deepEqual(decodeTxnEntry(encodeTxnEntry(entry)), structuredClone(entry));
  }), { numRuns: 500 });
});

function entryBytes(type: number, record: Uint8Array, tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const writer = new JuteWriter();
  writer.writeRaw(encode(R.TxnHeader, { clientId: 1n, cxid: 2, zxid: 3n, time: 4n, type }));
  writer.writeRaw(record);
  writer.writeRaw(tail);
  return writer.toBytes();
}

test('CreateTxnV0 (logs from before 3.3) reads as a create with parentCVersion -1', () => {
  const v0 = encode(R.CreateTxnV0, { path: '/old', data: text('d'), acl: OPEN, ephemeral: true });
  assert.deepEqual(decodeTxnEntry(entryBytes(1, v0)).txn, { type: 'create', path: '/old', data: text('d'), acl: OPEN, ephemeral: true, parentCVersion: -1 });
});

test('closeSession without a CloseSessionTxn (closeSessionTxn disabled) reads as no listed paths', () => {
  assert.deepEqual(decodeTxnEntry(entryBytes(-11, new Uint8Array(0))).txn, { type: 'closeSession', paths2Delete: [] });
  const digest = encode(R.TxnDigest, { version: 2, treeDigest: 77n });
  const decoded = decodeTxnEntry(entryBytes(-11, new Uint8Array(0), digest));
  assert.deepEqual([decoded.txn, decoded.digest], [{ type: 'closeSession', paths2Delete: [] }, { version: 2, treeDigest: 77n }]);
});

test('reconfig (16) is a SetDataTxn and keeps its header type', () => {
  const record = encode(R.SetDataTxn, { path: '/zookeeper/config', data: text('server.1=a:1:2'), version: 3 });
  const decoded = decodeTxnEntry(entryBytes(16, record));
  assert.equal(decoded.type, 16);
  assert.deepEqual(decoded.txn, { type: 'setData', path: '/zookeeper/config', data: text('server.1=a:1:2'), version: 3 });
  assert.equal(hex(encodeTxnEntry(decoded)), hex(entryBytes(16, record)));
});

function codecError(run: () => unknown): TxnCodecError {
  try {
    run();
  } catch (error) {
    if (error instanceof TxnCodecError) return error;
    throw error;
  }
  assert.fail('expected a TxnCodecError');
}

test('unknown and inconsistent entries fail with a typed error', () => {
  // No op code for SetMaxChildrenTxn exists in 3.x; a read op code has no txn at all.
  assert.equal(codecError(() => decodeTxnEntry(entryBytes(4, encode(R.SetMaxChildrenTxn, { path: '/x', max: 3 })))).code, 'unsupported');
  assert.equal(codecError(() => decodeTxnEntry(entryBytes(0, new Uint8Array(0)))).code, 'unsupported');
  const nestedSession = encode(R.MultiTxn, { txns: [{ type: -10, data: encode(R.CreateSessionTxn, { timeOut: 1 }) }] });
  assert.equal(codecError(() => decodeTxnEntry(entryBytes(14, nestedSession))).code, 'unsupported');
  assert.equal(codecError(() => decodeTxnEntry(new Uint8Array(20))).code, 'malformed');
  assert.equal(codecError(() => decodeTxnEntry(entryBytes(5, encode(R.DeleteTxn, { path: '/x' })))).code, 'malformed');
  assert.equal(codecError(() => decodeTxnEntry(entryBytes(2, encode(R.DeleteTxn, { path: '/x' }), new Uint8Array(5)))).code, 'malformed');
  const header = { clientId: 1n, cxid: 1, zxid: 1n, timeMs: 1n };
  assert.equal(codecError(() => encodeTxnEntry({ header, type: 2, txn: { type: 'setData', path: '/x', data: null, version: 0 } })).code, 'mismatch');
  assert.equal(codecError(() => encodeTxnEntry({ header, type: 14, txn: { type: 'multi', txns: [{ type: 'createSession', timeOut: 1 }] } })).code, 'unsupported');
});

test('a create2 inside a multi is neither written nor read: ZooKeeper logs a create there and cannot replay a create2', () => {
  const header = { clientId: 1n, cxid: 1, zxid: 1n, timeMs: 1n };
  const create2 = { type: 'create2' as const, path: '/s', data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 };
  assert.equal(codecError(() => encodeTxnEntry({ header, type: 14, txn: { type: 'multi', txns: [create2] } })).code, 'unsupported');
  const multi = encode(R.MultiTxn, { txns: [{ type: 15, data: encode(R.CreateTxn, { path: '/s', data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 }) }] });
  assert.equal(codecError(() => decodeTxnEntry(entryBytes(14, multi))).code, 'unsupported');
});

test('decoded data is a view into the input; the tree keeps a copy of its own', () => {
  const bytes = encodeTxnEntry({ header: { clientId: 1n, cxid: 1, zxid: 1n, timeMs: 1n }, type: 1, txn: { type: 'create', path: '/x', data: text('abc'), acl: OPEN, ephemeral: false, parentCVersion: 1 } });
  for (const decoded of [decodeTxnEntry(bytes), new TxnEntryReader(bytes).read(0, bytes.length)!]) {
    assert.ok(decoded.txn.type === 'create' && decoded.txn.data!.buffer === bytes.buffer, 'no copy per txn');
    const tree = new DataTree();
    tree.applyTxn(decoded.header, decoded.txn);
    // Node data is Latin-1 text (DataNode.data): a string, which cannot keep the input alive.
    assert.equal(tree.get('/x')!.data, 'abc');
  }
});

/** Entries laid out one after another in one buffer, as in a log file, with where each one is. */
function laidOut(entries: readonly LogEntry[]): { bytes: Uint8Array; spans: [number, number][] } {
  const writer = new JuteWriter();
  const spans: [number, number][] = [];
  for (const entry of entries) {
    const start = writer.length;
    writer.writeInt(0x5a5a5a5a); // something between entries, as a log's framing is
    writeTxnEntry(writer, entry);
    spans.push([start + 4, writer.length]);
  }
  return { bytes: writer.toBytes(), spans };
}

test('TxnEntryReader reads every sample entry as decodeTxnEntry does, one file of them after another', () => {
  const entries = sampleEntries().flatMap((entry) => [entry, { ...entry, digest: { version: 2, treeDigest: -5n } }]);
  const { bytes, spans } = laidOut(entries);
  const reader = new TxnEntryReader(bytes);
  spans.forEach(([start, end], index) => {
    assert.deepEqual(reader.read(start, end), decodeTxnEntry(bytes.subarray(start, end)), `entry ${index}`);
    assert.deepEqual(reader.read(start, end), entries[index], `entry ${index}`);
  });
});

test('TxnEntryReader agrees with decodeTxnEntry on any run of entries (property)', () => {
  const entryOf = fc.tuple(anyTxn, long, int, long, long, fc.option(fc.record({ version: int, treeDigest: long }), { nil: undefined }))
    .map(([txn, clientId, cxid, zxid, timeMs, digest]): LogEntry => {
      const entry = { header: { clientId, cxid, zxid, timeMs }, type: opCodeOf[txn.type], txn };
      return digest === undefined ? entry : { ...entry, digest };
    });
  // Repeats of the same ACL, session and time, as a log has them, besides fresh ones.
  const run = fc.array(entryOf, { minLength: 1, maxLength: 4 }).chain((distinct) => fc.array(fc.constantFrom(...distinct), { maxLength: 12 }));
  fc.assert(fc.property(run, (entries) => {
    const { bytes, spans } = laidOut(entries);
    const reader = new TxnEntryReader(bytes);
    for (const [start, end] of spans) assert.deepEqual(reader.read(start, end), decodeTxnEntry(bytes.subarray(start, end)));
  }), { numRuns: 300 });
});

test('TxnEntryReader shares what repeats: the ACL array (frozen), the clientId and time', () => {
  const header = { clientId: 0x1234_5678_9abc_def0n, cxid: 1, zxid: 1n, timeMs: 1_700_000_000_000n };
  const create = (path: string, acl: ACLT[]): LogEntry => ({ header, type: 1, txn: { type: 'create', path, data: null, acl, ephemeral: false, parentCVersion: 1 } });
  const { bytes, spans } = laidOut([create('/a', OPEN), create('/b', OPEN), create('/c', READ_AND_DIGEST), create('/d', READ_AND_DIGEST)]);
  const reader = new TxnEntryReader(bytes);
  const [a, b, c, d] = spans.map(([start, end]) => reader.read(start, end)!);
  const aclOf = (entry: LogEntry) => (entry.txn.type === 'create' ? entry.txn.acl : assert.fail('a create'));
  assert.equal(aclOf(a!), aclOf(b!));
  assert.ok(Object.isFrozen(aclOf(a!)) && Object.isFrozen(aclOf(a!)[0]) && Object.isFrozen(aclOf(a!)[0]!.id));
  assert.notEqual(aclOf(c!), aclOf(a!));
  assert.deepEqual(aclOf(c!), READ_AND_DIGEST);
  assert.equal(aclOf(d!), aclOf(c!));
  assert.deepEqual([a!.header.clientId, d!.header.clientId, d!.header.timeMs], [header.clientId, header.clientId, header.timeMs]);
});

test('TxnEntryReader leaves to decodeTxnEntry what it does not read itself: old forms, unknown op codes, damage', () => {
  const cases: Record<string, Uint8Array> = {
    'CreateTxnV0': entryBytes(1, encode(R.CreateTxnV0, { path: '/old', data: text('d'), acl: OPEN, ephemeral: true })),
    'closeSession without its record': entryBytes(-11, new Uint8Array(0)),
    'SetMaxChildren': entryBytes(4, encode(R.SetMaxChildrenTxn, { path: '/x', max: 3 })),
    'op code 0': entryBytes(0, new Uint8Array(0)),
    'createSession inside a multi': entryBytes(14, encode(R.MultiTxn, { txns: [{ type: -10, data: encode(R.CreateSessionTxn, { timeOut: 1 }) }] })),
    'create2 inside a multi': entryBytes(14, encode(R.MultiTxn, { txns: [{ type: 15, data: encode(R.CreateTxn, { path: '/s', data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 }) }] })),
    'a multi op with bytes after its record': entryBytes(14, encode(R.MultiTxn, { txns: [{ type: 2, data: new Uint8Array([...encode(R.DeleteTxn, { path: '/x' }), 0]) }] })),
    'short TxnHeader': new Uint8Array(20),
    'setData with a DeleteTxn': entryBytes(5, encode(R.DeleteTxn, { path: '/x' })),
    '5 bytes after the record': entryBytes(2, encode(R.DeleteTxn, { path: '/x' }), new Uint8Array(5)),
    'path longer than the entry': entryBytes(2, new Uint8Array([0, 0, 1, 0, 0x2f])),
    'ACL count past the end': entryBytes(7, new Uint8Array([...encode(R.DeleteTxn, { path: '/x' }), 0, 0, 0, 9, 0, 0, 0, 1])),
  };
  for (const [what, bytes] of Object.entries(cases)) assert.equal(new TxnEntryReader(bytes).read(0, bytes.length), undefined, what);
});
