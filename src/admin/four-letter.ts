/**
 * ZooKeeper's four-letter-word commands (ruok, srvr, stat, mntr, conf, cons, crst, srst, dump,
 * envi, dirs, wchs, wchc, wchp, isro, gtmk, stmk, hash) as pure formatting: recognise the word
 * in the first four bytes of a new client connection, and turn a snapshot of server state into
 * the exact text ZooKeeper 3.8 writes back before it closes the socket.
 *
 * What this is not: it reads no socket, clock, file or process. The runtime shell gathers the
 * state into a `FourLetterContext` (plain data plus three callbacks for the commands that reset
 * or set something), writes the returned text, and closes the connection. The shell also reads
 * the 8-byte argument of `stmk` (see `STMK_ARGUMENT_BYTES`).
 *
 * Formats follow a live Apache ZooKeeper 3.8.0 (shared/reference/zk380-captures/*.txt and
 * zookeeper-facts.md §2.7, §2.9): line order, `\n` endings, the blank line closing cons/stat's
 * client list and wchc/wchp, no newline after ruok/isro/gtmk/stmk, Java's `Long.toHexString`
 * for ids and zxids (two's complement, so -1 prints as 0xffffffffffffffff), Java's
 * `Double.toString` for the server's average latency (0.0, 1.9167), and Java's `Date.toString`
 * (in UTC) for expiry times in dump.
 *
 * Deliberate differences from ZooKeeper, all about order or honesty, never about shape:
 * - wchc, wchp and dump list sessions in ascending id and paths in string order (ZooKeeper's
 *   order is a hash map's, i.e. arbitrary).
 * - envi reports the Node.js runtime (entries given by the shell) instead of java.* entries.
 * - mntr prints the gauges a standalone zkts actually knows; optional ones (file descriptors,
 *   client response sizes, auth failures) only when the shell supplies them, plus whatever
 *   extra metrics the shell passes. ZooKeeper 3.8.0 prints ~485 lines, most of them JVM or
 *   quorum pipeline summaries that would be made-up zeros here.
 *
 * Invariants: the version line always starts with `ZOOKEEPER_PROTOCOL_VERSION` (clients such as
 * kazoo parse the leading digits of `zookeeper.version` and gate features on them); every
 * command except ruok, envi, gtmk and stmk answers ZooKeeper's "not serving" text while the
 * server is not serving, as ZooKeeper does.
 */
import { OpCode } from '../protocol/codes.js';
import { formatJavaDouble } from '../util/java-format.js';
import { JavaDouble } from '../util/jackson-json.js';

/** The Apache ZooKeeper release whose client protocol zkts speaks; reported first in versions. */
export const ZOOKEEPER_PROTOCOL_VERSION = '3.8.4';

/** Every four-letter word ZooKeeper 3.8 knows, in its documentation order. */
export const fourLetterWords = [
  'conf', 'cons', 'crst', 'dump', 'envi', 'ruok', 'srst', 'srvr', 'stat',
  'wchs', 'wchc', 'wchp', 'dirs', 'mntr', 'isro', 'hash', 'gtmk', 'stmk',
] as const;
export type FourLetterWord = (typeof fourLetterWords)[number];

const knownWords: ReadonlySet<string> = new Set<string>(fourLetterWords);

/** `stmk` is followed by the new trace mask as an 8-byte big-endian signed long. */
export const STMK_ARGUMENT_BYTES = 8;

/** ZooKeeper's answer from a server that is starting, electing or shutting down. */
export const NOT_SERVING_MESSAGE = 'This ZooKeeper instance is not currently serving requests';

/**
 * The word spelled by the first four bytes of a new connection, if it is one we recognise.
 * ZooKeeper makes this check before it reads the bytes as a frame length: a connect request's
 * length is small, so its first byte is 0 and it can never spell a lowercase word.
 */
export function fourLetterWordOf(head: Uint8Array): FourLetterWord | undefined {
  if (head.length < 4) return undefined;
  const word = String.fromCharCode(head[0]!, head[1]!, head[2]!, head[3]!);
  return knownWords.has(word) ? (word as FourLetterWord) : undefined;
}

/**
 * True for the 4 bytes a telnet client sends when its user closes it (IAC IP IAC DO,
 * 0xfff4fffd). ZooKeeper recognises them in the same place and just closes the connection.
 */
export function isTelnetClose(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0xff && head[1] === 0xf4 && head[2] === 0xff && head[3] === 0xfd;
}

/** The trace mask that follows `stmk` (8 bytes, big-endian, signed like a Java long). */
export function traceMaskOf(argument: Uint8Array): bigint {
  if (argument.length < STMK_ARGUMENT_BYTES) throw new RangeError(`stmk needs ${STMK_ARGUMENT_BYTES} argument bytes, got ${argument.length}`);
  let value = 0n;
  for (let i = 0; i < STMK_ARGUMENT_BYTES; i++) value = (value << 8n) | BigInt(argument[i]!);
  return BigInt.asIntN(64, value);
}

/** Which words may run: every word, or a set (ZooKeeper's `4lw.commands.whitelist`). */
export type FourLetterWhitelist = '*' | ReadonlySet<string>;


export function isWhitelisted(word: FourLetterWord, whitelist: FourLetterWhitelist): boolean {
  return whitelist === '*' || whitelist.has(word);
}

/** Latency since the last reset, in milliseconds; min and max mean nothing while count is 0. */
export interface LatencyStats {
  readonly count: number;
  readonly totalMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** One client connection, as cons and stat list it (ZooKeeper's ServerCnxn stats). */
export interface ConnectionStats {
  /** Remote IP and port; an IPv4-mapped IPv6 address prints as plain IPv4, as Java does. */
  readonly remoteHost: string;
  readonly remotePort: number;
  /** Socket interest ops as ZooKeeper's NIO layer reports them: 1 reading, 0 not (e.g. throttled or answering a four-letter word). */
  readonly interestOps: number;
  /** Requests submitted but not yet answered. */
  readonly outstandingRequests: number;
  readonly packetsReceived: number;
  readonly packetsSent: number;
  /** 0n while the connection has no session; then cons prints only the brief fields. */
  readonly sessionId: bigint;
  /** Short name of the last answered operation (`lastOperationName`), `NA` after a reset. */
  readonly lastOperation: string;
  /** Wall-clock time the connection was accepted, epoch ms. */
  readonly establishedMs: number;
  readonly sessionTimeoutMs: number;
  /** xid of the last answered ordinary request; -1 if none (then lcxid is omitted). */
  readonly lastCxid: number;
  /** zxid of the last answer; -1n after a reset. */
  readonly lastZxid: bigint;
  /** When the last answer was sent, on the server's monotonic millisecond clock; 0 if none. */
  readonly lastResponseTimeMs: number;
  readonly lastLatencyMs: number;
  readonly latency: LatencyStats;
}

/** A session in the session tracker, with the (bucket-rounded) time it expires if idle. */
export interface SessionExpiry {
  readonly sessionId: bigint;
  /** Wall-clock epoch ms at which the session's expiry bucket fires. */
  readonly expiresAtMs: number;
}

/** A connection in the NIO idle-connection expiry queue (dump's "Connections dump"). */
export interface ConnectionExpiry {
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly sessionId: bigint;
  readonly expiresAtMs: number;
}

/** The ephemeral nodes one session owns. */
export interface SessionEphemerals {
  readonly sessionId: bigint;
  readonly paths: readonly string[];
}

/** One registration in the data-watch table: `path` watched by the connection of `sessionId`. */
export interface DataWatch {
  readonly path: string;
  readonly sessionId: bigint;
}

/** The configuration `conf` prints (standalone). Directory paths as they are printed. */
export interface ConfView {
  readonly clientPort: number;
  /** -1 when there is no TLS port. */
  readonly secureClientPort: number;
  /** Snapshot directory; ZooKeeper prints its `version-2` subdirectory of dataDir. */
  readonly dataDir: string;
  /** Transaction log directory; likewise the `version-2` subdirectory. */
  readonly dataLogDir: string;
  readonly tickTimeMs: number;
  readonly maxClientCnxns: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** -1 when unset (the OS default backlog). */
  readonly clientPortListenBacklog: number;
  /** 0 on a standalone server. */
  readonly serverId: number | bigint;
}

/** What envi prints after `zookeeper.version`. */
export interface EnvironmentView {
  readonly hostName: string;
  /** The runtime's own entries, in the place of ZooKeeper's java.* ones (e.g. node.version). */
  readonly runtime: readonly (readonly [key: string, value: string])[];
  readonly osName: string;
  readonly osArch: string;
  readonly osVersion: string;
  readonly userName: string;
  readonly userHome: string;
  readonly userDir: string;
  /** Heap figures in bytes; printed in whole MiB with an `MB` suffix as ZooKeeper does. */
  readonly memoryFreeBytes: number;
  readonly memoryMaxBytes: number;
  readonly memoryTotalBytes: number;
}

/** A tree digest kept every 128 txns (`hash`). */
export interface ZxidDigest {
  readonly zxid: bigint;
  readonly digest: bigint;
}

/** Buffer size stats in bytes, -1 each until the first response. */
export interface BufferSizeStats {
  readonly last: number;
  readonly min: number;
  readonly max: number;
}

/**
 * An mntr line `zk_<name>\t<value>` (the admin `monitor` field `<name>`): integers as they are,
 * doubles as JavaDouble (or pre-formatted with formatJavaDouble, which the JSON then quotes).
 */
export type MetricEntry = readonly [name: string, value: number | bigint | string | JavaDouble];

export type ServerState = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only';

/**
 * Everything the four-letter words need, as plain data and callbacks with no I/O. The shell may
 * build it lazily with getters, since most words read only a few fields (wchc, wchp and dump
 * are the expensive ones, as in ZooKeeper).
 */
export interface FourLetterContext {
  readonly whitelist: FourLetterWhitelist;
  /** False while the server cannot serve requests (starting, electing, shutting down). */
  readonly serving: boolean;
  /** zkts's own version, reported after the ZooKeeper protocol version. */
  readonly zktsVersion: string;
  /** Build time as ZooKeeper prints it, `yyyy-MM-dd HH:mm UTC`. */
  readonly builtOn: string;
  readonly serverState: ServerState;
  /** True when serving read-only clients only (srvr/stat add a line, isro answers `ro`). */
  readonly readOnly: boolean;

  /** Server-wide counters since the last srst. */
  readonly packetsReceived: number;
  readonly packetsSent: number;
  readonly outstandingRequests: number;
  readonly latency: LatencyStats;
  readonly authFailedCount?: number;
  readonly clientResponseSize?: BufferSizeStats;

  readonly lastProcessedZxid: bigint;
  /** Nodes in the tree, counting ZooKeeper's `""` alias of the root (an empty tree counts 5). */
  readonly nodeCount: number;
  /** Sum over nodes of path length plus data length (ZooKeeper's approximateDataSize). */
  readonly approximateDataSize: number;
  /** Data-watch plus child-watch registrations (ZooKeeper's zk_watch_count). */
  readonly watchCount: number;
  readonly ephemeralsCount: number;
  readonly uptimeMs: number;
  readonly openFileDescriptorCount?: number;
  readonly maxFileDescriptorCount?: number;
  readonly localSessionCount: number;

  /** Every open client connection, including the one asking (ZooKeeper counts it too). */
  readonly connections: readonly ConnectionStats[];
  /** Every session in the session tracker. */
  readonly sessions: readonly SessionExpiry[];
  /** The idle-connection queue; absent when the transport has none (ZooKeeper's Netty). */
  readonly connectionExpiry?: readonly ConnectionExpiry[];
  readonly ephemerals: readonly SessionEphemerals[];
  /**
   * The data-watch table: getData/exists watches and persistent and persistent-recursive
   * watches. ZooKeeper's wchs/wchc/wchp report this table only, not child watches.
   */
  readonly dataWatches: readonly DataWatch[];

  readonly conf: ConfView;
  readonly dataDirSizeBytes: number;
  readonly dataLogDirSizeBytes: number;
  readonly environment: EnvironmentView;
  readonly traceMask: bigint;
  readonly digests: readonly ZxidDigest[];
  /** Extra mntr lines appended after the standard gauges (counters, summaries, quorum gauges). */
  readonly extraMetrics?: readonly MetricEntry[];

  resetServerStats(): void;
  resetConnectionStats(): void;
  setTraceMask(traceMask: bigint): void;
}

/** ZooKeeper's version string in zkts: `3.8.4-zkts-0.1.0, built on 2025-01-01 00:00 UTC`. */
export function fullVersion(zktsVersion: string, builtOn: string): string {
  return `${ZOOKEEPER_PROTOCOL_VERSION}-zkts-${zktsVersion}, built on ${builtOn}`;
}

/** What ZooKeeper answers for a word that is not whitelisted. */
export function notWhitelistedMessage(word: string): string {
  return `${word} is not executed because it is not in the whitelist.\n`;
}

/**
 * The text to write back for `word` before closing the connection. Runs the reset and
 * set-trace-mask callbacks for crst, srst and stmk. `traceMask` is stmk's argument.
 */
export function runFourLetterWord(word: FourLetterWord, ctx: FourLetterContext, traceMask?: bigint): string {
  if (!isWhitelisted(word, ctx.whitelist)) return notWhitelistedMessage(word);
  switch (word) {
    case 'ruok': return 'imok';
    case 'envi': return envi(ctx);
    case 'gtmk': return BigInt.asIntN(64, ctx.traceMask).toString();
    case 'stmk': {
      if (traceMask === undefined) throw new TypeError('stmk needs its trace mask argument');
      const mask = BigInt.asIntN(64, traceMask);
      ctx.setTraceMask(mask);
      return mask.toString();
    }
    case 'isro': return !ctx.serving ? 'null' : ctx.readOnly ? 'ro' : 'rw';
    case 'hash': return !ctx.serving ? NOT_SERVING_MESSAGE : hash(ctx);
    default: break;
  }
  if (!ctx.serving) return `${NOT_SERVING_MESSAGE}\n`;
  switch (word) {
    case 'srvr': return stat(ctx, false);
    case 'stat': return stat(ctx, true);
    case 'cons': return cons(ctx);
    case 'crst': ctx.resetConnectionStats(); return 'Connection stats reset.\n';
    case 'srst': ctx.resetServerStats(); return 'Server stats reset.\n';
    case 'conf': return conf(ctx);
    case 'dirs': return `datadir_size: ${ctx.dataDirSizeBytes}\nlogdir_size: ${ctx.dataLogDirSizeBytes}\n`;
    case 'dump': return dump(ctx);
    case 'wchs': return wchs(ctx);
    case 'wchc': return wchc(ctx);
    case 'wchp': return wchp(ctx);
    case 'mntr': return mntr(ctx);
    default: return assertNever(word);
  }
}

// ---- commands ------------------------------------------------------------------------------

function stat(ctx: FourLetterContext, withClients: boolean): string {
  const lines = [`Zookeeper version: ${fullVersion(ctx.zktsVersion, ctx.builtOn)}`];
  if (ctx.readOnly) lines.push('READ-ONLY mode; serving only read-only clients');
  if (withClients) {
    lines.push('Clients:');
    for (const connection of ctx.connections) lines.push(connectionInfo(connection, true));
    lines.push('');
  }
  const latency = serverLatency(ctx.latency);
  lines.push(
    `Latency min/avg/max: ${latency.min}/${latency.avg}/${latency.max}`,
    `Received: ${ctx.packetsReceived}`,
    `Sent: ${ctx.packetsSent}`,
    `Connections: ${ctx.connections.length}`,
    `Outstanding: ${ctx.outstandingRequests}`,
    `Zxid: 0x${javaHex(ctx.lastProcessedZxid)}`,
    `Mode: ${ctx.serverState}`,
    `Node count: ${ctx.nodeCount}`,
  );
  return lines.join('\n') + '\n';
}

function cons(ctx: FourLetterContext): string {
  return ctx.connections.map((connection) => connectionInfo(connection, false) + '\n').join('') + '\n';
}

/** One ` /ip:port[ops](queued=…)` entry; full detail only for connections with a session. */
function connectionInfo(c: ConnectionStats, brief: boolean): string {
  let text = ` ${socketAddress(c.remoteHost, c.remotePort)}[${c.interestOps === 0 ? '0' : c.interestOps.toString(16)}]`
    + `(queued=${c.outstandingRequests},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  if (!brief && c.sessionId !== 0n) {
    const latency = connectionLatency(c.latency);
    text += `,sid=0x${javaHex(c.sessionId)},lop=${c.lastOperation},est=${c.establishedMs},to=${c.sessionTimeoutMs}`;
    if (c.lastCxid >= 0) text += `,lcxid=0x${javaHex(BigInt(c.lastCxid))}`;
    text += `,lzxid=0x${javaHex(c.lastZxid)},lresp=${c.lastResponseTimeMs},llat=${c.lastLatencyMs}`
      + `,minlat=${latency.min},avglat=${latency.avg},maxlat=${latency.max}`;
  }
  return text + ')';
}

function conf(ctx: FourLetterContext): string {
  const c = ctx.conf;
  return [
    `clientPort=${c.clientPort}`,
    `secureClientPort=${c.secureClientPort}`,
    `dataDir=${c.dataDir}`,
    `dataDirSize=${ctx.dataDirSizeBytes}`,
    `dataLogDir=${c.dataLogDir}`,
    `dataLogSize=${ctx.dataLogDirSizeBytes}`,
    `tickTime=${c.tickTimeMs}`,
    `maxClientCnxns=${c.maxClientCnxns}`,
    `minSessionTimeout=${c.minSessionTimeoutMs}`,
    `maxSessionTimeout=${c.maxSessionTimeoutMs}`,
    `clientPortListenBacklog=${c.clientPortListenBacklog}`,
    `serverId=${c.serverId}`,
  ].join('\n') + '\n';
}

function envi(ctx: FourLetterContext): string {
  return 'Environment:\n' + environmentEntries(ctx).map(([key, value]) => `${key}=${value}\n`).join('');
}

/** envi's key=value pairs, in order: also the admin `environment` command's fields. */
export function environmentEntries(ctx: FourLetterContext): (readonly [string, string])[] {
  const e = ctx.environment;
  const entries: (readonly [string, string])[] = [
    ['zookeeper.version', fullVersion(ctx.zktsVersion, ctx.builtOn)],
    ['host.name', e.hostName],
    ...e.runtime,
    ['os.name', e.osName],
    ['os.arch', e.osArch],
    ['os.version', e.osVersion],
    ['user.name', e.userName],
    ['user.home', e.userHome],
    ['user.dir', e.userDir],
    ['os.memory.free', megabytes(e.memoryFreeBytes)],
    ['os.memory.max', megabytes(e.memoryMaxBytes)],
    ['os.memory.total', megabytes(e.memoryTotalBytes)],
  ];
  return entries;
}

function dump(ctx: FourLetterContext): string {
  const lines: string[] = ['SessionTracker dump:'];
  lines.push(...expiryQueue('Session ', ctx.sessions, (s) => `0x${javaHex(s.sessionId)}`));
  lines.push('ephemeral nodes dump:');
  const owners = [...ctx.ephemerals].sort((a, b) => compareBigint(a.sessionId, b.sessionId));
  lines.push(`Sessions with Ephemerals (${owners.length}):`);
  for (const owner of owners) {
    lines.push(`0x${javaHex(owner.sessionId)}:`);
    for (const path of [...owner.paths].sort()) lines.push(`\t${path}`);
  }
  lines.push('Connections dump:');
  if (ctx.connectionExpiry !== undefined) {
    lines.push(...expiryQueue('Connections ', ctx.connectionExpiry,
      (c) => `ip: ${socketAddress(c.remoteHost, c.remotePort)} sessionId: 0x${javaHex(c.sessionId)}`));
  }
  return lines.join('\n') + '\n';
}

/** ZooKeeper's ExpiryQueue dump: `Sets (buckets)/(entries):`, then each bucket by time. */
function expiryQueue<T extends { readonly sessionId: bigint; readonly expiresAtMs: number }>(
  prefix: string, entries: readonly T[], describe: (entry: T) => string): string[] {
  const buckets = new Map<number, T[]>();
  for (const entry of entries) {
    const bucket = buckets.get(entry.expiresAtMs);
    if (bucket === undefined) buckets.set(entry.expiresAtMs, [entry]);
    else bucket.push(entry);
  }
  const lines = [`${prefix}Sets (${buckets.size})/(${entries.length}):`];
  for (const time of [...buckets.keys()].sort((a, b) => a - b)) {
    const bucket = buckets.get(time)!.sort((a, b) => compareBigint(a.sessionId, b.sessionId));
    lines.push(`${bucket.length} expire at ${javaDateString(time)}:`);
    for (const entry of bucket) lines.push(`\t${describe(entry)}`);
  }
  return lines;
}

function wchs(ctx: FourLetterContext): string {
  const sessions = new Set<bigint>();
  const paths = new Set<string>();
  const pairs = new Set<string>();
  for (const watch of ctx.dataWatches) {
    sessions.add(watch.sessionId);
    paths.add(watch.path);
    pairs.add(`${watch.sessionId} ${watch.path}`);
  }
  return `${sessions.size} connections watching ${paths.size} paths\nTotal watches:${pairs.size}\n`;
}

function wchc(ctx: FourLetterContext): string {
  const bySession = new Map<bigint, Set<string>>();
  for (const watch of ctx.dataWatches) {
    let paths = bySession.get(watch.sessionId);
    if (paths === undefined) bySession.set(watch.sessionId, (paths = new Set()));
    paths.add(watch.path);
  }
  let text = '';
  for (const sessionId of [...bySession.keys()].sort(compareBigint)) {
    text += `0x${javaHex(sessionId)}\n`;
    for (const path of [...bySession.get(sessionId)!].sort()) text += `\t${path}\n`;
  }
  return text + '\n';
}

function wchp(ctx: FourLetterContext): string {
  const byPath = new Map<string, Set<bigint>>();
  for (const watch of ctx.dataWatches) {
    let sessions = byPath.get(watch.path);
    if (sessions === undefined) byPath.set(watch.path, (sessions = new Set()));
    sessions.add(watch.sessionId);
  }
  let text = '';
  for (const path of [...byPath.keys()].sort()) {
    text += `${path}\n`;
    for (const sessionId of [...byPath.get(path)!].sort(compareBigint)) text += `\t0x${javaHex(sessionId)}\n`;
  }
  return text + '\n';
}

function hash(ctx: FourLetterContext): string {
  return ctx.digests.map((d) => `${javaHex(d.zxid)}: ${BigInt.asIntN(64, d.digest)}\n`).join('');
}

/**
 * mntr: `zk_<key>\t<value>` per line. zk_version and zk_server_state come first, then the
 * gauges in the order a live 3.8.0 prints them (zk380-captures/mntr.txt), then the shell's
 * extra metrics. Optional gauges appear only when the shell knows them.
 */
function mntr(ctx: FourLetterContext): string {
  return monitorEntries(ctx).map(([name, value]) => `zk_${name}\t${metricValue(name, value)}\n`).join('');
}

/** mntr's entries, without the zk_ prefix: also the admin `monitor` command's fields. */
export function monitorEntries(ctx: FourLetterContext): MetricEntry[] {
  const latency = serverLatency(ctx.latency);
  const entries: MetricEntry[] = [
    ['version', fullVersion(ctx.zktsVersion, ctx.builtOn)],
    ['server_state', ctx.serverState],
    ['ephemerals_count', ctx.ephemeralsCount],
    ['num_alive_connections', ctx.connections.length],
    ['avg_latency', new JavaDouble(latency.avgValue)],
    ['outstanding_requests', ctx.outstandingRequests],
    ['znode_count', ctx.nodeCount],
    ['global_sessions', ctx.sessions.length],
  ];
  if (ctx.clientResponseSize !== undefined) entries.push(['last_client_response_size', ctx.clientResponseSize.last]);
  entries.push(['packets_sent', ctx.packetsSent], ['packets_received', ctx.packetsReceived]);
  if (ctx.clientResponseSize !== undefined) entries.push(['max_client_response_size', ctx.clientResponseSize.max]);
  entries.push(['watch_count', ctx.watchCount]);
  if (ctx.authFailedCount !== undefined) entries.push(['auth_failed_count', ctx.authFailedCount]);
  entries.push(['min_latency', latency.min]);
  if (ctx.maxFileDescriptorCount !== undefined) entries.push(['max_file_descriptor_count', ctx.maxFileDescriptorCount]);
  entries.push(['approximate_data_size', ctx.approximateDataSize]);
  if (ctx.openFileDescriptorCount !== undefined) entries.push(['open_file_descriptor_count', ctx.openFileDescriptorCount]);
  entries.push(['local_sessions', ctx.localSessionCount], ['uptime', ctx.uptimeMs], ['max_latency', latency.max]);
  if (ctx.clientResponseSize !== undefined) entries.push(['min_client_response_size', ctx.clientResponseSize.min]);
  entries.push(...(ctx.extraMetrics ?? []));
  return entries;
}

function metricValue(name: string, value: MetricEntry[1]): string {
  if (value instanceof JavaDouble) return formatJavaDouble(value.value);
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new TypeError(`mntr metric ${name} is not an integer (${value}); pass doubles through formatJavaDouble`);
  }
  return String(value);
}

/** The five mntr entries ZooKeeper prints for a summary metric (avg as a double, the rest as longs). */
export function summaryMetrics(name: string, stats: LatencyStats): MetricEntry[] {
  const { min, avgValue, max } = serverLatency(stats);
  return [
    [`avg_${name}`, new JavaDouble(avgValue)],
    [`min_${name}`, min],
    [`max_${name}`, max],
    [`cnt_${name}`, stats.count],
    [`sum_${name}`, stats.count === 0 ? 0 : stats.totalMs],
  ];
}

// ---- ZooKeeper's operation names for cons' `lop` -------------------------------------------

/**
 * The short names ZooKeeper's FinalRequestProcessor records as a connection's last operation,
 * keyed by op code (see src/protocol/codes.ts). `NA` is the value before any answer.
 */
const lastOperationNames: ReadonlyMap<number, string> = new Map<number, string>([
  [OpCode.ping, 'PING'], [OpCode.createSession, 'SESS'], [OpCode.closeSession, 'CLOS'],
  [OpCode.multi, 'MULT'], [OpCode.multiRead, 'MLTR'],
  [OpCode.create, 'CREA'], [OpCode.create2, 'CREA'], [OpCode.createContainer, 'CREA'], [OpCode.createTTL, 'CREA'],
  [OpCode.delete, 'DELE'], [OpCode.deleteContainer, 'DELE'], [OpCode.setData, 'SETD'], [OpCode.reconfig, 'RECO'],
  [OpCode.setACL, 'SETA'], [OpCode.check, 'CHEC'], [OpCode.sync, 'SYNC'], [OpCode.exists, 'EXIS'],
  [OpCode.getData, 'GETD'], [OpCode.setWatches, 'SETW'], [OpCode.setWatches2, 'SETW'], [OpCode.getACL, 'GETA'],
  [OpCode.getChildren, 'GETC'], [OpCode.getChildren2, 'GETC'], [OpCode.getAllChildrenNumber, 'GETACN'],
  [OpCode.getEphemerals, 'GETE'], [OpCode.checkWatches, 'CHKW'], [OpCode.removeWatches, 'REMW'],
  [OpCode.addWatch, 'ADDW'], [OpCode.whoAmI, 'HOMI'],
]);

export const NO_LAST_OPERATION = 'NA';

export function lastOperationName(opCode: number): string {
  return lastOperationNames.get(opCode) ?? NO_LAST_OPERATION;
}

// ---- Java-compatible formatting -------------------------------------------------------------

/** `Long.toHexString`: lowercase, no padding, negative values as 64-bit two's complement. */
export function javaHex(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16);
}

/**
 * ZooKeeper's server latency: min and max as longs (0 with no samples), average rounded to 4
 * decimals half-up (AvgMinMaxCounter) and printed as a Java double. Exact integer arithmetic,
 * so no float error decides a tie.
 */
export function serverLatency(stats: LatencyStats): { min: number; avg: string; avgValue: number; max: number } {
  if (stats.count === 0) return { min: 0, avg: '0.0', avgValue: 0, max: 0 };
  const count = BigInt(stats.count);
  const scaled = (BigInt(stats.totalMs) * 20_000n + count) / (2n * count);
  const avgValue = Number(scaled) / 10_000;
  return { min: stats.minMs, avg: formatJavaDouble(avgValue), avgValue, max: stats.maxMs };
}

/** A connection's latency: every figure a long, the average truncated (ServerCnxn). */
export function connectionLatency(stats: LatencyStats): { min: number; avg: number; max: number } {
  if (stats.count === 0) return { min: 0, avg: 0, max: 0 };
  return { min: stats.minMs, avg: Math.trunc(stats.totalMs / stats.count), max: stats.maxMs };
}

/** `InetSocketAddress.toString` for a resolved literal address: `/ip:port`, IPv6 in brackets. */
function socketAddress(host: string, port: number): string {
  return `/${hostAndPort(host, port)}`;
}

/** "ip:port" (IPv6 in brackets), an IPv4-mapped IPv6 address as plain IPv4, as Java prints them. */
export function hostAndPort(host: string, port: number): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  const ip = mapped !== null ? mapped[1]! : host;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function megabytes(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))}MB`;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * `java.util.Date.toString`: `Sun Nov 22 04:29:09 UTC 2026`. In UTC unless an IANA `timeZone` is
 * given (the shell passes the local one, as a JVM uses its default zone); the zone abbreviation
 * is then Intl's short name ("EST", or "GMT+1" where Java would say "CET").
 */
export function javaDateString(epochMs: number, timeZone = 'UTC'): string {
  if (timeZone !== 'UTC') return zonedJavaDateString(epochMs, timeZone);
  const date = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${weekdays[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${two(date.getUTCDate())} `
    + `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

function zonedJavaDateString(epochMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, weekday: 'short', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    year: 'numeric', hourCycle: 'h23', timeZoneName: 'short',
  }).formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('weekday')} ${part('month')} ${part('day')} ${part('hour')}:${part('minute')}:${part('second')} ${part('timeZoneName')} ${part('year')}`;
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertNever(value: never): never {
  throw new Error(`unexpected four-letter word ${String(value)}`);
}
