/**
 * The purge rule (storage/format/retention.ts) on hand-made directory listings: ZooKeeper's
 * PurgeTxnLog cases — the fuzzy snapshot whose txns start in an older log, a snapshot at a log's
 * first zxid, fewer snapshots than the count, two directories, names ZooKeeper cannot parse.
 * Properties over generated histories are in test/property/retention.test.ts; the comparison
 * with ZooKeeper's own PurgeTxnLog is in test/interop/storage-format.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zooKeeperZxidFromName } from '../../../src/storage/format/file-names.js';
import { logsNeededAfter, misplacedFilesProblem, planPurge, SNAP_RETAIN_COUNT_MIN } from '../../../src/storage/format/retention.js';

test('keeps the N newest snapshots and the logs from the one holding the oldest kept snapshot\'s next txn', () => {
  // What ZooKeeper 3.8 wrote with snapCount=20 (observed): snapshot.b was taken while log.1 still
  // held txn 0xc, so recovering from it needs log.1.
  const files = ['log.1', 'log.d', 'log.18', 'log.27', 'snapshot.0', 'snapshot.b', 'snapshot.16', 'snapshot.25', 'snapshot.27'];
  const plan = planPurge({ snapshotDirFiles: files, logDirFiles: files, snapRetainCount: 3 });
  assert.deepEqual(plan.retainedSnapshots, ['snapshot.27', 'snapshot.25', 'snapshot.16']);
  assert.equal(plan.oldestRetainedZxid, 0x16n);
  assert.deepEqual(plan.retainedLogs, ['log.d', 'log.18', 'log.27']);
  assert.deepEqual(plan.deleteFromLogDir, ['log.1']);
  assert.deepEqual(plan.deleteFromSnapshotDir, ['snapshot.0', 'snapshot.b']);

  const four = planPurge({ snapshotDirFiles: files, logDirFiles: files, snapRetainCount: 4 });
  assert.deepEqual(four.retainedLogs, ['log.1', 'log.d', 'log.18', 'log.27'], 'snapshot.b needs log.1');
  assert.deepEqual(four.deleteFromLogDir, []);
  assert.deepEqual(four.deleteFromSnapshotDir, ['snapshot.0']);
});

test('a snapshot at a log\'s first zxid keeps that log and lets the older one go', () => {
  const files = ['log.1', 'log.20', 'log.40', 'snapshot.1f', 'snapshot.20', 'snapshot.30', 'snapshot.40'];
  const plan = planPurge({ snapshotDirFiles: files, logDirFiles: files, snapRetainCount: 3 });
  assert.deepEqual(plan.retainedLogs, ['log.20', 'log.40']);
  assert.deepEqual(plan.deleteFromLogDir, ['log.1']);
  assert.deepEqual(plan.deleteFromSnapshotDir, ['snapshot.1f']);
});

test('with no more snapshots than the count, only logs before the oldest snapshot\'s log go', () => {
  const files = ['log.1', 'log.9', 'log.12', 'snapshot.10', 'snapshot.15'];
  const plan = planPurge({ snapshotDirFiles: files, logDirFiles: files, snapRetainCount: 3 });
  assert.deepEqual(plan.retainedSnapshots, ['snapshot.15', 'snapshot.10']);
  assert.deepEqual(plan.deleteFromLogDir, ['log.1']);
  assert.deepEqual(plan.deleteFromSnapshotDir, []);
  const fresh = planPurge({ snapshotDirFiles: ['snapshot.0'], logDirFiles: ['log.1', 'log.5'], snapRetainCount: 3 });
  assert.deepEqual([fresh.deleteFromLogDir, fresh.deleteFromSnapshotDir, fresh.retainedLogs], [[], [], ['log.1', 'log.5']]);
});

test('no snapshot: nothing is deleted', () => {
  const plan = planPurge({ snapshotDirFiles: [], logDirFiles: ['log.1', 'log.5'], snapRetainCount: 3 });
  assert.deepEqual(plan, { retainedSnapshots: [], retainedLogs: [], deleteFromSnapshotDir: [], deleteFromLogDir: [] });
});

test('two directories: each list is planned on its own names', () => {
  const plan = planPurge({
    snapshotDirFiles: ['snapshot.0', 'snapshot.10', 'snapshot.20', 'snapshot.30', 'myid'],
    logDirFiles: ['log.1', 'log.f', 'log.25'],
    snapRetainCount: 3,
  });
  assert.deepEqual(plan.deleteFromSnapshotDir, ['snapshot.0']);
  assert.deepEqual(plan.deleteFromLogDir, ['log.1']);
  assert.equal(misplacedFilesProblem(['snapshot.1', 'log.2'], ['log.3']), 'Snapshot directory has log files. Check if dataLogDir and dataDir configuration is correct.');
  assert.equal(misplacedFilesProblem(['snapshot.1'], ['log.3', 'snapshot.2']), 'Log directory has snapshot files. Check if dataLogDir and dataDir configuration is correct.');
  assert.equal(misplacedFilesProblem(['snapshot.1', 'myid'], ['log.3']), undefined);
});

test('names as ZooKeeper reads them: suffixes count, unreadable zxids are -1 and deleted, other names are left alone', () => {
  assert.equal(zooKeeperZxidFromName('snapshot.1a.gz', 'snapshot'), 0x1an);
  assert.equal(zooKeeperZxidFromName('snapshot.1A', 'snapshot'), 0x1an);
  assert.equal(zooKeeperZxidFromName('log.+10', 'log'), 0x10n);
  assert.equal(zooKeeperZxidFromName('log.-5', 'log'), -5n);
  assert.equal(zooKeeperZxidFromName('log.tmp', 'log'), -1n);
  assert.equal(zooKeeperZxidFromName('log.', 'log'), -1n);
  assert.equal(zooKeeperZxidFromName('log.8000000000000000', 'log'), -1n, 'beyond a signed long');
  assert.equal(zooKeeperZxidFromName('snapshot.5', 'log'), -1n);

  const files = ['log.1', 'log.1.fixed', 'log.tmp', 'log.20', 'snapshot.x', 'snapshot.8.gz', 'snapshot.10', 'snapshot.18', 'snapshot.30',
    'myid', 'acceptedEpoch', 'logs', 'snapshots.1'];
  const plan = planPurge({ snapshotDirFiles: files, logDirFiles: files, snapRetainCount: 3 });
  assert.deepEqual(plan.retainedSnapshots, ['snapshot.30', 'snapshot.18', 'snapshot.10']);
  assert.deepEqual(plan.retainedLogs, ['log.1', 'log.1.fixed', 'log.20'], 'log.1.fixed reads as a log from zxid 1');
  assert.deepEqual(plan.deleteFromLogDir, ['log.tmp']);
  assert.deepEqual(plan.deleteFromSnapshotDir, ['snapshot.x', 'snapshot.8.gz']);
});

test('logsNeededAfter: the newest log starting at or before the zxid, and every later one', () => {
  assert.deepEqual(logsNeededAfter(['log.30', 'log.1', 'log.10'], 0x10n), ['log.10', 'log.30']);
  assert.deepEqual(logsNeededAfter(['log.30', 'log.1', 'log.10'], 0xfn), ['log.1', 'log.10', 'log.30']);
  assert.deepEqual(logsNeededAfter(['log.30', 'snapshot.1', 'myid'], 0x40n), ['log.30']);
  assert.deepEqual(logsNeededAfter([], 5n), []);
});

test('a count below the minimum is refused, as PurgeTxnLog refuses it', () => {
  assert.equal(SNAP_RETAIN_COUNT_MIN, 3);
  assert.throws(() => planPurge({ snapshotDirFiles: [], logDirFiles: [], snapRetainCount: 2 }), /greater than or equal to 3/);
  assert.throws(() => planPurge({ snapshotDirFiles: [], logDirFiles: [], snapRetainCount: 3.5 }), RangeError);
});
