/**
 * The snapshot format (src/storage/format/snapshot.ts): an empty tree serializes to the bytes a
 * fresh ZooKeeper 3.8.0 wrote; trees round-trip with every stat and ACL; a snapshot written a
 * slice at a time from a point-in-time view, while txns keep being applied, holds exactly the
 * state at the view's zxid; damaged files fail with the right SnapshotError code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataTree } from '../../../src/tree/data-tree.js';
import type { Txn, TxnHeader } from '../../../src/tree/txn.js';
import { deserializeSnapshot, readSnapshot, SnapshotError } from '../../../src/storage/format/snapshot.js';
import { serializeSnapshot, SnapshotSerializer } from '../../../src/storage/format/snapshot-writer.js';
import { treeDigest } from '../../../src/storage/format/digest.js';
import { capture, hex, OPEN, READ_AND_DIGEST, sampleEntries, sessionA, sessionB, treeOf, treeShape } from './fixtures.js';
import { bytesOfLatin1 } from '../../../src/util/latin1.js';

test('an empty tree at zxid 0 serializes to the bytes of a fresh ZooKeeper 3.8.0 snapshot', () => {
  const live = capture('snapshot0.hex');
  const ours = serializeSnapshot(new DataTree(), [], 0n);
  assert.equal(hex(ours), hex(live));
});

test('ZooKeeper 3.8.0 snapshot reads back as the initial tree', () => {
  const { tree, sessions, digestCheck } = deserializeSnapshot(capture('snapshot0.hex'), { zxid: 0n });
  assert.deepEqual(sessions, []);
  assert.deepEqual(treeShape(tree), treeShape(new DataTree()));
  assert.equal(digestCheck, 'skipped');
});

test('a tree built from every txn type round-trips with stats, ACLs, sessions and a matching digest', () => {
  const tree = treeOf(sampleEntries());
  const sessions = [{ sessionId: sessionA, timeoutMs: 30000 }, { sessionId: sessionB, timeoutMs: 4000 }];
  const bytes = serializeSnapshot(tree, sessions);
  const loaded = deserializeSnapshot(bytes, { zxid: tree.lastProcessedZxid });
  assert.deepEqual(treeShape(loaded.tree), treeShape(tree));
  assert.deepEqual(loaded.sessions, sessions);
  assert.equal(loaded.digestCheck, 'match');
  assert.equal(readSnapshot(bytes).digest?.digest, treeDigest(tree.nodes));
  loaded.tree.invariants();
  // Node data is kept as Latin-1 text: every byte value survives a setData, a snapshot and a load.
  const every = Uint8Array.from({ length: 256 }, (_, i) => i);
  const [path] = [...loaded.tree.nodes.keys()].filter((p) => p.startsWith('/') && p !== '/' && !p.startsWith('/zookeeper'));
  const version = loaded.tree.get(path!)!.version + 1;
  loaded.tree.applyTxn({ clientId: sessionA, cxid: 1, zxid: loaded.tree.lastProcessedZxid + 1n, timeMs: 1n }, { type: 'setData', path: path!, data: every, version });
  assert.deepEqual(new Uint8Array(bytesOfLatin1(loaded.tree.get(path!)!.data!)), every);
  const again = deserializeSnapshot(serializeSnapshot(loaded.tree, []));
  assert.deepEqual(new Uint8Array(bytesOfLatin1(again.tree.get(path!)!.data!)), every);
  assert.equal(again.digestCheck, 'match');
});

const header = (zxid: bigint): TxnHeader => ({ clientId: sessionA, cxid: 0, zxid, timeMs: 1_700_000_000_000n + zxid });
const names = ['a', 'b', 'c', 'é', 'd'];
const pathArb = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`);
const txnArb: fc.Arbitrary<Txn> = fc.oneof(
  fc.record({ path: pathArb, data: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }), acl: fc.constantFrom(OPEN, READ_AND_DIGEST), ephemeral: fc.boolean() })
    .map(({ path, data, acl, ephemeral }) => ({ type: 'create' as const, path, data, acl, ephemeral, parentCVersion: -1 })),
  pathArb.map((path) => ({ type: 'delete' as const, path })),
  fc.record({ path: pathArb, data: fc.uint8Array({ maxLength: 8 }), version: fc.nat(5) }).map((r) => ({ type: 'setData' as const, ...r })),
  fc.record({ path: pathArb, acl: fc.constantFrom(OPEN, READ_AND_DIGEST, [{ perms: 3, id: { scheme: 'ip', id: '10.0.0.1' } }]), version: fc.nat(5) })
    .map((r) => ({ type: 'setACL' as const, ...r })),
);

/** Applies txns the way a server would: deletes only of childless nodes (prep checks that). */
function applyAll(tree: DataTree, txns: readonly Txn[], firstZxid: bigint): bigint {
  let zxid = firstZxid;
  for (const txn of txns) {
    if (txn.type === 'delete' && (tree.get(txn.path)?.children.size ?? 0) > 0) continue;
    tree.applyTxn(header(zxid), txn);
    zxid++;
  }
  return zxid;
}

test('a snapshot written in slices from a point-in-time view holds the state at its zxid, whatever is applied meanwhile', () => {
  fc.assert(fc.property(fc.array(txnArb, { maxLength: 40 }), fc.array(txnArb, { maxLength: 40 }), fc.integer({ min: 1, max: 200 }),
    (before, during, sliceBytes) => {
      const tree = new DataTree();
      const next = applyAll(tree, before, 1n);
      const expected = serializeSnapshot(tree, []);
      const expectedShape = treeShape(deserializeSnapshot(expected).tree);

      const view = tree.openView();
      const serializer = new SnapshotSerializer(view, [], view.lastProcessedZxid, view.acls);
      const parts: Uint8Array[] = [];
      let zxid = next;
      for (let part = serializer.next(sliceBytes); part !== undefined; part = serializer.next(sliceBytes)) {
        parts.push(part);
        // Between slices, the server goes on applying txns.
        const txn = during[parts.length % Math.max(1, during.length)];
        if (txn !== undefined) zxid = applyAll(tree, [txn], zxid);
      }
      view.close();
      const bytes = Buffer.concat(parts);
      const loaded = deserializeSnapshot(bytes, { zxid: view.lastProcessedZxid });
      assert.deepEqual(treeShape(loaded.tree), expectedShape);
      assert.equal(loaded.digestCheck, view.lastProcessedZxid === 0n ? 'skipped' : 'match');
      tree.invariants();
    }), { numRuns: 300 });
});

test('a view walks depth first, parents first; a node deleted with children left takes its subtree along', () => {
  const create = (path: string): Txn => ({ type: 'create', path, data: null, acl: OPEN, ephemeral: false, parentCVersion: -1 });
  const tree = new DataTree();
  // A parent deleted and created again goes to the end of its parent's children.
  let zxid = applyAll(tree, [create('/a'), create('/a/b'), create('/c'), { type: 'delete', path: '/a/b' }, { type: 'delete', path: '/a' }, create('/a'), create('/a/d'), create('/c/e')], 1n);
  const writeFromView = () => {
    const view = tree.openView();
    const serializer = new SnapshotSerializer(view, [], view.lastProcessedZxid, view.acls);
    const parts: Uint8Array[] = [];
    for (let part = serializer.next(16); part !== undefined; part = serializer.next(16)) parts.push(part);
    view.close();
    const bytes = Buffer.concat(parts);
    return { listed: readSnapshot(bytes).nodes.map((node) => node.path), loaded: deserializeSnapshot(bytes, { zxid: view.lastProcessedZxid }) };
  };
  const first = writeFromView();
  assert.deepEqual(first.listed, ['', '/zookeeper', '/zookeeper/config', '/zookeeper/quota', '/c', '/c/e', '/a', '/a/d']);
  assert.deepEqual(treeShape(first.loaded.tree), treeShape(tree));
  assert.equal(first.loaded.digestCheck, 'match');

  // Replaying txns over a fuzzy snapshot can delete a node that still has children.
  tree.applyTxn(header(zxid++), { type: 'delete', path: '/c' });
  tree.applyTxn(header(zxid++), create('/c'));
  tree.invariants();
  assert.equal(tree.get('/c/e'), undefined);
  const second = writeFromView();
  assert.deepEqual(second.listed, ['', '/zookeeper', '/zookeeper/config', '/zookeeper/quota', '/a', '/a/d', '/c']);
  assert.deepEqual([...second.loaded.tree.nodes.keys()].sort(), ['/', '/a', '/a/d', '/c', '/zookeeper', '/zookeeper/config', '/zookeeper/quota']);
});

test('the ACL cache shares one array per distinct ACL and drops unused ones', () => {
  const tree = new DataTree();
  for (let i = 0; i < 50; i++) {
    tree.applyTxn(header(BigInt(i + 1)), { type: 'create', path: `/n${i}`, data: null, acl: READ_AND_DIGEST.map((e) => ({ ...e, id: { ...e.id } })), ephemeral: false, parentCVersion: -1 });
  }
  assert.equal(tree.get('/n0')!.acl, tree.get('/n49')!.acl);
  const before = tree.acls.size;
  for (let i = 0; i < 50; i++) tree.applyTxn(header(BigInt(100 + i)), { type: 'delete', path: `/n${i}` });
  assert.equal(tree.acls.size, before - 1);
  tree.invariants();
});

test('damaged snapshots fail with the right code', () => {
  const bytes = serializeSnapshot(treeOf(sampleEntries()), [{ sessionId: sessionA, timeoutMs: 30000 }]);
  const expectCode = (input: Uint8Array, code: string) => assert.throws(() => readSnapshot(input), (error: unknown) => error instanceof SnapshotError && error.code === code);
  expectCode(bytes.slice(0, bytes.length - 7), 'incomplete');
  expectCode(bytes.slice(0, 0), 'incomplete');
  const flipped = bytes.slice();
  flipped[60] = flipped[60]! ^ 0x40;
  expectCode(flipped, 'corrupt');
  const badMagic = bytes.slice();
  badMagic[0] = 0;
  expectCode(badMagic, 'corrupt');
  const badVersion = bytes.slice();
  badVersion[7] = 9;
  expectCode(badVersion, 'unsupported');
});
