/**
 * What a bench run reports, as one JSON-able record (`--json`), a human-readable table, and
 * the one-line progress shown while it runs.
 *
 * What an "op" and its latency are depends on the mode (docs/performance.md says it too):
 * get/set/exists/create/mixed/load: one request, from the write of its frame to its reply;
 * watch: one round, from the write of the setData to the last watcher's notification;
 * churn: one session's life, from TCP connect to the reply to its closeSession.
 * Not here: measuring (bench/runner.ts). Invariant: formatting never changes a number's value
 * beyond rounding for display; the JSON holds them unrounded.
 */
import type { LogLinearHistogram } from './histogram.js';
import type { BenchMode } from './options.js';

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/** Percentiles of a histogram of microseconds, in milliseconds. */
export function summarize(histogram: LogLinearHistogram): LatencySummary {
  const ms = (us: number) => us / 1000;
  return {
    count: histogram.totalCount,
    meanMs: ms(histogram.mean),
    p50Ms: ms(histogram.valueAtPercentile(50)),
    p90Ms: ms(histogram.valueAtPercentile(90)),
    p99Ms: ms(histogram.valueAtPercentile(99)),
    p999Ms: ms(histogram.valueAtPercentile(99.9)),
    maxMs: ms(histogram.max),
  };
}

export interface ServerSample {
  readonly pid: number;
  /** CPU time (user + system, all threads) the process used during the measured window. */
  readonly cpuMs: number;
  readonly cpuUsPerOp: number;
  readonly rssKb: number | undefined;
  /** VmHWM at the end of the window: since the window started if it could be reset, else since the process started. */
  readonly rssPeakKb: number | undefined;
  readonly rssPeakSince: 'window' | 'process-start';
}

export interface BenchResult {
  readonly tool: 'zkts bench';
  readonly mode: BenchMode;
  readonly servers: readonly string[];
  readonly sessions: number;
  readonly inFlight: number;
  readonly valueBytes: number;
  readonly keys?: number;
  readonly readRatio?: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** The measured window as it really was. */
  readonly measuredS: number;
  readonly stoppedBy: 'duration' | 'ops-max' | 'done';
  readonly ops: number;
  readonly opsPerSec: number;
  readonly latency: LatencySummary;
  /** mixed only: latency by op. */
  readonly byOp?: Readonly<Record<string, LatencySummary>>;
  /** Error replies in the window by ZooKeeper error name. */
  readonly errors: Readonly<Record<string, number>>;
  readonly watch?: {
    readonly watchers: number;
    /** From the write of the setData to each watcher's notification. */
    readonly notified: LatencySummary;
    readonly notificationsPerSec: number;
  };
  readonly churn?: {
    /** From TCP connect to the ConnectResponse. */
    readonly connect: LatencySummary;
  };
  readonly load?: {
    readonly znodes: number;
    readonly depth: number;
    readonly fanout: number;
    readonly levels: readonly number[];
    /** The last znode created, for a check after recovery. */
    readonly lastPath: string;
  };
  readonly serverProcesses: readonly ServerSample[];
  /** The bench process's own CPU time in the window: near one core's worth, it and not the server may be the limit. */
  readonly benchCpuMs: number;
}

/** Three significant digits, without exponent notation for the sizes a bench sees. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

export function formatCount(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => '  ' + row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('   ')).join('\n');
}

const latencyHeader = ['p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms'];
const latencyCells = (l: LatencySummary) => [formatMs(l.p50Ms), formatMs(l.p90Ms), formatMs(l.p99Ms), formatMs(l.p999Ms), formatMs(l.maxMs)];

function describeLoad(r: BenchResult): string {
  switch (r.mode) {
    case 'watch': return `${r.watch?.watchers ?? r.sessions} watchers, 1 writer, ${r.valueBytes} B values`;
    case 'churn': return `${r.sessions} sessions opening and closing`;
    case 'load': return `${r.sessions} sessions x ${r.inFlight} in flight, ${r.valueBytes} B values, ${r.load?.znodes ?? 0} znodes, depth ${r.load?.depth ?? 0} (fanout ${r.load?.fanout ?? 0})`;
    case 'mixed': return `${r.sessions} sessions x ${r.inFlight} in flight, ${r.valueBytes} B values, ${r.keys} keys, ${Math.round((r.readRatio ?? 0) * 100)}% reads`;
    case 'create': return `${r.sessions} sessions x ${r.inFlight} in flight, ${r.valueBytes} B values, sequential`;
    case 'get': case 'set': case 'exists': return `${r.sessions} sessions x ${r.inFlight} in flight, ${r.valueBytes} B values, ${r.keys} keys`;
  }
}

const opUnit: Record<BenchMode, string> = {
  create: 'creates', set: 'setData', get: 'getData', exists: 'exists', mixed: 'requests',
  watch: 'rounds', churn: 'sessions', load: 'creates',
};

export function formatResult(r: BenchResult): string {
  const lines = [
    `zkts bench ${r.mode}: ${describeLoad(r)}; servers ${r.servers.join(',')}`,
    r.mode === 'load'
      ? `loaded in ${r.measuredS.toFixed(2)} s`
      : `warm-up ${r.warmupS} s, measured ${r.measuredS.toFixed(2)} s (stopped by ${r.stoppedBy})`,
    '',
  ];
  const rows: string[][] = [['', opUnit[r.mode], `${opUnit[r.mode]}/s`, ...latencyHeader]];
  rows.push([r.mode === 'watch' ? 'all notified' : r.mode === 'churn' ? 'connect to close' : 'latency', formatCount(r.ops), formatCount(r.opsPerSec), ...latencyCells(r.latency)]);
  for (const [op, summary] of Object.entries(r.byOp ?? {})) rows.push([op, formatCount(summary.count), '', ...latencyCells(summary)]);
  if (r.watch !== undefined) rows.push(['each watcher', formatCount(r.watch.notified.count), formatCount(r.watch.notificationsPerSec), ...latencyCells(r.watch.notified)]);
  if (r.churn !== undefined) rows.push(['connect', formatCount(r.churn.connect.count), '', ...latencyCells(r.churn.connect)]);
  lines.push(table(rows), '');
  const errors = Object.entries(r.errors);
  lines.push(errors.length === 0 ? 'errors: none' : `errors: ${errors.map(([name, count]) => `${name} ${count}`).join(', ')}`);
  lines.push(`bench process: cpu ${(r.benchCpuMs / 1000).toFixed(2)} s in ${r.measuredS.toFixed(2)} s (${r.ops === 0 ? 0 : ((r.benchCpuMs * 1000) / r.ops).toFixed(1)} us/op)`);
  for (const s of r.serverProcesses) {
    const mb = (kb: number | undefined) => (kb === undefined ? '?' : `${(kb / 1024).toFixed(0)} MB`);
    lines.push(`server pid ${s.pid}: cpu ${(s.cpuMs / 1000).toFixed(2)} s (${s.cpuUsPerOp.toFixed(1)} us/op), rss ${mb(s.rssKb)}, peak ${mb(s.rssPeakKb)} (since ${s.rssPeakSince})`);
  }
  return lines.join('\n') + '\n';
}

export interface ProgressSample {
  readonly elapsedS: number;
  readonly phase: 'setup' | 'warm-up' | 'measure' | 'drain';
  readonly intervalOpsPerSec: number;
  readonly interval: LatencySummary;
  readonly totalOps: number;
  readonly errors: number;
}

export function formatProgress(p: ProgressSample): string {
  return `[${p.elapsedS.toFixed(1).padStart(6)} s ${p.phase.padEnd(7)}] ${formatCount(p.intervalOpsPerSec).padStart(9)} ops/s`
    + `  p50 ${formatMs(p.interval.p50Ms)} ms  p99 ${formatMs(p.interval.p99Ms)} ms  max ${formatMs(p.interval.maxMs)} ms`
    + `  total ${formatCount(p.totalOps)}  errors ${p.errors}`;
}
