/**
 * `zkts shell`: a zkCli.sh-compatible command shell. Three ways to run it, as zkCli.sh:
 * - `zkts shell -server host:port ls /` runs one command and exits with its status (0, 1, or 127
 *   for an unknown command);
 * - on a terminal, an interactive shell with completion and history (shell/interactive.ts);
 * - with commands on stdin, runs them in order and exits 1 if any failed.
 * Output goes where zkCli sends it: results and watch events on stdout, errors (and, as in
 * zkCli, "Created /path") on stderr.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError, type Command } from '../command.js';
import { commandSpecs } from '../shell/command-line.js';
import { runInteractive } from '../shell/interactive.js';
import { ShellSession, type ShellIO } from '../shell/session.js';

const defaultServer = 'localhost:2181';
/** zkCli's default session timeout. */
const defaultTimeoutMs = 30_000;

interface ShellArgs {
  server: string;
  timeoutMs: number;
  readOnly: boolean;
  /** Set by --tls, --ca, --cert or --key: connect over TLS (a server's secureClientPort). */
  tls: { ca?: string; cert?: string; key?: string } | undefined;
  command: string[];
}

/** Reads a PEM file named on the command line, or says which option named it. */
function pemFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${option} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** The TLS options: --cert without --key is a PEM holding both, as ZooKeeper's PEM key store. */
function tlsOptions(tls: NonNullable<ShellArgs['tls']>): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (tls.ca !== undefined) options.ca = pemFile('--ca', tls.ca);
  if (tls.cert !== undefined) options.cert = pemFile('--cert', tls.cert);
  if (tls.key !== undefined || tls.cert !== undefined) options.key = tls.key !== undefined ? pemFile('--key', tls.key) : options.cert;
  return options;
}

function parseShellArgs(args: readonly string[]): ShellArgs {
  const parsed: ShellArgs = { server: defaultServer, timeoutMs: defaultTimeoutMs, readOnly: false, tls: undefined, command: [] };
  let i = 0;
  const valueOf = (option: string): string => {
    const value = args[++i];
    if (value === undefined) throw new UsageError(`${option} needs a value`);
    return value;
  };
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-server' || arg === '--server') parsed.server = valueOf(arg);
    else if (arg === '-timeout' || arg === '--timeout') {
      const text = valueOf(arg);
      const timeoutMs = Number(text);
      if (!/^\d+$/.test(text) || timeoutMs <= 0 || !Number.isSafeInteger(timeoutMs)) throw new UsageError(`-timeout must be a positive number of milliseconds, not '${text}'`);
      parsed.timeoutMs = timeoutMs;
    } else if (arg === '-r' || arg === '--read-only') parsed.readOnly = true;
    else if (arg === '--tls') parsed.tls ??= {};
    else if (arg === '--ca' || arg === '--cert' || arg === '--key') (parsed.tls ??= {})[arg.slice(2) as 'ca' | 'cert' | 'key'] = valueOf(arg);
    // zkCli's -waitforconnection: this shell always waits (at most the timeout) before a command.
    else if (arg === '-waitforconnection') continue;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option for shell: ${arg}`);
    else break;
  }
  parsed.command = args.slice(i);
  return parsed;
}

const stdio: ShellIO = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
  event: (text) => { process.stdout.write(text); },
};

export const shellCommand: Command = {
  name: 'shell',
  summary: 'a zkCli.sh-compatible shell: interactive, one command, or commands on stdin',
  usage: `usage: zkts shell [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [--tls] [--ca pem] [--cert pem] [--key pem] [command [args...]]

Connects to a ZooKeeper (or zkts) ensemble, default ${defaultServer}, and runs zkCli.sh's commands:
  with a command: runs it and exits 0 on success, 1 on failure, 127 for an unknown command;
  on a terminal: interactive, with TAB completion of commands and paths, up-arrow history kept
    in ~/.zkts_history, and watch events printed as they arrive;
  with commands on stdin: runs each line, exits 1 if any command failed.

options:
  -server <hosts>    connect string (zkCli's -server)
  -timeout <ms>      session timeout, also the longest wait to connect or for any reply (default ${defaultTimeoutMs})
  -r                 accept a read-only server
  --tls              connect over TLS (to a secureClientPort), trusting the system's CAs
  --ca <pem>         TLS, trusting the CA certificates in this file instead
  --cert <pem>       TLS with this client certificate (chain); without --key the file also
                     holds the private key, as ZooKeeper's PEM key store does
  --key <pem>        the client certificate's private key

commands:
${commandSpecs.map((spec) => `  ${spec.usage.trimEnd()}`).join('\n')}
`,
  async run(args) {
    const options = parseShellArgs(args);
    // `zkts shell ... ls -R / | head` closes our stdout early: stop quietly, as a pipeline expects.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
    let eventSink = stdio.event;
    const io: ShellIO = { out: stdio.out, err: stdio.err, event: (text) => eventSink(text) };
    const session = new ShellSession({
      connectString: options.server,
      timeoutMs: options.timeoutMs,
      readOnly: options.readOnly,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      ...(options.tls === undefined ? {} : { tls: tlsOptions(options.tls) }),
    }, io);
    const interactive = options.command.length === 0 && process.stdin.isTTY === true;
    process.stdout.write(`Connecting to ${options.server}\n`);
    if (options.command.length === 0) {
      process.stdout.write(`Welcome to ZooKeeper!\nJLine support is ${interactive ? 'enabled' : 'disabled'}\n`);
    }
    const failure = await session.connect();
    if (failure !== undefined) {
      process.stderr.write(`Unable to connect to ${options.server}: ${failure.message}\n`);
      if (options.command.length > 0) {
        await session.close(true);
        process.exitCode = 1;
        return;
      }
    }
    if (options.command.length > 0) {
      const result = await session.runWords(options.command);
      await session.close(true);
      process.exitCode = result === 'ok' || result === 'quit' ? 0 : result === 'unknownCommand' ? 127 : 1;
      return;
    }
    if (interactive) {
      await runInteractive(session, { input: process.stdin, output: process.stdout, historyFile: join(homedir(), '.zkts_history') }, (sink) => { eventSink = sink; });
      return;
    }
    let failed = false;
    const lines = createInterface({ input: process.stdin, terminal: false });
    for await (const line of lines) {
      const result = await session.runLine(line);
      if (result === 'quit') break;
      if (result !== 'ok') failed = true;
    }
    lines.close();
    await session.close(true);
    process.exitCode = failed ? 1 : 0;
  },
};
