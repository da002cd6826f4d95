/**
 * Starts real servers for interop and differential tests: a zkts process (the built CLI) and an
 * Apache ZooKeeper 3.8 process (Debian's package), each on a free loopback port with its own
 * temporary data directory, each stopped by `stop()` (and killed if the test process exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunningServer {
  readonly kind: 'zkts' | 'zookeeper';
  readonly host: string;
  readonly port: number;
  readonly connectString: string;
  readonly dataDir: string;
  /** The temporary directory holding zoo.cfg and dataDir. */
  readonly baseDir: string;
  readonly process: ChildProcess;
  /** Output so far (stdout and stderr), for failure messages. */
  output(): string;
  /**
   * Stops the server with `signal` (SIGTERM by default; SIGKILL is a crash), SIGKILL if it is
   * still running 5 s later, and deletes baseDir unless it was started with keepDataDir.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServerOptions {
  /** Extra zoo.cfg lines, e.g. { extendedTypesEnabled: 'true' }. */
  readonly config?: Readonly<Record<string, string>>;
  readonly tickTimeMs?: number;
  /** Leave baseDir (zoo.cfg and dataDir) on disk after stop(): the caller removes it. */
  readonly keepDataDir?: boolean;
  /** Serve this existing dataDir instead of a fresh one inside baseDir; stop() never deletes it. */
  readonly dataDir?: string;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const zktsMain = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const zookeeperJar = '/usr/share/java/zookeeper.jar';
/**
 * Jars zookeeper.jar's manifest leaves out: Jetty's servlet API (without it the AdminServer
 * cannot start) and Netty's codec and resolver (without them NettyServerCnxnFactory, which TLS
 * needs, fails on the first connection).
 */
const extraJars = ['servlet-api', 'netty-codec', 'netty-resolver'].map((name) => `/usr/share/java/${name}.jar`).join(':');

export function apacheZooKeeperAvailable(): boolean {
  return existsSync(zookeeperJar);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function writeConfig(dir: string, port: number, options: ServerOptions): string {
  const lines: Record<string, string> = {
    tickTime: String(options.tickTimeMs ?? 2000),
    dataDir: options.dataDir ?? join(dir, 'data'),
    clientPort: String(port),
    clientPortAddress: '127.0.0.1',
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': '*',
    ...options.config,
  };
  const path = join(dir, 'zoo.cfg');
  writeFileSync(path, Object.entries(lines).map(([key, value]) => `${key}=${value}`).join('\n') + '\n');
  return path;
}

export async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before listening:\n${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        // srvr is in every whitelist (ZooKeeper always allows it) and, unlike ruok, answers
        // "not currently serving" until the server really serves.
        socket.end('srvr');
      });
      // A server still starting may accept the probe and never answer it: give up and retry.
      socket.setTimeout(1000, () => socket.destroy());
      let answer = '';
      socket.on('data', (chunk) => { answer += chunk.toString(); });
      socket.on('close', () => resolve(answer.startsWith('Zookeeper version:')));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`server did not answer srvr on ${port} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * ZooKeeper reads some settings only as JVM system properties under their bare names
 * (`jute.maxbuffer`, `znode.container.checkIntervalMs`), while zoo.cfg turns unknown keys into
 * `zookeeper.<key>`; zkts accepts both in zoo.cfg. Passing the extra config as -D as well makes
 * the same test settings mean the same thing on both servers.
 */
function javaProperties(options: ServerOptions): string[] {
  return Object.entries(options.config ?? {}).map(([key, value]) => `-D${key}=${value}`);
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function start(kind: 'zkts' | 'zookeeper', options: ServerOptions): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), `${kind}-test-`));
  const port = await freePort();
  const configPath = writeConfig(dir, port, options);
  const child = kind === 'zkts'
    ? spawn(process.execPath, [zktsMain, 'start', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('java', ['-Xmx256m', ...javaProperties(options), '-cp', `/etc/zookeeper/conf:${zookeeperJar}:${extraJars}`, 'org.apache.zookeeper.server.ZooKeeperServerMain', configPath], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  running.add(child);
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  const output = () => log;
  try {
    await waitForPort(port, child, output, kind === 'zkts' ? 10_000 : 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    running.delete(child);
    throw error;
  }
  return {
    kind,
    host: '127.0.0.1',
    port,
    connectString: `127.0.0.1:${port}`,
    dataDir: options.dataDir ?? join(dir, 'data'),
    baseDir: dir,
    process: child,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      if (options.keepDataDir !== true) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function startZkts(options: ServerOptions = {}): Promise<RunningServer> {
  return start('zkts', options);
}

export function startApacheZooKeeper(options: ServerOptions = {}): Promise<RunningServer> {
  return start('zookeeper', options);
}
