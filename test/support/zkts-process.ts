/**
 * One zkts server process on a data directory that outlives it, for crash tests: start it,
 * kill -9 it at any moment, damage its files, start it again on the same directory.
 * Not a test. Every start waits for `srvr` with a bound; `remove()` kills and deletes everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort, zktsMain } from './servers.js';

export class ZktsProcess {
  private child: ChildProcess | undefined;
  private static readonly running = new Set<ChildProcess>();
  static {
    // A test process that dies early must not leave servers behind.
    process.on('exit', () => { for (const child of ZktsProcess.running) child.kill('SIGKILL'); });
  }
  private log = '';
  /** Output of every run so far, each start marked, for failure messages. */
  get output(): string {
    return this.log;
  }

  private constructor(readonly dir: string, readonly dataDir: string, readonly dataLogDir: string, readonly port: number,
    private readonly configPath: string) {}

  static async create(config: Readonly<Record<string, string>> = {}): Promise<ZktsProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'zkts-crash-'));
    const port = await freePort();
    const dataDir = join(dir, 'data');
    // dataLogDir '' in `config` means: a directory of its own next to dataDir.
    const extra = { ...config };
    if (extra['dataLogDir'] === '') extra['dataLogDir'] = join(dir, 'datalog');
    const lines = { tickTime: '2000', dataDir, clientPort: String(port), clientPortAddress: '127.0.0.1', 'admin.enableServer': 'false', ...extra };
    const configPath = join(dir, 'zoo.cfg');
    const server = new ZktsProcess(dir, dataDir, extra['dataLogDir'] ?? dataDir, port, configPath);
    server.lines = lines;
    server.writeConfig();
    return server;
  }

  private lines: Record<string, string> = {};

  /** Changes zoo.cfg keys for the next start. */
  configure(changes: Readonly<Record<string, string>>): void {
    this.lines = { ...this.lines, ...changes };
    this.writeConfig();
  }

  private writeConfig(): void {
    writeFileSync(this.configPath, Object.entries(this.lines).map(([key, value]) => `${key}=${value}`).join('\n') + '\n');
  }

  async start(timeoutMs = 20_000): Promise<void> {
    if (this.child !== undefined) throw new Error('already running');
    const child = spawn(process.execPath, [zktsMain, 'start', '--config', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    ZktsProcess.running.add(child);
    child.once('exit', () => ZktsProcess.running.delete(child));
    this.log += `--- start\n`;
    child.stdout?.on('data', (chunk: Buffer) => { this.log += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { this.log += chunk.toString(); });
    try {
      await waitForPort(this.port, child, () => this.log, timeoutMs);
    } catch (error) {
      await this.kill9();
      throw error;
    }
  }

  /** SIGKILL: no shutdown code runs, whatever was not on disk is gone. */
  kill9(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM, as an operator stops a server; SIGKILL if it is still there 5 s later. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async remove(): Promise<void> {
    await this.kill9();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
