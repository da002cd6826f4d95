/**
 * Replay (src/storage/replay.ts): txns replayed over a snapshot give the state the server had,
 * whether the snapshot is exact at its zxid or fuzzy (already holding some later changes, as
 * ZooKeeper's are); sessions follow createSession/closeSession; ephemerals of sessions that are
 * gone are dropped at the end; entries out of order are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataTree } from '../../../src/tree/data-tree.js';
import type { Txn, TxnHeader } from '../../../src/tree/txn.js';
import type { LogEntry } from '../../../src/storage/format/txn-codec.js';
import { deserializeSnapshot } from '../../../src/storage/format/snapshot.js';
import { serializeSnapshot } from '../../../src/storage/format/snapshot-writer.js';
import { Replay, ReplayError } from '../../../src/storage/replay.js';
import { OPEN, sessionA, sessionB, treeShape } from './fixtures.js';

const names = ['a', 'b', 'c'];
type Step = { kind: 'create' | 'delete' | 'set' | 'open' | 'close'; path: string; session: bigint; ephemeral: boolean; data: number };
const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('create', 'create', 'delete', 'set', 'open', 'close'),
  path: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
  session: fc.constantFrom(sessionA, sessionB),
  ephemeral: fc.boolean(),
  data: fc.nat(99),
});

/** Runs steps as a server would: only txns valid on the current tree are logged, with absolute parent cversions. */
function serve(steps: readonly Step[]): { log: LogEntry[]; states: DataTree[] } {
  const tree = new DataTree();
  const live = new Set<bigint>();
  const log: LogEntry[] = [];
  const states: DataTree[] = [];
  let zxid = 0n;
  for (const step of steps) {
    let txn: Txn | undefined;
    let type = 0;
    const node = tree.get(step.path);
    const parentPath = step.path.slice(0, step.path.lastIndexOf('/')) || '/';
    const parent = tree.get(parentPath);
    switch (step.kind) {
      case 'create':
        if (node === undefined && parent !== undefined && parent.ephemeralOwner === 0n && (!step.ephemeral || live.has(step.session))) {
          txn = { type: 'create', path: step.path, data: Uint8Array.of(step.data), acl: OPEN, ephemeral: step.ephemeral, parentCVersion: parent.cversion + 1 };
          type = 1;
        }
        break;
      case 'delete':
        if (node !== undefined && node.children.size === 0) { txn = { type: 'delete', path: step.path }; type = 2; }
        break;
      case 'set':
        if (node !== undefined) { txn = { type: 'setData', path: step.path, data: Uint8Array.of(step.data), version: node.version + 1 }; type = 5; }
        break;
      case 'open':
        if (!live.has(step.session)) { txn = { type: 'createSession', timeOut: 30000 }; type = -10; live.add(step.session); }
        break;
      case 'close':
        if (live.has(step.session)) { txn = { type: 'closeSession', paths2Delete: [...tree.ephemeralsOf(step.session)] }; type = -11; live.delete(step.session); }
        break;
    }
    if (txn === undefined) continue;
    zxid++;
    const header: TxnHeader = { clientId: step.session, cxid: 0, zxid, timeMs: 1_000n + zxid };
    tree.applyTxn(header, txn);
    log.push({ header, type, txn });
    states.push(copyOf(tree));
  }
  return { log, states };
}

function copyOf(tree: DataTree): DataTree {
  return deserializeSnapshot(serializeSnapshot(tree, []), { zxid: tree.lastProcessedZxid }).tree;
}

function sessionsAfter(log: readonly LogEntry[]): bigint[] {
  const live = new Set<bigint>();
  for (const { header, txn } of log) {
    if (txn.type === 'createSession') live.add(header.clientId);
    if (txn.type === 'closeSession') live.delete(header.clientId);
  }
  return [...live].sort();
}

test('replaying the log after an exact or a fuzzy snapshot reaches the server\'s final state', () => {
  fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), fc.nat(), fc.nat(), (steps, cutSeed, fuzzSeed) => {
    const { log, states } = serve(steps);
    if (log.length === 0) return;
    const final = states[states.length - 1]!;
    const cut = cutSeed % log.length;
    // Exact: the state after `cut` txns. Fuzzy: a later state, labelled as if taken at `cut`.
    const later = cut + (fuzzSeed % (log.length - cut));
    for (const base of [cut === 0 ? new DataTree() : states[cut - 1]!, states[later]!]) {
      const tree = copyOf(base);
      tree.lastProcessedZxid = BigInt(cut);
      const sessions = sessionsAfter(log.slice(0, cut)).map((sessionId) => ({ sessionId, timeoutMs: 30000 }));
      const replay = new Replay(tree, sessions);
      for (const entry of log) replay.apply(entry, 'test');
      replay.finish();
      assert.deepEqual(treeShape(tree), treeShape(final));
      assert.deepEqual(replay.sessionList().map((s) => s.sessionId).sort(), sessionsAfter(log));
      tree.invariants();
    }
  }), { numRuns: 500 });
});

test('ephemerals of sessions that are gone are removed when the replay ends', () => {
  const tree = new DataTree();
  const header = (zxid: bigint, clientId: bigint): TxnHeader => ({ clientId, cxid: 0, zxid, timeMs: 0n });
  tree.applyTxn(header(1n, sessionA), { type: 'create', path: '/e', data: null, acl: OPEN, ephemeral: true, parentCVersion: 1 });
  const replay = new Replay(tree, [{ sessionId: sessionB, timeoutMs: 5000 }]);
  assert.deepEqual(replay.finish(), ['/e']);
  assert.equal(tree.get('/e'), undefined);
  assert.deepEqual(replay.sessionList(), [{ sessionId: sessionB, timeoutMs: 5000 }]);
});

test('a plain create meeting an existing node still moves its parent\'s cversion forward, as ZooKeeper does', () => {
  const tree = new DataTree();
  const header = (zxid: bigint): TxnHeader => ({ clientId: 0n, cxid: 0, zxid, timeMs: 0n });
  tree.applyTxn(header(1n), { type: 'create', path: '/p', data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 });
  tree.applyTxn(header(2n), { type: 'create', path: '/p/x', data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 });
  tree.lastProcessedZxid = 2n;
  const replay = new Replay(tree, []);
  replay.apply({ header: header(3n), type: 1, txn: { type: 'create', path: '/p/x', data: null, acl: OPEN, ephemeral: false, parentCVersion: 4 } }, 'test');
  assert.equal(tree.get('/p')!.cversion, 4);
  assert.equal(tree.get('/p')!.pzxid, 3n);
  assert.equal(replay.stats.failed, 1);
});

test('entries at or below the snapshot are skipped; going backwards after applying is refused', () => {
  const tree = new DataTree();
  tree.lastProcessedZxid = 5n;
  const replay = new Replay(tree, []);
  const entry = (zxid: bigint): LogEntry => ({ header: { clientId: sessionA, cxid: 0, zxid, timeMs: 0n }, type: -10, txn: { type: 'createSession', timeOut: 1000 } });
  replay.apply(entry(4n), 'a');
  replay.apply(entry(5n), 'b');
  assert.equal(replay.stats.skipped, 2);
  replay.apply(entry(6n), 'c');
  assert.throws(() => replay.apply(entry(6n), 'log.1 at offset 99'), (error: unknown) => error instanceof ReplayError && /log.1 at offset 99/.test(error.message));
});
