/**
 * `zkts start [--config zoo.cfg] [--daemon]`: runs a server in the foreground, like
 * `zkServer.sh start-foreground`, or with --daemon detached in the background, like
 * `zkServer.sh start`. Without --config it serves 127.0.0.1:2181 with data in ./data.
 *
 * Either way the serving process writes `<dataDir>/zookeeper_server.pid` once it listens and
 * removes it on shutdown, so `zkts stop` and `zkts status` find it, and a second server on the
 * same dataDir is refused while the first lives.
 */
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../runtime/server.js';
import { logger } from '../../runtime/log.js';
import type { ServerConfig } from '../../runtime/config.js';
import type { Command } from '../command.js';
import { DAEMON_OUT_FILE_NAME, pidFilePath, processAlive, readPid, removePidFile, runningServerPid, waitFor, writePidFile } from '../server-control/pid-file.js';
import { loadServerConfig, millisecondsOption, parseServerArgs } from '../server-control/server-args.js';

const log = logger('zkts');
const mainScript = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');
const defaultDaemonWaitMs = 10_000;

export const startCommand: Command = {
  name: 'start',
  summary: 'run a server: in the foreground, or detached with --daemon (default: 127.0.0.1:2181, data in ./data)',
  usage: `usage: zkts start [--config <zoo.cfg>] [--daemon [--wait <ms>]]

Runs a server in the foreground until SIGINT or SIGTERM, like zkServer.sh start-foreground.
Without --config: standalone on 127.0.0.1:2181, data in ./data, tickTime 2000.
The server writes its pid to <dataDir>/zookeeper_server.pid while it runs (zkServer.sh's file).

options:
  --config, -c <file>   a ZooKeeper config file (zoo.cfg); may also be given as the only argument
  --daemon              start in the background, like zkServer.sh start: returns once the server
                        serves; its output goes to <dataDir>/${DAEMON_OUT_FILE_NAME}
  --wait <ms>           with --daemon, how long to wait for it to serve (default ${defaultDaemonWaitMs})
`,
  async run(args) {
    const parsed = parseServerArgs('start', args, { '--daemon': false, '--wait': true });
    const { config, warnings } = await loadServerConfig(parsed.configPath);
    if (parsed.options.has('--daemon')) {
      await startDaemon(parsed.configPath, config, millisecondsOption(parsed.options, '--wait', defaultDaemonWaitMs));
      return;
    }
    for (const warning of warnings) log.warn(warning);
    await startForeground(config);
  },
};

async function startForeground(config: ServerConfig): Promise<void> {
  const pidPath = pidFilePath(config.dataDir);
  const other = runningServerPid(pidPath);
  if (other !== undefined && other !== process.pid) {
    process.stderr.write(`zkts: already running as process ${other} (${pidPath})\n`);
    process.exitCode = 1;
    return;
  }
  const server = await startServer(config);
  writePidFile(pidPath, process.pid);
  process.on('exit', () => removePidFile(pidPath, process.pid));
  const stop = (signal: string) => {
    log.info(`${signal} received, shutting down`);
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * Re-runs `zkts start` detached, its output in the data directory, and returns once the child
 * has written the pid file (it does so only when serving), or reports why it did not.
 */
async function startDaemon(configPath: string | undefined, config: ServerConfig, waitMs: number): Promise<void> {
  process.stderr.write(`Using config: ${configPath ?? '(built-in default)'}\n`);
  process.stdout.write('Starting zkts ... ');
  const pidPath = pidFilePath(config.dataDir);
  const other = runningServerPid(pidPath);
  if (other !== undefined) {
    process.stdout.write(`already running as process ${other}.\n`);
    process.exitCode = 1;
    return;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const outPath = join(config.dataDir, DAEMON_OUT_FILE_NAME);
  const out = openSync(outPath, 'a');
  const child = spawn(process.execPath, [mainScript, 'start', ...(configPath !== undefined ? ['--config', configPath] : [])], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited = false;
  child.once('exit', () => { exited = true; });
  const pid = child.pid;
  const serving = pid !== undefined && await waitFor(() => exited || readPid(pidPath) === pid, waitMs);
  if (serving && !exited) {
    child.unref();
    process.stdout.write('STARTED\n');
    return;
  }
  if (pid !== undefined && !exited && processAlive(pid)) child.kill('SIGTERM');
  process.stdout.write('FAILED TO START\n');
  process.stderr.write(exited ? `the server exited; the end of ${outPath}:\n${tail(outPath, 10)}` : `not serving within ${waitMs} ms; see ${outPath}\n`);
  process.exitCode = 1;
}

function tail(path: string, lines: number): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return text === '' ? '' : `${text}\n`;
  } catch {
    return '';
  }
}
