/**
 * bench/compare: zkts against Apache ZooKeeper 3.8 on this machine, in one run. Starts both
 * (standalone, or 3-server ensembles with --ensemble) with equivalent settings (launch.ts) on
 * empty data dirs under one directory (so the same disk), warms both with every workload, then
 * runs each workload alternately zkts/ZooKeeper/zkts/ZooKeeper for --rounds rounds, each run a
 * fresh `zkts bench --json` process with the servers' pids so it also reports their CPU time
 * per op and peak RSS. Prints, per workload and metric, each server's median, the zkts/ZooKeeper
 * ratio of medians, the min-max of the per-round ratios, and the issue's target.
 *
 * Every run is bounded (the bench's own --duration plus a fixed allowance for its setup), and
 * the servers are stopped and their directories deleted at the end unless --keep.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareWorkload, formatComparisonTable, selectWorkloads, suites, workloads, type MetricComparison, type Workload } from './core/compare-plan.js';
import { formatMs, formatCount, type BenchResult } from './core/report.js';
import { clusterName, configLines, runBenchProcess, slf4jSimpleJar, startCluster, stopCluster, zookeeperInstalled, zookeeperJar, type Cluster, type ServerKind } from './launch.js';
import { formatMachine, machineInfo, type MachineInfo } from './machine.js';
import { ArgCursor, parseToolArgs, sharedToolOption, sharedToolUsage, ToolUsageError } from './core/tool-args.js';

/** Time a bench run may take beyond its warm-up and window: connecting, creating keys, draining, cleaning up. */
export const runAllowanceMs = 180_000;

interface CompareOptions {
  workloads: Workload[];
  rounds: number;
  durationS: number;
  warmupS: number;
  warmPassS: number;
  ensemble: boolean;
  dataRoot: string;
  zookeeperHeap: string;
  jsonPath: string | undefined;
  keep: boolean;
}

const usage = `usage: node bench/compare.mjs [options]

Starts zkts and Apache ZooKeeper 3.8 with equivalent settings, warms both, runs each workload
on them alternately (zkts, ZooKeeper, zkts, ZooKeeper, ...), and prints per workload each
server's median, the zkts/ZooKeeper ratio of medians with the min-max over rounds, and targets.

options:
  --workloads <names>   workloads or suites, comma-separated (default: targets)
                        suites: ${Object.entries(suites).map(([name, list]) => `${name} (${list.length})`).join(', ')}
                        workloads: ${workloads.map((w) => w.name).join(', ')}
  --rounds <n>          measured runs per server per workload (default 5)
  --duration <s>        measured window of each run (default 10)
  --warmup <s>          unmeasured load at the start of each run (default 3)
  --warm-pass <s>       before measuring, run every workload once on each server for this long (default 10)
  --quick               smoke run: --rounds 2 --duration 1 --warmup 0.5 --warm-pass 1
  --ensemble            3-server ensembles instead of standalone servers
${sharedToolUsage(tmpdir())}`;

function parse(args: readonly string[]): CompareOptions {
  const o: CompareOptions = { workloads: selectWorkloads(['targets']), rounds: 5, durationS: 10, warmupS: 3, warmPassS: 10, ensemble: false, dataRoot: tmpdir(), zookeeperHeap: '1g', jsonPath: undefined, keep: false };
  const cursor = new ArgCursor(args);
  for (let arg = cursor.next(); arg !== undefined; arg = cursor.next()) {
    if (sharedToolOption(arg, cursor, o)) continue;
    switch (arg) {
      case '--workloads':
        try { o.workloads = selectWorkloads(cursor.value(arg).split(',')); } catch (error) { throw new ToolUsageError((error as Error).message); }
        break;
      case '--rounds': o.rounds = cursor.integer(arg, 1, 100); break;
      case '--duration': o.durationS = cursor.number(arg, 0.5, 3600); break;
      case '--warmup': o.warmupS = cursor.number(arg, 0, 3600); break;
      case '--warm-pass': o.warmPassS = cursor.number(arg, 0, 3600); break;
      case '--quick': Object.assign(o, { rounds: 2, durationS: 1, warmupS: 0.5, warmPassS: 1 }); break;
      case '--ensemble': o.ensemble = true; break;
      default: throw new ToolUsageError(`unknown option ${arg}`);
    }
  }
  return o;
}

function oneLine(result: BenchResult): string {
  const benchCore = result.measuredS > 0 ? result.benchCpuMs / 1000 / result.measuredS : 0;
  return `${formatCount(result.opsPerSec)} ops/s, p50 ${formatMs(result.latency.p50Ms)} ms, p99 ${formatMs(result.latency.p99Ms)} ms, bench process ${(benchCore * 100).toFixed(0)}% of a core, ${Object.keys(result.errors).length === 0 ? 'no errors' : `errors ${JSON.stringify(result.errors)}`}`;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseToolArgs('bench/compare', usage, argv, parse, (text) => process.stderr.write(text));
  if ('exitCode' in parsed) return parsed.exitCode;
  const { options } = parsed;
  if (!zookeeperInstalled()) {
    process.stderr.write(`bench/compare: Apache ZooKeeper is not installed (${zookeeperJar})\n`);
    return 1;
  }
  const root = mkdtempSync(join(options.dataRoot, 'zkts-compare-'));
  const machine: MachineInfo = machineInfo(root);
  const header = [
    `bench/compare: ${options.ensemble ? '3-server ensembles' : 'standalone servers'}, ${options.rounds} rounds of ${options.warmupS} s warm-up + ${options.durationS} s measured per server per workload, warm pass ${options.warmPassS} s`,
    `command: node bench/compare.mjs ${argv.join(' ')}`,
    formatMachine(machine),
    `data root: ${root} (device ${statSync(root).dev})`,
  ].join('\n');
  process.stdout.write(`${header}\n`);
  const clusters: Cluster[] = [];
  const results = new Map<string, Record<ServerKind, BenchResult[]>>();
  const timeoutMs = (warmupS: number, durationS: number) => (warmupS + durationS) * 1000 + runAllowanceMs;
  try {
    for (const kind of ['zkts', 'zookeeper'] as const) {
      say(`starting ${clusterName(kind)}...`);
      clusters.push(await startCluster(kind, root, options.ensemble, options.zookeeperHeap));
    }
    const [zkts, zookeeper] = clusters as [Cluster, Cluster];
    const settings = Object.entries(configLines(zookeeper.servers[0]!.options)).filter(([key]) => !['dataDir', 'clientPort'].includes(key) && !key.startsWith('server.')).map(([key, value]) => `${key}=${value}`).join(' ');
    process.stdout.write(`zoo.cfg (both): ${settings}\nZooKeeper JVM: java ${zookeeper.servers[0]!.zookeeperCommand().filter((arg) => arg.startsWith('-X') || arg.startsWith('-D')).join(' ')} (logging INFO via ${slf4jSimpleJar})\n`);
    process.stdout.write(`ZooKeeper: ${/^Zookeeper version: (.*)$/m.exec(await zookeeper.servers[0]!.fourLetterWord('srvr'))?.[1] ?? '?'}; zkts: ${/^Zookeeper version: (.*)$/m.exec(await zkts.servers[0]!.fourLetterWord('srvr'))?.[1] ?? '?'}\n\n`);
    if (options.warmPassS > 0) {
      for (const workload of options.workloads) {
        for (const cluster of clusters) {
          say(`warm pass: ${workload.name} on ${clusterName(cluster.kind)}`);
          await runBenchProcess([...workload.args, '--duration', String(options.warmPassS), '--warmup', '0'], cluster, timeoutMs(0, options.warmPassS));
        }
      }
    }
    const rows: { workload: Workload; metrics: MetricComparison[] }[] = [];
    for (const workload of options.workloads) {
      const runs: Record<ServerKind, BenchResult[]> = { zkts: [], zookeeper: [] };
      results.set(workload.name, runs);
      for (let round = 1; round <= options.rounds; round++) {
        for (const cluster of clusters) {
          const result = await runBenchProcess([...workload.args, '--duration', String(options.durationS), '--warmup', String(options.warmupS)], cluster, timeoutMs(options.warmupS, options.durationS));
          runs[cluster.kind].push(result);
          say(`${workload.name} round ${round}/${options.rounds} ${clusterName(cluster.kind)}: ${oneLine(result)}`);
        }
      }
      const metrics = compareWorkload(workload, runs.zkts, runs.zookeeper);
      rows.push({ workload, metrics });
      process.stdout.write(formatComparisonTable([{ workload, metrics }]));
    }
    process.stdout.write(`\nall workloads (medians of ${options.rounds} rounds; zkts/ZK is the ratio of medians, min-max over the per-round ratios):\n`);
    for (const { workload } of rows) process.stdout.write(`  ${workload.name}: ${workload.description}\n`);
    process.stdout.write(`\n${formatComparisonTable(rows)}`);
    if (options.jsonPath !== undefined) {
      writeFileSync(options.jsonPath, JSON.stringify({
        options: { ...options, workloads: options.workloads.map((w) => w.name) }, machine, command: argv,
        workloads: rows.map(({ workload, metrics }) => ({
          name: workload.name, description: workload.description, args: workload.args,
          metrics: metrics.map(({ metric, comparison }) => ({ name: metric.name, better: metric.better, target: metric.target, comparison })),
          runs: results.get(workload.name),
        })),
      }, null, 2));
      say(`results written to ${options.jsonPath}`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`bench/compare: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await Promise.all(clusters.map(stopCluster));
    if (options.keep) say(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
