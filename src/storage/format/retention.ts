/**
 * Which old snapshots and txn logs to delete: ZooKeeper's purge rule (PurgeTxnLog.purge, which
 * both zkCleanup.sh and the autopurge timer, DatadirCleanupManager, run), as a pure function of
 * the file names in the two directories.
 *
 * The rule, as ZooKeeper 3.8 applies it (checked against its PurgeTxnLog on real data
 * directories in test/interop/storage-format.test.ts):
 * 1. Snapshots are the names `snapshot.<zxid>[.suffix]` whose zxid ZooKeeper can read
 *    (zooKeeperZxidFromName ≠ -1). The `snapRetainCount` with the highest zxids are kept; the
 *    oldest of them, at zxid S, bounds the rest. Only names count: an incomplete or corrupt
 *    snapshot is still one of the N, so ZooKeeper may keep fewer loadable ones.
 * 2. Logs that recovery from snapshot S may need are kept (FileTxnLog.getLogFiles): the newest
 *    log whose start zxid is ≤ S — a log is named after its first txn, so it can hold txns
 *    after S — and every log that starts later.
 * 3. Every other name beginning "log." or "snapshot." whose zxid is below S is deleted. That
 *    includes names whose zxid does not parse, which count as -1 ("log.tmp", "snapshot.x"): so
 *    ZooKeeper deletes them too, and so do we. Names with other prefixes are never touched.
 * 4. With no snapshot at all nothing is deleted.
 *
 * So a snapshot and every log after it survive until N newer snapshots exist, and recovery from
 * every kept snapshot is always possible. Not here: listing directories, deleting, timers
 * (cli/commands/purge.ts; the server's autopurge). Pure.
 */
import { LOG_FILE_PREFIX, SNAPSHOT_FILE_PREFIX, zooKeeperZxidFromName } from './file-names.js';

/** autopurge.snapRetainCount's and PurgeTxnLog's minimum. */
export const SNAP_RETAIN_COUNT_MIN = 3;

export interface PurgeInput {
  /** File names (not paths) in the snapshot directory, dataDir/version-2. */
  readonly snapshotDirFiles: readonly string[];
  /** File names in the txn log directory, dataLogDir/version-2: the same list when dataLogDir is dataDir. */
  readonly logDirFiles: readonly string[];
  /** How many snapshots to keep, at least SNAP_RETAIN_COUNT_MIN. */
  readonly snapRetainCount: number;
}

export interface PurgePlan {
  /** The kept snapshots, newest first (at most snapRetainCount). */
  readonly retainedSnapshots: readonly string[];
  /** The zxid of the oldest kept snapshot; undefined when there is none and nothing is deleted. */
  readonly oldestRetainedZxid?: bigint;
  /** Logs that recovery from the oldest kept snapshot may read, oldest first. */
  readonly retainedLogs: readonly string[];
  /** Names in the snapshot directory to delete, oldest first. */
  readonly deleteFromSnapshotDir: readonly string[];
  /** Names in the log directory to delete, oldest first. */
  readonly deleteFromLogDir: readonly string[];
}

const zxidOf = (prefix: string) => (name: string) => zooKeeperZxidFromName(name, prefix);

/** Sorted by the zxid ZooKeeper reads from the name, ties by name so the result never depends on listing order. */
function byZxid(names: readonly string[], zxid: (name: string) => bigint): string[] {
  return [...names].sort((a, b) => {
    const d = zxid(a) - zxid(b);
    return d < 0n ? -1 : d > 0n ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * The logs recovery from a snapshot at `snapshotZxid` may read (FileTxnLog.getLogFiles): the
 * newest log starting at or before it, and all later ones. Oldest first.
 */
export function logsNeededAfter(logDirFiles: readonly string[], snapshotZxid: bigint): string[] {
  const logZxid = zxidOf(LOG_FILE_PREFIX);
  const logs = byZxid(logDirFiles.filter((name) => logZxid(name) !== -1n), logZxid);
  let from = 0n;
  for (const name of logs) {
    const zxid = logZxid(name);
    if (zxid > snapshotZxid) break;
    if (zxid > from) from = zxid;
  }
  return logs.filter((name) => logZxid(name) >= from);
}

export function planPurge(input: PurgeInput): PurgePlan {
  const { snapRetainCount } = input;
  if (!Number.isInteger(snapRetainCount) || snapRetainCount < SNAP_RETAIN_COUNT_MIN) {
    throw new RangeError(`snapRetainCount should be greater than or equal to ${SNAP_RETAIN_COUNT_MIN}, got ${snapRetainCount}`);
  }
  const snapZxid = zxidOf(SNAPSHOT_FILE_PREFIX);
  const logZxid = zxidOf(LOG_FILE_PREFIX);
  const snapshots = byZxid(input.snapshotDirFiles.filter((name) => snapZxid(name) !== -1n), snapZxid).reverse();
  const retainedSnapshots = snapshots.slice(0, snapRetainCount);
  if (retainedSnapshots.length === 0) {
    return { retainedSnapshots, retainedLogs: [], deleteFromSnapshotDir: [], deleteFromLogDir: [] };
  }
  const oldestRetainedZxid = snapZxid(retainedSnapshots[retainedSnapshots.length - 1]!);
  const retainedLogs = logsNeededAfter(input.logDirFiles, oldestRetainedZxid);
  const retainedLogSet = new Set(retainedLogs);
  const older = (names: readonly string[], prefix: string, zxid: (name: string) => bigint) =>
    byZxid(names.filter((name) => name.startsWith(`${prefix}.`) && !retainedLogSet.has(name) && zxid(name) < oldestRetainedZxid), zxid);
  return {
    retainedSnapshots,
    oldestRetainedZxid,
    retainedLogs,
    deleteFromSnapshotDir: older(input.snapshotDirFiles, SNAPSHOT_FILE_PREFIX, snapZxid),
    deleteFromLogDir: older(input.logDirFiles, LOG_FILE_PREFIX, logZxid),
  };
}

/**
 * ZooKeeper's check when dataLogDir is not dataDir (FileTxnSnapLog, ZOOKEEPER-2967): logs in the
 * snapshot directory or snapshots in the log directory mean the two were swapped or mixed up,
 * and ZooKeeper refuses to start or purge. Call it only for two different directories. The message is ZooKeeper's; undefined when all is well.
 */
export function misplacedFilesProblem(snapshotDirFiles: readonly string[], logDirFiles: readonly string[]): string | undefined {
  // Util.isSnapshotFileName / isLogFileName: the prefix alone decides.
  if (logDirFiles.some((name) => name.startsWith(`${SNAPSHOT_FILE_PREFIX}.`))) {
    return 'Log directory has snapshot files. Check if dataLogDir and dataDir configuration is correct.';
  }
  if (snapshotDirFiles.some((name) => name.startsWith(`${LOG_FILE_PREFIX}.`))) {
    return 'Snapshot directory has log files. Check if dataLogDir and dataDir configuration is correct.';
  }
  return undefined;
}
