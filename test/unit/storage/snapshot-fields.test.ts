/**
 * The snapshot reader's node records, field by field, and the digest check on load
 * (src/storage/format/snapshot.ts). Files are encoded here from the grammar with the generic
 * record writer and a byte-at-a-time Adler-32, and the expected digest is summed with
 * nodeDigest (checked against ZooKeeper 3.8.0 in checksums.test.ts), so none of it leans on the
 * reader's own fast paths. Stat values are drawn from a small set with equal halves, so fields
 * equal to another field or to the previous node's (which the reader shares bigints for) come
 * up often, next to ones that differ only in their high or low 32 bits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteWriter } from '../../../src/jute/archive.js';
import { writeRecord } from '../../../src/jute/schema.js';
import * as R from '../../../src/jute/records.js';
import {
  deserializeSnapshot, deserializeSnapshotDeferred, readSnapshot, snapshotChecks, SnapshotError, type StatPersistedT,
} from '../../../src/storage/format/snapshot.js';
import { serializeSnapshot, SnapshotSerializer } from '../../../src/storage/format/snapshot-writer.js';
import { nodeDigest, treeDigest } from '../../../src/storage/format/digest.js';
import { DataTree } from '../../../src/tree/data-tree.js';
import { naiveAdler32, OPEN, READ_AND_DIGEST } from './fixtures.js';
import { bytesOfLatin1, latin1Of } from '../../../src/util/latin1.js';

interface NodeRecord {
  readonly path: string;
  /** The path's bytes in the file when not its UTF-8 (invalid UTF-8, which reads as U+FFFD). */
  readonly pathBytes?: Uint8Array;
  readonly data: Uint8Array | null;
  readonly aclId: bigint;
  readonly stat: StatPersistedT;
}

interface FileParts {
  readonly nodes: readonly NodeRecord[];
  /** The digest section's zxid and digest; none: no section. */
  readonly digest?: { readonly zxid: bigint; readonly digest: bigint };
  /** ZooKeeper 3.9's section after the digest one. */
  readonly lastProcessedZxid?: bigint;
}

/** A snapshot file straight from the grammar: ACL table {1: READ_AND_DIGEST}, the nodes, then the seals. */
function encode(parts: FileParts): Uint8Array {
  const w = new JuteWriter();
  writeRecord(w, R.FileHeader, { magic: 0x5a4b534e, version: 2, dbid: -1n });
  w.writeInt(0);
  w.writeInt(1);
  w.writeLong(1n);
  w.writeInt(READ_AND_DIGEST.length);
  for (const entry of READ_AND_DIGEST) writeRecord(w, R.ACL, entry);
  for (const node of parts.nodes) {
    if (node.pathBytes === undefined) w.writeUstring(node.path);
    else w.writeBuffer(node.pathBytes);
    w.writeBuffer(node.data);
    w.writeLong(node.aclId);
    writeRecord(w, R.StatPersisted, node.stat);
  }
  w.writeUstring('/');
  const seal = () => {
    w.writeLong(BigInt(naiveAdler32(w.toBytes())));
    w.writeUstring('/');
  };
  seal();
  if (parts.digest !== undefined) {
    w.writeLong(parts.digest.zxid);
    w.writeInt(2);
    w.writeLong(parts.digest.digest);
    seal();
  }
  if (parts.lastProcessedZxid !== undefined) {
    w.writeLong(parts.lastProcessedZxid);
    seal();
  }
  return w.toBytes();
}

/** The digest ZooKeeper would store for a tree holding exactly these nodes (plus /zookeeper, which every tree has). */
function expectedDigest(nodes: readonly NodeRecord[]): bigint {
  let sum = 0n;
  const fresh = new DataTree();
  if (!nodes.some((node) => node.path === '/zookeeper')) sum += BigInt(nodeDigest('/zookeeper', fresh.get('/zookeeper')!));
  for (const node of nodes) sum += BigInt(nodeDigest(node.path, { ...node.stat, data: latin1Of(node.data) }));
  return BigInt.asIntN(64, sum);
}

const zeroStat: StatPersistedT = { czxid: 0n, mzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: 0n };

/** Longs with equal high or low halves, the extremes, and values past 2^53. */
const longArb = fc.constantFrom(0n, 1n, 2n, 0x1_0000_0000n, 0x1_0000_0001n, 0x2_0000_0001n, -1n, -0x1_0000_0000n,
  2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, 0x7fffffff_ffffffffn - 0xffffffffn, 1_796_176_187_345n);
const intArb = fc.constantFrom(0, 1, -1, 0x7fffffff, -0x80000000, 32);
const statArb: fc.Arbitrary<StatPersistedT> = fc.record({
  czxid: longArb, mzxid: longArb, ctime: longArb, mtime: longArb, version: intArb, cversion: intArb, aversion: intArb,
  ephemeralOwner: longArb, pzxid: longArb,
});
const dataArb = fc.oneof(fc.constant(null), fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 4097, maxLength: 5000 }));
const nameArb = fc.constantFrom('a', 'b', 'é', 'zookeeper', 'n0000000001', 'x'.repeat(300));

/** Parents-first node records under a root: the reserved nodes keep owner 0, as the tree requires. */
const recordsArb: fc.Arbitrary<NodeRecord[]> = fc.tuple(
  statArb, fc.array(fc.tuple(fc.array(nameArb, { minLength: 1, maxLength: 3 }), dataArb, statArb, fc.boolean()), { maxLength: 25 }),
).map(([rootStat, entries]) => {
  const out: NodeRecord[] = [{ path: '', data: null, aclId: -1n, stat: { ...rootStat, ephemeralOwner: 0n } }];
  const seen = new Set(['']);
  for (const [names, data, stat, readAcl] of entries) {
    for (let depth = 1; depth <= names.length; depth++) {
      const path = `/${names.slice(0, depth).join('/')}`;
      if (seen.has(path)) continue;
      seen.add(path);
      const reserved = path === '/zookeeper' || path.startsWith('/zookeeper/');
      // Only the full path gets the drawn stat; its missing parents are plain nodes.
      const own = depth === names.length;
      out.push({
        path, data: own ? data : null, aclId: own && readAcl ? 1n : -1n,
        stat: own ? { ...stat, ephemeralOwner: reserved ? 0n : stat.ephemeralOwner } : zeroStat,
      });
    }
  }
  return out;
});

const hexOf = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('hex'));

function assertLoaded(tree: DataTree, nodes: readonly NodeRecord[]): void {
  for (const node of nodes) {
    const path = node.path === '' ? '/' : node.path;
    const loaded = tree.get(path);
    assert.ok(loaded !== undefined, path);
    const { czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, pzxid } = loaded;
    assert.deepEqual({ czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, pzxid }, node.stat, path);
    // Null data stays null; empty data is empty.
    assert.equal(hexOf(loaded.data === null ? null : bytesOfLatin1(loaded.data)), hexOf(node.data), path);
    assert.deepEqual(loaded.acl, node.aclId === 1n ? READ_AND_DIGEST : OPEN, path);
  }
}

test('every stat field, the data and the ACL of every node load as stored, and the digest check sees them', () => {
  fc.assert(fc.property(recordsArb, fc.constantFrom(5n, 0x1_0000_0005n), (nodes, zxid) => {
    const digest = expectedDigest(nodes);
    const bytes = encode({ nodes, digest: { zxid, digest } });
    const loaded = deserializeSnapshot(bytes, { zxid });
    assertLoaded(loaded.tree, nodes);
    assert.equal(loaded.digestCheck, 'match');
    assert.equal(treeDigest(loaded.tree.nodes), digest);
    loaded.tree.invariants();

    // readSnapshot gives each node its own stat object, equal to what was stored.
    const contents = readSnapshot(bytes);
    assert.deepEqual(contents.nodes.map((node) => ({ ...node.stat })), nodes.map((node) => node.stat));
    assert.equal(new Set(contents.nodes.map((node) => node.stat)).size, nodes.length);

    // In two steps, with the checks computed apart (as a worker thread does) or left to finish.
    for (const checks of [snapshotChecks(bytes), undefined, { ...snapshotChecks(bytes), length: 1 }]) {
      const deferred = deserializeSnapshotDeferred(bytes, { zxid }).finish(checks);
      assertLoaded(deferred.tree, nodes);
      assert.equal(deferred.digestCheck, 'match');
    }

    // A stored digest one off is a mismatch; one at another zxid is not checked.
    assert.equal(deserializeSnapshot(encode({ nodes, digest: { zxid, digest: digest + 1n } }), { zxid }).digestCheck, 'mismatch');
    assert.equal(deserializeSnapshot(bytes, { zxid: zxid + 1n }).digestCheck, 'skipped');
  }), { numRuns: 300 });
});

test('a stat field changed in the file is loaded changed and fails the digest check', () => {
  const base: StatPersistedT = { czxid: 11n, mzxid: 12n, ctime: 13n, mtime: 14n, version: 15, cversion: 16, aversion: 17, ephemeralOwner: 0n, pzxid: 19n };
  const nodes = (stat: StatPersistedT): NodeRecord[] => [
    { path: '', data: null, aclId: -1n, stat: zeroStat },
    { path: '/n', data: new Uint8Array([1, 2, 3]), aclId: -1n, stat },
  ];
  const digest = expectedDigest(nodes(base));
  assert.equal(deserializeSnapshot(encode({ nodes: nodes(base), digest: { zxid: 9n, digest } }), { zxid: 9n }).digestCheck, 'match');
  for (const field of Object.keys(base) as (keyof StatPersistedT)[]) {
    const changed = { ...base, [field]: typeof base[field] === 'bigint' ? (base[field] as bigint) + 0x1_0000_0000n : (base[field] as number) + 1 };
    const loaded = deserializeSnapshot(encode({ nodes: nodes(changed), digest: { zxid: 9n, digest } }), { zxid: 9n });
    assertLoaded(loaded.tree, nodes(changed));
    assert.equal(loaded.digestCheck, 'mismatch', field);
  }
  // The data and the path count too.
  const otherData = nodes(base).map((node) => (node.path === '/n' ? { ...node, data: new Uint8Array([1, 2, 4]) } : node));
  assert.equal(deserializeSnapshot(encode({ nodes: otherData, digest: { zxid: 9n, digest } }), { zxid: 9n }).digestCheck, 'mismatch');
  const otherPath = nodes(base).map((node) => (node.path === '/n' ? { ...node, path: '/m' } : node));
  assert.equal(deserializeSnapshot(encode({ nodes: otherPath, digest: { zxid: 9n, digest } }), { zxid: 9n }).digestCheck, 'mismatch');
});

test('the digest check covers the reserved nodes a file leaves out, and hashes /zookeeper/* as 0', () => {
  const nodes: NodeRecord[] = [
    { path: '', data: null, aclId: -1n, stat: { ...zeroStat, pzxid: 3n } },
    { path: '/zookeeper/quota', data: new Uint8Array([9]), aclId: -1n, stat: { ...zeroStat, version: 4 } },
    { path: '/a', data: new Uint8Array([1]), aclId: 1n, stat: { ...zeroStat, czxid: 3n, mzxid: 3n, pzxid: 3n } },
  ];
  const digest = expectedDigest(nodes);
  const loaded = deserializeSnapshot(encode({ nodes, digest: { zxid: 3n, digest } }), { zxid: 3n });
  assert.equal(loaded.digestCheck, 'match');
  assert.equal(treeDigest(loaded.tree.nodes), digest);
});

test('the digest check with ZooKeeper 3.9\'s lastProcessedZxid section after the digest one', () => {
  const nodes: NodeRecord[] = [
    { path: '', data: null, aclId: -1n, stat: zeroStat },
    { path: '/a', data: new Uint8Array([1]), aclId: -1n, stat: { ...zeroStat, czxid: 7n, mzxid: 7n, pzxid: 7n } },
  ];
  const digest = expectedDigest(nodes);
  const bytes = encode({ nodes, digest: { zxid: 7n, digest }, lastProcessedZxid: 7n });
  assert.equal(deserializeSnapshot(bytes).digestCheck, 'match');
  assert.equal(deserializeSnapshot(bytes, { zxid: 7n }).digestCheck, 'match');
  assert.equal(deserializeSnapshot(encode({ nodes, digest: { zxid: 7n, digest: digest ^ 1n }, lastProcessedZxid: 7n })).digestCheck, 'mismatch');
  // The tree is at the 3.9 section's zxid, the digest at another: not compared.
  assert.equal(deserializeSnapshot(encode({ nodes, digest: { zxid: 7n, digest }, lastProcessedZxid: 8n })).digestCheck, 'skipped');
  assert.equal(deserializeSnapshot(encode({ nodes })).digestCheck, 'skipped');
});

test('written digests equal the tree digest, for trees with non-ASCII, long and reserved paths', () => {
  const tree = new DataTree();
  const names = ['a', 'é', '日本', 'x'.repeat(300)];
  let zxid = 1n;
  const header = () => ({ clientId: 5n, cxid: 0, zxid: zxid++, timeMs: 1_700_000_000_000n + zxid });
  for (const first of names) {
    tree.applyTxn(header(), { type: 'create', path: `/${first}`, data: new Uint8Array([1, 2]), acl: OPEN, ephemeral: false, parentCVersion: -1 });
    for (const second of names) {
      tree.applyTxn(header(), { type: 'create', path: `/${first}/${second}`, data: null, acl: READ_AND_DIGEST, ephemeral: true, parentCVersion: -1 });
    }
  }
  tree.applyTxn(header(), { type: 'setData', path: '/zookeeper/quota', data: new Uint8Array([7]), version: 1 });
  const bytes = serializeSnapshot(tree, [{ sessionId: 5n, timeoutMs: 30000 }]);
  assert.equal(readSnapshot(bytes).digest?.digest, treeDigest(tree.nodes));
  assert.equal(deserializeSnapshot(bytes, { zxid: tree.lastProcessedZxid }).digestCheck, 'match');
  assert.equal(deserializeSnapshot(serializeSnapshot(tree, [], tree.lastProcessedZxid, { digest: false }), { zxid: tree.lastProcessedZxid }).digestCheck, 'skipped');
});

test('a path that is not valid UTF-8 loads with U+FFFD and hashes as that string\'s UTF-8, as ZooKeeper\'s String would', () => {
  const nodes: NodeRecord[] = [
    { path: '', data: null, aclId: -1n, stat: zeroStat },
    { path: '/a\ufffdb', pathBytes: new Uint8Array([0x2f, 0x61, 0xff, 0x62]), data: new Uint8Array([1]), aclId: -1n, stat: { ...zeroStat, czxid: 2n, mzxid: 2n, pzxid: 2n } },
  ];
  const digest = expectedDigest(nodes);
  const loaded = deserializeSnapshot(encode({ nodes, digest: { zxid: 2n, digest } }), { zxid: 2n });
  assert.deepEqual([...loaded.tree.nodes.keys()].filter((path) => path.startsWith('/a')), ['/a\ufffdb']);
  assert.equal(loaded.digestCheck, 'match');
});

test('in two steps, a damaged file fails as it does in one, whoever computes the checks', () => {
  const nodes: NodeRecord[] = [
    { path: '', data: null, aclId: -1n, stat: zeroStat },
    { path: '/a', data: new Uint8Array([1, 2, 3, 4]), aclId: -1n, stat: { ...zeroStat, czxid: 7n, mzxid: 7n, pzxid: 7n } },
  ];
  const digest = expectedDigest(nodes);
  for (const lastProcessedZxid of [undefined, 7n]) {
    const bytes = encode({ nodes, digest: { zxid: 7n, digest }, ...(lastProcessedZxid === undefined ? {} : { lastProcessedZxid }) });
    const checks = snapshotChecks(bytes);
    assert.equal(checks.sealSums.length, lastProcessedZxid === undefined ? 2 : 3);
    assert.equal(deserializeSnapshotDeferred(bytes).finish(checks).digestCheck, 'match');
    // A data byte changed: the nodes' seal no longer matches.
    const at = Buffer.from(bytes).indexOf(Buffer.from([1, 2, 3, 4]));
    const damaged = bytes.slice();
    damaged[at + 1] = 9;
    const corrupt = (error: unknown) => error instanceof SnapshotError && error.code === 'corrupt' && /nodes: checksum mismatch/.test(error.message);
    assert.throws(() => deserializeSnapshot(damaged), corrupt);
    assert.throws(() => deserializeSnapshotDeferred(damaged).finish(snapshotChecks(damaged)), corrupt);
    assert.throws(() => deserializeSnapshotDeferred(damaged).finish(), corrupt);
    // Checks of other bytes are not trusted: here those of the undamaged file.
    assert.throws(() => deserializeSnapshotDeferred(damaged).finish({ ...checks, length: damaged.length + 1 }), corrupt);
    const pending = deserializeSnapshotDeferred(bytes);
    pending.finish(checks);
    assert.throws(() => pending.finish(checks), /twice/);
  }
  // Structure errors come from the first step.
  assert.throws(() => deserializeSnapshotDeferred(new Uint8Array(20)), (error: unknown) => error instanceof SnapshotError && error.code === 'incomplete');
});

test('nextView hands out the same bytes as next, without copying them', () => {
  const tree = new DataTree();
  for (let i = 0; i < 200; i++) {
    tree.applyTxn({ clientId: 1n, cxid: i, zxid: BigInt(i + 1), timeMs: BigInt(i) },
      { type: 'create', path: `/n${i}`, data: new Uint8Array(i % 50).fill(i), acl: OPEN, ephemeral: false, parentCVersion: -1 });
  }
  const write = (take: (serializer: SnapshotSerializer) => Uint8Array | undefined) => {
    const view = tree.openView();
    const serializer = new SnapshotSerializer(view, [], view.lastProcessedZxid, view.acls);
    const parts: Uint8Array[] = [];
    for (let part = take(serializer); part !== undefined; part = take(serializer)) parts.push(part.slice());
    view.close();
    return Buffer.concat(parts);
  };
  const copied = write((serializer) => serializer.next(300));
  assert.deepEqual(write((serializer) => serializer.nextView(300)), copied);
  assert.deepEqual(copied, Buffer.from(serializeSnapshot(tree, [])));
});
