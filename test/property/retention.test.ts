/**
 * Properties of the purge rule (storage/format/retention.ts) over generated data directories:
 * a history of txns 1..lastZxid split into logs (each named after its first txn, as ZooKeeper
 * rolls them), snapshots at any zxid (fuzzy ones fall anywhere relative to the log boundaries),
 * stray files, one directory or two.
 * - Safe: from every kept snapshot, every later txn is in a kept log — so the newest kept
 *   snapshot, and every older kept one, can be recovered.
 * - Keeps exactly the N newest snapshots, deletes every older one, and every deleted log holds
 *   only txns at or before the oldest kept snapshot.
 * - Idempotent: planning again on what is left deletes nothing.
 * - Touches only files named log.* / snapshot.* in their own directory, never anything else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatLogName, formatSnapshotName } from '../../src/storage/format/file-names.js';
import { planPurge, type PurgePlan } from '../../src/storage/format/retention.js';

interface History {
  readonly lastZxid: number;
  /** First zxid of each log, ascending, the first one 1. */
  readonly logStarts: number[];
  readonly snapshotZxids: number[];
  readonly strays: string[];
  readonly retain: number;
  readonly twoDirs: boolean;
}

const history: fc.Arbitrary<History> = fc.integer({ min: 1, max: 400 }).chain((lastZxid) => fc.record({
  lastZxid: fc.constant(lastZxid),
  logStarts: fc.uniqueArray(fc.integer({ min: 2, max: lastZxid + 1 }), { maxLength: 30 }).map((starts) => starts.filter((start) => start <= lastZxid)).map((starts) => [1, ...starts].sort((a, b) => a - b)),
  snapshotZxids: fc.uniqueArray(fc.integer({ min: 0, max: lastZxid }), { minLength: 0, maxLength: 25 }),
  strays: fc.subarray(['myid', 'acceptedEpoch', 'currentEpoch', 'log.tmp', 'snapshot.x', 'logs', 'snapshot', 'log.1.fixed']),
  retain: fc.integer({ min: 3, max: 8 }),
  twoDirs: fc.boolean(),
}));

function listings(h: History): { snapshotDirFiles: string[]; logDirFiles: string[] } {
  const logs = h.logStarts.map((zxid) => formatLogName(BigInt(zxid)));
  const snapshots = h.snapshotZxids.map((zxid) => formatSnapshotName(BigInt(zxid)));
  if (h.twoDirs) return { snapshotDirFiles: [...snapshots, ...h.strays.filter((name) => !name.startsWith('log'))], logDirFiles: [...logs, ...h.strays.filter((name) => name.startsWith('log'))] };
  const all = [...logs, ...snapshots, ...h.strays];
  return { snapshotDirFiles: all, logDirFiles: all };
}

/** The log (by start zxid) that holds txn `zxid`. */
function logHolding(h: History, zxid: number): number {
  return h.logStarts.filter((start) => start <= zxid).at(-1)!;
}

function plan(h: History): PurgePlan {
  return planPurge({ ...listings(h), snapRetainCount: h.retain });
}

test('every kept snapshot can be recovered: each later txn is in a kept log (property)', () => {
  fc.assert(fc.property(history, (h) => {
    const p = plan(h);
    const deletedLogs = new Set(p.deleteFromLogDir);
    for (const kept of p.retainedSnapshots) {
      const snapshotZxid = Number(BigInt(`0x${kept.split('.')[1]}`));
      for (let zxid = snapshotZxid + 1; zxid <= h.lastZxid; zxid++) {
        const log = formatLogName(BigInt(logHolding(h, zxid)));
        assert.ok(!deletedLogs.has(log), `${log} holds txn ${zxid} after kept ${kept}`);
        assert.ok(p.retainedLogs.includes(log));
      }
    }
  }), { numRuns: 400 });
});

test('keeps exactly the N newest snapshots; deletes all older ones and only logs wholly before them (property)', () => {
  fc.assert(fc.property(history, (h) => {
    const p = plan(h);
    const newestFirst = [...h.snapshotZxids].sort((a, b) => b - a);
    assert.deepEqual(p.retainedSnapshots, newestFirst.slice(0, h.retain).map((zxid) => formatSnapshotName(BigInt(zxid))));
    if (newestFirst.length === 0) {
      assert.deepEqual([p.deleteFromLogDir, p.deleteFromSnapshotDir], [[], []]);
      return;
    }
    const oldestKept = newestFirst[Math.min(h.retain, newestFirst.length) - 1]!;
    const deletedSnapshots = p.deleteFromSnapshotDir.filter((name) => name !== 'snapshot.x');
    assert.deepEqual(deletedSnapshots, newestFirst.filter((zxid) => zxid < oldestKept).reverse().map((zxid) => formatSnapshotName(BigInt(zxid))));
    h.logStarts.forEach((start, index) => {
      const lastInLog = (h.logStarts[index + 1] ?? h.lastZxid + 1) - 1;
      const deleted = p.deleteFromLogDir.includes(formatLogName(BigInt(start)));
      if (deleted) assert.ok(lastInLog <= oldestKept, `deleted log.${start.toString(16)} ends at ${lastInLog}, after ${oldestKept}`);
      // ...and it keeps no log that ends before the one holding the oldest kept snapshot.
      if (!deleted) assert.ok(start >= logHolding(h, Math.max(oldestKept, 1)));
    });
  }), { numRuns: 400 });
});

test('purging what is left deletes nothing more (property)', () => {
  fc.assert(fc.property(history, (h) => {
    const first = plan(h);
    const { snapshotDirFiles, logDirFiles } = listings(h);
    const goneFromSnapshots = new Set(first.deleteFromSnapshotDir);
    const goneFromLogs = new Set(first.deleteFromLogDir);
    const remainingSnapshotDir = snapshotDirFiles.filter((name) => !goneFromSnapshots.has(name) && (h.twoDirs || !goneFromLogs.has(name)));
    const remainingLogDir = h.twoDirs ? logDirFiles.filter((name) => !goneFromLogs.has(name)) : remainingSnapshotDir;
    const second = planPurge({ snapshotDirFiles: remainingSnapshotDir, logDirFiles: remainingLogDir, snapRetainCount: h.retain });
    assert.deepEqual([second.deleteFromSnapshotDir, second.deleteFromLogDir], [[], []]);
    assert.deepEqual(second.retainedSnapshots, first.retainedSnapshots);
  }), { numRuns: 300 });
});

test('only log.* and snapshot.* names from the given lists are deleted (property)', () => {
  fc.assert(fc.property(history, (h) => {
    const p = plan(h);
    const { snapshotDirFiles, logDirFiles } = listings(h);
    for (const name of p.deleteFromSnapshotDir) assert.ok(snapshotDirFiles.includes(name) && name.startsWith('snapshot.'), name);
    for (const name of p.deleteFromLogDir) assert.ok(logDirFiles.includes(name) && name.startsWith('log.'), name);
    for (const name of ['myid', 'acceptedEpoch', 'currentEpoch', 'logs', 'snapshot']) {
      assert.ok(!p.deleteFromLogDir.includes(name) && !p.deleteFromSnapshotDir.includes(name), name);
    }
    for (const kept of [...p.retainedSnapshots, ...p.retainedLogs]) {
      assert.ok(!p.deleteFromLogDir.includes(kept) && !p.deleteFromSnapshotDir.includes(kept), kept);
    }
  }), { numRuns: 300 });
});
