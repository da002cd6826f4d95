/**
 * What bench/compare measures: the workloads (each a `zkts bench` invocation), the suites that
 * group them, the metrics taken from each run with the issue's targets as zkts/ZooKeeper
 * ratios of medians, and the table that reports them.
 *
 * Targets (the performance issue; 128 B values): throughput at 32 sessions x 64 in flight for
 * get, set, sequential create and 90/10 mixed >= 1.5x; with one session and one request in
 * flight get p50 <= 1.0x and set p50 <= 0.7x; p99 <= 1.0x everywhere; 1000 watchers all
 * notified >= 1.5x faster (a time ratio <= 1/1.5). The durability issue's writers suite
 * (set and create, 1, 8 and 64 sessions each with one write in flight) has no targets.
 * Not here: running anything (bench/compare.ts).
 */
import type { BenchResult } from './report.js';
import { comparePaired, type Better, type PairedComparison, type Target } from './stats.js';

export interface MetricSpec {
  readonly name: string;
  readonly better: Better;
  readonly target?: Target;
  /** undefined when a run does not have it (e.g. no /proc sample). */
  pick(result: BenchResult): number | undefined;
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** `zkts bench` arguments: the mode and its load; servers, timing and output are added by compare. */
  readonly args: readonly string[];
  readonly metrics: readonly MetricSpec[];
}

const higher = (ratio: number): Target => ({ ratio, better: 'higher' });
const lower = (ratio: number): Target => ({ ratio, better: 'lower' });

const opsPerSec = (target?: Target): MetricSpec => ({ name: 'ops/s', better: 'higher', ...(target ? { target } : {}), pick: (r) => r.opsPerSec });
const p50 = (target?: Target): MetricSpec => ({ name: 'p50 ms', better: 'lower', ...(target ? { target } : {}), pick: (r) => r.latency.p50Ms });
/** "p99 <= 1.0x everywhere". */
const p99: MetricSpec = { name: 'p99 ms', better: 'lower', target: lower(1), pick: (r) => r.latency.p99Ms };
/** Summed over the server processes (an ensemble has three), per op of the window. */
const cpuPerOp: MetricSpec = {
  name: 'server CPU us/op', better: 'lower',
  pick: (r) => (r.serverProcesses.length === 0 || r.ops === 0 ? undefined : (r.serverProcesses.reduce((sum, s) => sum + s.cpuMs, 0) * 1000) / r.ops),
};
/** The largest peak RSS of any server process during the window. */
const peakRss: MetricSpec = {
  name: 'server peak RSS MB', better: 'lower',
  pick: (r) => {
    const peaks = r.serverProcesses.map((s) => s.rssPeakKb).filter((kb): kb is number => kb !== undefined);
    return peaks.length === 0 ? undefined : Math.max(...peaks) / 1024;
  },
};
/** Not a comparison of the servers: near 100%, the load generator and not the server may have been the limit. */
const benchCore: MetricSpec = {
  name: 'bench process % core', better: 'lower',
  pick: (r) => (r.measuredS > 0 ? r.benchCpuMs / 10 / r.measuredS : undefined),
};
const resources = [cpuPerOp, peakRss, benchCore];

const throughput = (name: string, mode: string, extra: readonly string[] = []): Workload => ({
  name,
  description: `${mode}${extra.length > 0 ? ` ${extra.join(' ')}` : ''}, 32 sessions x 64 in flight, 128 B`,
  args: [mode, '--sessions', '32', '--in-flight', '64', '--value-bytes', '128', ...extra],
  metrics: [opsPerSec(['get', 'set', 'create', 'mixed'].includes(mode) ? higher(1.5) : undefined), p50(), p99, ...resources],
});

const latency = (name: string, mode: 'get' | 'set', p50Target: number): Workload => ({
  name,
  description: `${mode}, 1 session x 1 in flight, 128 B`,
  args: [mode, '--sessions', '1', '--in-flight', '1', '--value-bytes', '128'],
  metrics: [p50(lower(p50Target)), p99, opsPerSec(), ...resources],
});

const writers = (mode: 'set' | 'create', sessions: number): Workload => ({
  name: `${mode}-writers-${sessions}`,
  description: `${mode}, ${sessions} concurrent writers (sessions) x 1 in flight, 128 B, fsync on`,
  args: [mode, '--sessions', String(sessions), '--in-flight', '1', '--value-bytes', '128', ...(mode === 'set' ? ['--keys', String(Math.max(sessions, 64))] : [])],
  metrics: [opsPerSec(), p50(), p99, ...resources],
});

export const workloads: readonly Workload[] = [
  throughput('get-32x64', 'get'),
  throughput('set-32x64', 'set'),
  throughput('create-32x64', 'create'),
  throughput('mixed-32x64', 'mixed', ['--read-ratio', '0.9']),
  latency('get-1x1', 'get', 1.0),
  latency('set-1x1', 'set', 0.7),
  {
    name: 'watch-1000',
    description: '1000 sessions watching one znode, one writer; time until all are notified',
    args: ['watch', '--sessions', '1000', '--value-bytes', '128'],
    metrics: [p50(lower(1 / 1.5)), p99, { name: 'rounds/s', better: 'higher', pick: (r) => r.opsPerSec }, ...resources],
  },
  throughput('exists-32x64', 'exists'),
  {
    name: 'churn-32',
    description: '32 sessions each connecting, opening a session and closing it, in a loop',
    args: ['churn', '--sessions', '32'],
    metrics: [{ name: 'sessions/s', better: 'higher', pick: (r) => r.opsPerSec }, p50(), p99, ...resources],
  },
  ...[1, 8, 64].map((n) => writers('set', n)),
  ...[1, 8, 64].map((n) => writers('create', n)),
];

const targets = ['get-32x64', 'set-32x64', 'create-32x64', 'mixed-32x64', 'get-1x1', 'set-1x1', 'watch-1000'];
const extra = ['exists-32x64', 'churn-32'];
const writerSuite = ['set-writers-1', 'set-writers-8', 'set-writers-64', 'create-writers-1', 'create-writers-8', 'create-writers-64'];
export const suites: Readonly<Record<string, readonly string[]>> = { targets, extra, writers: writerSuite, all: [...targets, ...extra, ...writerSuite] };

/** The workloads named (suites expand), in the order given; unknown names are an error. */
export function selectWorkloads(names: readonly string[]): Workload[] {
  const out: Workload[] = [];
  for (const name of names) {
    const expanded = suites[name] ?? [name];
    for (const one of expanded) {
      const workload = workloads.find((w) => w.name === one);
      if (workload === undefined) throw new RangeError(`unknown workload or suite '${one}' (suites: ${Object.keys(suites).join(', ')}; workloads: ${workloads.map((w) => w.name).join(', ')})`);
      if (!out.includes(workload)) out.push(workload);
    }
  }
  return out;
}

export interface MetricComparison {
  readonly metric: Pick<MetricSpec, 'name' | 'better' | 'target'>;
  /** Undefined when some run lacked the metric. */
  readonly comparison: PairedComparison | undefined;
}

/** Compares zkts's rounds with ZooKeeper's, metric by metric. */
export function compareWorkload(workload: Workload, zkts: readonly BenchResult[], zookeeper: readonly BenchResult[]): MetricComparison[] {
  return workload.metrics.map((metric) => {
    const a = zkts.map((r) => metric.pick(r));
    const b = zookeeper.map((r) => metric.pick(r));
    if (a.length === 0 || a.some((v) => v === undefined) || b.some((v) => v === undefined)) return { metric, comparison: undefined };
    return { metric, comparison: comparePaired(a as number[], b as number[], metric.target) };
  });
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(value >= 1 ? 2 : 3);
}

const formatRatio = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-');

function targetText(target: Target | undefined): string {
  if (target === undefined) return '';
  return `${target.better === 'higher' ? '>=' : '<='} ${target.ratio.toFixed(2)}x`;
}

/** One table for all workloads: a row per metric. */
export function formatComparisonTable(rows: readonly { workload: { readonly name: string }; metrics: readonly MetricComparison[] }[]): string {
  const header = ['workload', 'metric', 'zkts', 'ZooKeeper', 'zkts/ZK', 'min-max', 'target', ''];
  const lines: string[][] = [header];
  for (const { workload, metrics } of rows) {
    metrics.forEach(({ metric, comparison }, i) => {
      const name = i === 0 ? workload.name : '';
      if (comparison === undefined) {
        lines.push([name, metric.name, '?', '?', '', '', targetText(metric.target), 'not measured']);
        return;
      }
      lines.push([
        name, metric.name, formatValue(comparison.medianA), formatValue(comparison.medianB), formatRatio(comparison.ratio),
        `${formatRatio(comparison.ratioMin)}-${formatRatio(comparison.ratioMax)}`, targetText(metric.target),
        comparison.targetMet === undefined ? '' : comparison.targetMet ? 'met' : 'NOT met',
      ]);
    });
  }
  const widths = header.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  const numeric = new Set([2, 3, 4, 5]);
  return lines.map((line) => line.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd()).join('\n') + '\n';
}
