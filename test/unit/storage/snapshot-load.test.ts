/**
 * Loading a snapshot file with its checks on a worker thread (src/storage/file/snapshot-load.ts):
 * the same tree, digest check and errors as deserializeSnapshot of the file's bytes, and the
 * same when the worker cannot help.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserializeSnapshot, SnapshotError } from '../../../src/storage/format/snapshot.js';
import { serializeSnapshot } from '../../../src/storage/format/snapshot-writer.js';
import { checksOnWorker, loadShared, loadSnapshotFile, WORKER_MIN_BYTES } from '../../../src/storage/file/snapshot-load.js';
import { DataTree } from '../../../src/tree/data-tree.js';
import { adler32 } from '../../../src/storage/format/adler32.js';
import { OPEN, treeShape } from './fixtures.js';

/** A tree whose snapshot is past WORKER_MIN_BYTES, so the worker is used. */
function bigTree(): DataTree {
  const tree = new DataTree();
  const data = new Uint8Array(2000).fill(7);
  for (let i = 0; i < Math.ceil(WORKER_MIN_BYTES / 2000) + 10; i++) {
    tree.applyTxn({ clientId: 1n, cxid: i, zxid: BigInt(i + 1), timeMs: 1_700_000_000_000n + BigInt(i) },
      { type: 'create', path: `/n${i}`, data, acl: OPEN, ephemeral: false, parentCVersion: -1 });
  }
  return tree;
}

test('a large snapshot file loads with the checks on a worker as it does on one thread; damage fails the same way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zkts-snapload-'));
  try {
    const tree = bigTree();
    const bytes = serializeSnapshot(tree, [{ sessionId: 1n, timeoutMs: 4000 }]);
    assert.ok(bytes.length >= WORKER_MIN_BYTES);
    const path = join(dir, 'snapshot.1');
    writeFileSync(path, bytes);
    const zxid = tree.lastProcessedZxid;
    const expected = deserializeSnapshot(bytes, { zxid });
    for (const worker of [true, false]) {
      const loaded = await loadSnapshotFile(path, { zxid, worker });
      assert.equal(loaded.digestCheck, 'match');
      assert.deepEqual(treeShape(loaded.tree), treeShape(expected.tree));
      assert.deepEqual(loaded.sessions, expected.sessions);
    }
    // The worker's checks, or none (a worker that failed): the same result.
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    const checks = checksOnWorker(shared);
    const viaWorker = await checks.result;
    assert.ok(viaWorker !== undefined);
    assert.equal((await loadShared(shared, { zxid }, { result: Promise.resolve(viaWorker), cancel() {} })).digestCheck, 'match');
    assert.equal((await loadShared(shared, { zxid }, { result: Promise.resolve(undefined), cancel() {} })).digestCheck, 'match');

    const damaged = bytes.slice();
    damaged[damaged.length - 2000] ^= 1;
    writeFileSync(path, damaged);
    await assert.rejects(loadSnapshotFile(path, { zxid }), (error: unknown) => error instanceof SnapshotError && error.code === 'corrupt');
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    await assert.rejects(loadSnapshotFile(path, { zxid }), (error: unknown) => error instanceof SnapshotError && error.code === 'incomplete');
    // A stored digest that does not match is reported, not thrown.
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const otherDigest = bytes.slice();
    new DataView(otherDigest.buffer).setBigInt64(bytes.length - 13 - 8, view.getBigInt64(bytes.length - 13 - 8) + 1n);
    // Re-seal the digest section so only the digest differs.
    new DataView(otherDigest.buffer).setBigInt64(bytes.length - 13, BigInt(adler32(otherDigest, 0, bytes.length - 13)));
    writeFileSync(path, otherDigest);
    assert.equal((await loadSnapshotFile(path, { zxid })).digestCheck, 'mismatch');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
