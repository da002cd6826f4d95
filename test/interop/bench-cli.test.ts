/**
 * `zkts bench` end to end: the built CLI runs each kind of mode for about a second against a
 * real zkts server process, and the test checks the shape of what it prints (JSON and the
 * table), that ops were counted and timed, that the server's /proc numbers were read, and that
 * the bench deleted what it created (or, in load mode, created exactly what it said).
 * No timing assertions: how fast anything is, is not this test's business.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startZkts, zktsMain, type RunningServer } from '../support/servers.js';
import { WireClient } from '../support/wire-client.js';
import type { BenchResult, LatencySummary } from '../../src/bench/core/report.js';
import { ErrorCode } from '../../src/protocol/codes.js';

const run = promisify(execFile);
let server: RunningServer;

before(async () => {
  server = await startZkts({ config: { maxClientCnxns: '0' } });
});
after(async () => {
  await server?.stop();
});

async function bench(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [zktsMain, 'bench', ...args, '--servers', server.connectString], { timeout: 60_000 });
}

async function benchJson(args: string[]): Promise<BenchResult> {
  const { stdout } = await bench([...args, '--json', '--quiet']);
  return JSON.parse(stdout) as BenchResult;
}

function assertLatency(summary: LatencySummary, count: number, what: string): void {
  assert.equal(summary.count, count, `${what}: one latency per op`);
  assert.ok(summary.p50Ms > 0, `${what}: p50 ${summary.p50Ms}`);
  assert.ok(summary.p50Ms <= summary.p90Ms && summary.p90Ms <= summary.p99Ms && summary.p99Ms <= summary.p999Ms && summary.p999Ms <= summary.maxMs, `${what}: percentiles in order ${JSON.stringify(summary)}`);
}

async function benchRootChildren(): Promise<number> {
  const client = await WireClient.connect({ host: server.host, port: server.port });
  try {
    const reply = await client.getChildren('/zkts-bench');
    return reply.err === ErrorCode.NONODE ? 0 : (reply.body?.children.length ?? -1);
  } finally {
    await client.close();
  }
}

test('get: JSON result with counted, timed ops and the server process sampled; keys deleted after', async () => {
  const r = await benchJson(['get', '--duration', '1', '--warmup', '0.2', '--sessions', '2', '--in-flight', '4', '--keys', '50', '--pid', String(server.process.pid)]);
  assert.equal(r.tool, 'zkts bench');
  assert.equal(r.mode, 'get');
  assert.equal(r.sessions, 2);
  assert.equal(r.inFlight, 4);
  assert.equal(r.keys, 50);
  assert.equal(r.stoppedBy, 'duration');
  assert.ok(r.ops > 0, `ops ${r.ops}`);
  assert.ok(r.measuredS > 0, `window ${r.measuredS} s`);
  assert.equal(r.opsPerSec, r.ops / r.measuredS);
  assertLatency(r.latency, r.ops, 'get');
  assert.deepEqual(r.errors, {});
  assert.equal(r.serverProcesses.length, 1);
  const sample = r.serverProcesses[0]!;
  assert.equal(sample.pid, server.process.pid);
  assert.ok(sample.cpuMs > 0 && sample.cpuUsPerOp > 0, JSON.stringify(sample));
  assert.ok((sample.rssKb ?? 0) > 0 && (sample.rssPeakKb ?? 0) >= (sample.rssKb ?? 0), JSON.stringify(sample));
  assert.equal(await benchRootChildren(), 0);
});

test('mixed with --ops-max: stopped by count, reads and writes in the asked ratio, human table', async () => {
  const { stdout } = await bench(['mixed', '--duration', '30', '--warmup', '0', '--sessions', '2', '--in-flight', '5', '--ops-max', '2000', '--read-ratio', '0.75']);
  assert.match(stdout, /^zkts bench mixed: 2 sessions x 5 in flight, 128 B values, 1000 keys, 75% reads; servers /m);
  assert.match(stdout, /stopped by ops-max/);
  const count = (name: string) => Number(new RegExp(`^\\s+${name}\\s+([\\d,]+)`, 'm').exec(stdout)?.[1]?.replace(/,/g, ''));
  assert.equal(count('latency'), 2000);
  assert.equal(count('getData') + count('setData'), 2000);
  // Even interleaving per session, and the window cuts each session's sequence anywhere: within a few.
  assert.ok(Math.abs(count('getData') - 1500) <= 4, stdout);
  assert.match(stdout, /errors: none/);
});

test('create: sequential creates counted, a progress line each second, and every znode deleted after', async () => {
  const { stdout, stderr } = await bench(['create', '--duration', '1', '--warmup', '0.2', '--sessions', '2', '--in-flight', '8', '--json']);
  const r = JSON.parse(stdout) as BenchResult;
  assert.match(stderr, /^\[\s+1\.\d s \w[\w-]*\s*\]\s+[\d,]+ ops\/s {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms/m, 'a progress line');
  assert.ok(r.ops > 0);
  assertLatency(r.latency, r.ops, 'create');
  assert.deepEqual(r.errors, {});
  assert.equal(await benchRootChildren(), 0);
});

test('watch: every round notifies every watcher', async () => {
  const r = await benchJson(['watch', '--duration', '1', '--warmup', '0.2', '--sessions', '5']);
  assert.ok(r.ops > 0, `rounds ${r.ops}`);
  assertLatency(r.latency, r.ops, 'all notified');
  assert.equal(r.watch?.watchers, 5);
  // A round counts when its last watcher is notified inside the window; its other notifications
  // may fall before the window (a round the window's start cut: up to 4 fewer), and a round the
  // window's end cuts adds up to 4 notifications without counting itself.
  const notifications = r.watch!.notified.count;
  assert.ok(notifications >= 5 * r.ops - 4 && notifications <= 5 * r.ops + 4, `${notifications} notifications for ${r.ops} rounds`);
  assert.ok(r.watch!.notified.maxMs <= r.latency.maxMs);
  assert.deepEqual(r.errors, {});
  assert.equal(await benchRootChildren(), 0);
});

test('churn: sessions opened and closed, connect timed separately', async () => {
  const r = await benchJson(['churn', '--duration', '1', '--warmup', '0.2', '--sessions', '2']);
  assert.ok(r.ops > 0);
  assertLatency(r.latency, r.ops, 'churn');
  assertLatency(r.churn!.connect, r.ops, 'connect');
  assert.ok(r.churn!.connect.p50Ms <= r.latency.p50Ms);
  assert.deepEqual(r.errors, {});
});

test('load: exactly the znodes it reports, in a tree of the asked depth, kept after the run', async () => {
  const r = await benchJson(['load', '--znodes', '500', '--depth', '3', '--value-bytes', '100', '--sessions', '3', '--in-flight', '16', '--root', '/zkts-load-test']);
  assert.equal(r.stoppedBy, 'done');
  assert.equal(r.ops, 500);
  assert.deepEqual(r.load?.levels, [8, 64, 428]);
  assert.deepEqual(r.errors, {});
  const client = await WireClient.connect({ host: server.host, port: server.port });
  try {
    assert.equal((await client.getAllChildrenNumber('/zkts-load-test')).body?.totalNumber, 500);
    const last = await client.getData(r.load!.lastPath);
    assert.equal(last.err, 0);
    assert.equal(last.body?.data?.length, 100);
    assert.equal(r.load!.lastPath.split('/').length - 2, 3);
  } finally {
    await client.close();
  }
});

test('bad arguments exit 2 with the usage', async () => {
  await assert.rejects(bench(['get', '--sessions', '0']), (error: { code?: number; stderr?: string }) => error.code === 2 && /--sessions must be/.test(error.stderr ?? '') && /usage: zkts bench/.test(error.stderr ?? ''));
});
