/**
 * Plumbing for the CLI tests: run the built `zkts` (dist/src/cli/main.js) or the real zkCli.sh
 * to completion, and make outputs from different servers comparable.
 *
 * Not a test. Invariants: every run is bounded (runToCompletion kills it on timeout); runs get
 * TZ=UTC, so ctime/mtime print the same in zkts's shell and in zkCli's JVM, and a HOME of the
 * caller's choosing, so no test reads or writes the real ~/.zkts_history.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToCompletion } from '../interop/clients/support.js';
import { zktsMain } from '../support/servers.js';

export const zkCliPath = '/usr/share/zookeeper/bin/zkCli.sh';
export const zkCliInstalled = existsSync(zkCliPath) && existsSync('/usr/share/java/zookeeper.jar');

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const scratchHomes: string[] = [];
process.on('exit', () => {
  for (const home of scratchHomes) rmSync(home, { recursive: true, force: true });
});

/** A scratch HOME (removed when the test process exits). */
export function scratchHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'zkts-cli-home-'));
  scratchHomes.push(home);
  return home;
}

let sharedHome: string | undefined;

export function runZkts(args: readonly string[], options: { input?: string; home?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return runToCompletion(process.execPath, [zktsMain, ...args], {
    input: options.input ?? '',
    timeoutMs: options.timeoutMs ?? 30_000,
    env: { ...process.env, TZ: 'UTC', HOME: options.home ?? (sharedHome ??= scratchHome()) },
  });
}

/** zkCli.sh with its JVM tuned for a quick start; its SLF4J start-up warnings are dropped from stderr. */
export async function runZkCli(args: readonly string[], input = ''): Promise<RunResult> {
  const result = await runToCompletion(zkCliPath, args, {
    input,
    timeoutMs: 60_000,
    env: { ...process.env, TZ: 'UTC', CLIENT_JVMFLAGS: '-Xmx128m -XX:TieredStopAtLevel=1' },
  });
  return { ...result, stderr: result.stderr.split('\n').filter((line) => !line.startsWith('SLF4J:')).join('\n') };
}

/**
 * Replaces what differs between servers and runs but not between formats: zxids and session
 * ids (any 0x… number), times, and the server's address.
 */
export function normalize(text: string, connectString?: string): string {
  let out = text
    .replace(/0x[0-9a-f]+/g, '0x…')
    .replace(/^([cm]time = )\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/gm, '$1<date>');
  if (connectString !== undefined) out = out.split(connectString).join('<server>');
  return out;
}
