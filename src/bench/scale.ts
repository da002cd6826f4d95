/**
 * bench/scale: a large data set on zkts and on Apache ZooKeeper 3.8, one server at a time on a
 * fresh data dir. For each: start it, load --znodes znodes of --value-bytes in a tree --depth
 * deep (`zkts bench load`, pipelined), settle, take the RSS; then --restarts times: kill -9,
 * start again on the same data, and time from the spawn to the first answered request
 * (recovery), check that every znode is back, settle, take the RSS, and read what the server
 * says about its own load and the snapshot it writes at start-up (both servers write one; its
 * time and size are the snapshot numbers).
 *
 * Every step is bounded: the load by --load-timeout, each recovery by the launcher's limit.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAllChildrenNumberRequest, GetAllChildrenNumberResponse, GetDataRequest } from '../jute/records.js';
import { decode } from '../jute/schema.js';
import { OpCode } from '../protocol/codes.js';
import { BenchConnection, expectOk } from './connection.js';
import { formatComparisonTable, type MetricComparison } from './core/compare-plan.js';
import { median, comparePaired, type Better, type Target } from './core/stats.js';
import { parseMntr, zktsRecovery, zktsSnapshots, lastStart, zookeeperLoadMs, zookeeperSnapshotMs } from './core/server-logs.js';
import type { BenchResult } from './core/report.js';
import { clusterName, runBenchProcess, startCluster, stopCluster, zookeeperInstalled, zookeeperJar, type Cluster, type ServerKind } from './launch.js';
import { formatMachine, machineInfo } from './machine.js';
import { depthMax, durationSecondsMax, inFlightMax, sessionsMax, valueBytesMax, znodesMax } from './core/options.js';
import { ArgCursor, parseToolArgs, sharedToolOption, sharedToolUsage, ToolUsageError } from './core/tool-args.js';
import { readMemory } from './process-stats.js';

/** After a load or a start, how long to let background work (snapshots, GC) settle before taking the RSS. */
export const settleMs = 3000;
/** Longest wait for zkts's background start-up snapshot after a restart. */
const startupSnapshotWaitMs = 180_000;
const loadRoot = '/zkts-scale';

interface ScaleOptions {
  znodes: number;
  depth: number;
  valueBytes: number;
  sessions: number;
  inFlight: number;
  restarts: number;
  loadTimeoutS: number;
  kinds: ServerKind[];
  dataRoot: string;
  zookeeperHeap: string;
  jsonPath: string | undefined;
  keep: boolean;
}

const usage = `usage: node bench/scale.mjs [options]

Loads a data set into zkts and into Apache ZooKeeper 3.8 (one at a time, fresh data dirs on one
disk), then kill -9s and restarts each --restarts times, and reports load time, RSS after load
and after recovery, recovery time (spawn to first answered request), the server's own load
time, and the time and size of the snapshot each writes at start-up.

options:
  --znodes <n>          znodes to load (default 50000; the issue's data set is 1000000)
  --depth <n>           levels of the tree below the root (default 4)
  --value-bytes <n>     value size (default 100)
  --sessions <n>        loading sessions (default 8)
  --in-flight <n>       creates outstanding per loading session (default 256)
  --restarts <n>        kill -9 and recover this many times (default 3)
  --load-timeout <s>    the load's time bound (default 3600)
  --servers <list>      zkts,zookeeper (default both)
${sharedToolUsage(tmpdir())}`;

function parse(args: readonly string[]): ScaleOptions {
  const o: ScaleOptions = { znodes: 50_000, depth: 4, valueBytes: 100, sessions: 8, inFlight: 256, restarts: 3, loadTimeoutS: 3600, kinds: ['zkts', 'zookeeper'], dataRoot: tmpdir(), zookeeperHeap: '1g', jsonPath: undefined, keep: false };
  const cursor = new ArgCursor(args);
  for (let arg = cursor.next(); arg !== undefined; arg = cursor.next()) {
    if (sharedToolOption(arg, cursor, o)) continue;
    switch (arg) {
      case '--znodes': o.znodes = cursor.integer(arg, 1, znodesMax); break;
      case '--depth': o.depth = cursor.integer(arg, 1, depthMax); break;
      case '--value-bytes': o.valueBytes = cursor.integer(arg, 0, valueBytesMax); break;
      case '--sessions': o.sessions = cursor.integer(arg, 1, sessionsMax); break;
      case '--in-flight': o.inFlight = cursor.integer(arg, 1, inFlightMax); break;
      case '--restarts': o.restarts = cursor.integer(arg, 1, 100); break;
      case '--load-timeout': o.loadTimeoutS = cursor.integer(arg, 1, durationSecondsMax); break;
      case '--servers': {
        const kinds = cursor.value(arg).split(',');
        if (kinds.some((kind) => kind !== 'zkts' && kind !== 'zookeeper')) throw new ToolUsageError('--servers takes zkts, zookeeper or both');
        o.kinds = kinds as ServerKind[];
        break;
      }
      default: throw new ToolUsageError(`unknown option ${arg}`);
    }
  }
  return o;
}

export interface Recovery {
  /** From the spawn to the answer to the first request (launch.ts waitReady). */
  readonly recoveryMs: number;
  /** What the server says its load from disk took (zkts: recover(); ZooKeeper: ZKDatabase.loadDataBase). */
  readonly serverLoadMs: number | undefined;
  /** The snapshot the server writes at start-up, of the whole tree. */
  readonly snapshotMs: number | undefined;
  readonly snapshotBytes: number | undefined;
  readonly rssKb: number | undefined;
}

export interface ScaleResult {
  readonly kind: ServerKind;
  readonly load: BenchResult;
  readonly rssAfterLoadKb: number | undefined;
  readonly rssPeakDuringLoadKb: number | undefined;
  readonly snapshotsDuringLoad: number;
  readonly recoveries: readonly Recovery[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The newest snapshot file's size (by modification time), in bytes. */
function newestSnapshotBytes(dataDir: string): number | undefined {
  const dir = join(dataDir, 'version-2');
  const snapshots = readdirSync(dir).filter((name) => name.startsWith('snapshot.')).map((name) => statSync(join(dir, name)));
  snapshots.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return snapshots[0]?.size;
}

/** Every znode the load made is back, and the last one holds its value. */
async function verifyData(port: number, load: BenchResult, valueBytes: number): Promise<void> {
  const connection = await BenchConnection.open({ host: '127.0.0.1', port }, 30_000);
  try {
    const count = decode(GetAllChildrenNumberResponse, expectOk(await connection.call(OpCode.getAllChildrenNumber, GetAllChildrenNumberRequest, { path: loadRoot }), `getAllChildrenNumber ${loadRoot}`).body).totalNumber;
    if (count !== load.load!.znodes) throw new Error(`after recovery ${loadRoot} has ${count} znodes below it, not ${load.load!.znodes}`);
    const last = expectOk(await connection.call(OpCode.getData, GetDataRequest, { path: load.load!.lastPath, watch: false }), `getData ${load.load!.lastPath}`);
    // GetDataResponse starts with the value as a jute buffer: int32 length, then bytes.
    const length = new DataView(last.body.buffer, last.body.byteOffset).getInt32(0);
    if (length !== valueBytes) throw new Error(`after recovery ${load.load!.lastPath} holds ${length} bytes, not ${valueBytes}`);
  } finally {
    await connection.close();
  }
}

async function measure(kind: ServerKind, options: ScaleOptions, root: string, say: (line: string) => void): Promise<ScaleResult> {
  const cluster: Cluster = await startCluster(kind, root, false, options.zookeeperHeap);
  const server = cluster.servers[0]!;
  try {
    say(`${clusterName(kind)}: loading ${options.znodes} znodes...`);
    const load = await runBenchProcess(['load', '--znodes', String(options.znodes), '--depth', String(options.depth), '--value-bytes', String(options.valueBytes),
      '--sessions', String(options.sessions), '--in-flight', String(options.inFlight), '--root', loadRoot, '--duration', String(options.loadTimeoutS)], cluster, options.loadTimeoutS * 1000 + 300_000);
    if (load.stoppedBy !== 'done' || Object.keys(load.errors).length > 0) throw new Error(`${clusterName(kind)}: the load did not complete (stopped by ${load.stoppedBy}, errors ${JSON.stringify(load.errors)})`);
    say(`${clusterName(kind)}: loaded in ${load.measuredS.toFixed(1)} s; settling ${settleMs} ms`);
    await sleep(settleMs);
    const afterLoad = readMemory(server.pid);
    const startLog = lastStart(server.log());
    // Both servers also write one snapshot at start-up, before the load.
    const snapshotsDuringLoad = (kind === 'zkts' ? zktsSnapshots(startLog).length : zookeeperSnapshotMs(startLog).length) - 1;
    const recoveries: Recovery[] = [];
    for (let restart = 1; restart <= options.restarts; restart++) {
      await server.kill9();
      server.spawn();
      const recoveryMs = await server.waitReady();
      await verifyData(server.options.clientPort, load, options.valueBytes);
      // zkts writes its start-up snapshot while already serving: wait for it (bounded), so its
      // time is known and the RSS is taken at rest, as ZooKeeper's is after its synchronous one.
      if (kind === 'zkts') {
        const deadline = Date.now() + startupSnapshotWaitMs;
        while (zktsSnapshots(lastStart(server.log())).length === 0 && Date.now() < deadline) await sleep(200);
      }
      await sleep(settleMs);
      const memory = readMemory(server.pid);
      const log = lastStart(server.log());
      let serverLoadMs: number | undefined;
      let snapshotMs: number | undefined;
      if (kind === 'zkts') {
        serverLoadMs = zktsRecovery(log)?.durationMs;
        snapshotMs = zktsSnapshots(log)[0]?.durationMs;
      } else {
        const mntr = parseMntr(await server.fourLetterWord('mntr'));
        const metric = (name: string) => (mntr.has(name) ? Number(mntr.get(name)) : undefined);
        serverLoadMs = zookeeperLoadMs(log) ?? metric('zk_max_startup_snap_load_time');
        snapshotMs = zookeeperSnapshotMs(log)[0] ?? metric('zk_max_snapshottime');
      }
      const recovery = { recoveryMs, serverLoadMs, snapshotMs, snapshotBytes: newestSnapshotBytes(server.dataDir), rssKb: memory.rssKb };
      recoveries.push(recovery);
      say(`${clusterName(kind)}: restart ${restart}/${options.restarts}: first answer ${recoveryMs.toFixed(0)} ms after spawn, server load ${serverLoadMs ?? '?'} ms, start-up snapshot ${snapshotMs ?? '?'} ms, ${recovery.snapshotBytes ?? '?'} bytes, RSS ${((memory.rssKb ?? 0) / 1024).toFixed(0)} MB`);
    }
    return { kind, load, rssAfterLoadKb: afterLoad.rssKb, rssPeakDuringLoadKb: load.serverProcesses[0]?.rssPeakKb, snapshotsDuringLoad, recoveries };
  } finally {
    await stopCluster(cluster);
  }
}

interface ScaleMetric {
  readonly name: string;
  readonly better: Better;
  readonly target?: Target;
  /** One value per round: restarts for recovery metrics, one for the load. */
  values(result: ScaleResult): (number | undefined)[];
}

const mb = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024);
const scaleMetrics: readonly ScaleMetric[] = [
  { name: 'load time s', better: 'lower', values: (r) => [r.load.measuredS] },
  { name: 'load znodes/s', better: 'higher', values: (r) => [r.load.opsPerSec] },
  { name: 'RSS after load MB', better: 'lower', target: { ratio: 0.5, better: 'lower' }, values: (r) => [mb(r.rssAfterLoadKb)] },
  { name: 'peak RSS in load MB', better: 'lower', values: (r) => [mb(r.rssPeakDuringLoadKb)] },
  { name: 'RSS after recovery MB', better: 'lower', target: { ratio: 0.5, better: 'lower' }, values: (r) => r.recoveries.map((x) => mb(x.rssKb)) },
  { name: 'recovery ms (to 1st reply)', better: 'lower', target: { ratio: 0.7, better: 'lower' }, values: (r) => r.recoveries.map((x) => x.recoveryMs) },
  { name: 'server load ms (own log)', better: 'lower', values: (r) => r.recoveries.map((x) => x.serverLoadMs) },
  { name: 'snapshot ms', better: 'lower', values: (r) => r.recoveries.map((x) => x.snapshotMs) },
  { name: 'snapshot MB', better: 'lower', values: (r) => r.recoveries.map((x) => (x.snapshotBytes === undefined ? undefined : x.snapshotBytes / 2 ** 20)) },
];

export function compareScale(zkts: ScaleResult, zookeeper: ScaleResult): MetricComparison[] {
  return scaleMetrics.map((metric) => {
    const a = metric.values(zkts);
    const b = metric.values(zookeeper);
    const known = a.every((v) => v !== undefined) && b.every((v) => v !== undefined) && a.length === b.length;
    return { metric, comparison: known ? comparePaired(a as number[], b as number[], metric.target) : undefined };
  });
}

function describe(result: ScaleResult): string {
  return scaleMetrics.map((metric) => {
    const values = metric.values(result).filter((v): v is number => v !== undefined);
    return `${metric.name} ${values.length === 0 ? '?' : median(values).toFixed(1)}`;
  }).join(', ');
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseToolArgs('bench/scale', usage, argv, parse, (text) => process.stderr.write(text));
  if ('exitCode' in parsed) return parsed.exitCode;
  const { options } = parsed;
  if (options.kinds.includes('zookeeper') && !zookeeperInstalled()) {
    process.stderr.write(`bench/scale: Apache ZooKeeper is not installed (${zookeeperJar})\n`);
    return 1;
  }
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const root = mkdtempSync(join(options.dataRoot, 'zkts-scale-'));
  const machine = machineInfo(root);
  process.stdout.write(`bench/scale: ${options.znodes} znodes of ${options.valueBytes} B, depth ${options.depth}, loaded by ${options.sessions} sessions x ${options.inFlight} in flight; ${options.restarts} kill -9 restarts; ZooKeeper -Xmx${options.zookeeperHeap}\ncommand: node bench/scale.mjs ${argv.join(' ')}\n${formatMachine(machine)}\ndata root: ${root}\n\n`);
  const results: ScaleResult[] = [];
  try {
    for (const kind of options.kinds) results.push(await measure(kind, options, root, say));
    for (const result of results) process.stdout.write(`${clusterName(result.kind)}: ${describe(result)}; ${result.snapshotsDuringLoad} snapshot(s) during the load\n`);
    const zkts = results.find((r) => r.kind === 'zkts');
    const zookeeper = results.find((r) => r.kind === 'zookeeper');
    if (zkts !== undefined && zookeeper !== undefined) {
      process.stdout.write(`\n(medians over ${options.restarts} restarts where a metric is per restart; min-max over the restarts)\n`);
      process.stdout.write(formatComparisonTable([{ workload: { name: `${options.znodes} znodes` }, metrics: compareScale(zkts, zookeeper) }]));
    }
    if (options.jsonPath !== undefined) {
      writeFileSync(options.jsonPath, JSON.stringify({ options, machine, command: argv, results }, null, 2));
      say(`results written to ${options.jsonPath}`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`bench/scale: ${(error as Error).message}\n`);
    return 1;
  } finally {
    if (options.keep) say(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
