/**
 * Runs a standalone zkts server: recovery from the data directories, the server core driven by
 * real time, real sockets and node's crypto, the txn log with group commit, and snapshots taken
 * in the background. This is the only place that wires the pure core to the machine.
 *
 * The write path: the core prepares txns; `flush` hands them to the log writer; when the
 * writer reports a zxid durable, the core applies everything up to it and releases the
 * replies (persist before acknowledge). Reads of connections with nothing pending are answered
 * at once, also while an fsync is in flight.
 *
 * Not here: protocol logic (server/), file formats (storage/format), config parsing (config.ts),
 * word formatting (admin/).
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ZooKeeperServerCore } from '../server/zk-server.js';
import { sessionPassword } from '../util/java-random.js';
import { VERSION_DIR } from '../storage/format/file-names.js';
import { recover } from '../storage/file/recover.js';
import { TxnLogWriter } from '../storage/file/txn-log-writer.js';
import { writeSnapshot, type SnapshotWritten } from '../storage/file/snapshotter.js';
import { SnapshotPolicy } from '../storage/snapshot-policy.js';
import { purgeDataDirs } from '../storage/file/purge.js';
import { ClientPort } from './client-port.js';
import { ConfigError, type ServerConfig } from './config.js';
import { logger } from './log.js';
import { reclaimAfterLoad } from './memory.js';
import { fourLetterResponder, serverContext, type IntrospectionState } from './four-letter-context.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import type { AdminContext } from '../admin/commands.js';
import { ZKTS_VERSION } from './version.js';
import { tlsServerOptions } from './tls.js';
import { OutstandingThrottle } from '../server/throttle.js';

const log = logger('server');

export interface RunningServer {
  /** The plain client port's address, or the TLS port's on a server with no plain port. */
  readonly host: string;
  readonly port: number;
  readonly core: ZooKeeperServerCore;
  /** The last snapshot written (at start-up, then each time the policy asks for one). */
  readonly lastSnapshot: SnapshotWritten | undefined;
  /** Where the TLS client port listens; undefined without secureClientPort. */
  readonly secureAddress: { readonly host: string; readonly port: number } | undefined;
  /** Where the admin HTTP server listens; undefined when it is off or could not bind. */
  readonly adminAddress: { readonly host: string; readonly port: number } | undefined;
  close(): Promise<void>;
}

const hex = (zxid: bigint) => `0x${zxid.toString(16)}`;

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  if (config.clientPort === 0 && config.secureClientPort === 0) throw new ConfigError('clientPort is not set: a standalone server needs a client port (or a secureClientPort) to serve');
  // Before anything is recovered or bound: a bad key store stops start-up with its key named.
  const secureTls = config.tls === undefined ? undefined : tlsServerOptions(config.tls);
  const snapDir = join(config.dataDir, VERSION_DIR);
  const logDir = join(config.dataLogDir, VERSION_DIR);
  await mkdir(snapDir, { recursive: true });
  await mkdir(logDir, { recursive: true });

  const { state, report } = await recover(config.dataDir, config.dataLogDir, () => performance.now());
  for (const cut of report.truncated) log.warn(`${cut.reason}: torn tail truncated at offset ${cut.offset} of ${cut.file}`);
  for (const warning of report.warnings) log.warn(warning);
  log.info(report.snapshot === undefined
    ? `no snapshot in ${snapDir}: starting from an empty tree`
    : `loaded ${report.snapshot.file} (${report.snapshot.nodes} nodes, zxid ${hex(report.snapshot.zxid)}), replayed ${report.txnsApplied} txns from ${report.logFiles.length} log file(s) to zxid ${hex(report.lastZxid)}, ${state.sessions.length} session(s), in ${Math.round(report.durationMs)} ms`);
  const reclaimMs = reclaimAfterLoad();
  if (reclaimMs !== undefined) log.info(`memory left by loading collected in ${Math.round(reclaimMs)} ms (RSS now ${Math.round(process.memoryUsage().rss / 1048576)} MB)`);

  const startedWallMs = Date.now();
  const core = new ZooKeeperServerCore({
    serverId: config.myid ?? 0,
    tickTimeMs: config.tickTimeMs,
    minSessionTimeoutMs: config.minSessionTimeoutMs,
    maxSessionTimeoutMs: config.maxSessionTimeoutMs,
    extendedTypesEnabled: config.extendedTypesEnabled,
    enforceQuota: config.enforceQuota,
    reconfigEnabled: config.reconfigEnabled,
    skipACL: config.skipACL,
    superDigest: config.superDigest,
    containerCheckIntervalMs: config.containerCheckIntervalMs,
    containerMaxPerMinute: config.containerMaxPerMinute,
    containerMaxNeverUsedIntervalMs: config.containerMaxNeverUsedIntervalMs,
    frameBytesMax: config.juteMaxBuffer,
  }, {
    monotonicMs: () => performance.now(),
    wallMs: () => Date.now(),
    sha1Base64: (text) => createHash('sha1').update(text, 'utf8').digest('base64'),
    sessionPassword,
  }, state);

  let lastSnapshot: SnapshotWritten | undefined;
  let lastSnapshotWallMs = 0;
  let snapshotRunning: Promise<void> | undefined;
  /** Starts a snapshot; its outcome is logged, and the returned promise also rejects on failure. */
  const startSnapshot = (what: string): Promise<SnapshotWritten> => {
    const written = writeSnapshot(core.tree, core.sessionImages(), { dir: snapDir, fsync: config.forceSync });
    snapshotRunning = written.then((done) => {
      lastSnapshot = done;
      lastSnapshotWallMs = Date.now();
      log.info(`${what} ${done.file} written (${done.nodes} nodes, ${done.bytes} bytes, ${Math.round(done.durationMs)} ms, longest slice ${done.sliceMsMax.toFixed(1)} ms)`);
    }, (error: unknown) => {
      log.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }).finally(() => { snapshotRunning = undefined; });
    return written;
  };
  // Like ZooKeeper's loadData, start from a fresh snapshot, so the next start need not replay
  // these logs again. Snapshot and logs already give this state, so it is written a slice at a
  // time while clients are served (on a large tree that takes seconds), except after recovery
  // deleted orphaned ephemerals itself: that change is in no log, so the snapshot must be on
  // disk before any new txn is, and start-up fails without it.
  const startupWritten = startSnapshot('start-up snapshot');
  const startupSnapshot = snapshotRunning;
  if (report.orphansRemoved > 0) await startupWritten;

  let port: ClientPort | undefined;
  let closing = false;
  let fsyncThresholdExceedCount = 0;
  const writer = new TxnLogWriter({
    dir: logDir,
    forceSync: config.forceSync,
    preAllocBytes: config.preAllocSizeKb * 1024,
    fsyncWarningThresholdMs: config.fsyncWarningThresholdMs,
  }, {
    onDurable: (zxid) => {
      core.markDurable(zxid);
      port?.deliver(core.takeOutputs());
      releaseThrottled();
    },
    onError: (error) => {
      // Nothing after a failed write may be acknowledged; ZooKeeper exits here too.
      log.error(`cannot write the txn log in ${logDir}, stopping: ${error.stack ?? error.message}`);
      process.exit(1);
    },
    onSlowSync: (file, durationMs, bytes) => (fsyncThresholdExceedCount++, log.warn(`fsync-ing the write ahead log ${file} took ${Math.round(durationMs)}ms which will adversely effect operation latency. File size is ${bytes} bytes.`)),
  });

  // ZooTrace's default mask, CLIENT_REQUEST | SERVER_PACKET | SESSION | WARNING: a fresh ZooKeeper's gtmk answers 306.
  const introspection: IntrospectionState = { traceMask: 306n };
  const policy = new SnapshotPolicy(config.snapCount, config.snapSizeLimitKb * 1024, Math.random);
  const maybeSnapshot = () => {
    if (closing || !policy.shouldSnapshot(writer.txnsSinceRoll, writer.bytesSinceRoll)) return;
    policy.reset();
    writer.roll();
    if (snapshotRunning !== undefined) {
      log.warn('Too busy to snap, skipping');
      return;
    }
    void startSnapshot('snapshot');
  };

  const throttle = new OutstandingThrottle(core, config.globalOutstandingLimit);
  const releaseThrottled = () => {
    for (const id of throttle.afterAnswers()) port?.resume(id);
  };
  introspection.isThrottled = (id) => throttle.isPaused(id);

  const flush = () => {
    const logged = core.takeTxnsToLog();
    if (logged.length > 0) {
      writer.append(logged);
      maybeSnapshot();
    }
    port?.deliver(core.takeOutputs());
    releaseThrottled();
  };
  port = new ClientPort({
    host: config.clientPortAddress,
    port: config.clientPort === 0 ? undefined : config.clientPort,
    frameBytesMax: config.juteMaxBuffer,
    maxClientCnxns: config.maxClientCnxns,
    fourLetterWord: fourLetterResponder(config, core, startedWallMs, introspection),
    ...(secureTls === undefined ? {} : {
      secure: { host: config.secureClientPortAddress, port: config.secureClientPort, tls: secureTls, wantClientAuth: config.tls!.clientAuth === 'want' },
    }),
  }, {
    opened: (id, address, remotePort) => { core.openConnection(id, address, remotePort); flush(); },
    frame: (id, payload) => core.onFrame(id, payload),
    framesDone: (id) => {
      flush();
      if (throttle.afterRead(id)) port?.pause(id);
    },
    closed: (id) => { throttle.closed(id); core.connectionClosed(id); flush(); },
  });
  const clientPort = port;
  // A TLS-only server answers with its secure address where callers want "the" address.
  const address = (await clientPort.listen()) ?? clientPort.secureAddress!;
  const stopPurging = startAutopurge(config, startupSnapshot);
  const admin: AdminServer | undefined = config.adminEnableServer
    ? await startAdminServer({
      host: config.adminServerAddress,
      port: config.adminServerPort,
      commandUrl: config.adminCommandUrl,
      idleTimeoutMs: config.adminIdleTimeoutMs,
      context: () => adminContext(config, serverContext(config, core, startedWallMs, introspection), {
        lastSnapshot: lastSnapshot === undefined ? undefined : { zxid: lastSnapshot.zxid, timestampSec: Math.floor(lastSnapshotWallMs / 1000) },
        fsyncThresholdExceedCount,
      }),
    })
    : undefined;
  const ticker = setInterval(() => { core.tick(); flush(); }, Math.max(10, Math.floor(config.tickTimeMs / 2)));
  if (clientPort.secureAddress !== undefined) log.info(`zkts serving TLS clients on ${clientPort.secureAddress.host}:${clientPort.secureAddress.port} (ssl.clientAuth=${config.tls!.clientAuth}, ${config.tls!.protocols.join(',')})`);
  log.info(`zkts serving ${config.clientPort === 0 ? 'TLS clients only' : 'clients'} on ${address.host}:${address.port} (standalone, tickTime ${config.tickTimeMs} ms, dataDir ${config.dataDir}${config.dataLogDir === config.dataDir ? '' : `, dataLogDir ${config.dataLogDir}`}, forceSync ${config.forceSync ? 'yes' : 'no'})`);
  return {
    host: address.host,
    port: address.port,
    core,
    get lastSnapshot() { return lastSnapshot; },
    secureAddress: clientPort.secureAddress,
    adminAddress: admin?.address,
    async close() {
      closing = true;
      clearInterval(ticker);
      stopPurging();
      await admin?.close();
      await clientPort.close();
      await writer.close();
      await snapshotRunning;
    },
  };
}

/** The four-letter words' view plus what only the admin commands show. */
function adminContext(config: ServerConfig, base: ReturnType<typeof serverContext>,
  extra: Pick<AdminContext, 'lastSnapshot' | 'fsyncThresholdExceedCount'>): AdminContext {
  const own: Omit<AdminContext, keyof typeof base> = {
    initialConfiguration: config.initialConfig,
    // Node has no system properties: what stands in for them is the config as ZooKeeper would
    // set them (zoo.cfg keys it reads as zookeeper.* properties) and the process's own facts.
    get systemProperties() {
      return [
        ['file.encoding', 'UTF-8'], ['line.separator', '\n'], ['node.version', process.version], ['os.arch', process.arch],
        ['os.name', process.platform], ['user.dir', process.cwd()], ['zkts.version', ZKTS_VERSION],
        ...[...config.raw].filter(([key]) => key.startsWith('zookeeper.') || key.startsWith('admin.') || key.startsWith('4lw.')),
      ] as const;
    },
    ...extra,
  };
  // Descriptors, not Object.assign, so getters (here and in base) stay lazy: a command reads few fields.
  return Object.create(base, Object.getOwnPropertyDescriptors(own)) as AdminContext;
}

/**
 * autopurge (DatadirCleanupManager): with purgeInterval > 0 hours, keep the newest
 * snapRetainCount snapshots and the logs they need, at start and every purgeInterval hours.
 */
function startAutopurge(config: ServerConfig, startupSnapshot: Promise<void> | undefined): () => void {
  if (config.autopurgePurgeIntervalHours <= 0) return () => {};
  let running = false;
  let stopped = false;
  const purge = async () => {
    if (running || stopped) return;
    running = true;
    try {
      log.info('Purge task started.');
      const result = await purgeDataDirs(config.dataDir, config.dataLogDir, config.autopurgeSnapRetainCount);
      if (result.kind === 'refused') log.error(`purge refused: ${result.problem}`);
      else {
        for (const file of result.removed) log.info(`Removing file: ${file.path}`);
        for (const path of result.failed) log.warn(`Failed to remove ${path}`);
      }
      log.info('Purge task completed.');
    } catch (error) {
      log.error(`purge failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
    }
  };
  // As in ZooKeeper, the first purge counts the start-up snapshot among those it keeps.
  void (startupSnapshot ?? Promise.resolve()).then(purge);
  const timer = setInterval(() => void purge(), config.autopurgePurgeIntervalHours * 3_600_000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
