/**
 * `zkts status [--config zoo.cfg]`: asks the configured client port for `srvr`, as
 * `zkServer.sh status` does, and prints the mode, last zxid and connection count. Exits 1 when
 * nothing answers (or the answer is not statistics), so scripts can test whether a server runs.
 * Works against any ZooKeeper-compatible server that allows srvr (every default whitelist does).
 */
import { connect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { tlsStatusOptions } from '../../runtime/tls.js';
import type { Command } from '../command.js';
import { loadServerConfig, millisecondsOption, parseServerArgs } from '../server-control/server-args.js';
import { clientPortLine, contactAddress, formatStatus, NOT_RUNNING_MESSAGE, parseSrvr, SrvrError } from '../server-control/srvr-status.js';

const defaultStatusWaitMs = 5_000;

/**
 * Sends a four-letter word (over TLS with `tls`) and collects the answer until the server
 * closes; undefined if none came.
 */
function askFourLetterWord(host: string, port: number, word: string, timeoutMs: number, tls?: ConnectionOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    let failed = false;
    const socket = tls === undefined ? connect({ host, port }, () => socket.end(word)) : tlsConnect({ host, port, ...tls }, () => socket.end(word));
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

Connects to the config's client port (its secureClientPort over TLS, with the config's key and
trust stores, when it has no plain one), sends srvr, and prints what zkServer.sh status prints
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
    // A server with only a TLS port is asked there, as zkServer.sh does with secureClientPort.
    const secure = config.clientPort === 0 && config.tls !== undefined;
    const address = contactAddress(secure ? config.secureClientPortAddress : config.clientPortAddress);
    const port = secure ? config.secureClientPort : config.clientPort;
    process.stdout.write(`${clientPortLine(address, port, secure)}\n`);
    const answer = await askFourLetterWord(address, port, 'srvr', waitMs, secure ? tlsStatusOptions(config.tls!) : undefined);
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
