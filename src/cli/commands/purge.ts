/**
 * `zkts purge [--config zoo.cfg | dataDir [dataLogDir]] -n <count> [--dry-run]`: deletes old
 * snapshots and txn logs, keeping the `count` newest snapshots and every log needed to recover
 * from them — zkCleanup.sh (PurgeTxnLog) with the same rule (storage/format/retention.ts) and
 * the same "Removing file: <mtime>\t<path>" lines. With --config, -n defaults to the file's
 * autopurge.snapRetainCount. Only files in <dir>/version-2 are considered.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfigFile } from '../../runtime/config.js';
import { VERSION_DIR } from '../../storage/format/file-names.js';
import { misplacedFilesProblem, planPurge, SNAP_RETAIN_COUNT_MIN } from '../../storage/format/retention.js';
import { javaMediumDateTime } from '../../util/java-format.js';
import { parseArgs } from '../args.js';
import { UsageError, type Command } from '../command.js';
import { localTimeZone } from '../data-files.js';

const COUNT_ERROR = `count should be greater than or equal to ${SNAP_RETAIN_COUNT_MIN}`;

function parseCount(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`'${text}' can not be parsed to integer.`);
  const count = Number(text);
  if (count < SNAP_RETAIN_COUNT_MIN) throw new UsageError(COUNT_ERROR);
  return count;
}

async function namesIn(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

export const purgeCommand: Command = {
  name: 'purge',
  summary: 'delete old snapshots and txn logs like zkCleanup.sh',
  usage: `usage: zkts purge [--config <zoo.cfg> | <dataDir> [<dataLogDir>]] -n <count> [--dry-run]

Keeps the <count> most recent snapshots in dataDir/version-2 and the txn logs in
dataLogDir/version-2 that recovery from them needs; deletes older snapshots and logs, printing
each one as zkCleanup.sh does. dataLogDir defaults to dataDir. <count> must be at least ${SNAP_RETAIN_COUNT_MIN};
with --config it defaults to autopurge.snapRetainCount.

options:
  -c, --config <file>   take dataDir and dataLogDir from a zoo.cfg
  -n, --count <count>   how many snapshots to keep (at least ${SNAP_RETAIN_COUNT_MIN})
  --dry-run             print what would be removed, remove nothing
`,
  async run(args) {
    const parsed = parseArgs(args, { flags: { dryRun: ['--dry-run'] }, options: { config: ['--config', '-c'], count: ['-n', '--count'] } });
    const configPath = parsed.options.get('config');
    const countText = parsed.options.get('count');
    let dataDir: string;
    let dataLogDir: string;
    let count: number;
    if (configPath !== undefined) {
      if (parsed.positionals.length > 0) throw new UsageError('give either --config or directories, not both');
      const { config } = await loadConfigFile(configPath);
      dataDir = config.dataDir;
      dataLogDir = config.dataLogDir;
      count = countText === undefined ? config.autopurgeSnapRetainCount : parseCount(countText);
    } else {
      if (parsed.positionals.length < 1 || parsed.positionals.length > 2) throw new UsageError('expected <dataDir> [<dataLogDir>]');
      if (countText === undefined) throw new UsageError('-n <count> is required');
      dataDir = parsed.positionals[0]!;
      dataLogDir = parsed.positionals[1] ?? dataDir;
      count = parseCount(countText);
    }
    for (const dir of new Set([dataDir, dataLogDir])) {
      if (!(await isDirectory(dir))) {
        process.stderr.write(`zkts purge: Path '${resolve(dir)}' does not exist.\n`);
        process.exitCode = 1;
        return;
      }
    }
    const snapDir = join(dataDir, VERSION_DIR);
    const logDir = join(dataLogDir, VERSION_DIR);
    const snapshotDirFiles = (await namesIn(snapDir)) ?? [];
    const logDirFiles = resolve(snapDir) === resolve(logDir) ? snapshotDirFiles : (await namesIn(logDir)) ?? [];
    if (resolve(snapDir) !== resolve(logDir)) {
      const problem = misplacedFilesProblem(snapshotDirFiles, logDirFiles);
      if (problem !== undefined) {
        process.stderr.write(`zkts purge: ${problem}\n`);
        process.exitCode = 1;
        return;
      }
    }
    const plan = planPurge({ snapshotDirFiles, logDirFiles, snapRetainCount: count });
    // Logs first, then snapshots, as PurgeTxnLog lists them.
    const doomed = [...plan.deleteFromLogDir.map((name) => join(logDir, name)), ...plan.deleteFromSnapshotDir.map((name) => join(snapDir, name))];
    const timeZone = localTimeZone();
    const dryRun = parsed.flags.has('dryRun');
    for (const path of doomed) {
      const modified = await stat(path).then((s) => BigInt(Math.trunc(s.mtimeMs)), () => 0n);
      process.stdout.write(`${dryRun ? 'Would remove' : 'Removing'} file: ${javaMediumDateTime(modified, timeZone)}\t${path}\n`);
      if (dryRun) continue;
      try {
        await unlink(path);
      } catch {
        process.stderr.write(`Failed to remove ${path}\n`);
        process.exitCode = 1;
      }
    }
  },
};
