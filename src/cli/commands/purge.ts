/**
 * `zkts purge [--config zoo.cfg | dataDir [dataLogDir]] -n <count> [--dry-run]`: deletes old
 * snapshots and txn logs, keeping the `count` newest snapshots and every log needed to recover
 * from them — zkCleanup.sh (PurgeTxnLog) with the same rule (storage/format/retention.ts) and
 * the same "Removing file: <mtime>\t<path>" lines. With --config, -n defaults to the file's
 * autopurge.snapRetainCount. Only files in <dir>/version-2 are considered.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfigFile } from '../../runtime/config.js';
import { purgeDataDirs } from '../../storage/file/purge.js';
import { SNAP_RETAIN_COUNT_MIN } from '../../storage/format/retention.js';
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
    const dryRun = parsed.flags.has('dryRun');
    const result = await purgeDataDirs(dataDir, dataLogDir, count, { dryRun });
    if (result.kind === 'refused') {
      process.stderr.write(`zkts purge: ${result.problem}\n`);
      process.exitCode = 1;
      return;
    }
    const timeZone = localTimeZone();
    for (const file of result.removed) {
      process.stdout.write(`${dryRun ? 'Would remove' : 'Removing'} file: ${javaMediumDateTime(BigInt(file.modifiedMs), timeZone)}\t${file.path}\n`);
    }
    for (const path of result.failed) {
      process.stderr.write(`Failed to remove ${path}\n`);
      process.exitCode = 1;
    }
  },
};
