/**
 * `zkts bench <mode> [options]`: a load generator that speaks the client wire protocol itself
 * (src/bench), against zkts or any ZooKeeper, printing ops/s and latency percentiles as a table
 * or as JSON, with a progress line on stderr while it runs.
 */
import { BenchArgumentError, benchDefaults, durationSecondsMax, parseBenchArgs } from '../../bench/core/options.js';
import { formatResult } from '../../bench/core/report.js';
import { runBench } from '../../bench/runner.js';
import { UsageError, type Command } from '../command.js';

const d = benchDefaults;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure a server: throughput and latency of create/set/get/exists/mixed, watch fan-out, session churn, load',
  usage: `usage: zkts bench <mode> [options]

Runs a bounded load against ZooKeeper-protocol servers (zkts or Apache ZooKeeper) and prints
ops/s and latency percentiles (p50/p90/p99/p99.9/max). Everything it creates is below a fresh
path under --root and is deleted afterwards (except in load mode).

modes (an op, and what its latency is):
  get      getData of one of --keys znodes of --value-bytes; request write to reply
  set      setData (version -1) of one of --keys znodes; request write to reply
  exists   exists of one of --keys znodes; request write to reply
  mixed    getData and setData on --keys znodes, --read-ratio of them reads, evenly interleaved
  create   create PERSISTENT_SEQUENTIAL below one parent; request write to reply
  watch    --sessions watchers hold a data watch on one znode, one more session sets it; an op
           is a round, its latency from the setData write until every watcher is notified
  churn    --sessions loops that connect, open a session and close it; an op is one session,
           its latency from TCP connect to the closeSession reply
  load     create --znodes znodes of --value-bytes in a tree --depth deep below --root, level
           by level; reports the load time; nothing is deleted

options:
  --servers <host:port,...>   servers; session i uses server i mod n (default 127.0.0.1:2181)
  --sessions <n>              sessions (default ${d.sessions})
  --in-flight <n>             requests outstanding per session (default ${d.inFlight}; watch, churn: 1)
  --value-bytes <n>           znode value size (default ${d.valueBytes})
  --duration <s>              measured window (default ${d.durationS}; load: at most ${durationSecondsMax})
  --warmup <s>                load before the window, not measured (default ${d.warmupS})
  --ops-max <n>               the window also ends after n ops (default ${d.opsMax})
  --keys <n>                  znodes for get/set/exists/mixed (default ${d.keys})
  --read-ratio <0..1>         mixed: share of reads (default ${d.readRatio})
  --znodes <n>, --depth <n>   load: how many znodes, how deep (default ${d.znodes}, ${d.depth})
  --root <path>               where the bench's znodes go (default ${d.root})
  --pid <pid,...>             server processes on this machine: report their CPU time per op
                              and peak RSS over the window (from /proc)
  --session-timeout-ms <n>    requested session timeout (default ${d.sessionTimeoutMs})
  --no-cleanup                leave the created znodes in place
  --json                      print the result as one JSON object on stdout
  --quiet                     no progress line on stderr
`,
  async run(args) {
    let options;
    try {
      options = parseBenchArgs(args);
    } catch (error) {
      if (error instanceof BenchArgumentError) throw new UsageError(error.message);
      throw error;
    }
    const result = await runBench(options, { progress: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatResult(result));
  },
};
