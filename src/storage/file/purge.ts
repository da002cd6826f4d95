/**
 * Deleting old snapshots and logs from the data directories, by the rule of
 * storage/format/retention.ts (ZooKeeper's PurgeTxnLog): shared by `zkts purge` and the
 * server's autopurge timer (autopurge.purgeInterval, as DatadirCleanupManager runs it).
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VERSION_DIR } from '../format/file-names.js';
import { misplacedFilesProblem, planPurge } from '../format/retention.js';

export interface PurgeFile {
  readonly path: string;
  readonly modifiedMs: number;
}

export type PurgeResult =
  /** What was (or, with dryRun, would be) removed, logs first as PurgeTxnLog lists them; and what could not be. */
  | { readonly kind: 'done'; readonly removed: readonly PurgeFile[]; readonly failed: readonly string[] }
  /** Nothing was touched: the directories look swapped or hold each other's files. */
  | { readonly kind: 'refused'; readonly problem: string };

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function purgeDataDirs(dataDir: string, dataLogDir: string, snapRetainCount: number, options: { dryRun?: boolean } = {}): Promise<PurgeResult> {
  const snapDir = join(dataDir, VERSION_DIR);
  const logDir = join(dataLogDir, VERSION_DIR);
  const sameDir = resolve(snapDir) === resolve(logDir);
  const snapshotDirFiles = await namesIn(snapDir);
  const logDirFiles = sameDir ? snapshotDirFiles : await namesIn(logDir);
  if (!sameDir) {
    const problem = misplacedFilesProblem(snapshotDirFiles, logDirFiles);
    if (problem !== undefined) return { kind: 'refused', problem };
  }
  const plan = planPurge({ snapshotDirFiles, logDirFiles, snapRetainCount });
  const doomed = [...plan.deleteFromLogDir.map((name) => join(logDir, name)), ...plan.deleteFromSnapshotDir.map((name) => join(snapDir, name))];
  const removed: PurgeFile[] = [];
  const failed: string[] = [];
  for (const path of doomed) {
    const modifiedMs = await stat(path).then((s) => Math.trunc(s.mtimeMs), () => 0);
    if (!options.dryRun) {
      try {
        await unlink(path);
      } catch {
        failed.push(path);
        continue;
      }
    }
    removed.push({ path, modifiedMs });
  }
  return { kind: 'done', removed, failed };
}
