/**
 * `zkts stop [--config zoo.cfg]`: stops the server whose pid is in `<dataDir>/zookeeper_server.pid`
 * (started by `zkts start`, foreground or --daemon), as `zkServer.sh stop` does: SIGTERM, then
 * wait, bounded, for the process to be gone. Like zkServer.sh, nothing to stop is not an error.
 */
import { rmSync } from 'node:fs';
import type { Command } from '../command.js';
import { isZktsServer, pidFilePath, processAlive, readPid, waitFor } from '../server-control/pid-file.js';
import { loadServerConfig, millisecondsOption, parseServerArgs } from '../server-control/server-args.js';

const defaultStopWaitMs = 10_000;

export const stopCommand: Command = {
  name: 'stop',
  summary: 'stop the server started with zkts start (found by its pid file)',
  usage: `usage: zkts stop [--config <zoo.cfg>] [--wait <ms>]

Sends SIGTERM to the server named by <dataDir>/zookeeper_server.pid and waits until it has exited.
Exits 0 when it stopped or when no server was running, 1 when it did not stop in time.

options:
  --config, -c <file>   the config the server was started with (default: the built-in one, data in ./data)
  --wait <ms>           how long to wait for the server to exit (default ${defaultStopWaitMs})
`,
  async run(args) {
    const parsed = parseServerArgs('stop', args, { '--wait': true });
    const waitMs = millisecondsOption(parsed.options, '--wait', defaultStopWaitMs);
    const { config } = await loadServerConfig(parsed.configPath);
    const pidPath = pidFilePath(config.dataDir);
    process.stdout.write('Stopping zkts ... ');
    const pid = readPid(pidPath);
    if (pid === undefined) {
      process.stdout.write(`no zkts to stop (could not find file ${pidPath})\n`);
      return;
    }
    if (!processAlive(pid) || !isZktsServer(pid)) {
      rmSync(pidPath, { force: true });
      process.stdout.write(`no zkts to stop (process ${pid} is not a running zkts server; removed the stale ${pidPath})\n`);
      return;
    }
    process.kill(pid, 'SIGTERM');
    if (!(await waitFor(() => !processAlive(pid), waitMs))) {
      process.stdout.write(`FAILED: process ${pid} is still running after ${waitMs} ms\n`);
      process.exitCode = 1;
      return;
    }
    // A server that exits cleanly removes its own pid file; this covers one that could not.
    if (readPid(pidPath) === pid) rmSync(pidPath, { force: true });
    process.stdout.write('STOPPED\n');
  },
};
