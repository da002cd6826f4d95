/**
 * `zkts log-dump [--json] <log file>`: prints a ZooKeeper-format txn log, one txn a line, as
 * ZooKeeper's TxnLogToolkit (zkTxnLogToolkit.sh) dump mode does (storage/format/log-dump.ts).
 * A torn or corrupt tail is reported on stderr with the file and offset after every txn before
 * it has been printed, and the exit code is 1; the file is only read.
 */
import { formatLogDump, formatLogDumpJson } from '../../storage/format/log-dump.js';
import { scanLog } from '../../storage/format/txn-log.js';
import { parseArgs } from '../args.js';
import { UsageError, type Command } from '../command.js';
import { localTimeZone, readDataFile } from '../data-files.js';

export const logDumpCommand: Command = {
  name: 'log-dump',
  summary: 'print a txn log file (log.<zxid>) like zkTxnLogToolkit.sh',
  usage: `usage: zkts log-dump [--json] <log file>

Prints every txn in a ZooKeeper-format txn log (dataLogDir/version-2/log.<zxid>) as ZooKeeper's
TxnLogToolkit does: time, session, cxid, zxid, txn type and the txn's fields, one txn a line.
Times are in the local zone (TZ). A torn or corrupt end is reported on stderr with its offset;
the exit code is then 1.

options:
  --json   one JSON object per txn (with its offset and TxnDigest), then one for the end
`,
  async run(args) {
    const parsed = parseArgs(args, { flags: { json: ['--json', '-json'] } });
    if (parsed.positionals.length !== 1) throw new UsageError('expected exactly one log file');
    const path = parsed.positionals[0]!;
    const bytes = await readDataFile('log-dump', path);
    if (bytes === undefined) return;
    const scan = scanLog(bytes, path);
    const dump = parsed.flags.has('json') ? formatLogDumpJson(scan) : formatLogDump(scan, { timeZone: localTimeZone() });
    process.stdout.write(dump.text);
    if (dump.problem !== undefined) {
      process.stderr.write(`zkts log-dump: ${dump.problem}\n`);
      process.exitCode = 1;
    }
  },
};
