/**
 * CPU time and memory of server processes on this machine, read from /proc (Linux only):
 * a sample at the start of the measured window and one at its end give the CPU the servers
 * spent on the window's ops; VmHWM at the end gives the peak resident set.
 *
 * Peak since the window started needs the kernel's peak counter reset at the start, which
 * writing "5" to /proc/<pid>/clear_refs does (proc(5)); where that is refused the peak is the
 * process's lifetime peak, and the sample says which.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpuMsBetween, parseStatCpuTicks, parseStatusKb, type CpuTicks } from './core/proc.js';
import type { ServerSample } from './core/report.js';

/** sysconf(_SC_CLK_TCK); 100 on every Linux this is likely to meet, asked once to be sure. */
let ticksPerSecondCache: number | undefined;
export function ticksPerSecond(): number {
  if (ticksPerSecondCache === undefined) {
    try {
      ticksPerSecondCache = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecondCache = 100;
    }
  }
  return ticksPerSecondCache;
}

export function readCpuTicks(pid: number): CpuTicks {
  return parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

export interface MemorySample {
  readonly rssKb: number | undefined;
  readonly rssPeakKb: number | undefined;
}

export function readMemory(pid: number): MemorySample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssKb: parseStatusKb(status, 'VmRSS'), rssPeakKb: parseStatusKb(status, 'VmHWM') };
}

/** Resets the peak RSS counter; false if the kernel refused. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples a set of processes over one window. */
export class WindowSampler {
  private readonly starts = new Map<number, CpuTicks>();
  private readonly peakReset = new Map<number, boolean>();

  /** Reads each process once, so a wrong pid fails here and not in the middle of a run. */
  constructor(private readonly pids: readonly number[]) {
    for (const pid of pids) {
      try {
        readCpuTicks(pid);
        readMemory(pid);
      } catch (error) {
        throw new Error(`cannot read /proc/${pid}: ${(error as Error).message}`);
      }
    }
  }

  start(): void {
    for (const pid of this.pids) {
      this.peakReset.set(pid, resetPeakRss(pid));
      this.starts.set(pid, readCpuTicks(pid));
    }
  }

  finish(ops: number): ServerSample[] {
    return this.pids.map((pid) => {
      const cpuMs = cpuMsBetween(this.starts.get(pid)!, readCpuTicks(pid), ticksPerSecond());
      const memory = readMemory(pid);
      return {
        pid,
        cpuMs,
        cpuUsPerOp: ops === 0 ? 0 : (cpuMs * 1000) / ops,
        rssKb: memory.rssKb,
        rssPeakKb: memory.rssPeakKb,
        rssPeakSince: this.peakReset.get(pid) === true ? 'window' : 'process-start',
      };
    });
  }
}
