/**
 * Starts the servers that bench/compare and bench/scale measure: zkts (this checkout's built
 * CLI) and Apache ZooKeeper 3.8 (the Debian package), with equivalent zoo.cfg settings, each on
 * free loopback ports with its own data directory, its output in `<dir>/server.log`.
 *
 * Equivalent means: the same zoo.cfg lines for both (tickTime, forceSync=yes, snapCount and
 * preallocation left at their defaults, maxClientCnxns=0 so a thousand bench sessions fit,
 * globalOutstandingLimit raised above any bench's outstanding requests so ZooKeeper's
 * throttle, which zkts does not have, does not decide a throughput comparison), both logging
 * at INFO to a file. ZooKeeper also gets a JVM heap bound (-Xmx, 1g by default), which shapes
 * its RSS; compare prints it with the results.
 * Readiness is a real session answering a real request, timed from the spawn, which is also
 * what bench/scale reports as recovery time.
 * Not here: what is run against the servers.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { join, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ExistsRequest } from '../jute/records.js';
import { OpCode } from '../protocol/codes.js';
import { BenchConnection } from './connection.js';
import type { BenchResult } from './core/report.js';

export type ServerKind = 'zkts' | 'zookeeper';

export const zookeeperJar = '/usr/share/java/zookeeper.jar';
/** ZooKeeper's Debian classpath has no slf4j binding (it logs nothing); this one logs INFO to stderr like zkts. */
export const slf4jSimpleJar = '/usr/share/java/slf4j-simple.jar';
export const zktsMain = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
/** Above 32 sessions x 64 in flight, and 1000 watchers. */
export const globalOutstandingLimitForBench = 100_000;
export const readyTimeoutMsDefault = 120_000;
export const stopTimeoutMs = 15_000;
/** Recovery is timed to the first answer, so poll often: a refused connect costs little. */
const readyPollMs = 20;

export interface EnsembleMember {
  readonly id: number;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
}

export interface LaunchOptions {
  readonly kind: ServerKind;
  /** An empty directory for this server: zoo.cfg, data/, server.log. */
  readonly dir: string;
  readonly clientPort: number;
  readonly tickTimeMs?: number;
  /** -Xmx for ZooKeeper's JVM, e.g. '1g'. */
  readonly zookeeperHeap?: string;
  /** The ensemble this server is one of, with its own id; absent for standalone. */
  readonly ensemble?: { readonly myid: number; readonly members: readonly EnsembleMember[] };
  /** More zoo.cfg lines (also given to ZooKeeper's JVM as -D, as some of its settings are read only there). */
  readonly config?: Readonly<Record<string, string>>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });

export function zookeeperInstalled(): boolean {
  return existsSync(zookeeperJar);
}

/** `count` distinct free loopback ports (all held open at once while choosing, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          resolve(typeof address === 'object' && address !== null ? address.port : 0);
        });
      }));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

export function configLines(options: LaunchOptions): Record<string, string> {
  const lines: Record<string, string> = {
    tickTime: String(options.tickTimeMs ?? 2000),
    dataDir: join(options.dir, 'data'),
    clientPort: String(options.clientPort),
    clientPortAddress: '127.0.0.1',
    maxClientCnxns: '0',
    forceSync: 'yes',
    globalOutstandingLimit: String(globalOutstandingLimitForBench),
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': '*',
  };
  if (options.ensemble !== undefined) {
    lines['initLimit'] = '10';
    lines['syncLimit'] = '5';
    for (const member of options.ensemble.members) lines[`server.${member.id}`] = `127.0.0.1:${member.quorumPort}:${member.electionPort}`;
  }
  return { ...lines, ...options.config };
}

export class LaunchedServer {
  private child: ChildProcess | undefined;
  /** performance.now() when the current process was spawned. */
  spawnedAtMs = 0;

  private constructor(readonly options: LaunchOptions, private readonly configPath: string, readonly logPath: string) {}

  static prepare(options: LaunchOptions): LaunchedServer {
    mkdirSync(join(options.dir, 'data'), { recursive: true });
    const configPath = join(options.dir, 'zoo.cfg');
    writeFileSync(configPath, Object.entries(configLines(options)).map(([key, value]) => `${key}=${value}`).join('\n') + '\n');
    if (options.ensemble !== undefined) writeFileSync(join(options.dir, 'data', 'myid'), `${options.ensemble.myid}\n`);
    return new LaunchedServer(options, configPath, join(options.dir, 'server.log'));
  }

  get kind(): ServerKind {
    return this.options.kind;
  }

  get dataDir(): string {
    return join(this.options.dir, 'data');
  }

  get pid(): number {
    if (this.child?.pid === undefined) throw new Error(`${this.kind} is not running`);
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The JVM's arguments (also for reports). */
  zookeeperCommand(): string[] {
    // ZooKeeper reads globalOutstandingLimit as the system property zookeeper.globalOutstandingLimit;
    // zoo.cfg maps unknown keys to such properties, and -D says it without relying on that.
    const properties = [`-Dzookeeper.globalOutstandingLimit=${globalOutstandingLimitForBench}`, ...Object.entries(this.options.config ?? {}).map(([key, value]) => `-D${key}=${value}`)];
    // ZooKeeperServerMain serves standalone whatever the config says; QuorumPeerMain joins the ensemble.
    const main = this.options.ensemble === undefined ? 'org.apache.zookeeper.server.ZooKeeperServerMain' : 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
    return [`-Xmx${this.options.zookeeperHeap ?? '1g'}`, ...properties, '-cp', `/etc/zookeeper/conf:${zookeeperJar}:${slf4jSimpleJar}`, main, this.configPath];
  }

  /** Spawns the server (appending to its log); does not wait for it to serve. */
  spawn(): void {
    if (this.isRunning) throw new Error(`${this.kind} is already running`);
    const log = openSync(this.logPath, 'a');
    writeFileSync(this.logPath, `--- ${new Date().toISOString()} start\n`, { flag: 'a' });
    const child = this.kind === 'zkts'
      ? spawn(process.execPath, [zktsMain, 'start', '--config', this.configPath], { stdio: ['ignore', log, log] })
      : spawn('java', this.zookeeperCommand(), { stdio: ['ignore', log, log] });
    closeSync(log);
    this.spawnedAtMs = performance.now();
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
  }

  /**
   * Waits until a new session gets an answer to exists("/"), and returns the milliseconds from
   * the spawn to that answer. An ensemble member answers only once it has a leader.
   */
  async waitReady(timeoutMs = readyTimeoutMsDefault): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (!this.isRunning) throw new Error(`${this.kind} exited (${this.child?.exitCode ?? this.child?.signalCode}) before serving; its log:\n${this.logTail()}`);
      try {
        const connection = await BenchConnection.open({ host: '127.0.0.1', port: this.options.clientPort }, 30_000, 2000);
        try {
          const reply = await connection.call(OpCode.exists, ExistsRequest, { path: '/', watch: false });
          if (reply.err === 0) return performance.now() - this.spawnedAtMs;
        } finally {
          await connection.close();
        }
      } catch {
        // Not listening or not serving yet.
      }
      if (performance.now() > deadline) throw new Error(`${this.kind} did not serve on port ${this.options.clientPort} within ${timeoutMs} ms; its log:\n${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, readyPollMs));
    }
  }

  /** The answer to a four-letter word, e.g. 'srvr' or 'mntr'. */
  fourLetterWord(word: string, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: this.options.clientPort }, () => socket.end(word));
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to ${word} within ${timeoutMs} ms`)));
      let answer = '';
      socket.on('data', (chunk) => { answer += chunk.toString(); });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** SIGKILL: nothing runs at shutdown, as in a crash. */
  kill9(): Promise<void> {
    return this.signal('SIGKILL');
  }

  private async signal(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.isRunning) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }

  log(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
  }

  logTail(lines = 40): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }
}

/** One server or three, of one kind. */
export interface Cluster {
  readonly kind: ServerKind;
  readonly servers: readonly LaunchedServer[];
}

export const clusterName = (kind: ServerKind) => (kind === 'zkts' ? 'zkts' : 'ZooKeeper');

/** Lays out and starts a cluster, waiting until each member answers a request. */
export async function startCluster(kind: ServerKind, root: string, ensemble: boolean, zookeeperHeap: string): Promise<Cluster> {
  const size = ensemble ? 3 : 1;
  const ports = await freePorts(size * 3);
  const members = Array.from({ length: size }, (_, i) => ({ id: i + 1, clientPort: ports[i * 3]!, quorumPort: ports[i * 3 + 1]!, electionPort: ports[i * 3 + 2]! }));
  const servers = members.map((member) => LaunchedServer.prepare({
    kind, dir: join(root, ensemble ? `${kind}-${member.id}` : kind), clientPort: member.clientPort, zookeeperHeap,
    ...(ensemble ? { ensemble: { myid: member.id, members } } : {}),
  }));
  for (const server of servers) server.spawn();
  try {
    await Promise.all(servers.map((server) => server.waitReady()));
    if (ensemble) {
      // A server that ignored the server list would serve alone: that is not an ensemble to measure.
      for (const server of servers) {
        const mode = /^Mode: (\w+)/m.exec(await server.fourLetterWord('srvr'))?.[1];
        if (mode !== 'leader' && mode !== 'follower') throw new Error(`${clusterName(kind)} on port ${server.options.clientPort} reports Mode: ${mode ?? '?'}, not leader or follower: it is not running as an ensemble`);
      }
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.kill9()));
    throw error;
  }
  return { kind, servers };
}

export async function stopCluster(cluster: Cluster): Promise<void> {
  await Promise.all(cluster.servers.map((server) => server.stop()));
}

/** Runs `zkts bench` as its own process against a cluster; rejects with its stderr on failure. */
export function runBenchProcess(args: readonly string[], cluster: Cluster, timeoutMs: number): Promise<BenchResult> {
  const servers = cluster.servers.map((server) => `127.0.0.1:${server.options.clientPort}`).join(',');
  const pids = cluster.servers.map((server) => server.pid).join(',');
  const argv = [zktsMain, 'bench', ...args, '--servers', servers, '--pid', pids, '--json', '--quiet'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`zkts bench ${args.join(' ')} against ${clusterName(cluster.kind)} failed (${error.killed ? `killed after ${timeoutMs} ms` : `exit ${error.code}`}):\n${stderr}\nserver log tail:\n${cluster.servers[0]!.logTail(20)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as BenchResult);
      } catch {
        reject(new Error(`zkts bench printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}
