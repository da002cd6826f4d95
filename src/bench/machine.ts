/**
 * A description of the machine a comparison ran on, for the record that goes with its numbers:
 * CPU, cores, memory, kernel, node and java versions, and the filesystem holding the data dirs.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly node: string;
  readonly java: string;
  /** `df -hT` of the data directory: device, type, size. */
  readonly dataFilesystem: string;
  /** 1-minute load average when the run started: a busy machine makes noisy numbers. */
  readonly loadAverage: number;
}

/** The first line a command prints on stdout or, failing that, stderr (java -version uses stderr). */
function firstLines(command: string, args: string[], lines = 1): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  const text = (result.stdout?.trim() || result.stderr?.trim() || '?');
  return text.split('\n').slice(0, lines).join('\n');
}

export function machineInfo(dataDir: string): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    java: firstLines('java', ['-version']),
    // The header line, then the data dir's filesystem.
    dataFilesystem: firstLines('df', ['-hT', dataDir], 2).split('\n').slice(1).join(' ').replace(/\s+/g, ' '),
    loadAverage: loadavg()[0]!,
  };
}

export function formatMachine(m: MachineInfo): string {
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB, Linux ${m.kernel}, load average ${m.loadAverage.toFixed(2)} at start`,
    `runtimes: node ${m.node}; ${m.java}`,
    `data dirs on: ${m.dataFilesystem}`,
  ].join('\n');
}
