/**
 * Shared plumbing for the third-party client interop tests: which server to start, where the
 * non-TS helper files live, bounded polling, and a wrapper that drives an interactive client
 * process (zkCli.sh, cli_mt) over stdin while collecting its output.
 *
 * Not a test itself and not a client: it never speaks the ZooKeeper protocol.
 *
 * Invariants: every wait has a bound and fails with the output seen so far; every process
 * started here is killed by `stop()` (the tests call it in `finally`/`after`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApacheZooKeeper, startZkts, type RunningServer, type ServerOptions } from '../../support/servers.js';

/** Compiled tests live in dist/test/interop/clients; their .py helpers stay in the source tree. */
export const clientsSourceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'test', 'interop', 'clients');

export const superUser = { user: 'super', password: 'secret' } as const;

/** ZooKeeper's digest form: user:base64(sha1("user:password")). */
export function digestOf(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

/** tickTime 500 ms makes the session-timeout bounds 1000..10000 ms, so expiry tests are quick. */
export const tickTimeMs = 500;
export const minSessionTimeoutMs = 2 * tickTimeMs;
export const maxSessionTimeoutMs = 20 * tickTimeMs;

export function serverOptions(extra: Readonly<Record<string, string>> = {}): ServerOptions {
  return {
    tickTimeMs,
    config: {
      extendedTypesEnabled: 'true',
      'DigestAuthenticationProvider.superDigest': digestOf(superUser.user, superUser.password),
      ...extra,
    },
  };
}

export const interopTarget: 'zkts' | 'zookeeper' = process.env.ZKTS_INTEROP_TARGET === 'zookeeper' ? 'zookeeper' : 'zkts';

/** zkts by default; Apache ZooKeeper when ZKTS_INTEROP_TARGET=zookeeper. */
export function startTarget(options: ServerOptions = serverOptions()): Promise<RunningServer> {
  return interopTarget === 'zookeeper' ? startApacheZooKeeper(options) : startZkts(options);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const detail = describe();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n--- output ---\n${detail}` : ''}`);
    }
    await sleep(20);
  }
}

/** True when `command args...` runs and exits 0 (used to decide whether a client is installed). */
export function commandSucceeds(command: string, args: readonly string[]): boolean {
  if (command.startsWith('/') && !existsSync(command)) return false;
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  return result.status === 0;
}

const liveGroups = new Set<number>();
const startedProcesses = new Set<InteractiveProcess>();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/**
 * An interactive client process: stdin is a pipe, stdout and stderr are merged into one
 * transcript (these CLIs print results on one stream and errors or events on the other).
 * It runs in its own process group, because zkCli.sh is a shell script whose JVM is a child:
 * signals (SIGSTOP to freeze a session, SIGKILL to end it) must reach the whole group.
 */
export class InteractiveProcess {
  readonly child: ChildProcess;
  private transcript = '';
  private exitCode: number | null | undefined = undefined;

  constructor(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    // `exec ... 2>&1` gives one pipe for both streams, so lines keep the order the process
    // wrote them in (two separate pipes could interleave differently).
    const quoted = [command, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
    this.child = spawn('/bin/sh', ['-c', `exec ${quoted} 2>&1`], { stdio: ['pipe', 'pipe', 'ignore'], env, detached: true });
    const pid = this.child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    this.child.stdout?.on('data', (chunk: Buffer) => { this.transcript += chunk.toString('utf8'); });
    this.child.on('exit', (code) => {
      this.exitCode = code;
      if (pid !== undefined) {
        // Take any leftover children (the JVM under zkCli.sh) down with the leader.
        try { process.kill(-pid, 'SIGKILL'); } catch { /* group already empty */ }
        liveGroups.delete(pid);
      }
    });
    this.child.stdin?.on('error', () => { /* the process may exit before reading everything */ });
    startedProcesses.add(this);
  }

  get output(): string {
    return this.transcript;
  }

  /** Length of the transcript now: pass it to `waitForMatch` to look only at newer output. */
  get mark(): number {
    return this.transcript.length;
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Waits until `pattern` matches the transcript after `from`; returns the match. */
  waitForMatch(pattern: RegExp, from = 0, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return waitFor(
      `${pattern}`,
      () => pattern.exec(this.transcript.slice(from)) ?? undefined,
      timeoutMs,
      () => this.transcript.slice(from),
    );
  }

  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || !liveGroups.has(pid)) return;
    try { process.kill(-pid, signal); } catch { /* group already gone */ }
  }

  /** Kills the process group; bounded, and afterwards nothing of it keeps this process alive. */
  async stop(): Promise<void> {
    startedProcesses.delete(this);
    if (!this.exited) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.signal('SIGCONT');
      this.signal('SIGKILL');
      await Promise.race([exited, sleep(5_000)]);
    }
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.unref();
  }

  async waitForExit(timeoutMs = 10_000): Promise<number | null> {
    await waitFor('process exit', () => this.exited, timeoutMs, () => this.transcript);
    return this.exitCode ?? null;
  }
}

/** Stops every InteractiveProcess not stopped yet (for `after` hooks). */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...startedProcesses].map((proc) => proc.stop()));
}

/** Runs a command to completion with optional stdin and environment; bounded by `timeoutMs`. */
export function runToCompletion(
  command: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout also kills grandchildren (the JVM under zkCli.sh).
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const timer = setTimeout(() => {
      try { process.kill(-(child.pid ?? 0), 'SIGKILL'); } catch { /* gone */ }
      child.stdout.destroy();
      child.stderr.destroy();
      reject(new Error(`${command} did not finish within ${options.timeoutMs ?? 60_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.on('error', () => { /* ignore EPIPE */ });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * A loopback TCP proxy in front of the server that a test can cut and gate. `cut()` drops
 * every proxied connection and holds new ones (accepted, their bytes buffered, nothing sent
 * upstream) until `release()`. A client behind it thus loses its connection and cannot reach
 * the server, for exactly as long as the test decides, without freezing the test's own process.
 */
export class GatedProxy {
  private open = true;
  private readonly live = new Set<{ client: Socket; upstream: Socket | undefined; buffered: Buffer[] }>();
  private readonly held: Array<{ client: Socket; upstream: Socket | undefined; buffered: Buffer[] }> = [];

  private constructor(private readonly server: Server, readonly port: number, private readonly target: { host: string; port: number }) {}

  static async start(targetHost: string, targetPort: number): Promise<GatedProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    assertObject(address);
    const proxy = new GatedProxy(server, address.port, { host: targetHost, port: targetPort });
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Connections currently held at the gate (accepted while cut). */
  get heldCount(): number {
    return this.held.filter((pair) => !pair.client.destroyed).length;
  }

  private accept(client: Socket): void {
    const pair = { client, upstream: undefined as Socket | undefined, buffered: [] as Buffer[] };
    this.live.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.upstream) pair.upstream.write(chunk);
      else pair.buffered.push(chunk);
    });
    const drop = () => {
      client.destroy();
      pair.upstream?.destroy();
      this.live.delete(pair);
    };
    client.on('close', drop);
    client.on('error', drop);
    if (this.open) this.forward(pair);
    else this.held.push(pair);
  }

  private forward(pair: { client: Socket; upstream: Socket | undefined; buffered: Buffer[] }): void {
    if (pair.client.destroyed) return;
    const upstream = connect({ host: this.target.host, port: this.target.port });
    pair.upstream = upstream;
    for (const chunk of pair.buffered.splice(0)) upstream.write(chunk);
    upstream.on('data', (chunk: Buffer) => pair.client.write(chunk));
    const drop = () => {
      upstream.destroy();
      pair.client.destroy();
      this.live.delete(pair);
    };
    upstream.on('close', drop);
    upstream.on('error', drop);
  }

  /** Drops every connection and holds new ones until `release()`. */
  cut(): void {
    this.open = false;
    for (const pair of [...this.live]) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.live.clear();
  }

  /** Lets held and future connections through. */
  release(): void {
    this.open = true;
    for (const pair of this.held.splice(0)) this.forward(pair);
  }

  async close(): Promise<void> {
    this.cut();
    for (const pair of this.held.splice(0)) pair.client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function assertObject<T>(value: T | string | null): asserts value is T {
  if (value === null || typeof value === 'string') throw new Error('proxy has no TCP address');
}
