/**
 * `zkts status [--config zoo.cfg]`: asks the configured client port for `srvr`, as
 * `zkServer.sh status` does, and prints the mode, last zxid and connection count. Exits 1 when
 * nothing answers (or the answer is not statistics), so scripts can test whether a server runs.
 * Works against any ZooKeeper-compatible server that allows srvr (every default whitelist does).
 */
import { connect } from 'node:net';
import type { Command } from '../command.js';
import { loadServerConfig, millisecondsOption, parseServerArgs } from '../server-control/server-args.js';
import { clientPortLine, contactAddress, formatStatus, NOT_RUNNING_MESSAGE, parseSrvr, SrvrError } from '../server-control/srvr-status.js';

const defaultStatusWaitMs = 5_000;

/** Sends a four-letter word and collects the answer until the server closes; undefined if none came. */
function askFourLetterWord(host: string, port: number, word: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    let failed = false;
    const socket = connect({ host, port }, () => socket.end(word));
    socket.setTimeout(timeoutMs, () => { failed = true; socket.destroy(); });
    socket.on('data', (chunk: Buffer) => { answer += chunk.toString('utf8'); });
    socket.on('error', () => { failed = true; });
    socket.on('close', () => resolve(failed && answer === '' ? undefined : answer));
  });
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show a server's mode, zxid and connections (its srvr answer); exit 1 if it is not running",
  usage: `usage: zkts status [--config <zoo.cfg>] [--wait <ms>]

Connects to the config's client port, sends srvr, and prints what zkServer.sh status prints
(client port, Mode) plus Zxid, Connections (which counts status's own connection) and Node count.
Exits 1 when no server answers.

options:
  --config, -c <file>   the server's config (default: the built-in one, 127.0.0.1:2181)
  --wait <ms>           how long to wait for the answer (default ${defaultStatusWaitMs})
`,
  async run(args) {
    const parsed = parseServerArgs('status', args, { '--wait': true });
    const waitMs = millisecondsOption(parsed.options, '--wait', defaultStatusWaitMs);
    const { config } = await loadServerConfig(parsed.configPath);
    process.stderr.write(`Using config: ${parsed.configPath ?? '(built-in default)'}\n`);
    const address = contactAddress(config.clientPortAddress);
    process.stdout.write(`${clientPortLine(address, config.clientPort)}\n`);
    const answer = await askFourLetterWord(address, config.clientPort, 'srvr', waitMs);
    if (answer === undefined || answer === '') {
      process.stdout.write(`${NOT_RUNNING_MESSAGE}\n`);
      process.exitCode = 1;
      return;
    }
    try {
      process.stdout.write(`${formatStatus(parseSrvr(answer)).join('\n')}\n`);
    } catch (error) {
      if (!(error instanceof SrvrError)) throw error;
      process.stdout.write(`${error.message}\n`);
      process.exitCode = 1;
    }
  },
};
