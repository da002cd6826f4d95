/**
 * Answers four-letter words on the client port: gathers the server's state into the pure
 * formatter's FourLetterContext (lazily: each field is a getter, since most words read few).
 * The admin HTTP server reads the same context (serverContext), so both show one state and
 * share the trace mask.
 *
 * Not here: the formats themselves (admin/four-letter.ts, admin/commands.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { hostname, userInfo, type as osType, arch, release, homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fourLetterWordOf, runFourLetterWord, type FourLetterContext, type ConnectionStats } from '../admin/four-letter.js';
import type { ZooKeeperServerCore } from '../server/zk-server.js';
import type { ServerConfig } from './config.js';
import { ZKTS_VERSION, BUILT_ON } from './version.js';

function directoryBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((sum, name) => {
      try {
        const stat = statSync(join(dir, name));
        return sum + (stat.isFile() ? stat.size : 0);
      } catch {
        return sum;
      }
    }, 0);
  } catch {
    return 0;
  }
}

/** State the server's introspection keeps between requests (the trace mask stmk sets). */
export interface IntrospectionState {
  traceMask: bigint;
  /** Whether a connection is not being read (globalOutstandingLimit): cons shows its interest ops as 0. */
  isThrottled?: (connectionId: number) => boolean;
}

export function fourLetterResponder(config: ServerConfig, core: ZooKeeperServerCore, startedWallMs: number, state: IntrospectionState) {
  return (head: Uint8Array, remoteHost: string, remotePort: number): string | undefined => {
    const word = fourLetterWordOf(head);
    if (word === undefined) return undefined;
    // ZooKeeper lists the connection asking a four-letter word among the clients.
    const asking: ConnectionStats = {
      remoteHost, remotePort, interestOps: 0, outstandingRequests: 0, packetsReceived: 1, packetsSent: 0, sessionId: 0n,
      lastOperation: 'NA', establishedMs: Date.now(), sessionTimeoutMs: 0, lastCxid: -1, lastZxid: -1n, lastResponseTimeMs: 0,
      lastLatencyMs: 0, latency: { count: 0, totalMs: 0, minMs: 0, maxMs: 0 },
    };
    return runFourLetterWord(word, serverContext(config, core, startedWallMs, state, [asking]));
  };
}

/** The server's state as the four-letter words and admin commands read it; `also` joins the connections. */
export function serverContext(config: ServerConfig, core: ZooKeeperServerCore, startedWallMs: number, state: IntrospectionState,
  also: readonly ConnectionStats[] = []): FourLetterContext {
  const toWallMs = (monotonicMs: number) => Date.now() + (monotonicMs - performance.now());
  return {
    whitelist: config.fourLetterWhitelist,
    serving: true,
    zktsVersion: ZKTS_VERSION,
    builtOn: BUILT_ON,
    serverState: 'standalone',
    readOnly: false,
    get packetsReceived() { return core.stats.packetsReceived; },
    get packetsSent() { return core.stats.packetsSent; },
    get outstandingRequests() { return core.outstandingRequests; },
    get latency() {
      const s = core.stats;
      return { count: s.latencyCount, totalMs: s.totalLatencyMs, minMs: s.minLatencyMs, maxMs: s.maxLatencyMs };
    },
    // ZooKeeper counts only an auth provider's refusals; an unknown scheme is refused uncounted
    // (3.8.0 shows 0 after one), and zkts's digest and ip providers never refuse.
    authFailedCount: 0,
    get clientResponseSize() {
      const s = core.stats;
      return { last: s.responseBytesLast, min: s.responseBytesMin, max: s.responseBytesMax };
    },
    get lastProcessedZxid() { return core.lastProcessedZxid; },
    // ZooKeeper's node count includes its "" alias of the root.
    get nodeCount() { return core.tree.nodeCount + 1; },
    get approximateDataSize() { return core.tree.approximateDataSize; },
    get watchCount() { return core.tree.watchCount; },
    get ephemeralsCount() { return [...core.tree.ephemerals.values()].reduce((sum, paths) => sum + paths.size, 0); },
    get uptimeMs() { return Date.now() - startedWallMs; },
    localSessionCount: 0,
    get connections() {
      const list = [...core.connections.values()].map((c): ConnectionStats => ({
        remoteHost: c.remoteAddress, remotePort: c.remotePort, interestOps: state.isThrottled?.(c.id) === true ? 0 : 1, outstandingRequests: c.outstanding,
        packetsReceived: c.stats.packetsReceived, packetsSent: c.stats.packetsSent, sessionId: c.sessionId,
        lastOperation: c.stats.lastOp, establishedMs: c.stats.establishedWallMs, sessionTimeoutMs: c.sessionTimeoutMs,
        lastCxid: c.stats.lastCxid, lastZxid: c.stats.lastZxid, lastResponseTimeMs: c.stats.lastResponseMs,
        lastLatencyMs: c.stats.lastLatencyMs,
        latency: { count: c.stats.latencyCount, totalMs: c.stats.totalLatencyMs, minMs: c.stats.minLatencyMs, maxMs: c.stats.maxLatencyMs },
      }));
      return [...list, ...also];
    },
    get sessions() {
      return [...core.sessions.all()].filter((s) => !s.closing).map((s) => ({ sessionId: s.sessionId, expiresAtMs: toWallMs(s.expiresAtMs) }));
    },
    get ephemerals() {
      return [...core.tree.ephemerals.entries()].map(([sessionId, paths]) => ({ sessionId, paths: [...paths] }));
    },
    get dataWatches() {
      const sessionOf = new Map([...core.connections.values()].map((c) => [c.id, c.sessionId]));
      const out: { path: string; sessionId: bigint }[] = [];
      for (const [path, watchers] of core.tree.dataWatches.watchersByPath()) {
        for (const watcher of watchers) out.push({ path, sessionId: sessionOf.get(watcher) ?? 0n });
      }
      return out;
    },
    conf: {
      clientPort: config.clientPort,
      secureClientPort: config.secureClientPort > 0 ? config.secureClientPort : -1,
      dataDir: join(config.dataDir, 'version-2'),
      dataLogDir: join(config.dataLogDir, 'version-2'),
      tickTimeMs: config.tickTimeMs,
      maxClientCnxns: config.maxClientCnxns,
      minSessionTimeoutMs: config.minSessionTimeoutMs,
      maxSessionTimeoutMs: config.maxSessionTimeoutMs,
      clientPortListenBacklog: -1,
      serverId: config.myid ?? 0,
    },
    get dataDirSizeBytes() { return directoryBytes(join(config.dataDir, 'version-2')); },
    get dataLogDirSizeBytes() { return directoryBytes(join(config.dataLogDir, 'version-2')); },
    get environment() {
      const memory = process.memoryUsage();
      return {
        hostName: hostname(),
        runtime: [['node.version', process.version], ['node.platform', process.platform]] as const,
        osName: osType(), osArch: arch(), osVersion: release(),
        userName: userInfo().username, userHome: homedir(), userDir: process.cwd(),
        memoryFreeBytes: memory.heapTotal - memory.heapUsed, memoryMaxBytes: memory.rss, memoryTotalBytes: memory.heapTotal,
      };
    },
    get traceMask() { return state.traceMask; },
    digests: [],
    resetServerStats: () => core.resetStats(),
    resetConnectionStats: () => core.resetConnectionStats(),
    setTraceMask: (mask) => { state.traceMask = mask; },
  };
}
