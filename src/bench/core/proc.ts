/**
 * Parsers for Linux's per-process files (proc(5)), for the CPU time and memory of the server
 * under test, whether it is a node process or a JVM: /proc/<pid>/stat fields 14 and 15 (utime,
 * stime: all threads of the process, in clock ticks), and /proc/<pid>/status lines VmRSS and
 * VmHWM (resident set now and at its peak, in kB).
 *
 * Not here: reading the files (bench/process-stats.ts). Field 2 of stat, the command name, is
 * in parentheses and may itself hold spaces and parentheses, so fields are counted from the
 * last ')'.
 */

export interface CpuTicks {
  readonly userTicks: number;
  readonly systemTicks: number;
}

export function parseStatCpuTicks(stat: string): CpuTicks {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new RangeError('not a /proc/<pid>/stat line');
  // After ')' come field 3 (state) onwards, so utime (14) and stime (15) are at 11 and 12.
  const fields = stat.slice(close + 1).trim().split(/\s+/);
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  if (!Number.isInteger(userTicks) || !Number.isInteger(systemTicks)) throw new RangeError('no utime/stime in /proc/<pid>/stat');
  return { userTicks, systemTicks };
}

/** A `Name:   1234 kB` line of /proc/<pid>/status, in kB; undefined when absent. */
export function parseStatusKb(status: string, name: 'VmRSS' | 'VmHWM'): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]);
}

/** CPU milliseconds between two samples. */
export function cpuMsBetween(before: CpuTicks, after: CpuTicks, ticksPerSecond: number): number {
  const ticks = after.userTicks + after.systemTicks - before.userTicks - before.systemTicks;
  return (ticks * 1000) / ticksPerSecond;
}
