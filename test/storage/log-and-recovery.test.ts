/**
 * The storage layer on real files (src/storage/file): the group-commit log writer batches,
 * reports durability in order, rolls and preallocates; recovery rebuilds the tree from a
 * snapshot and the logs after it; a torn or checksum-damaged tail is cut off at the right
 * offset (tried at many offsets); damage before valid records, a missing snapshot, a gap and
 * files ZooKeeper's tools would not read stop recovery with the file and offset named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataTree } from '../../src/tree/data-tree.js';
import type { TxnHeader } from '../../src/tree/txn.js';
import type { LogEntry } from '../../src/storage/format/txn-codec.js';
import { encodeLogEntry, encodeLogHeader, scanLog } from '../../src/storage/format/txn-log.js';
import { VERSION_DIR } from '../../src/storage/format/file-names.js';
import { TxnLogWriter } from '../../src/storage/file/txn-log-writer.js';
import { writeSnapshot } from '../../src/storage/file/snapshotter.js';
import { recover, RecoveryError } from '../../src/storage/file/recover.js';
import { treeShape } from '../unit/storage/fixtures.js';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const session = 0x1234n;

function entry(zxid: bigint): LogEntry {
  const header: TxnHeader = { clientId: session, cxid: Number(zxid), zxid, timeMs: 1_700_000_000_000n + zxid };
  if (zxid === 1n) return { header, type: -10, txn: { type: 'createSession', timeOut: 20000 } };
  return { header, type: 1, txn: { type: 'create', path: `/n${zxid}`, data: new TextEncoder().encode(`v${zxid}`.repeat(Number(zxid % 7n) + 1)), acl: OPEN, ephemeral: zxid % 5n === 0n, parentCVersion: Number(zxid) - 1 } };
}

function freshDir(): { dir: string; v2: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'zkts-storage-'));
  const v2 = join(dir, VERSION_DIR);
  mkdirSync(v2);
  return { dir, v2, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function writerFor(v2: string, durable: bigint[], preAllocBytes = 4096, inlineSyncMsMax?: number) {
  return new TxnLogWriter({ dir: v2, forceSync: true, preAllocBytes, fsyncWarningThresholdMs: 10_000, inlineSyncMsMax }, {
    onDurable: (zxid) => durable.push(zxid),
    onError: (error) => { throw error; },
  });
}

/** The tree a server would have after applying entries 1..n. */
function expectedTree(n: number): DataTree {
  const tree = new DataTree();
  for (let zxid = 1n; zxid <= BigInt(n); zxid++) tree.applyTxn(entry(zxid).header, entry(zxid).txn);
  return tree;
}

async function writeLog(v2: string, count: number, rollEvery = 0): Promise<void> {
  const durable: bigint[] = [];
  const writer = writerFor(v2, durable);
  for (let zxid = 1n; zxid <= BigInt(count); zxid++) {
    if (rollEvery > 0 && zxid > 1n && (zxid - 1n) % BigInt(rollEvery) === 0n) writer.roll();
    writer.append([entry(zxid)]);
  }
  await writer.close();
}

test('the writer batches appends made during a flush, reports durability in order, rolls and preallocates', async () => {
  const { v2, done } = freshDir();
  try {
    const durable: bigint[] = [];
    const writer = writerFor(v2, durable);
    for (let zxid = 1n; zxid <= 200n; zxid++) writer.append([entry(zxid)]);
    await writer.idle();
    // 200 appends in one turn of the event loop share one flush, which starts after the turn.
    assert.equal(writer.stats.flushes, 1, `${writer.stats.flushes} flushes for 200 appends`);
    assert.deepEqual([...durable].sort((a, b) => Number(a - b)), durable);
    assert.equal(durable[durable.length - 1], 200n);
    writer.roll();
    writer.append([entry(201n), entry(202n)]);
    await writer.close();
    assert.deepEqual(readdirSync(v2).sort(), ['log.1', 'log.c9']);
    const first = new Uint8Array(readFileSync(join(v2, 'log.1')));
    assert.equal(first.length % 4096, 0, 'preallocated in whole steps');
    const scan = scanLog(first);
    assert.equal(scan.end.kind, 'clean');
    assert.deepEqual(scan.entries.map((e) => e.entry), Array.from({ length: 200 }, (_, i) => entry(BigInt(i + 1))));
    assert.deepEqual(scanLog(new Uint8Array(readFileSync(join(v2, 'log.c9')))).entries.map((e) => e.entry.header.zxid), [201n, 202n]);
  } finally {
    done();
  }
});

test('small flushes fsync on the event loop while fsyncs are fast, large ones and slow disks in the thread pool', async () => {
  for (const inlineSyncMsMax of [0, Number.POSITIVE_INFINITY]) {
    const { v2, done } = freshDir();
    try {
      const durable: bigint[] = [];
      const writer = writerFor(v2, durable, 4096, inlineSyncMsMax);
      // One writer waiting for each txn: every flush is small.
      for (let zxid = 1n; zxid <= 20n; zxid++) {
        writer.append([entry(zxid)]);
        await writer.idle();
        assert.equal(durable[durable.length - 1], zxid);
      }
      assert.equal(writer.stats.flushes, 20);
      assert.equal(writer.stats.inlineSyncs, inlineSyncMsMax === 0 ? 0 : 20, `inlineSyncMsMax ${inlineSyncMsMax}`);
      // A batch over 4 KiB goes to the thread pool whatever the last fsync took.
      const batch = Array.from({ length: 300 }, (_, i) => entry(BigInt(21 + i)));
      writer.append(batch);
      await writer.close();
      assert.equal(writer.stats.inlineSyncs, inlineSyncMsMax === 0 ? 0 : 20);
      assert.equal(durable[durable.length - 1], 320n);
      const scan = scanLog(new Uint8Array(readFileSync(join(v2, 'log.1'))));
      assert.deepEqual(scan.entries.map((e) => e.entry.header.zxid), Array.from({ length: 320 }, (_, i) => BigInt(i + 1)));
    } finally {
      done();
    }
  }
});

test('recovery: a snapshot plus the logs after it give the tree and sessions back', async () => {
  const { dir, v2, done } = freshDir();
  try {
    await writeLog(v2, 40, 15);
    // A snapshot taken at zxid 20, in the middle of the second log file.
    await writeSnapshot(expectedTree(20), [{ sessionId: session, timeoutMs: 20000 }], { dir: v2, fsync: false });
    const { state, report } = await recover(dir, dir, () => performance.now());
    state.tree.invariants();
    assert.deepEqual(treeShape(state.tree), treeShape(expectedTree(40)));
    assert.deepEqual(state.sessions, [{ sessionId: session, timeoutMs: 20000 }]);
    assert.equal(report.snapshot?.zxid, 20n);
    assert.equal(report.txnsApplied, 20);
    // log.1 holds 1..15 and is not needed; log.10 (16..30) holds the first txn after the snapshot.
    assert.deepEqual(report.logFiles.map((file) => file.slice(file.lastIndexOf('/') + 1)), ['log.10', 'log.1f']);
  } finally {
    done();
  }
});

test('recovery: a torn or checksum-damaged tail is cut off where its record starts, at every offset tried', async () => {
  const { dir, v2, done } = freshDir();
  try {
    await writeSnapshot(new DataTree(), [], { dir: v2, fsync: false });
    await writeLog(v2, 12);
    const pristine = readFileSync(join(v2, 'log.1'));
    const records = scanLog(pristine).entries;
    const last = records[records.length - 1]!;
    const cases: { what: string; bytes: Buffer }[] = [];
    // Cut inside the last record at every byte.
    for (let at = last.offset + 1; at < last.end; at++) cases.push({ what: `cut at ${at}`, bytes: pristine.subarray(0, at) });
    // The last record's bytes present but wrong (a page that never reached the disk).
    for (let at = last.offset + 12; at < last.end - 1; at += 7) {
      const damaged = Buffer.from(pristine);
      damaged[at] = damaged[at]! ^ 0xff;
      cases.push({ what: `byte ${at} flipped`, bytes: damaged });
    }
    for (const { what, bytes } of cases) {
      writeFileSync(join(v2, 'log.1'), bytes);
      const { state, report } = await recover(dir, dir, () => performance.now());
      state.tree.invariants();
      assert.equal(state.tree.lastProcessedZxid, 11n, what);
      assert.deepEqual(treeShape(state.tree), treeShape(expectedTree(11)), what);
      // A tail of zeros (the checksum's high half is always 0) reads as padding: nothing to cut.
      if (bytes.subarray(last.offset).every((byte) => byte === 0)) {
        assert.equal(report.truncated.length, 0, what);
        continue;
      }
      assert.equal(report.truncated.length, 1, what);
      assert.equal(report.truncated[0]!.offset, last.offset, what);
      assert.match(report.truncated[0]!.reason, new RegExp(`log\\.1 at offset ${last.offset}`), what);
      assert.equal(statSync(join(v2, 'log.1')).size, last.offset, `${what}: file truncated`);
      // Recovering again finds a clean log.
      assert.equal((await recover(dir, dir, () => performance.now())).report.truncated.length, 0, what);
    }
  } finally {
    done();
  }
});

test('recovery refuses damage before valid records, naming file and offset', async () => {
  const { dir, v2, done } = freshDir();
  try {
    await writeSnapshot(new DataTree(), [], { dir: v2, fsync: false });
    await writeLog(v2, 12);
    const pristine = readFileSync(join(v2, 'log.1'));
    const third = scanLog(pristine).entries[2]!;
    const damaged = Buffer.from(pristine);
    damaged[third.offset + 20] = damaged[third.offset + 20]! ^ 0x01;
    writeFileSync(join(v2, 'log.1'), damaged);
    await assert.rejects(recover(dir, dir, () => performance.now()), (error: unknown) =>
      error instanceof RecoveryError && error.message.includes(`log.1 at offset ${third.offset}: checksum mismatch`) && /Valid records follow/.test(error.message));
    // Nothing was cut.
    assert.deepEqual(readFileSync(join(v2, 'log.1')), damaged);
  } finally {
    done();
  }
});

/**
 * One log file of `fileBytes` holding entry(1..count), whose records reach past the first MiB
 * recovery reads; with `headAt`, one create is padded so that the next record starts there.
 */
function bigLog(count: number, fileBytes: number, headAt?: number): { bytes: Uint8Array; entries: LogEntry[]; records: { offset: number; end: number }[] } {
  const entries: LogEntry[] = [];
  const records: { offset: number; end: number }[] = [];
  const bytes = new Uint8Array(fileBytes);
  bytes.set(encodeLogHeader());
  let length = 16;
  for (let zxid = 1n; zxid <= BigInt(count); zxid++) {
    let next = entry(zxid);
    if (headAt !== undefined && next.txn.type === 'create' && length < headAt && length + 2 * encodeLogEntry(next).length > headAt) {
      const base = encodeLogEntry({ ...next, txn: { ...next.txn, data: new Uint8Array(0) } }).length;
      next = { ...next, txn: { ...next.txn, data: new Uint8Array(headAt - length - base).fill(0x61) } };
    }
    const record = encodeLogEntry(next);
    bytes.set(record, length);
    entries.push(next);
    records.push({ offset: length, end: length + record.length });
    length += record.length;
  }
  return { bytes, entries, records };
}

test('recovery reads a log past its first MiB, also when a read ends inside a record head', async () => {
  const { dir, v2, done } = freshDir();
  try {
    await writeSnapshot(new DataTree(), [], { dir: v2, fsync: false });
    // A record head starts with the checksum's high half, always 0: cut there, it is not padding.
    for (const headAt of [undefined, 2 ** 20 - 2, 2 ** 20 - 4, 2 ** 20 - 11]) {
      const { bytes, entries, records } = bigLog(30_000, 16 * 2 ** 20, headAt);
      assert.ok(records.at(-1)!.end > 2 ** 21, 'records reach past the second read');
      if (headAt !== undefined) assert.ok(records.some((record) => record.offset === headAt), `a record starts at ${headAt}`);
      writeFileSync(join(v2, 'log.1'), bytes);
      const { state, report } = await recover(dir, dir, () => performance.now());
      const expected = new DataTree();
      for (const logged of entries) expected.applyTxn(logged.header, logged.txn);
      assert.equal(report.txnsApplied, entries.length, `head at ${headAt}`);
      assert.deepEqual(treeShape(state.tree), treeShape(expected), `head at ${headAt}`);
      assert.deepEqual(report.truncated, []);
    }
  } finally {
    done();
  }
});

test('recovery of a long log refuses a checksum mismatch when a valid record follows a run of zeros after it', async () => {
  const { dir, v2, done } = freshDir();
  try {
    await writeSnapshot(new DataTree(), [], { dir: v2, fsync: false });
    const { bytes, records } = bigLog(20_000, 16 * 2 ** 20);
    // The next to last record damaged, the last moved past 64 KiB of zeros (pages that never
    // reached the disk): reading stops at the zeros, but the damage is judged with what follows.
    const damaged = records.at(-2)!;
    const last = records.at(-1)!;
    bytes[damaged.offset + 40] = bytes[damaged.offset + 40]! ^ 0x01;
    const lastBytes = bytes.slice(last.offset, last.end);
    bytes.fill(0, last.offset);
    bytes.set(lastBytes, last.offset + 65536);
    writeFileSync(join(v2, 'log.1'), bytes);
    await assert.rejects(recover(dir, dir, () => performance.now()), (error: unknown) =>
      error instanceof RecoveryError && error.message.includes(`log.1 at offset ${damaged.offset}: checksum mismatch`)
      && error.message.includes(`followed by a valid record at offset ${last.offset + 65536}`) && /Valid records follow/.test(error.message));
    assert.deepEqual(new Uint8Array(readFileSync(join(v2, 'log.1'))), bytes, 'nothing was cut');
  } finally {
    done();
  }
});

test('recovery falls back past a cut-off snapshot, and refuses logs without a snapshot or with a gap', async () => {
  const { dir, v2, done } = freshDir();
  try {
    await writeSnapshot(new DataTree(), [], { dir: v2, fsync: false });
    await writeLog(v2, 30, 10);
    await writeSnapshot(expectedTree(25), [], { dir: v2, fsync: false });
    const newest = join(v2, 'snapshot.19');
    truncateSync(newest, statSync(newest).size - 3);
    // A snapshot write a crash cut short, before its rename.
    writeFileSync(join(v2, 'tmp.snapshot.1e'), readFileSync(newest).subarray(0, 100));
    const { state, report } = await recover(dir, dir, () => performance.now());
    assert.equal(report.snapshot?.zxid, 0n);
    assert.deepEqual(treeShape(state.tree), treeShape(expectedTree(30)));
    assert.match(report.warnings.join('\n'), /snapshot\.19: skipped, .*does not end with a seal/);
    assert.match(report.warnings.join('\n'), /tmp\.snapshot\.1e: removed, a snapshot whose write did not finish/);
    assert.ok(!readdirSync(v2).includes('tmp.snapshot.1e'));

    // The snapshot the logs start from is gone: refuse rather than serve an empty tree.
    for (const name of readdirSync(v2)) if (name.startsWith('snapshot.')) rmSync(join(v2, name));
    await assert.rejects(recover(dir, dir, () => performance.now()), /has txn logs but .* has no snapshot/);

    // A snapshot at 5 and logs from 11 on: txns 6..10 are missing.
    rmSync(join(v2, 'log.1'));
    await writeSnapshot(expectedTree(5), [], { dir: v2, fsync: false });
    await assert.rejects(recover(dir, dir, () => performance.now()), /log\.b at offset 16: the first txn after the snapshot at 0x5 is 0xb: txns 0x6… are missing/);
  } finally {
    done();
  }
});

test('a snapshot written while txns are applied holds the tree at its zxid', async () => {
  const { dir, v2, done } = freshDir();
  try {
    const tree = expectedTree(300);
    const pending = writeSnapshot(tree, [{ sessionId: session, timeoutMs: 20000 }], { dir: v2, fsync: false, sliceBytes: 64 });
    // Keep changing the tree while the slices are written.
    for (let zxid = 301n; zxid <= 400n; zxid++) {
      tree.applyTxn(entry(zxid).header, entry(zxid).txn);
      tree.applyTxn({ ...entry(zxid).header, zxid: zxid + 1000n }, { type: 'setData', path: '/n2', data: new Uint8Array([Number(zxid % 256n)]), version: Number(zxid) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const written = await pending;
    assert.equal(written.zxid, 300n);
    assert.ok(written.keptNodes > 0, 'changes were made while the snapshot ran');
    const { state } = await recover(dir, dir, () => performance.now());
    state.tree.invariants();
    assert.deepEqual(treeShape(state.tree), treeShape(expectedTree(300)));
  } finally {
    done();
  }
});
