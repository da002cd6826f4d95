/**
 * bench/compare's plan (src/bench/core/compare-plan.ts) and the log readers of bench/scale
 * (server-logs.ts): every workload is a valid `zkts bench` command line with the load the issue
 * names and its targets; suites expand; comparisons take the metrics from each run; the table
 * shows medians, ratios and verdicts; and recovery and snapshot numbers are found in real
 * zkts and ZooKeeper 3.8 log lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWorkload, formatComparisonTable, selectWorkloads, suites, workloads } from '../../../src/bench/core/compare-plan.js';
import { parseBenchArgs } from '../../../src/bench/core/options.js';
import { summarize, type BenchResult } from '../../../src/bench/core/report.js';
import { LogLinearHistogram } from '../../../src/bench/core/histogram.js';
import { lastStart, parseMntr, zktsRecovery, zktsSnapshots, zookeeperLoadMs, zookeeperSnapshotMs } from '../../../src/bench/core/server-logs.js';

test('every workload is a command line zkts bench accepts', () => {
  for (const workload of workloads) assert.doesNotThrow(() => parseBenchArgs([...workload.args]), workload.name);
});

test('the target workloads carry the issue\'s loads and targets', () => {
  const byName = (name: string) => workloads.find((w) => w.name === name)!;
  for (const name of ['get-32x64', 'set-32x64', 'create-32x64', 'mixed-32x64']) {
    const o = parseBenchArgs([...byName(name).args]);
    assert.equal(o.sessions, 32);
    assert.equal(o.inFlight, 64);
    assert.equal(o.valueBytes, 128);
    const throughput = byName(name).metrics.find((m) => m.name === 'ops/s')!;
    assert.deepEqual(throughput.target, { ratio: 1.5, better: 'higher' }, name);
  }
  assert.equal(parseBenchArgs([...byName('mixed-32x64').args]).readRatio, 0.9);
  assert.deepEqual(byName('get-1x1').metrics.find((m) => m.name === 'p50 ms')!.target, { ratio: 1, better: 'lower' });
  assert.deepEqual(byName('set-1x1').metrics.find((m) => m.name === 'p50 ms')!.target, { ratio: 0.7, better: 'lower' });
  for (const name of ['get-1x1', 'set-1x1']) {
    const o = parseBenchArgs([...byName(name).args]);
    assert.equal(o.sessions, 1);
    assert.equal(o.inFlight, 1);
  }
  const watch = byName('watch-1000');
  assert.equal(parseBenchArgs([...watch.args]).sessions, 1000);
  assert.deepEqual(watch.metrics.find((m) => m.name === 'p50 ms')!.target, { ratio: 1 / 1.5, better: 'lower' });
  // p99 <= 1.0x everywhere.
  for (const workload of workloads) assert.deepEqual(workload.metrics.find((m) => m.name === 'p99 ms')?.target, { ratio: 1, better: 'lower' }, workload.name);
});

test('the writers suite is 1, 8 and 64 sessions with one write in flight each, set and create', () => {
  const writers = selectWorkloads(['writers']);
  assert.deepEqual(writers.map((w) => [parseBenchArgs([...w.args]).mode, parseBenchArgs([...w.args]).sessions, parseBenchArgs([...w.args]).inFlight]), [
    ['set', 1, 1], ['set', 8, 1], ['set', 64, 1], ['create', 1, 1], ['create', 8, 1], ['create', 64, 1],
  ]);
});

test('selection expands suites, keeps order, drops repeats, refuses unknown names', () => {
  assert.deepEqual(selectWorkloads(['get-1x1', 'targets']).map((w) => w.name), ['get-1x1', ...suites.targets!.filter((n) => n !== 'get-1x1')]);
  assert.equal(selectWorkloads(['all']).length, workloads.length);
  assert.throws(() => selectWorkloads(['nosuch']), /unknown workload or suite 'nosuch'/);
});

function run(opsPerSec: number, p50Ms: number, cpuMs: number, rssPeakKb: number): BenchResult {
  const h = new LogLinearHistogram();
  h.record(p50Ms * 1000);
  return {
    tool: 'zkts bench', mode: 'get', servers: [], sessions: 32, inFlight: 64, valueBytes: 128, warmupS: 0, durationS: 1, measuredS: 1,
    stoppedBy: 'duration', ops: opsPerSec, opsPerSec, latency: summarize(h), errors: {}, benchCpuMs: 450,
    serverProcesses: [{ pid: 1, cpuMs, cpuUsPerOp: 0, rssKb: rssPeakKb, rssPeakKb, rssPeakSince: 'window' }],
  };
}

test('a workload comparison takes each metric from each run, pairs rounds, and prints a verdict', () => {
  const workload = workloads.find((w) => w.name === 'get-32x64')!;
  const metrics = compareWorkload(workload, [run(30_000, 1, 600, 100 * 1024), run(34_000, 1, 680, 110 * 1024)], [run(20_000, 2, 800, 300 * 1024), run(20_000, 2, 800, 300 * 1024)]);
  const byName = new Map(metrics.map((m) => [m.metric.name, m.comparison!]));
  assert.equal(byName.get('ops/s')!.ratio, 1.6);
  assert.equal(byName.get('ops/s')!.targetMet, true);
  assert.equal(byName.get('p50 ms')!.ratio, 0.5);
  // 600 ms of CPU for 30,000 ops is 20 us/op.
  assert.equal(byName.get('server CPU us/op')!.medianA, 20);
  assert.equal(byName.get('server CPU us/op')!.medianB, 40);
  assert.equal(byName.get('server peak RSS MB')!.medianA, 105);
  // 450 ms of bench CPU in a 1 s window.
  assert.equal(byName.get('bench process % core')!.medianA, 45);
  const table = formatComparisonTable([{ workload, metrics }]);
  assert.match(table, /get-32x64\s+ops\/s\s+32,000\s+20,000\s+1\.60x\s+1\.50x-1\.70x\s+>= 1\.50x\s+met/);
  assert.match(table, /p99 ms\s+1\.00\s+2\.00\s+0\.50x\s+0\.50x-0\.50x\s+<= 1\.00x\s+met/);
});

test('a run without a /proc sample leaves the resource metrics unmeasured, not zero', () => {
  const workload = workloads.find((w) => w.name === 'get-1x1')!;
  const bare = { ...run(1000, 0.1, 0, 0), serverProcesses: [] };
  const metrics = compareWorkload(workload, [bare], [bare]);
  assert.equal(metrics.find((m) => m.metric.name === 'server CPU us/op')!.comparison, undefined);
  assert.match(formatComparisonTable([{ workload, metrics }]), /server CPU us\/op\s+\?\s+\?.*not measured/);
});

const zktsLog = `--- 2026-12-01T20:00:00.000Z start
2026-12-01T20:00:00.100Z [INFO] server: no snapshot in /d/version-2: starting from an empty tree
2026-12-01T20:00:00.120Z [INFO] server: snapshot snapshot.0 written (1 nodes, 457 bytes, 2 ms)
2026-12-01T20:00:09.000Z [INFO] server: snapshot snapshot.1a2b3 written (60011 nodes, 9800000 bytes, 300 ms, longest slice 4.2 ms)
--- 2026-12-01T20:01:00.000Z start
2026-12-01T20:01:01.000Z [INFO] server: loaded snapshot.1a2b3 (60011 nodes, zxid 0x1a2b3), replayed 1234 txns from 1 log file(s) to zxid 0x1a786, 0 session(s), in 1601 ms
2026-12-01T20:01:01.400Z [INFO] server: snapshot snapshot.1a786 written (61245 nodes, 10135064 bytes, 398 ms)
`;

test('zkts log: the last start\'s recovery and its snapshots', () => {
  assert.deepEqual(zktsRecovery(zktsLog), { nodes: 60011, txnsReplayed: 1234, durationMs: 1601 });
  assert.deepEqual(zktsSnapshots(lastStart(zktsLog)), [{ nodes: 61245, bytes: 10135064, durationMs: 398 }]);
  assert.equal(zktsSnapshots(zktsLog).length, 3);
  assert.equal(zktsRecovery(zktsLog.split('--- 2026-12-01T20:01')[0]!), undefined, 'a first start loads nothing');
});

const zookeeperLog = `--- 2026-12-01T20:00:00.000Z start
[main] INFO org.apache.zookeeper.server.ZKDatabase - Snapshot loaded in 67 ms, highest zxid is 0x0, digest is 1371985504
[main] INFO org.apache.zookeeper.server.ZooKeeperServer - Snapshot taken in 1 ms
--- 2026-12-01T20:01:00.000Z start
[main] INFO org.apache.zookeeper.server.ZKDatabase - Snapshot loaded in 786 ms, highest zxid is 0xc353, digest is 1
[main] INFO org.apache.zookeeper.server.ZooKeeperServer - Snapshot taken in 144 ms
[SyncThread:0] INFO org.apache.zookeeper.server.ZooKeeperServer - Snapshot taken in 150 ms
`;

test('ZooKeeper log and mntr: load and snapshot times of the last start', () => {
  assert.equal(zookeeperLoadMs(zookeeperLog), 786);
  assert.deepEqual(zookeeperSnapshotMs(zookeeperLog), [144, 150]);
  const mntr = parseMntr('zk_version\t3.8.0\nzk_max_snapshottime\t144\nzk_avg_startup_snap_load_time\t786.0\n');
  assert.equal(mntr.get('zk_max_snapshottime'), '144');
  assert.equal(mntr.get('zk_avg_startup_snap_load_time'), '786.0');
  assert.equal(mntr.get('zk_version'), '3.8.0');
});
