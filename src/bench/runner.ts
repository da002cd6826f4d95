/**
 * Runs one `zkts bench` mode against real servers: opens the sessions, builds what the mode
 * needs below a fresh run path, warms up, measures a window bounded by time and by count,
 * drains, deletes what it made, closes the sessions, and returns a BenchResult.
 *
 * Every step is bounded (named limits below) and a stalled step fails the run with what it
 * was waiting for, so a run always ends by itself. Not here: argument parsing, formatting
 * (core/), the per-op machinery (pipeline.ts, connection.ts).
 */
import { performance } from 'node:perf_hooks';
import { CreateRequest, DeleteRequest, ExistsRequest, GetDataRequest, SetDataRequest, type ACLT } from '../jute/records.js';
import { CreateFlag, ErrorCode, EventType, OpCode } from '../protocol/codes.js';
import { LogLinearHistogram } from './core/histogram.js';
import type { BenchOptions, ServerAddress } from './core/options.js';
import { formatProgress, summarize, type BenchResult, type ServerSample } from './core/report.js';
import { RequestTemplate, type DigitField } from './core/request-template.js';
import { keyDigits, keyName, keyStart, KeyCycle, ReadWriteMix, sequentialDigits, treePath, treePathDigitFields, treeShape, type TreeShape } from './core/workload.js';
import { BenchConnection, ConnectionError, expectOk, type ConnectionDriver } from './connection.js';
import { IndexedSource, KeySource, PipelineDriver, Recorder, RepeatSource, type RequestSource } from './pipeline.js';
import { WindowSampler } from './process-stats.js';

/** Connections opened at once, so a thousand sessions do not overrun a listen backlog. */
export const connectsInFlightMax = 64;
/** Requests each session keeps outstanding while creating or deleting keys. */
export const setupWindow = 64;
export const setupTimeoutMs = 300_000;
export const drainTimeoutMs = 30_000;
export const cleanupTimeoutMs = 300_000;
/** The progress line's period. */
export const progressIntervalMs = 1000;
/** After a failed connect, a churner waits this long before trying again. */
export const churnRetryDelayMs = 10;

const openAcl: ACLT[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

export interface BenchIo {
  /** One progress line (the caller decides where it goes). */
  progress(line: string): void;
}

class BenchStepError extends Error {
  override readonly name = 'BenchStepError';
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchStepError(`${what()} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function valueOf(bytes: number): Uint8Array {
  // Printable and not all one byte, so nothing on the way can compress it to nothing.
  const value = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) value[i] = 97 + (i % 26);
  return value;
}

async function openConnections(servers: readonly ServerAddress[], count: number, sessionTimeoutMs: number): Promise<BenchConnection[]> {
  const connections: BenchConnection[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) connections[i] = await BenchConnection.open(servers[i % servers.length]!, sessionTimeoutMs);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(connectsInFlightMax, count) }, worker));
  } catch (error) {
    for (const connection of connections) connection?.destroy();
    throw error;
  }
  return connections;
}

/** Runs one source per connection to completion and fails with the first driver error. */
async function runSources(connections: readonly BenchConnection[], sources: readonly RequestSource[], window: number, recorder: Recorder, timeoutMs: number, what: string): Promise<void> {
  const drivers = sources.map((source, i) => new PipelineDriver(connections[i]!, source, window, recorder));
  for (const driver of drivers) driver.start();
  await withTimeout(Promise.all(drivers.map((driver) => driver.done)), timeoutMs, () => what);
  const failed = drivers.find((driver) => driver.error !== undefined);
  if (failed !== undefined) throw new BenchStepError(`${what}: ${failed.error!.message}`);
}

/** Sends `count` requests made from `template` spread over the connections; errors other than `allowed` fail. */
async function runList(connections: readonly BenchConnection[], template: RequestTemplate, count: number, patch: (target: Uint8Array, at: number, index: number) => void, what: string, allowed: readonly number[] = []): Promise<void> {
  const recorder = new Recorder(['op'], Number.MAX_SAFE_INTEGER, () => {});
  recorder.measuring = true;
  const sources = connections.map((_, i) => new IndexedSource(template, i, connections.length, count, patch));
  await runSources(connections, sources, setupWindow, recorder, setupTimeoutMs, what);
  const refused = [...recorder.errors.entries()].filter(([code]) => !allowed.includes(code));
  if (refused.length > 0) throw new BenchStepError(`${what}: error replies ${JSON.stringify(recorder.errorsByName())}`);
}

async function createPath(connection: BenchConnection, path: string, data: Uint8Array | null): Promise<void> {
  expectOk(await connection.call(OpCode.create, CreateRequest, { path, data, acl: openAcl, flags: CreateFlag.PERSISTENT }), `create ${path}`, [ErrorCode.NODEEXISTS]);
}

/** Creates `path` and any missing ancestors. */
async function createPathAndParents(connection: BenchConnection, path: string): Promise<void> {
  const parts = path.split('/').slice(1);
  for (let i = 1; i <= parts.length; i++) await createPath(connection, '/' + parts.slice(0, i).join('/'), null);
}

/** Deletes paths one after another (children first); gone or (the shared root) still in use is fine. */
async function deletePaths(connection: BenchConnection, paths: readonly string[]): Promise<void> {
  for (const path of paths) expectOk(await connection.call(OpCode.delete, DeleteRequest, { path, version: -1 }), `delete ${path}`, [ErrorCode.NONODE, ErrorCode.NOTEMPTY]);
}

/** Ends a run: its timers stop and its sessions close. */
async function endRun(phases: Phases, pinger: NodeJS.Timeout, connections: readonly BenchConnection[]): Promise<void> {
  phases.stop();
  clearInterval(pinger);
  for (const connection of connections) connection.driver = undefined;
  await Promise.all(connections.map((connection) => connection.close()));
}

const keyField = (prefix: string): DigitField[] => [{ at: prefix.length + 1, width: keyDigits }];
const patchKey = (template: RequestTemplate) => (target: Uint8Array, at: number, index: number) => template.setDigits(target, at, 0, index);

/** The measured phases shared by all modes: warm-up, window, drain, with progress lines. */
class Phases {
  readonly startedMs = performance.now();
  windowStartMs = 0;
  windowEndMs = 0;
  stoppedBy: BenchResult['stoppedBy'] = 'duration';
  serverSamples: ServerSample[] = [];
  benchCpuMs = 0;
  private benchCpuAtStart: NodeJS.CpuUsage | undefined;
  private phase: 'setup' | 'warm-up' | 'measure' | 'drain' = 'setup';
  private timers: NodeJS.Timeout[] = [];
  private windowEnded!: () => void;
  /** Resolves when the window has ended (by time or count). */
  readonly ended = new Promise<void>((resolve) => { this.windowEnded = resolve; });
  private readonly sampler: WindowSampler;
  private lastProgressMs = performance.now();

  constructor(private readonly options: BenchOptions, private readonly recorder: Recorder, private readonly io: BenchIo) {
    this.sampler = new WindowSampler(options.pids);
    if (options.progress) this.timers.push(setInterval(() => this.progress(), progressIntervalMs));
  }

  /** Starts the warm-up (if any) and the window after it. */
  start(): void {
    this.phase = 'warm-up';
    if (this.options.warmupS > 0) this.timers.push(setTimeout(() => this.beginWindow(), this.options.warmupS * 1000));
    else this.beginWindow();
  }

  beginWindow(): void {
    this.sampler.start();
    this.benchCpuAtStart = process.cpuUsage();
    this.recorder.beginWindow();
    this.phase = 'measure';
    this.windowStartMs = performance.now();
    this.timers.push(setTimeout(() => this.endWindow('duration'), this.options.durationS * 1000));
  }

  endWindow(stoppedBy: BenchResult['stoppedBy']): void {
    if (this.phase !== 'measure') return;
    this.windowEndMs = performance.now();
    this.recorder.measuring = false;
    this.recorder.issuing = false;
    this.phase = 'drain';
    this.stoppedBy = stoppedBy;
    this.serverSamples = this.sampler.finish(this.recorder.windowOps);
    const cpu = process.cpuUsage(this.benchCpuAtStart);
    this.benchCpuMs = (cpu.user + cpu.system) / 1000;
    this.windowEnded();
  }

  get measuredS(): number {
    return (this.windowEndMs - this.windowStartMs) / 1000;
  }

  private progress(): void {
    const now = performance.now();
    const elapsedS = (now - this.lastProgressMs) / 1000;
    this.lastProgressMs = now;
    this.io.progress(formatProgress({
      elapsedS: (now - this.startedMs) / 1000,
      phase: this.phase,
      intervalOpsPerSec: elapsedS > 0 ? this.recorder.intervalOps / elapsedS : 0,
      interval: summarize(this.recorder.interval),
      totalOps: this.recorder.windowOps,
      errors: this.recorder.errorCount,
    }));
    this.recorder.interval.reset();
    this.recorder.intervalOps = 0;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

/** Pings every session that has sent nothing for a third of its timeout, as ZooKeeper clients do. */
function keepAlive(connections: () => readonly BenchConnection[], sessionTimeoutMs: number): NodeJS.Timeout {
  const idleMs = sessionTimeoutMs / 3;
  return setInterval(() => {
    const now = performance.now();
    for (const connection of connections()) if (connection.isOpen && now - connection.lastWriteMs > idleMs) connection.ping();
  }, idleMs / 2);
}

function baseResult(options: BenchOptions, phases: Phases, recorder: Recorder): Omit<BenchResult, 'latency'> {
  const measuredS = phases.measuredS;
  return {
    tool: 'zkts bench',
    mode: options.mode,
    servers: options.servers.map((server) => `${server.host}:${server.port}`),
    sessions: options.sessions,
    inFlight: options.mode === 'watch' || options.mode === 'churn' ? 1 : options.inFlight,
    valueBytes: options.valueBytes,
    ...(['get', 'set', 'exists', 'mixed'].includes(options.mode) ? { keys: options.keys } : {}),
    ...(options.mode === 'mixed' ? { readRatio: options.readRatio } : {}),
    warmupS: options.mode === 'load' ? 0 : options.warmupS,
    durationS: options.durationS,
    measuredS,
    stoppedBy: phases.stoppedBy,
    ops: recorder.windowOps,
    opsPerSec: measuredS > 0 ? recorder.windowOps / measuredS : 0,
    errors: recorder.errorsByName(),
    serverProcesses: phases.serverSamples,
    benchCpuMs: phases.benchCpuMs,
  };
}

export async function runBench(options: BenchOptions, io: BenchIo): Promise<BenchResult> {
  switch (options.mode) {
    case 'get': case 'set': case 'exists': case 'mixed': case 'create': return runPipelined(options, io);
    case 'watch': return runWatch(options, io);
    case 'churn': return runChurn(options, io);
    case 'load': return runLoad(options, io);
  }
}

function runPath(options: BenchOptions): string {
  return `${options.root}/run-${process.pid}-${Date.now().toString(36)}`;
}

async function runPipelined(options: BenchOptions, io: BenchIo): Promise<BenchResult> {
  const { mode } = options;
  const value = valueOf(options.valueBytes);
  const run = runPath(options);
  const keyPath = `${run}/${keyName(0)}`;
  const seqParent = `${run}/seq`;
  const kinds = mode === 'mixed' ? ['getData', 'setData'] : [mode];
  let phases: Phases | undefined;
  const recorder = new Recorder(kinds, options.opsMax, () => phases?.endWindow('ops-max'));
  phases = new Phases(options, recorder, io);
  const connections = await withTimeout(openConnections(options.servers, options.sessions, options.sessionTimeoutMs), setupTimeoutMs, () => `opening ${options.sessions} sessions`);
  const pinger = keepAlive(() => connections, options.sessionTimeoutMs);
  try {
    const first = connections[0]!;
    await createPathAndParents(first, options.root);
    await createPath(first, run, null);
    const usesKeys = mode !== 'create';
    if (usesKeys) {
      const create = RequestTemplate.forPath(OpCode.create, CreateRequest, { path: keyPath, data: value, acl: openAcl, flags: CreateFlag.PERSISTENT }, keyField(run));
      await runList(connections, create, options.keys, patchKey(create), `creating ${options.keys} keys`);
    } else {
      await createPath(first, seqParent, null);
    }
    const get = RequestTemplate.forPath(OpCode.getData, GetDataRequest, { path: keyPath, watch: false }, keyField(run));
    const set = RequestTemplate.forPath(OpCode.setData, SetDataRequest, { path: keyPath, data: value, version: -1 }, keyField(run));
    const exists = RequestTemplate.forPath(OpCode.exists, ExistsRequest, { path: keyPath, watch: false }, keyField(run));
    const sources: RequestSource[] = connections.map((_, i) => {
      const keys = new KeyCycle(options.keys, keyStart(i, connections.length, options.keys));
      switch (mode) {
        case 'get': return new KeySource([get], keys, undefined);
        case 'set': return new KeySource([set], keys, undefined);
        case 'exists': return new KeySource([exists], keys, undefined);
        case 'mixed': return new KeySource([get, set], keys, new ReadWriteMix(options.readRatio, i / connections.length));
        default: return new RepeatSource(RequestTemplate.forPath(OpCode.create, CreateRequest, { path: `${seqParent}/n`, data: value, acl: openAcl, flags: CreateFlag.PERSISTENT_SEQUENTIAL }));
      }
    });
    const drivers = sources.map((source, i) => new PipelineDriver(connections[i]!, source, options.inFlight, recorder));
    phases.start();
    for (const driver of drivers) driver.start();
    const failed = Promise.race(drivers.map((driver) => driver.done.then(() => driver.error)));
    await Promise.race([phases.ended, failed.then((error) => { if (error !== undefined) throw new BenchStepError(`during the run: ${error.message}`); })]);
    for (const driver of drivers) driver.checkDone();
    await withTimeout(Promise.all(drivers.map((driver) => driver.done)), drainTimeoutMs, () => 'waiting for the replies still in flight');
    phases.stop();
    const failure = drivers.find((driver) => driver.error !== undefined);
    if (failure !== undefined) throw new BenchStepError(`during the run: ${failure.error!.message}`);
    const result: BenchResult = {
      ...baseResult(options, phases, recorder),
      latency: summarize(recorder.window),
      ...(mode === 'mixed' ? { byOp: { getData: summarize(recorder.byKind[0]!), setData: summarize(recorder.byKind[1]!) } } : {}),
    };
    if (options.cleanup) {
      if (usesKeys) {
        const del = RequestTemplate.forPath(OpCode.delete, DeleteRequest, { path: keyPath, version: -1 }, keyField(run));
        await runList(connections, del, options.keys, patchKey(del), `deleting ${options.keys} keys`, [ErrorCode.NONODE]);
      } else {
        // Only this run creates below seqParent, so its children are n0000000000 up to the number created.
        const del = RequestTemplate.forPath(OpCode.delete, DeleteRequest, { path: `${seqParent}/n${'0'.repeat(sequentialDigits)}`, version: -1 }, [{ at: seqParent.length + 2, width: sequentialDigits }]);
        await runList(connections, del, recorder.okTotal, patchKey(del), `deleting ${recorder.okTotal} sequential znodes`, [ErrorCode.NONODE]);
      }
      await deletePaths(first, [...(usesKeys ? [] : [seqParent]), run, options.root]);
    }
    return result;
  } finally {
    await endRun(phases, pinger, connections);
  }
}

/**
 * Watch fan-out: every watcher holds a data watch (getData with watch=true) on one znode; each
 * round, the writer sets it, and the round's time is from that write until the last watcher has
 * its NodeDataChanged. Then all watchers re-arm, and the next round starts once every re-arm
 * and the write are answered, so rounds do not overlap.
 */
async function runWatch(options: BenchOptions, io: BenchIo): Promise<BenchResult> {
  const value = valueOf(options.valueBytes);
  const run = runPath(options);
  const watchPath = `${run}/watch`;
  let phases: Phases | undefined;
  const recorder = new Recorder(['round'], options.opsMax, () => phases?.endWindow('ops-max'));
  phases = new Phases(options, recorder, io);
  const notified = new LogLinearHistogram();
  const connections = await withTimeout(openConnections(options.servers, options.sessions + 1, options.sessionTimeoutMs), setupTimeoutMs, () => `opening ${options.sessions + 1} sessions`);
  const writer = connections[0]!;
  const watchers = connections.slice(1);
  const pinger = keepAlive(() => connections, options.sessionTimeoutMs);
  const arm = RequestTemplate.forPath(OpCode.getData, GetDataRequest, { path: watchPath, watch: true });
  const set = RequestTemplate.forPath(OpCode.setData, SetDataRequest, { path: watchPath, data: value, version: -1 });
  const send = (connection: BenchConnection, template: RequestTemplate) => {
    const frame = Buffer.allocUnsafe(template.length);
    template.writeTo(frame, 0, connection.takeXid());
    connection.write(frame);
  };
  let roundStartMs = 0;
  let notifiedCount = 0;
  let armedCount = 0;
  let writeAnswered = true;
  let unexpected = 0;
  let roundsStopped: (() => void) | undefined;
  const roundsDone = new Promise<void>((resolve) => { roundsStopped = resolve; });
  const startRound = () => {
    if (!recorder.issuing) return roundsStopped!();
    notifiedCount = 0;
    armedCount = 0;
    writeAnswered = false;
    roundStartMs = performance.now();
    send(writer, set);
  };
  const maybeNextRound = () => { if (armedCount === watchers.length && writeAnswered) startRound(); };
  const watcherDriver = (connection: BenchConnection): ConnectionDriver => ({
    onReply: (_xid, err) => {
      if (err !== 0) recorder.countError(err);
      armedCount++;
      maybeNextRound();
    },
    onChunkEnd: () => {},
    onNotification: (type) => {
      if (type !== EventType.NodeDataChanged) { unexpected++; return; }
      const latencyUs = (connection.receivedAtMs - roundStartMs) * 1000;
      if (recorder.measuring) notified.record(latencyUs);
      if (++notifiedCount === watchers.length) {
        recorder.record(0, latencyUs, 0);
        for (const watcher of watchers) send(watcher, arm);
      }
    },
  });
  try {
    await createPathAndParents(writer, options.root);
    await createPath(writer, run, null);
    await createPath(writer, watchPath, value);
    // The first arming, all at once, before any round.
    await withTimeout(Promise.all(watchers.map((watcher) => watcher.call(OpCode.getData, GetDataRequest, { path: watchPath, watch: true }).then((reply) => expectOk(reply, `getData ${watchPath}`)))), setupTimeoutMs, () => `arming ${watchers.length} watches`);
    for (const watcher of watchers) watcher.driver = watcherDriver(watcher);
    writer.driver = {
      onReply: (_xid, err) => { if (err !== 0) recorder.countError(err); writeAnswered = true; maybeNextRound(); },
      onChunkEnd: () => {},
    };
    phases.start();
    startRound();
    await phases.ended;
    await withTimeout(roundsDone, drainTimeoutMs, () => `the last watch round (${notifiedCount} of ${watchers.length} notified, ${armedCount} re-armed, write ${writeAnswered ? '' : 'not '}answered)`);
    phases.stop();
    const broken = connections.find((connection) => !connection.isOpen);
    if (broken !== undefined) throw new BenchStepError(`a session was lost: ${broken.error?.message}`);
    const base = baseResult(options, phases, recorder);
    const result: BenchResult = {
      ...base,
      latency: summarize(recorder.window),
      ...(unexpected > 0 ? { errors: { ...base.errors, unexpectedEvents: unexpected } } : {}),
      watch: { watchers: watchers.length, notified: summarize(notified), notificationsPerSec: base.measuredS > 0 ? notified.totalCount / base.measuredS : 0 },
    };
    for (const connection of connections) connection.driver = undefined;
    if (options.cleanup) await deletePaths(writer, [watchPath, run, options.root]);
    return result;
  } finally {
    await endRun(phases, pinger, connections);
  }
}

/**
 * Session churn: each of `sessions` loops opens a TCP connection and a session, then closes the
 * session; an op is one such life, timed from connect to the closeSession reply.
 */
async function runChurn(options: BenchOptions, io: BenchIo): Promise<BenchResult> {
  let phases: Phases | undefined;
  const recorder = new Recorder(['session'], options.opsMax, () => phases?.endWindow('ops-max'));
  phases = new Phases(options, recorder, io);
  const connect = new LogLinearHistogram();
  const open = new Set<BenchConnection>();
  const churner = async (index: number) => {
    const address = options.servers[index % options.servers.length]!;
    while (recorder.issuing) {
      const startMs = performance.now();
      let connection: BenchConnection;
      try {
        connection = await BenchConnection.open(address, options.sessionTimeoutMs);
      } catch (error) {
        if (!(error instanceof ConnectionError)) throw error;
        if (recorder.measuring) recorder.countError(ErrorCode.CONNECTIONLOSS);
        await sleep(churnRetryDelayMs);
        continue;
      }
      open.add(connection);
      const connectedMs = performance.now();
      try {
        const reply = await withTimeout(connection.call(OpCode.closeSession, undefined, undefined), drainTimeoutMs, () => 'closeSession');
        const closedMs = performance.now();
        if (recorder.measuring) connect.record((connectedMs - startMs) * 1000);
        recorder.record(0, (closedMs - startMs) * 1000, reply.err);
      } catch {
        // Lost or unanswered: the session's fate is unknown, as a client would see it.
        if (recorder.measuring) recorder.countError(ErrorCode.CONNECTIONLOSS);
      }
      connection.destroy();
      open.delete(connection);
    }
  };
  phases.start();
  const loops = Promise.all(Array.from({ length: options.sessions }, (_, i) => churner(i)));
  try {
    await Promise.race([phases.ended, loops]);
    await withTimeout(loops, drainTimeoutMs, () => 'the last session lives');
  } finally {
    phases.stop();
    for (const connection of open) connection.destroy();
  }
  return {
    ...baseResult(options, phases, recorder),
    inFlight: 1,
    latency: summarize(recorder.window),
    churn: { connect: summarize(connect) },
  };
}

/**
 * Load: creates `znodes` znodes of `valueBytes` each in a tree of `depth` levels below the
 * root (core/workload.ts treeShape), level by level, each level spread over all sessions with
 * `inFlight` creates outstanding per session; a level starts when the one above is answered.
 * The window is the whole load: no warm-up, stopped by completion or by --duration.
 */
async function runLoad(options: BenchOptions, io: BenchIo): Promise<BenchResult> {
  const value = valueOf(options.valueBytes);
  const shape: TreeShape = treeShape(options.znodes, options.depth);
  let phases: Phases | undefined;
  const recorder = new Recorder(['create'], options.opsMax, () => phases?.endWindow('ops-max'));
  phases = new Phases({ ...options, warmupS: 0 }, recorder, io);
  const connections = await withTimeout(openConnections(options.servers, options.sessions, options.sessionTimeoutMs), setupTimeoutMs, () => `opening ${options.sessions} sessions`);
  const pinger = keepAlive(() => connections, options.sessionTimeoutMs);
  try {
    await createPathAndParents(connections[0]!, options.root);
    phases.start();
    for (let level = 1; level <= shape.levels.length && recorder.issuing; level++) {
      const fields = treePathDigitFields(options.root, shape, level);
      const template = RequestTemplate.forPath(OpCode.create, CreateRequest, { path: treePath(options.root, shape, level, 0), data: value, acl: openAcl, flags: CreateFlag.PERSISTENT }, fields);
      const patch = (target: Uint8Array, at: number, index: number) => {
        let rest = index;
        for (let k = level - 1; k >= 0; k--) {
          template.setDigits(target, at, k, rest % shape.fanout);
          rest = Math.floor(rest / shape.fanout);
        }
      };
      const count = shape.levels[level - 1]!;
      const sources = connections.map((_, i) => new IndexedSource(template, i, connections.length, count, patch));
      await runSources(connections, sources, options.inFlight, recorder, options.durationS * 1000 + drainTimeoutMs, `creating level ${level} (${count} znodes)`);
    }
    phases.endWindow(recorder.issuing ? 'done' : phases.stoppedBy);
    phases.stop();
    const lastLevel = shape.levels.length;
    return {
      ...baseResult(options, phases, recorder),
      latency: summarize(recorder.window),
      load: { znodes: options.znodes, depth: lastLevel, fanout: shape.fanout, levels: shape.levels, lastPath: treePath(options.root, shape, lastLevel, shape.levels[lastLevel - 1]! - 1) },
    };
  } finally {
    await endRun(phases, pinger, connections);
  }
}
