#!/usr/bin/env node
/**
 * The `zkts` command: a table of subcommands (commands/*.ts), each answering `--help`.
 * This file owns argument dispatch and the process's exit code, nothing else.
 */
import { ConfigError } from '../runtime/config.js';
import { RecoveryError } from '../storage/file/recover.js';
import { UsageError, wantsHelp, type Command } from './command.js';
import { benchCommand } from './commands/bench.js';
import { logDumpCommand } from './commands/log-dump.js';
import { purgeCommand } from './commands/purge.js';
import { shellCommand } from './commands/shell.js';
import { snapshotDumpCommand } from './commands/snapshot-dump.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { versionCommand } from './commands/version.js';

/** Every subcommand, in the order `zkts help` lists them. */
const commands: readonly Command[] = [
  startCommand, stopCommand, statusCommand, shellCommand, logDumpCommand, snapshotDumpCommand, purgeCommand, benchCommand, versionCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}   ${command.summary}`);
  return `usage: zkts <command> [options]\n\ncommands:\n${lines.join('\n')}\n  ${'help'.padEnd(width)}   this text\n\n'zkts <command> --help' describes one command.\n`;
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const about = commands.find((command) => command.name === rest[0]);
    process.stdout.write(about?.usage ?? usage());
    return;
  }
  if (name === '--version') return versionCommand.run([]);
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    process.stderr.write(`zkts: unknown command '${name}'\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(command.usage);
    return;
  }
  try {
    await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`zkts ${command.name}: ${error.message}\n${command.usage}`);
      process.exit(2);
    }
    throw error;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`zkts: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof RecoveryError) {
    process.stderr.write(`zkts: cannot recover the data directory: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`zkts: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
