/**
 * The server's pid file, where zkServer.sh keeps it: `<dataDir>/zookeeper_server.pid`, holding
 * the decimal pid with no newline. A running `zkts start` (foreground or --daemon) writes it once
 * it serves and removes it when it shuts down; `zkts stop` signals the pid in it. Because the
 * name and format are zkServer.sh's, `zkServer.sh stop` can stop a zkts server too.
 *
 * A pid file outlives a killed server, and its pid may since belong to another program: a pid
 * is only trusted while that process is alive and (where /proc shows it) is a `zkts start`.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PID_FILE_NAME = 'zookeeper_server.pid';
/** Where `start --daemon` sends the detached server's stdout and stderr. */
export const DAEMON_OUT_FILE_NAME = 'zkts_server.out';

export function pidFilePath(dataDir: string): string {
  return join(dataDir, PID_FILE_NAME);
}

/** The pid in the file; undefined when there is no file or it holds no pid. */
export function readPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return /^\d+$/.test(text.trim()) && pid > 0 && Number.isSafeInteger(pid) ? pid : undefined;
}

export function writePidFile(path: string, pid: number): void {
  writeFileSync(path, String(pid));
}

/** Removes the pid file if it still names `pid` (a newer server may have replaced it). */
export function removePidFile(path: string, pid: number): void {
  if (readPid(path) === pid) rmSync(path, { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * False when /proc shows that `pid` is some other program than a `zkts start`, so a stale pid
 * file whose pid was reused is never signalled. True where /proc cannot tell.
 */
export function isZktsServer(pid: number): boolean {
  let words: string[];
  try {
    words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return true;
  }
  const startAt = words.indexOf('start');
  return startAt > 0 && words.slice(0, startAt).some((word) => /(^|\/)(zkts|main\.js)$/.test(word));
}

/** The live zkts server the pid file names, if any. */
export function runningServerPid(path: string): number | undefined {
  const pid = readPid(path);
  return pid !== undefined && processAlive(pid) && isZktsServer(pid) ? pid : undefined;
}

/** Polls `done` every `intervalMs` until it holds (true) or `timeoutMs` passes (false). */
export async function waitFor(done: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
