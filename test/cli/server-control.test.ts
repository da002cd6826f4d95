/**
 * Server control through the built CLI: `zkts start --daemon`, `status`, `stop`, the pid file
 * in the data directory, and `--help` on every command. Real processes, real ports on loopback;
 * the parsing of srvr's answer is unit-tested first against a capture from ZooKeeper 3.8.0.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contactAddress, formatStatus, parseSrvr, SrvrError } from '../../src/cli/server-control/srvr-status.js';
import { apacheZooKeeperAvailable, freePort, startApacheZooKeeper, startZkts } from '../support/servers.js';
import { runZkts } from './support.js';

describe('the srvr answer', () => {
  it('reads mode, zxid and connections from ZooKeeper 3.8.0\'s srvr', () => {
    // shared/reference/zk380-captures/srvr.txt
    const captured = 'Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.0/0\n'
      + 'Received: 2\nSent: 1\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 5\n';
    const answer = parseSrvr(captured);
    assert.deepEqual(answer, { mode: 'standalone', zxid: '0x0', connections: 1, nodeCount: 5 });
    assert.deepEqual(formatStatus(answer), ['Mode: standalone', 'Zxid: 0x0', 'Connections: 1', 'Node count: 5']);
  });

  it('refuses answers that are not statistics, quoting them', () => {
    assert.throws(() => parseSrvr('srvr is not executed because it is not in the whitelist.\n'),
      (error: unknown) => error instanceof SrvrError && error.message === 'unexpected srvr answer: srvr is not executed because it is not in the whitelist.');
    assert.throws(() => parseSrvr('This ZooKeeper instance is not currently serving requests'), SrvrError);
    assert.throws(() => parseSrvr(''), /empty srvr answer/);
  });

  it('reaches a wildcard bind on loopback', () => {
    assert.equal(contactAddress('0.0.0.0'), '127.0.0.1');
    assert.equal(contactAddress('::'), '::1');
    assert.equal(contactAddress('10.1.2.3'), '10.1.2.3');
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('zkts start --daemon, status, stop', () => {
  let dir: string;
  let configPath: string;
  let pidFile: string;
  let port: number;
  let daemonPid: number | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zkts-daemon-'));
    port = await freePort();
    configPath = join(dir, 'zoo.cfg');
    writeFileSync(configPath, `tickTime=2000\ndataDir=${join(dir, 'data')}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n`);
    pidFile = join(dir, 'data', 'zookeeper_server.pid');
  });
  after(() => {
    // Whatever a failed assertion left running must not outlive the test.
    if (daemonPid !== undefined && alive(daemonPid)) process.kill(daemonPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a server that is not running with exit 1', async () => {
    const status = await runZkts(['status', '--config', configPath]);
    assert.equal(status.code, 1);
    assert.equal(status.stdout, `Client port found: ${port}. Client address: 127.0.0.1. Client SSL: false.\nError contacting service. It is probably not running.\n`);
  });

  it('starts in the background, returning once it serves, with its pid in dataDir/zookeeper_server.pid', async () => {
    const started = await runZkts(['start', '--daemon', '--config', configPath]);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stdout, 'Starting zkts ... STARTED\n');
    assert.equal(started.stderr, `Using config: ${configPath}\n`);
    daemonPid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(daemonPid), `pid ${daemonPid} is running`);
    assert.match(readFileSync(join(dir, 'data', 'zkts_server.out'), 'utf8'), new RegExp(`serving clients on 127\\.0\\.0\\.1:${port}`));
  });

  it('shows mode, zxid and connections, and the zxid moves with writes', async () => {
    const before = await runZkts(['status', '--config', configPath]);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(before.stdout, `Client port found: ${port}. Client address: 127.0.0.1. Client SSL: false.\nMode: standalone\nZxid: 0x0\nConnections: 1\nNode count: 5\n`);
    const wrote = await runZkts(['shell', '-server', `127.0.0.1:${port}`, 'create', '/made-by-test']);
    assert.equal(wrote.code, 0, wrote.stderr);
    const later = await runZkts(['status', '--config', configPath]);
    assert.match(later.stdout, /\nZxid: 0x[1-9a-f][0-9a-f]*\n/, 'a session and a create have zxids now');
    assert.match(later.stdout, /\nNode count: 6\n/);
  });

  it('refuses a second server on the same data directory', async () => {
    const again = await runZkts(['start', '--daemon', '--config', configPath]);
    assert.equal(again.code, 1);
    assert.equal(again.stdout, `Starting zkts ... already running as process ${daemonPid}.\n`);
    const foreground = await runZkts(['start', '--config', configPath]);
    assert.equal(foreground.code, 1);
    assert.match(foreground.stderr, new RegExp(`already running as process ${daemonPid}`));
    assert.equal(Number(readFileSync(pidFile, 'utf8')), daemonPid, 'the pid file still names the first server');
  });

  it('stops it: the process exits and the pid file is gone', async () => {
    const stopped = await runZkts(['stop', '--config', configPath]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, 'Stopping zkts ... STOPPED\n');
    assert.ok(!alive(daemonPid!), 'the server process has exited');
    assert.ok(!existsSync(pidFile), 'the pid file was removed');
    const status = await runZkts(['status', '--config', configPath]);
    assert.equal(status.code, 1);
    const again = await runZkts(['stop', '--config', configPath]);
    assert.equal(again.code, 0, 'nothing to stop is not an error, as with zkServer.sh');
    assert.equal(again.stdout, `Stopping zkts ... no zkts to stop (could not find file ${pidFile})\n`);
  });

  it('never signals a pid it does not recognise as a zkts server, and removes the stale file', async () => {
    // This test process is alive but is no `zkts start`: a stale pid file whose pid was reused.
    writeFileSync(pidFile, String(process.pid));
    const stopped = await runZkts(['stop', '--config', configPath]);
    assert.equal(stopped.code, 0);
    assert.match(stopped.stdout, new RegExp(`process ${process.pid} is not a running zkts server; removed the stale`));
    assert.ok(!existsSync(pidFile));
    // A stale file does not stop a new server from starting.
    writeFileSync(pidFile, String(process.pid));
    const started = await runZkts(['start', '--daemon', '--config', configPath]);
    assert.equal(started.code, 0, started.stderr + started.stdout);
    daemonPid = Number(readFileSync(pidFile, 'utf8'));
    assert.notEqual(daemonPid, process.pid);
    const stoppedAgain = await runZkts(['stop', '--config', configPath]);
    assert.equal(stoppedAgain.stdout, 'Stopping zkts ... STOPPED\n');
  });

  it('reports a daemon that cannot start, with exit 1 and no pid file', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', () => resolve()));
    try {
      const started = await runZkts(['start', '--daemon', '--config', configPath]);
      assert.equal(started.code, 1);
      assert.equal(started.stdout, 'Starting zkts ... FAILED TO START\n');
      assert.match(started.stderr, /the server exited; the end of .*zkts_server\.out:\n[\s\S]*EADDRINUSE/);
      assert.ok(!existsSync(pidFile));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('zkts stop and status for a foreground server', () => {
  it('finds the pid file that zkts start writes in the foreground, and stops the server through it', async () => {
    const server = await startZkts();
    try {
      const configPath = join(dirname(server.dataDir), 'zoo.cfg');
      assert.equal(Number(readFileSync(join(server.dataDir, 'zookeeper_server.pid'), 'utf8')), server.process.pid);
      const status = await runZkts(['status', configPath]);
      assert.match(status.stdout, /\nMode: standalone\n/);
      const exited = new Promise<number | null>((resolve) => server.process.once('exit', (code) => resolve(code)));
      const stopped = await runZkts(['stop', '-c', configPath]);
      assert.equal(stopped.stdout, 'Stopping zkts ... STOPPED\n');
      assert.equal(await exited, 0, 'the server shut down cleanly on SIGTERM');
      assert.ok(!existsSync(join(server.dataDir, 'zookeeper_server.pid')), 'and removed its pid file on the way out');
    } finally {
      await server.stop();
    }
  });

  it('reads the status of Apache ZooKeeper too', { skip: apacheZooKeeperAvailable() ? false : 'Apache ZooKeeper is not installed' }, async () => {
    const zookeeper = await startApacheZooKeeper();
    try {
      const status = await runZkts(['status', join(dirname(zookeeper.dataDir), 'zoo.cfg')]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^Client port found: \d+\. Client address: 127\.0\.0\.1\. Client SSL: false\.\nMode: standalone\nZxid: 0x0\nConnections: 1\nNode count: 5\n$/);
    } finally {
      await zookeeper.stop();
    }
  });
});

describe('--help and version', () => {
  it('answers --help on every command with its usage, exit 0', async () => {
    for (const command of ['start', 'stop', 'status', 'shell', 'version']) {
      const help = await runZkts([command, '--help']);
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, new RegExp(`^usage: zkts ${command}`), command);
    }
    const overview = await runZkts(['--help']);
    assert.match(overview.stdout, /\n {2}stop +stop the server/);
    assert.match(overview.stdout, /\n {2}status +show a server's mode/);
  });

  it('refuses unknown options with exit 2 and the usage', async () => {
    const bad = await runZkts(['status', '--frobnicate']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^zkts status: unknown option for status: --frobnicate\nusage: zkts status/);
  });

  it('prints the version', async () => {
    const version = await runZkts(['version']);
    assert.match(version.stdout, /^zkts \d+\.\d+\.\d+ \(ZooKeeper 3\.8\.\d+ protocol\)\n$/);
  });
});
