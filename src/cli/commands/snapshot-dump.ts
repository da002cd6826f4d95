/**
 * `zkts snapshot-dump [-d | -json] [--acls] <snapshot file>`: prints a ZooKeeper-format snapshot
 * as ZooKeeper's SnapshotFormatter (zkSnapShotToolkit.sh) does: every znode with its stat, the
 * sessions, the last zxid (storage/format/snapshot-dump.ts). Reads `.gz` snapshots too
 * (zookeeper.snapshot.compression.method=gz: the checksums cover the uncompressed bytes).
 * An incomplete or corrupt snapshot is reported on stderr, exit code 1.
 */
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { formatSnapshotDump, formatSnapshotJson } from '../../storage/format/snapshot-dump.js';
import { readSnapshot, SnapshotError } from '../../storage/format/snapshot.js';
import { parseArgs } from '../args.js';
import { UsageError, type Command } from '../command.js';
import { localTimeZone, readDataFile } from '../data-files.js';

export const snapshotDumpCommand: Command = {
  name: 'snapshot-dump',
  summary: 'print a snapshot file (snapshot.<zxid>) like zkSnapShotToolkit.sh',
  usage: `usage: zkts snapshot-dump [-d | -json] [--acls] <snapshot file>

Prints a ZooKeeper-format snapshot (dataDir/version-2/snapshot.<zxid>[.gz]) as ZooKeeper's
SnapshotFormatter does: every znode with its stat, the sessions with their timeouts and
ephemeral counts, and the last zxid. Times are in the local zone (TZ).

options:
  -d, --data     print each znode's data (base64) instead of its length
  -json, --json  the tree in ncdu's JSON export format, as SnapshotFormatter -json
  --acls         also each znode's ACL id and the ACL table (scheme:id:perms)
`,
  async run(args) {
    const parsed = parseArgs(args, { flags: { data: ['-d', '--data'], json: ['-json', '--json'], acls: ['--acls'] } });
    if (parsed.positionals.length !== 1) throw new UsageError('expected exactly one snapshot file');
    if (parsed.flags.has('json') && (parsed.flags.has('data') || parsed.flags.has('acls'))) throw new UsageError('-json cannot be combined with -d or --acls');
    const path = parsed.positionals[0]!;
    const fileName = basename(path);
    if (fileName.endsWith('.snappy')) {
      process.stderr.write(`zkts snapshot-dump: ${path}: snappy-compressed snapshots are not supported\n`);
      process.exitCode = 1;
      return;
    }
    const stored = await readDataFile('snapshot-dump', path);
    if (stored === undefined) return;
    try {
      const contents = readSnapshot(fileName.endsWith('.gz') ? new Uint8Array(gunzipSync(stored)) : stored);
      process.stdout.write(parsed.flags.has('json')
        ? formatSnapshotJson(contents, Date.now())
        : formatSnapshotDump(contents, { fileName, timeZone: localTimeZone(), data: parsed.flags.has('data'), acls: parsed.flags.has('acls') }));
    } catch (error) {
      if (!(error instanceof SnapshotError) && !(error instanceof Error && 'errno' in error)) throw error;
      process.stderr.write(`zkts snapshot-dump: ${path}: ${error instanceof SnapshotError ? `${error.code}: ` : ''}${error.message}\n`);
      process.exitCode = 1;
    }
  },
};
