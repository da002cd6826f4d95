/**
 * Recovery on start: the newest valid snapshot in dataDir/version-2, then every txn after it
 * from the logs in dataLogDir/version-2 (ZooKeeper's FileTxnSnapLog.restore), giving the tree
 * and the sessions to start serving from.
 *
 * How each way a file can be found is handled, and why:
 * - A snapshot without its final seal was cut off while being written: skipped with a warning
 *   for the next older one (ZooKeeper does the same). A snapshot that fails its checksum is
 *   skipped likewise; the logs then replay from the older snapshot, and a gap between the
 *   snapshot and the first txn found stops start-up rather than serving a tree with holes.
 * - A log ending in a torn record (a crash during a write: cut short, no end byte, nothing valid
 *   after it) is reported with file and offset and truncated there: no txn in it was ever
 *   acknowledged, since acknowledgement waits for the fsync that covers the whole record.
 * - A log with a checksum mismatch or garbage before valid records, an unknown txn type or file
 *   version, entries out of order, compressed snapshots, or logs without any snapshot stop
 *   start-up with a RecoveryError naming the file, offset and reason: those are not crash
 *   damage, and skipping them could drop acknowledged writes.
 * - A log file named after a zxid past the recovered state holds no txn at all (it was created,
 *   then the server stopped before a txn in it was written): it is removed, so the next txn can
 *   start a file of that name.
 * A log is read a growing prefix at a time until its records reach the zero padding, each byte
 * once, so a preallocated 64 MiB log holding a few records costs a few reads, not 64 MiB. Its
 * txns are decoded as they are replayed and dropped once applied: kept all at once, a few
 * hundred thousand decoded txns made the collector trace and promote them for nothing.
 */
import { open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { DataTree } from '../../tree/data-tree.js';
import { LOG_HEADER_BYTES, readLog, recordsReach, recoveryAction, scanLog } from '../format/txn-log.js';
import { parseLogName, parseSnapshotName, VERSION_DIR } from '../format/file-names.js';
import { SnapshotError } from '../format/snapshot.js';
import { loadSnapshotFile } from './snapshot-load.js';
import { Replay } from '../replay.js';
import { TMP_SNAPSHOT_PREFIX } from './snapshotter.js';
import type { RecoveredState } from '../../server/zk-server.js';
import type { Txn } from '../../tree/txn.js';

export class RecoveryError extends Error {
  override readonly name = 'RecoveryError';
}

export interface RecoveryReport {
  /** The snapshot loaded, if any ("none": a fresh data directory). */
  readonly snapshot: { readonly file: string; readonly zxid: bigint; readonly nodes: number } | undefined;
  readonly logFiles: readonly string[];
  readonly txnsApplied: number;
  readonly lastZxid: bigint;
  /** Torn tails cut off: file, offset, why. */
  readonly truncated: readonly { readonly file: string; readonly offset: number; readonly reason: string }[];
  /**
   * Ephemerals of sessions the data dir no longer has, deleted by recovery itself: a change
   * no log holds, so only a snapshot taken now keeps it.
   */
  readonly orphansRemoved: number;
  /** Things worth a warning line (skipped snapshots, dropped orphan ephemerals). */
  readonly warnings: readonly string[];
  readonly durationMs: number;
}

export interface Recovered {
  readonly state: RecoveredState;
  readonly report: RecoveryReport;
}

interface Named {
  readonly name: string;
  readonly zxid: bigint;
  readonly suffix: string;
}

async function readNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function named(names: readonly string[], parse: (name: string) => { zxid: bigint; suffix: string } | undefined): Named[] {
  const out: Named[] = [];
  for (const name of names) {
    const parsed = parse(name);
    if (parsed !== undefined) out.push({ name, ...parsed });
  }
  return out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}

/** A log's bytes as far as its records go; `whole`: to the end of the file. */
interface LogBytes {
  readonly bytes: Uint8Array;
  readonly whole: boolean;
}

/**
 * Reads a growing prefix of a log until it holds all of its records (recordsReach), into one
 * buffer of the file's size: the system hands that out as untouched zero pages, so the part never
 * read costs no memory, and no prefix is copied to a bigger buffer as the reads grow.
 */
async function readLogFile(path: string): Promise<LogBytes> {
  const handle = await open(path, 'r');
  try {
    const bytes = new Uint8Array((await handle.stat()).size);
    let read = 0;
    let wanted = Math.min(bytes.length, 1 << 20);
    for (;;) {
      while (read < wanted) {
        const { bytesRead } = await handle.read(bytes, read, wanted - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      if (read < wanted || read === bytes.length) return { bytes: bytes.subarray(0, read), whole: true };
      const reach = recordsReach(bytes.subarray(0, read));
      // The zero head stays, so the scan ends on the padding as it would in the whole file.
      if (reach.kind === 'padding') return { bytes: bytes.subarray(0, reach.offset + 12), whole: false };
      wanted = reach.kind === 'damaged' ? bytes.length : Math.min(bytes.length, Math.max(wanted * 2, reach.bytesNeeded));
    }
  } finally {
    await handle.close();
  }
}

const epochOf = (zxid: bigint) => zxid >> 32n;

/** The txns after `zxid` in `logs` (in order), decoded a file at a time as they are asked for. */
function* txnsAfter(zxid: bigint, logs: readonly { readonly path: string; readonly bytes: Uint8Array }[]): Generator<Txn> {
  for (const { path, bytes } of logs) {
    for (const { entry } of scanLog(bytes, path).entries) if (entry.header.zxid > zxid) yield entry.txn;
  }
}

export async function recover(dataDir: string, dataLogDir: string, nowMs: () => number): Promise<Recovered> {
  const started = nowMs();
  const snapDir = join(dataDir, VERSION_DIR);
  const logDir = join(dataLogDir, VERSION_DIR);
  const warnings: string[] = [];
  const truncated: { file: string; offset: number; reason: string }[] = [];

  const snapNames = await readNames(snapDir);
  const snapshots = named(snapNames, parseSnapshotName);
  const logs = named(await readNames(logDir), parseLogName);

  // Snapshots are written as tmp.snapshot.<zxid> and renamed once complete, so a tmp file still
  // here is a write a crash cut short. Nothing reads it; at a snapshot's size it is worth removing.
  for (const name of snapNames) {
    if (!name.startsWith(TMP_SNAPSHOT_PREFIX)) continue;
    await rm(join(snapDir, name), { force: true });
    warnings.push(`${join(snapDir, name)}: removed, a snapshot whose write did not finish`);
  }

  // Log bytes are kept from the snapshot's choice to the replay, which decodes them.
  const logBytes = new Map<string, LogBytes>();
  const bytesOf = async (name: string): Promise<LogBytes> => {
    let read = logBytes.get(name);
    if (read === undefined) {
      read = await readLogFile(join(logDir, name));
      logBytes.set(name, read);
    }
    return read;
  };
  /** The logs holding the txns after `zxid`: the last one starting at or before it, and all later ones. */
  const logsAfter = (zxid: bigint): Named[] => {
    let first = 0;
    for (let index = 0; index < logs.length; index++) if (logs[index]!.zxid <= zxid) first = index;
    return logs.slice(first);
  };

  let tree: DataTree | undefined;
  let sessions: { sessionId: bigint; timeoutMs: number }[] = [];
  let loaded: RecoveryReport['snapshot'];
  for (const candidate of [...snapshots].reverse()) {
    if (candidate.suffix !== '') {
      throw new RecoveryError(`${join(snapDir, candidate.name)}: compressed snapshots (.${candidate.suffix}) are not supported; `
        + 'start Apache ZooKeeper on this data directory once with zookeeper.snapshot.compression.method unset to write an uncompressed one');
    }
    const path = join(snapDir, candidate.name);
    try {
      // A fuzzy (ZooKeeper) snapshot may name ACLs its table lacks; the txns after it tell them.
      // Decoded only if it does: the replay decodes them anyway.
      const later: { readonly path: string; readonly bytes: Uint8Array }[] = [];
      for (const log of logsAfter(candidate.zxid)) later.push({ path: join(logDir, log.name), bytes: (await bytesOf(log.name)).bytes });
      // A large file's checksums and digest are computed on a worker thread while this one parses it.
      const result = await loadSnapshotFile(path, { zxid: candidate.zxid, laterTxns: txnsAfter(candidate.zxid, later) });
      if (result.digestCheck === 'mismatch') warnings.push(`${path}: the stored tree digest does not match the loaded tree (ZooKeeper would log this too)`);
      tree = result.tree;
      sessions = result.sessions;
      loaded = { file: path, zxid: candidate.zxid, nodes: tree.nodeCount };
      break;
    } catch (error) {
      if (!(error instanceof SnapshotError) || error.code === 'unsupported') {
        throw new RecoveryError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      warnings.push(`${path}: skipped, ${error.message}; trying an older snapshot`);
    }
  }
  if (tree === undefined) {
    if (snapshots.length > 0) throw new RecoveryError(`no valid snapshot in ${snapDir} (${snapshots.length} found, none readable): ${warnings.join('; ')}`);
    if (logs.length > 0) {
      throw new RecoveryError(`${logDir} has txn logs but ${snapDir} has no snapshot: the snapshot the logs start from is missing, refusing to start from an empty tree`);
    }
    tree = new DataTree();
  }

  const snapZxid = tree.lastProcessedZxid;
  const used = logsAfter(snapZxid);
  const replay = new Replay(tree, sessions);
  for (let index = 0; index < used.length; index++) {
    const log = used[index]!;
    const path = join(logDir, log.name);
    const read = await bytesOf(log.name);
    logBytes.delete(log.name);
    let entries = 0;
    let { end } = readLog(read.bytes, path, (entry, offset) => {
      const zxid = entry.header.zxid;
      // The first txn to apply must follow the snapshot (within an epoch, zxids are contiguous).
      if (replay.stats.applied === 0 && zxid > snapZxid + 1n && epochOf(zxid) === epochOf(snapZxid)) {
        throw new RecoveryError(`${path} at offset ${offset}: the first txn after the snapshot at 0x${snapZxid.toString(16)} is 0x${zxid.toString(16)}: txns 0x${(snapZxid + 1n).toString(16)}… are missing`);
      }
      try {
        replay.apply(entry, `${path} at offset ${offset}`);
      } catch (error) {
        throw new RecoveryError(error instanceof Error ? error.message : String(error));
      }
      entries++;
    });
    // Read up to the zero padding: damage before it is judged as in the whole file, where valid
    // records may follow the padding (the entries before the damage are the same).
    if (end.kind !== 'clean' && !read.whole) end = readLog(await readFile(path), path, () => {}).end;
    switch (recoveryAction(end)) {
      case 'append':
        break;
      case 'truncate': {
        const { offset, reason } = end;
        truncated.push({ file: path, offset, reason });
        if (offset <= LOG_HEADER_BYTES && entries === 0) await rm(path);
        else await truncate(path, offset);
        break;
      }
      case 'refuse': {
        const after = end.kind === 'corrupt' && end.validEntriesAfter ? ' Valid records follow it, so acknowledged txns would be lost by cutting it off.' : '';
        throw new RecoveryError(`refusing to start: ${end.reason}.${after} Inspect it with 'zkts log-dump ${path}'.`);
      }
    }
  }

  // A log created for a txn that never reached the disk holds no txn past the recovered state;
  // the next write will want its name, so it goes (ZooKeeper overwrites such a file).
  for (const log of used) {
    if (log.zxid <= tree.lastProcessedZxid) continue;
    const path = join(logDir, log.name);
    await rm(path, { force: true });
    warnings.push(`${path}: removed, it holds no txn (created just before a crash)`);
  }

  const orphans = replay.finish();
  if (orphans.length > 0) warnings.push(`removed ${orphans.length} ephemeral node(s) of sessions that no longer exist: ${orphans.slice(0, 5).join(', ')}${orphans.length > 5 ? ', …' : ''}`);
  return {
    state: { tree, sessions: replay.sessionList() },
    report: {
      snapshot: loaded, logFiles: used.map((log) => join(logDir, log.name)), txnsApplied: replay.stats.applied,
      lastZxid: tree.lastProcessedZxid, truncated, orphansRemoved: orphans.length, warnings, durationMs: nowMs() - started,
    },
  };
}
