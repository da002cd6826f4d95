/**
 * `zkts bench` arguments (src/bench/core/options.ts), /proc parsing (proc.ts) and the report
 * (report.ts): defaults, limits and refusals; stat lines whose command name holds spaces and
 * parentheses; and that the table and progress line show the numbers they were given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BenchArgumentError, benchDefaults, durationSecondsMax, parseBenchArgs } from '../../../src/bench/core/options.js';
import { cpuMsBetween, parseStatCpuTicks, parseStatusKb } from '../../../src/bench/core/proc.js';
import { formatCount, formatMs, formatProgress, formatResult, summarize, type BenchResult } from '../../../src/bench/core/report.js';
import { LogLinearHistogram } from '../../../src/bench/core/histogram.js';

test('a mode alone takes every default; load runs until done, bounded by the longest duration', () => {
  const o = parseBenchArgs(['get']);
  assert.equal(o.mode, 'get');
  assert.equal(o.sessions, benchDefaults.sessions);
  assert.equal(o.inFlight, benchDefaults.inFlight);
  assert.equal(o.valueBytes, 128);
  assert.equal(o.durationS, benchDefaults.durationS);
  assert.deepEqual(o.servers, [{ host: '127.0.0.1', port: 2181 }]);
  assert.equal(parseBenchArgs(['load']).durationS, durationSecondsMax);
  assert.equal(parseBenchArgs(['load', '--duration', '5']).durationS, 5);
});

test('options in both spellings, servers with and without a port, flags', () => {
  const o = parseBenchArgs(['mixed', '--servers=a:1,b', '--sessions', '3', '--in-flight=7', '--read-ratio', '0.5', '--json', '--quiet', '--no-cleanup', '--pid', '10,11', '--root', '/x/y']);
  assert.deepEqual(o.servers, [{ host: 'a', port: 1 }, { host: 'b', port: 2181 }]);
  assert.equal(o.sessions, 3);
  assert.equal(o.inFlight, 7);
  assert.equal(o.readRatio, 0.5);
  assert.equal(o.json, true);
  assert.equal(o.progress, false);
  assert.equal(o.cleanup, false);
  assert.deepEqual(o.pids, [10, 11]);
  assert.equal(o.root, '/x/y');
});

test('bad arguments are refused with a reason', () => {
  const refusals: [string[], RegExp][] = [
    [[], /mode is required/],
    [['--sessions', '3'], /mode is required/],
    [['nosuch'], /unknown mode/],
    [['get', '--sessions', '0'], /--sessions must be an integer in 1\.\.10000/],
    [['get', '--in-flight', '1.5'], /--in-flight/],
    [['get', '--duration', '0'], /--duration/],
    [['get', '--duration', '99999'], /--duration/],
    [['get', '--read-ratio', '2'], /--read-ratio/],
    [['get', '--servers', 'host:99999'], /bad server/],
    [['get', '--root', 'relative'], /--root/],
    [['get', '--root', '/'], /--root/],
    [['get', '--sessions'], /needs a value/],
    [['get', '--frobnicate', '1'], /unknown option --frobnicate/],
    [['load', '--znodes', '2', '--depth', '3'], /--znodes/],
  ];
  for (const [args, message] of refusals) assert.throws(() => parseBenchArgs(args), (error: unknown) => error instanceof BenchArgumentError && message.test(error.message), args.join(' '));
});

test('stat: utime and stime are found after a command name with spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[11] = '1234';
  fields[12] = '56';
  const stat = `4242 (java (main) x) ${fields.join(' ')}\n`;
  assert.deepEqual(parseStatCpuTicks(stat), { userTicks: 1234, systemTicks: 56 });
  assert.equal(cpuMsBetween({ userTicks: 100, systemTicks: 10 }, { userTicks: 150, systemTicks: 30 }, 100), 700);
  assert.throws(() => parseStatCpuTicks('garbage'), RangeError);
});

test('status: VmRSS and VmHWM in kB, absent for a kernel thread', () => {
  const status = 'Name:\tnode\nVmPeak:\t  999 kB\nVmHWM:\t   65432 kB\nVmRSS:\t   60000 kB\nThreads:\t7\n';
  assert.equal(parseStatusKb(status, 'VmRSS'), 60000);
  assert.equal(parseStatusKb(status, 'VmHWM'), 65432);
  assert.equal(parseStatusKb('Name:\tkthreadd\n', 'VmRSS'), undefined);
});

test('number formatting: three significant digits for ms, separators for counts', () => {
  assert.equal(formatMs(0), '0');
  assert.equal(formatMs(0.4123), '0.412');
  assert.equal(formatMs(1.234), '1.23');
  assert.equal(formatMs(12.34), '12.3');
  assert.equal(formatMs(1234.5), '1235');
  assert.equal(formatCount(1234567.4), '1,234,567');
  assert.equal(formatCount(12), '12');
});

function sampleResult(): BenchResult {
  const h = new LogLinearHistogram();
  for (let us = 100; us <= 1000; us += 100) h.record(us);
  return {
    tool: 'zkts bench', mode: 'mixed', servers: ['127.0.0.1:2181'], sessions: 32, inFlight: 64, valueBytes: 128, keys: 1000, readRatio: 0.9,
    warmupS: 2, durationS: 10, measuredS: 10.001, stoppedBy: 'duration', ops: 123456, opsPerSec: 12344.2, latency: summarize(h),
    byOp: { getData: summarize(h), setData: summarize(h) }, errors: { NONODE: 3 },
    serverProcesses: [{ pid: 77, cpuMs: 8100, cpuUsPerOp: 65.6, rssKb: 120 * 1024, rssPeakKb: 130 * 1024, rssPeakSince: 'window' }],
    benchCpuMs: 6172.8,
  };
}

test('summaries are the histogram percentiles in milliseconds', () => {
  const s = sampleResult().latency;
  assert.equal(s.count, 10);
  assert.equal(s.p50Ms, 0.5);
  assert.equal(s.p90Ms, 0.9);
  assert.equal(s.p99Ms, 1);
  assert.equal(s.maxMs, 1);
  assert.equal(s.meanMs, 0.55);
});

test('the table shows the run, its numbers, errors and server samples', () => {
  const text = formatResult(sampleResult());
  assert.match(text, /^zkts bench mixed: 32 sessions x 64 in flight, 128 B values, 1000 keys, 90% reads; servers 127\.0\.0\.1:2181$/m);
  assert.match(text, /measured 10\.00 s \(stopped by duration\)/);
  assert.match(text, /latency\s+123,456\s+12,344\s+0\.500\s+0\.900\s+1\.00\s+1\.00\s+1\.00/);
  assert.match(text, /getData\s+10\s+0\.500/);
  assert.match(text, /errors: NONODE 3/);
  assert.match(text, /bench process: cpu 6\.17 s in 10\.00 s \(50\.0 us\/op\)/);
  assert.match(text, /server pid 77: cpu 8\.10 s \(65\.6 us\/op\), rss 120 MB, peak 130 MB \(since window\)/);
});

test('the progress line shows the interval rate and percentiles', () => {
  const line = formatProgress({ elapsedS: 3, phase: 'measure', intervalOpsPerSec: 45321, interval: sampleResult().latency, totalOps: 99, errors: 0 });
  assert.match(line, /3\.0 s measure\]\s+45,321 ops\/s {2}p50 0\.500 ms {2}p99 1\.00 ms {2}max 1\.00 ms {2}total 99 {2}errors 0/);
});
