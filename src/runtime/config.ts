/**
 * zoo.cfg loading: the Java-properties text format, the table of every key ZooKeeper 3.8 knows,
 * and the typed ServerConfig the runtime starts from.
 *
 * What it is: `parseConfig` is pure (text in, config and warnings out; no file, clock or cwd
 * reads), so every rule here is unit-tested without a disk. `loadConfigFile` is the thin shell:
 * it reads the file and `dataDir/myid`, then applies the pure `applyMyId`.
 *
 * What it is not: a dynamic-config (reconfig) reader, a hierarchical-quorum verifier, or a TLS
 * setup. Those keys are recognised and validated so a real zoo.cfg loads, but have no effect.
 *
 * Semantics carried over from ZooKeeper (QuorumPeerConfig.parseProperties, java.util.Properties):
 * - Lines are `key=value`, `key:value` or `key value`; `#`/`!` start a comment line; a line
 *   ending in an odd number of backslashes continues on the next; `\t \n \r \f \uXXXX` escapes.
 * - Keys and values are trimmed (ZooKeeper trims both after Properties has parsed them).
 * - A repeated key: the last one wins, as in Properties.
 * - Keys QuorumPeerConfig does not read itself become the system property `zookeeper.<key>`;
 *   that is how `4lw.commands.whitelist` or `extendedTypesEnabled` work in zoo.cfg. We accept
 *   those keys bare and with the `zookeeper.` prefix (the prefixed form is what one would pass
 *   as `-D`); QuorumPeerConfig's own keys (tickTime, dataDir…) are accepted only bare, as there.
 * - Relative dataDir/dataLogDir are relative to the process's working directory, as ZooKeeper's
 *   `new File(value)`; `loadConfigFile` keeps them as written so `conf` prints what the user
 *   wrote. `parseConfig({ baseDir })` joins them onto baseDir instead, for callers that want it.
 *
 * Deliberate differences (stricter, so a typo is an error rather than a silent default):
 * - Every known key's value is type-checked, also for system-property keys ZooKeeper parses
 *   lazily (and then silently falls back to a default on garbage).
 * - yes/no keys (skipACL, forceSync, leaderServes) take exactly `yes` or `no`: ZooKeeper tests
 *   `equals("yes")` (skipACL) or `equals("no")` (forceSync), so `true` or `YES` would quietly
 *   mean the opposite of what the writer intended.
 * - An unknown key is a warning naming file:line (ZooKeeper silently sets a system property).
 * - The file is read as UTF-8 (Properties.load(InputStream) reads ISO-8859-1).
 *
 * Invariants of the result: minSessionTimeoutMs <= maxSessionTimeoutMs; tickTimeMs > 0; every
 * port is in 0..65535; quorumPort != electionPort for every server; 'srvr' is always in a
 * whitelist set (zkServer.sh depends on it, so ZooKeeper always adds it).
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fourLetterWords } from '../admin/four-letter.js';
import { ConfigError } from './config-error.js';
import { javaTrim, parseProperties, type PropertyLine } from './java-properties.js';
import { parseTlsConfig, type TlsConfig } from './tls-config.js';

export { ConfigError } from './config-error.js';
export { parseProperties, type PropertyLine } from './java-properties.js';

export interface ServerEntry {
  id: number;
  host: string;
  quorumPort: number;
  electionPort: number;
  role: 'participant' | 'observer';
  /** '0.0.0.0' when only a client port is given, as ZooKeeper does. */
  clientHost?: string;
  clientPort?: number;
}

export interface ServerConfig {
  tickTimeMs: number;
  dataDir: string;
  dataLogDir: string;
  /** 0 means "not set" (ZooKeeper's meaning): the server then has no plain client port. */
  clientPort: number;
  clientPortAddress: string;
  maxClientCnxns: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  juteMaxBuffer: number;
  fourLetterWhitelist: ReadonlySet<string> | '*';
  extendedTypesEnabled: boolean;
  /** zookeeper.enforceQuota: hard quota limits are enforced (QUOTAEXCEEDED). */
  enforceQuota: boolean;
  superDigest: string | undefined;
  skipACL: boolean;
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  containerMaxNeverUsedIntervalMs: number;
  snapCount: number;
  /** A snapshot is also due once the logs since the last one reach about this size; <= 0: never. */
  snapSizeLimitKb: number;
  preAllocSizeKb: number;
  forceSync: boolean;
  /** An fsync slower than this is logged as a warning (fsync.warningthresholdms). */
  fsyncWarningThresholdMs: number;
  autopurgeSnapRetainCount: number;
  autopurgePurgeIntervalHours: number;
  initLimitTicks: number | undefined;
  syncLimitTicks: number | undefined;
  servers: ServerEntry[];
  peerType: 'participant' | 'observer';
  reconfigEnabled: boolean;
  standaloneEnabled: boolean;
  adminEnableServer: boolean;
  adminServerAddress: string;
  adminServerPort: number;
  /** The TLS client port (secureClientPort); 0 when there is none. */
  secureClientPort: number;
  secureClientPortAddress: string;
  /** The secure port's keys and certificates (ssl.*); set whenever secureClientPort is. */
  tls: TlsConfig | undefined;
  /** The admin commands' base path (admin.commandURL). */
  adminCommandUrl: string;
  /** admin.idleTimeout: an idle admin HTTP connection is closed after this many ms. */
  adminIdleTimeoutMs: number;
  globalOutstandingLimit: number;
  myid: number | undefined;
  /** every key=value as given, in file order, for `conf`-style dumps */
  raw: ReadonlyMap<string, string>;
  /** The config file's text as read ('' without one): the admin `initial_configuration`. */
  initialConfig: string;
}

/** Defaults as in ZooKeeper 3.8's code (not its sample zoo.cfg, which sets tickTime=2000). */
export const configDefaults = {
  tickTimeMs: 3000,
  clientPortAddress: '0.0.0.0',
  maxClientCnxns: 60,
  /** BinaryInputArchive's `jute.maxbuffer` default, 0xfffff. */
  juteMaxBuffer: 0xfffff,
  containerCheckIntervalMs: 60_000,
  containerMaxPerMinute: 10_000,
  containerMaxNeverUsedIntervalMs: 0,
  snapCount: 100_000,
  /** zookeeper.snapSizeLimitInKb: 4 GiB of log since the last snapshot. */
  snapSizeLimitKb: 4_194_304,
  fsyncWarningThresholdMs: 1000,
  /** FileTxnLog preallocates 64 MB; the key is in kilobytes. */
  preAllocSizeKb: 65_536,
  /** PurgeTxnLog refuses to keep fewer than 3 snapshots, so QuorumPeerConfig raises smaller values. */
  autopurgeSnapRetainCountMin: 3,
  autopurgePurgeIntervalHours: 0,
  /** ZooKeeperServer resets smaller snapCounts to 2. */
  snapCountMin: 2,
  adminServerAddress: '0.0.0.0',
  adminServerPort: 8080,
  adminCommandUrl: '/commands',
  adminIdleTimeoutMs: 30_000,
  globalOutstandingLimit: 1000,
  minSessionTimeoutTicks: 2,
  maxSessionTimeoutTicks: 20,
} as const;

// ---------------------------------------------------------------------------------------------
// The table of known keys

type ValueType = 'int' | 'long' | 'port' | 'boolean' | 'yesNo' | 'string' | 'path' | 'double' | 'decodedInt' | 'peerType';

/** Keys QuorumPeerConfig.parseProperties reads itself: accepted only without `zookeeper.`. */
const quorumPeerConfigKeys = new Map<string, ValueType>([
  ['dataDir', 'path'], ['dataLogDir', 'path'], ['clientPort', 'port'], ['clientPortAddress', 'string'],
  ['secureClientPort', 'port'], ['secureClientPortAddress', 'string'], ['observerMasterPort', 'port'],
  ['clientPortListenBacklog', 'int'], ['tickTime', 'int'], ['maxClientCnxns', 'int'],
  ['minSessionTimeout', 'int'], ['maxSessionTimeout', 'int'], ['initLimit', 'int'], ['syncLimit', 'int'],
  ['connectToLearnerMasterLimit', 'int'], ['electionAlg', 'int'], ['quorumListenOnAllIPs', 'boolean'],
  ['peerType', 'peerType'], ['syncEnabled', 'boolean'], ['dynamicConfigFile', 'string'],
  ['autopurge.snapRetainCount', 'int'], ['autopurge.purgeInterval', 'int'], ['standaloneEnabled', 'boolean'],
  ['reconfigEnabled', 'boolean'], ['sslQuorum', 'boolean'], ['portUnification', 'boolean'],
  ['sslQuorumReloadCertFiles', 'boolean'], ['localSessionsEnabled', 'boolean'], ['localSessionsUpgradingEnabled', 'boolean'],
  ['quorum.auth.enableSasl', 'boolean'], ['quorum.auth.serverRequireSasl', 'boolean'],
  ['quorum.auth.learnerRequireSasl', 'boolean'], ['quorum.auth.learner.saslLoginContext', 'string'],
  ['quorum.auth.server.saslLoginContext', 'string'], ['quorum.auth.kerberos.servicePrincipal', 'string'],
  ['quorum.cnxn.threads.size', 'int'], ['jvm.pause.info-threshold.ms', 'long'], ['jvm.pause.warn-threshold.ms', 'long'],
  ['jvm.pause.sleep.time.ms', 'long'], ['jvm.pause.monitor', 'boolean'], ['metricsProvider.className', 'string'],
  ['multiAddress.enabled', 'boolean'], ['multiAddress.reachabilityCheckTimeoutMs', 'int'],
  ['multiAddress.reachabilityCheckEnabled', 'boolean'], ['oraclePath', 'string'],
  // QuorumMaj reads the config version (hex) from the static file in backward-compatible mode.
  ['version', 'string'],
]);

/**
 * Keys ZooKeeper reads as system properties (mostly `zookeeper.<key>`, a few without the prefix:
 * jute.maxbuffer, znode.container.*, readonlymode.enabled). Accepted bare or prefixed.
 */
const systemPropertyKeys = new Map<string, ValueType>([
  // Used by zkts.
  ['extendedTypesEnabled', 'boolean'], ['DigestAuthenticationProvider.superDigest', 'string'],
  ['4lw.commands.whitelist', 'string'], ['jute.maxbuffer', 'decodedInt'], ['snapCount', 'int'],
  ['preAllocSize', 'long'], ['forceSync', 'yesNo'], ['skipACL', 'yesNo'],
  ['znode.container.checkIntervalMs', 'int'], ['znode.container.maxPerMinute', 'int'],
  ['znode.container.maxNeverUsedIntervalMs', 'long'], ['globalOutstandingLimit', 'int'],
  ['admin.enableServer', 'boolean'], ['admin.serverAddress', 'string'], ['admin.serverPort', 'port'],
  ['readonlymode.enabled', 'boolean'], ['enforceQuota', 'boolean'],
  // Accepted, not used yet.
  ['admin.idleTimeout', 'int'], ['admin.commandURL', 'string'], ['admin.portUnification', 'boolean'],
  ['admin.forceHttps', 'boolean'], ['admin.needClientAuth', 'boolean'], ['admin.rateLimiterIntervalInMs', 'long'],
  ['admin.snapshot.enabled', 'boolean'], ['admin.restore.enabled', 'boolean'],
  ['maxCnxns', 'int'], ['snapSizeLimitInKb', 'long'], ['txnLogSizeLimitInKb', 'long'],
  ['fsync.warningthresholdms', 'long'], ['digest.enabled', 'boolean'], ['audit.enable', 'boolean'],
  ['audit.impl.class', 'string'], ['leaderServes', 'yesNo'], ['cnxTimeout', 'int'], ['electionPortBindRetry', 'int'],
  ['serverCnxnFactory', 'string'], ['fips-mode', 'boolean'], ['requireClientAuthScheme', 'string'],
  ['sessionRequireClientSASLAuth', 'boolean'], ['enforce.auth.enabled', 'boolean'], ['enforce.auth.schemes', 'string'],
  ['X509AuthenticationProvider.superUser', 'string'], ['superUser', 'string'], ['allowSaslFailedClients', 'boolean'],
  ['kerberos.canonicalizeHostNames', 'boolean'], ['kerberos.removeHostFromPrincipal', 'boolean'],
  ['kerberos.removeRealmFromPrincipal', 'boolean'],
  ['commitLogCount', 'int'], ['snapshotSizeFactor', 'double'], ['snapshot.trust.empty', 'boolean'],
  ['snapshot.compression.method', 'string'], ['closeSessionTxn.enabled', 'boolean'], ['flushDelay', 'long'],
  ['maxWriteQueuePollTime', 'long'], ['maxBatchSize', 'int'], ['largeRequestMaxBytes', 'int'],
  ['largeRequestThreshold', 'int'], ['maxResponseCacheSize', 'int'], ['maxGetChildrenResponseCacheSize', 'int'],
  ['watchManagerName', 'string'], ['tcpKeepAlive', 'boolean'], ['clientTcpKeepAlive', 'boolean'],
  ['learner.asyncSending', 'boolean'], ['learner.closeSocketAsync', 'boolean'], ['leader.closeSocketAsync', 'boolean'],
  ['leader.ackLoggingFrequency', 'int'], ['fastleader.minNotificationInterval', 'long'],
  ['fastleader.maxNotificationInterval', 'long'], ['observer.reconnectDelayMs', 'long'],
  ['observer.election.DelayMs', 'long'], ['messageTracker.BufferSize', 'int'], ['messageTracker.Enabled', 'boolean'],
  ['enableEagerACLCheck', 'boolean'], ['serializeLastProcessedZxid.enabled', 'boolean'],
  ['maxConcurrentSnapSyncs', 'int'], ['maxConcurrentDiffSyncs', 'int'],
  ['forward_learner_requests_to_commit_processor_disabled', 'boolean'], ['connectionMaxTokens', 'int'],
  ['connectionTokenFillTime', 'int'], ['connectionTokenFillCount', 'int'], ['connectionFreezeTime', 'int'],
  ['connectionDropIncrease', 'double'], ['connectionDropDecrease', 'double'], ['connectionDecreaseRatio', 'double'],
  ['client.portUnification', 'boolean'], ['outstandingHandshake.limit', 'int'],
]);

/** Key families: prefix → value type; the rest of the key is free-form. */
const quorumPeerConfigFamilies: ReadonlyArray<readonly [string, ValueType]> = [
  ['metricsProvider.', 'string'], ['quorum.auth.', 'string'], ['multiAddress.', 'string'], ['jvm.pause.', 'string'],
];
const systemPropertyFamilies: ReadonlyArray<readonly [string, ValueType]> = [
  ['ssl.', 'string'], ['admin.', 'string'], ['authProvider.', 'string'], ['nio.', 'string'], ['netty.', 'string'],
  ['request_throttle_', 'string'], ['connection_throttle_', 'string'], ['commitProcessor.', 'string'],
  ['sasl.', 'string'], ['audit.', 'string'], ['jute.', 'string'],
];

/** Recognised, but they change nothing in zkts yet, and the operator would expect them to. */
const acceptedWithoutEffect: ReadonlyMap<string, string> = new Map([
  ['dynamicConfigFile', 'dynamic configuration files are not supported yet; ignored'],
  ['sslQuorum', 'TLS between servers is not supported yet; ignored'],
  ['portUnification', 'TLS port unification is not supported yet; ignored'],
  ['oraclePath', 'the two-server oracle is not supported yet; ignored'],
]);

const SYSTEM_PREFIX = 'zookeeper.';

type Classified =
  | { readonly kind: 'key'; readonly canonical: string; readonly type: ValueType }
  | { readonly kind: 'server' | 'group' | 'weight'; readonly canonical: string; readonly id: number };

/** `server.N`, `group.N`, `weight.N`: N is a Java long (QuorumMaj/QuorumHierarchical parse it so). */
const NUMBERED_KEY = /^(server|group|weight)\.(.*)$/;

function classify(entry: PropertyLine, file: string): Classified | undefined {
  const { key } = entry;
  const own = quorumPeerConfigKeys.get(key);
  if (own !== undefined) return { kind: 'key', canonical: key, type: own };
  const numbered = NUMBERED_KEY.exec(key);
  if (numbered !== null) {
    const kind = numbered[1] as 'server' | 'group' | 'weight';
    const id = numbered[2]!;
    if (!/^\+?\d+$/.test(id) || !Number.isSafeInteger(Number(id))) {
      throw new ConfigError(`'${id}' is not a server id (a non-negative number)`, { file, line: entry.line, key });
    }
    return { kind, canonical: `${kind}.${Number(id)}`, id: Number(id) };
  }
  for (const [prefix, type] of quorumPeerConfigFamilies) {
    if (key.startsWith(prefix) && key.length > prefix.length) return { kind: 'key', canonical: key, type };
  }
  const bare = key.startsWith(SYSTEM_PREFIX) ? key.slice(SYSTEM_PREFIX.length) : key;
  const system = systemPropertyKeys.get(bare);
  if (system !== undefined) return { kind: 'key', canonical: bare, type: system };
  for (const [prefix, type] of systemPropertyFamilies) {
    if (bare.startsWith(prefix) && bare.length > prefix.length) return { kind: 'key', canonical: bare, type };
  }
  return undefined;
}

/** Every key zkts recognises (not the families), for tooling and `did you mean`. */
export const knownConfigKeys: readonly string[] = [...quorumPeerConfigKeys.keys(), ...systemPropertyKeys.keys()];
const knownByLowerCase = new Map(knownConfigKeys.map((key) => [key.toLowerCase(), key]));

// ---------------------------------------------------------------------------------------------
// Values

interface Entry extends PropertyLine {
  readonly type: ValueType;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const PORT_MAX = 65535;

type Fail = (entry: PropertyLine, detail: string) => never;

/** Integer.parseInt: optional sign, ASCII digits, 32-bit range. Rejects '12abc', '', '1.5'. */
function javaInt(entry: PropertyLine, fail: Fail): number {
  if (!/^[+-]?\d+$/.test(entry.value)) fail(entry, `not a number: '${entry.value}'`);
  const n = Number(entry.value);
  if (n < INT_MIN || n > INT_MAX) fail(entry, `out of range for a 32-bit integer: '${entry.value}'`);
  return n === 0 ? 0 : n;
}

/** Long.parseLong, kept only when the number is exact in a double (2^53), which every sane value is. */
function javaLong(entry: PropertyLine, fail: Fail): number {
  if (!/^[+-]?\d+$/.test(entry.value)) fail(entry, `not a number: '${entry.value}'`);
  const big = BigInt(entry.value);
  if (big < LONG_MIN || big > LONG_MAX) fail(entry, `out of range for a 64-bit integer: '${entry.value}'`);
  const n = Number(big);
  if (!Number.isSafeInteger(n)) fail(entry, `too large: '${entry.value}'`);
  return n === 0 ? 0 : n;
}

/** Integer.decode, which Integer.getInteger("jute.maxbuffer") uses: 0x/0X/# hex, leading-0 octal. */
function javaDecodedInt(entry: PropertyLine, fail: Fail): number {
  const match = /^([+-]?)(?:(0[xX]|#)([0-9a-fA-F]+)|(0[0-7]+)|(0|[1-9]\d*))$/.exec(entry.value);
  if (match === null) fail(entry, `not a number: '${entry.value}'`);
  const [, sign, hexPrefix, hex, octal, decimal] = match;
  const magnitude = hexPrefix !== undefined ? parseInt(hex!, 16) : octal !== undefined ? parseInt(octal, 8) : Number(decimal);
  const n = sign === '-' ? -magnitude : magnitude;
  if (n < INT_MIN || n > INT_MAX) fail(entry, `out of range for a 32-bit integer: '${entry.value}'`);
  return n === 0 ? 0 : n;
}

function port(entry: PropertyLine, fail: Fail): number {
  const n = javaInt(entry, fail);
  if (n < 0 || n > PORT_MAX) fail(entry, `not a port number (0-${PORT_MAX}): '${entry.value}'`);
  return n;
}

/** QuorumPeerConfig.parseBoolean: `true` or `false`, any case, nothing else. */
function javaBoolean(entry: PropertyLine, fail: Fail): boolean {
  const lower = entry.value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return fail(entry, `expected true or false: '${entry.value}'`);
}

/** See the header: exactly `yes` or `no`, because ZooKeeper compares case-sensitively. */
function yesNo(entry: PropertyLine, fail: Fail): boolean {
  if (entry.value === 'yes') return true;
  if (entry.value === 'no') return false;
  return fail(entry, `expected yes or no: '${entry.value}'`);
}

function checkType(entry: Entry, fail: Fail): void {
  switch (entry.type) {
    case 'int': javaInt(entry, fail); return;
    case 'long': javaLong(entry, fail); return;
    case 'decodedInt': javaDecodedInt(entry, fail); return;
    case 'port': port(entry, fail); return;
    case 'boolean': javaBoolean(entry, fail); return;
    case 'yesNo': yesNo(entry, fail); return;
    case 'double':
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?$/.test(entry.value)) fail(entry, `not a number: '${entry.value}'`);
      return;
    case 'path':
      if (entry.value === '') fail(entry, 'empty path');
      return;
    case 'peerType':
      if (!['observer', 'participant'].includes(entry.value.toLowerCase())) fail(entry, `expected participant or observer: '${entry.value}'`);
      return;
    case 'string': return;
    default: assertNever(entry.type);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}

// ---------------------------------------------------------------------------------------------
// server.N

const SERVER_FORM = 'expected host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]';

/** Java's String.split drops trailing empty strings; ZooKeeper's server lines rely on it. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** ConfigUtils.getHostAndPort: `[v6addr]:p:p` keeps the colons inside the brackets. */
function hostAndPorts(text: string): string[] | undefined {
  if (!text.startsWith('[')) return javaSplit(text, ':');
  const close = text.indexOf(']');
  if (close < 0 || text[close + 1] !== ':' || close + 2 >= text.length) return undefined;
  return [text.slice(1, close), ...javaSplit(text.slice(close + 2), ':')];
}

function portIn(entry: PropertyLine, what: string, text: string, fail: Fail): number {
  if (!/^[+-]?\d+$/.test(text)) fail(entry, `${what} is not a number: '${text}'`);
  const n = Number(text);
  if (n < 0 || n > PORT_MAX) fail(entry, `${what} is not a port number (0-${PORT_MAX}): '${text}'`);
  return n;
}

function parseServerEntry(id: number, entry: PropertyLine, multiAddressEnabled: boolean, fail: Fail, warn: (entry: PropertyLine, text: string) => void): ServerEntry {
  const serverClient = javaSplit(entry.value, ';');
  if (serverClient.length === 0 || serverClient.length > 2) fail(entry, `${SERVER_FORM}: '${entry.value}'`);
  const addresses = javaSplit(serverClient[0]!, '|');
  if (addresses.length === 0) fail(entry, `${SERVER_FORM}: '${entry.value}'`);
  if (addresses.length > 1 && !multiAddressEnabled) fail(entry, 'several addresses given but multiAddress.enabled is not true');
  let first: ServerEntry | undefined;
  for (const address of addresses) {
    const parts = hostAndPorts(address);
    if (parts === undefined || parts.length < 3 || parts.length > 4) fail(entry, `${SERVER_FORM}: '${entry.value}'`);
    const host = parts[0]!;
    if (host === '') fail(entry, `empty host: '${entry.value}'`);
    const quorumPort = portIn(entry, 'quorum port', parts[1]!, fail);
    const electionPort = portIn(entry, 'election port', parts[2]!, fail);
    if (quorumPort === electionPort) fail(entry, `quorum port and election port must differ: '${entry.value}'`);
    let role: ServerEntry['role'] = 'participant';
    if (parts.length === 4) {
      const type = parts[3]!.toLowerCase();
      if (type !== 'participant' && type !== 'observer') fail(entry, `unknown role '${parts[3]}' (participant or observer): '${entry.value}'`);
      role = type;
    }
    if (first === undefined) first = { id, host, quorumPort, electionPort, role };
    else if (parts.length === 4 && first.role !== role) fail(entry, `all addresses of a server must have the same role: '${entry.value}'`);
  }
  if (addresses.length > 1) warn(entry, `zkts uses only the first of ${addresses.length} addresses`);
  const server = first!;
  if (serverClient.length === 2) {
    const client = hostAndPorts(serverClient[1]!);
    if (client === undefined || client.length === 0 || client.length > 2) fail(entry, `${SERVER_FORM}: '${entry.value}'`);
    server.clientHost = client.length === 2 ? client[0]! : '0.0.0.0';
    server.clientPort = portIn(entry, 'client port', client[client.length - 1]!, fail);
  }
  return server;
}

// ---------------------------------------------------------------------------------------------
// The four-letter-word whitelist

const knownWords: ReadonlySet<string> = new Set<string>(fourLetterWords);

/**
 * FourLetterCommands.isEnabled: comma list, trimmed; `*` anywhere means every word; `srvr` is
 * always added (zkServer.sh status uses it) and `isro` when read-only mode is enabled.
 */
export function fourLetterWhitelistOf(value: string | undefined, readOnlyModeEnabled: boolean): { whitelist: ReadonlySet<string> | '*'; unknownWords: string[] } {
  const words = value === undefined ? [] : value.split(',').map((word) => word.trim()).filter((word) => word !== '');
  if (words.includes('*')) return { whitelist: '*', unknownWords: [] };
  const set = new Set(words);
  if (readOnlyModeEnabled) set.add('isro');
  set.add('srvr');
  return { whitelist: set, unknownWords: words.filter((word) => !knownWords.has(word)) };
}

// ---------------------------------------------------------------------------------------------
// parseConfig

function resolvePath(path: string, baseDir: string | undefined): string {
  return baseDir === undefined || isAbsolute(path) ? path : join(baseDir, path);
}

/**
 * Pure: parses zoo.cfg text. Throws ConfigError on the first bad value; unknown keys and values
 * ZooKeeper would silently correct come back as warnings naming file:line.
 */
export function parseConfig(text: string, options: { fileName: string; baseDir?: string }): { config: ServerConfig; warnings: string[] } {
  const file = options.fileName;
  const warnings: string[] = [];
  const fail: Fail = (entry, detail) => { throw new ConfigError(detail, { file, line: entry.line, key: entry.key }); };
  const warn = (entry: PropertyLine, detail: string) => { warnings.push(`${file}:${entry.line}: ${entry.key}: ${detail}`); };

  const raw = new Map<string, string>();
  const keys = new Map<string, Entry>();
  const servers = new Map<number, PropertyLine>();
  const groupsAndWeights: PropertyLine[] = [];
  for (const line of parseProperties(text, file)) {
    raw.set(line.key, line.value);
    const known = classify(line, file);
    if (known === undefined) {
      const suggestion = knownByLowerCase.get(line.key.toLowerCase()) ?? knownByLowerCase.get(line.key.replace(/^zookeeper\./i, '').toLowerCase());
      warn(line, suggestion === undefined ? 'unknown key, ignored' : `unknown key, ignored (did you mean '${suggestion}'?)`);
      continue;
    }
    // Last one wins, as in Properties; the bare and the `zookeeper.` form are the same key.
    if (known.kind === 'key') keys.set(known.canonical, { ...line, type: known.type });
    else if (known.kind === 'server') servers.set(known.id, line);
    else {
      if (known.kind === 'weight') javaInt(line, fail);
      else if (!line.value.split(':').every((id) => /^\d+$/.test(id.trim()))) fail(line, `expected server ids separated by ':': '${line.value}'`);
      groupsAndWeights.push(line);
    }
  }
  for (const entry of keys.values()) {
    checkType(entry, fail);
    const note = acceptedWithoutEffect.get(entry.key);
    if (note !== undefined) warn(entry, note);
  }

  const get = (key: string) => keys.get(key);
  const int = (key: string, fallback: number, min: number, describe = `at least ${min}`): number => {
    const entry = get(key);
    if (entry === undefined) return fallback;
    const n = entry.type === 'long' ? javaLong(entry, fail) : javaInt(entry, fail);
    if (n < min) fail(entry, `must be ${describe}: '${entry.value}'`);
    return n;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const entry = get(key);
    if (entry === undefined) return fallback;
    return entry.type === 'yesNo' ? yesNo(entry, fail) : javaBoolean(entry, fail);
  };
  const portOf = (key: string, fallback: number) => { const entry = get(key); return entry === undefined ? fallback : port(entry, fail); };

  // Directories: required, as ZooKeeper requires them.
  const dataDirEntry = get('dataDir');
  if (dataDirEntry === undefined) throw new ConfigError('dataDir is not set', { file, key: 'dataDir' });
  const dataLogDirEntry = get('dataLogDir') ?? dataDirEntry;
  for (const entry of new Set([dataDirEntry, dataLogDirEntry])) {
    // VerifyingFileFactory's warning: a relative path depends on where the server is started.
    if (!isAbsolute(entry.value) && !entry.value.startsWith('./') && options.baseDir === undefined) {
      warn(entry, `'${entry.value}' is relative to the working directory; prepend ./ to show that is intended`);
    }
  }

  const tickTimeMs = int('tickTime', configDefaults.tickTimeMs, 1, 'a positive number of milliseconds');

  // Client port: 0 or absent means "not set"; an address without a port is an error (as in ZooKeeper).
  const clientPort = portOf('clientPort', 0);
  const clientPortAddressEntry = get('clientPortAddress');
  if (clientPort === 0 && clientPortAddressEntry !== undefined) fail(clientPortAddressEntry, 'clientPortAddress is set but clientPort is not');
  const secureAddress = get('secureClientPortAddress');
  const secureClientPort = portOf('secureClientPort', 0);
  if (secureAddress !== undefined && secureClientPort === 0) fail(secureAddress, 'secureClientPortAddress is set but secureClientPort is not');
  const tls = secureClientPort === 0 ? undefined : parseTlsConfig(get, fail, file, (path) => resolvePath(path, options.baseDir));
  for (const key of ['ssl.crl', 'ssl.ocsp', 'ssl.context.supplier.class']) {
    const entry = get(key);
    if (entry !== undefined && tls !== undefined) warn(entry, 'not supported by zkts yet; ignored (the TLS library\'s defaults apply)');
  }

  // Session timeouts: -1 (or absent) means 2 and 20 ticks.
  const sessionTimeout = (key: string, ticks: number) => {
    const n = int(key, -1, -1, 'a number of milliseconds, or -1 for the default');
    return n === -1 ? ticks * tickTimeMs : n;
  };
  const minSessionTimeoutMs = sessionTimeout('minSessionTimeout', configDefaults.minSessionTimeoutTicks);
  const maxSessionTimeoutMs = sessionTimeout('maxSessionTimeout', configDefaults.maxSessionTimeoutTicks);
  if (minSessionTimeoutMs > maxSessionTimeoutMs) {
    const blame = get('minSessionTimeout') ?? get('maxSessionTimeout') ?? get('tickTime')!;
    fail(blame, `minSessionTimeout (${minSessionTimeoutMs} ms) must not be larger than maxSessionTimeout (${maxSessionTimeoutMs} ms)`);
  }

  const electionAlg = get('electionAlg');
  if (electionAlg !== undefined && javaInt(electionAlg, fail) !== 3) fail(electionAlg, `only 3 (fast leader election) is supported: '${electionAlg.value}'`);

  // SASL between servers: the same consistency checks ZooKeeper makes, so a config it rejects we reject.
  const quorumSasl = bool('quorum.auth.enableSasl', false);
  const serverRequiresSasl = bool('quorum.auth.serverRequireSasl', false);
  const learnerRequiresSasl = bool('quorum.auth.learnerRequireSasl', false);
  if (!quorumSasl && serverRequiresSasl) fail(get('quorum.auth.serverRequireSasl')!, 'requires quorum.auth.enableSasl=true');
  if (!quorumSasl && learnerRequiresSasl) fail(get('quorum.auth.learnerRequireSasl')!, 'requires quorum.auth.enableSasl=true');
  if (!learnerRequiresSasl && serverRequiresSasl) fail(get('quorum.auth.serverRequireSasl')!, 'requires quorum.auth.learnerRequireSasl=true');

  let autopurgeSnapRetainCount = int('autopurge.snapRetainCount', configDefaults.autopurgeSnapRetainCountMin, INT_MIN);
  if (autopurgeSnapRetainCount < configDefaults.autopurgeSnapRetainCountMin) {
    warn(get('autopurge.snapRetainCount')!, `${autopurgeSnapRetainCount} is below the minimum; using ${configDefaults.autopurgeSnapRetainCountMin}`);
    autopurgeSnapRetainCount = configDefaults.autopurgeSnapRetainCountMin;
  }
  let snapCount = int('snapCount', configDefaults.snapCount, INT_MIN);
  if (snapCount < configDefaults.snapCountMin) {
    warn(get('snapCount')!, `${snapCount} is below the minimum; using ${configDefaults.snapCountMin}`);
    snapCount = configDefaults.snapCountMin;
  }

  const whitelistEntry = get('4lw.commands.whitelist');
  const { whitelist: fourLetterWhitelist, unknownWords } = fourLetterWhitelistOf(whitelistEntry?.value, bool('readonlymode.enabled', false));
  if (whitelistEntry !== undefined && unknownWords.length > 0) warn(whitelistEntry, `unknown four-letter words: ${unknownWords.join(', ')}`);

  const superDigestEntry = get('DigestAuthenticationProvider.superDigest');
  if (superDigestEntry !== undefined && !/^[^:]+:.+$/.test(superDigestEntry.value)) {
    fail(superDigestEntry, `expected user:base64(sha1(user:password)): '${superDigestEntry.value}'`);
  }

  const peerTypeEntry = get('peerType');
  const standaloneEnabled = bool('standaloneEnabled', true);
  const multiAddressEnabled = bool('multiAddress.enabled', false);

  // The ensemble: server.N lines, in id order (ZooKeeper keeps them in a map by id).
  const dynamicConfigFile = get('dynamicConfigFile');
  if (dynamicConfigFile !== undefined) {
    const misplaced = [...servers.values(), ...groupsAndWeights][0];
    if (misplaced !== undefined) fail(misplaced, 'must be in the dynamic config file when dynamicConfigFile is set');
  }
  const serverList = [...servers.entries()].sort(([a], [b]) => a - b)
    .map(([id, entry]) => parseServerEntry(id, entry, multiAddressEnabled, fail, warn));
  if (groupsAndWeights.length > 0) warn(groupsAndWeights[0]!, 'hierarchical quorums are not supported yet; group.N and weight.N are ignored');
  const participants = serverList.filter((server) => server.role === 'participant');
  const observers = serverList.filter((server) => server.role === 'observer');
  const firstServerLine = servers.size > 0 ? servers.get(serverList[0]!.id)! : undefined;
  if (firstServerLine !== undefined) {
    if (participants.length === 0) {
      if (!standaloneEnabled) fail(get('standaloneEnabled')!, 'standaloneEnabled=false needs at least one participant server');
      fail(firstServerLine, 'observers without participants is an invalid configuration');
    } else if (participants.length === 1 && standaloneEnabled) {
      if (observers.length > 0) fail(firstServerLine, 'observers without a quorum is an invalid configuration');
      warn(firstServerLine, 'only one server specified; running standalone and ignoring the server list');
    } else if (participants.length <= 2) {
      warn(firstServerLine, 'no server failure will be tolerated; you need at least 3 servers');
    } else if (participants.length % 2 === 0) {
      warn(firstServerLine, 'non-optimal configuration; consider an odd number of servers');
    }
  }

  const limit = (key: string): number | undefined => {
    const entry = get(key);
    if (entry === undefined) return undefined;
    return int(key, 0, 0, 'a non-negative number of ticks');
  };
  const initLimitTicks = limit('initLimit');
  const syncLimitTicks = limit('syncLimit');

  const config: ServerConfig = {
    tickTimeMs,
    dataDir: resolvePath(dataDirEntry.value, options.baseDir),
    dataLogDir: resolvePath(dataLogDirEntry.value, options.baseDir),
    clientPort,
    clientPortAddress: clientPortAddressEntry?.value ?? configDefaults.clientPortAddress,
    maxClientCnxns: int('maxClientCnxns', configDefaults.maxClientCnxns, 0, '0 (unlimited) or more'),
    minSessionTimeoutMs,
    maxSessionTimeoutMs,
    juteMaxBuffer: (() => {
      const entry = get('jute.maxbuffer');
      if (entry === undefined) return configDefaults.juteMaxBuffer;
      const n = javaDecodedInt(entry, fail);
      if (n <= 0) fail(entry, `must be a positive number of bytes: '${entry.value}'`);
      return n;
    })(),
    fourLetterWhitelist,
    extendedTypesEnabled: bool('extendedTypesEnabled', false),
    enforceQuota: bool('enforceQuota', false),
    superDigest: superDigestEntry?.value,
    skipACL: bool('skipACL', false),
    containerCheckIntervalMs: int('znode.container.checkIntervalMs', configDefaults.containerCheckIntervalMs, 1, 'a positive number of milliseconds'),
    containerMaxPerMinute: int('znode.container.maxPerMinute', configDefaults.containerMaxPerMinute, 1, 'positive'),
    containerMaxNeverUsedIntervalMs: int('znode.container.maxNeverUsedIntervalMs', configDefaults.containerMaxNeverUsedIntervalMs, 0, '0 (never) or more milliseconds'),
    snapCount,
    snapSizeLimitKb: int('snapSizeLimitInKb', configDefaults.snapSizeLimitKb, Number.MIN_SAFE_INTEGER),
    preAllocSizeKb: int('preAllocSize', configDefaults.preAllocSizeKb, 1, 'a positive number of kilobytes'),
    forceSync: bool('forceSync', true),
    fsyncWarningThresholdMs: int('fsync.warningthresholdms', configDefaults.fsyncWarningThresholdMs, 0, '0 or more milliseconds'),
    autopurgeSnapRetainCount,
    autopurgePurgeIntervalHours: int('autopurge.purgeInterval', configDefaults.autopurgePurgeIntervalHours, 0, '0 (disabled) or more hours'),
    initLimitTicks,
    syncLimitTicks,
    servers: serverList,
    peerType: peerTypeEntry?.value.toLowerCase() === 'observer' ? 'observer' : 'participant',
    reconfigEnabled: bool('reconfigEnabled', false),
    standaloneEnabled,
    adminEnableServer: bool('admin.enableServer', true),
    adminServerAddress: get('admin.serverAddress')?.value ?? configDefaults.adminServerAddress,
    adminServerPort: portOf('admin.serverPort', configDefaults.adminServerPort),
    secureClientPort,
    secureClientPortAddress: secureAddress?.value ?? configDefaults.clientPortAddress,
    tls,
    adminCommandUrl: get('admin.commandURL')?.value ?? configDefaults.adminCommandUrl,
    adminIdleTimeoutMs: int('admin.idleTimeout', configDefaults.adminIdleTimeoutMs, 0, '0 or more milliseconds'),
    globalOutstandingLimit: int('globalOutstandingLimit', configDefaults.globalOutstandingLimit, 0, '0 or more'),
    myid: undefined,
    raw,
    initialConfig: text,
  };

  // A quorum needs its limits (QuorumPeerConfig.checkValidity); myid is checked by loadConfigFile.
  if (isDistributed(config)) {
    if (!initLimitTicks) throw new ConfigError(initLimitTicks === 0 ? 'must be positive in a quorum' : 'initLimit is not set (required with server.N lines)', { file, key: 'initLimit', ...(get('initLimit') ? { line: get('initLimit')!.line } : {}) });
    if (!syncLimitTicks) throw new ConfigError(syncLimitTicks === 0 ? 'must be positive in a quorum' : 'syncLimit is not set (required with server.N lines)', { file, key: 'syncLimit', ...(get('syncLimit') ? { line: get('syncLimit')!.line } : {}) });
  } else if (clientPort === 0 && secureClientPort === 0) {
    warnings.push(`${file}: clientPort is not set; the server will not accept client connections`);
  }
  return { config, warnings };
}

/** QuorumPeerConfig.isDistributed: a server list that makes a quorum rather than a standalone server. */
export function isDistributed(config: Pick<ServerConfig, 'servers' | 'standaloneEnabled'>): boolean {
  const participants = config.servers.filter((server) => server.role === 'participant').length;
  return config.servers.length > 0 && (!config.standaloneEnabled || participants > 1);
}

/**
 * Pure: what the server id changes (QuorumPeerConfig.setupClientPort and setupPeerType). The
 * server's own `server.N` line supplies the client address when it has one (and must agree
 * with clientPort/clientPortAddress if both are given); its role there overrides peerType.
 */
export function applyMyId(config: ServerConfig, myid: number | undefined, fileName: string): { config: ServerConfig; warnings: string[] } {
  const warnings: string[] = [];
  if (myid === undefined) return { config, warnings };
  const own = config.servers.find((server) => server.id === myid);
  if (own === undefined) {
    if (isDistributed(config)) throw new ConfigError(`myid ${myid} is not in the server list`, { file: fileName });
    return { config: { ...config, myid }, warnings };
  }
  let { clientPort, clientPortAddress, peerType } = config;
  if (own.clientPort !== undefined) {
    const anyAddress = clientPortAddress === '0.0.0.0' || clientPortAddress === '::';
    if (clientPort !== 0 && (clientPort !== own.clientPort || (!anyAddress && clientPortAddress !== own.clientHost))) {
      throw new ConfigError(`client address ${clientPortAddress}:${clientPort} differs from ${own.clientHost}:${own.clientPort} in server.${myid}`, { file: fileName, key: 'clientPort' });
    }
    clientPort = own.clientPort;
    clientPortAddress = own.clientHost ?? clientPortAddress;
  }
  if (own.role !== peerType) {
    warnings.push(`${fileName}: peerType ${peerType} does not match server.${myid} (${own.role}); using the server list`);
    peerType = own.role;
  }
  return { config: { ...config, myid, clientPort, clientPortAddress, peerType }, warnings };
}

/** The myid file: its first line is the server id (QuorumPeerConfig.setupMyId). */
export function parseMyId(text: string, fileName: string): number {
  const first = javaTrim(text.split(/\r\n|\r|\n/)[0] ?? '');
  const n = Number(first);
  if (!/^\+?\d+$/.test(first) || !Number.isSafeInteger(n)) {
    throw new ConfigError(`serverid '${first}' is not a number`, { file: fileName, line: 1 });
  }
  return n;
}

/**
 * What `npm start` runs without a config file: 127.0.0.1:2181, data in ./data, tickTime 2000
 * (the sample zoo.cfg's value). Session bounds and dataLogDir follow tickTime and dataDir
 * unless overridden.
 */
export function defaultConfig(overrides: Partial<ServerConfig>): ServerConfig {
  const tickTimeMs = overrides.tickTimeMs ?? 2000;
  const dataDir = overrides.dataDir ?? './data';
  return {
    tickTimeMs,
    dataDir,
    dataLogDir: dataDir,
    clientPort: 2181,
    clientPortAddress: '127.0.0.1',
    maxClientCnxns: configDefaults.maxClientCnxns,
    minSessionTimeoutMs: configDefaults.minSessionTimeoutTicks * tickTimeMs,
    maxSessionTimeoutMs: configDefaults.maxSessionTimeoutTicks * tickTimeMs,
    juteMaxBuffer: configDefaults.juteMaxBuffer,
    fourLetterWhitelist: fourLetterWhitelistOf(undefined, false).whitelist,
    extendedTypesEnabled: false,
    enforceQuota: false,
    superDigest: undefined,
    skipACL: false,
    containerCheckIntervalMs: configDefaults.containerCheckIntervalMs,
    containerMaxPerMinute: configDefaults.containerMaxPerMinute,
    containerMaxNeverUsedIntervalMs: configDefaults.containerMaxNeverUsedIntervalMs,
    snapCount: configDefaults.snapCount,
    snapSizeLimitKb: configDefaults.snapSizeLimitKb,
    preAllocSizeKb: configDefaults.preAllocSizeKb,
    forceSync: true,
    fsyncWarningThresholdMs: configDefaults.fsyncWarningThresholdMs,
    autopurgeSnapRetainCount: configDefaults.autopurgeSnapRetainCountMin,
    autopurgePurgeIntervalHours: configDefaults.autopurgePurgeIntervalHours,
    initLimitTicks: undefined,
    syncLimitTicks: undefined,
    servers: [],
    peerType: 'participant',
    reconfigEnabled: false,
    standaloneEnabled: true,
    secureClientPort: 0,
    secureClientPortAddress: '127.0.0.1',
    tls: undefined,
    adminEnableServer: true,
    // Loopback like the client port: a server started without a config stays on this machine.
    adminServerAddress: '127.0.0.1',
    adminServerPort: configDefaults.adminServerPort,
    adminCommandUrl: configDefaults.adminCommandUrl,
    adminIdleTimeoutMs: configDefaults.adminIdleTimeoutMs,
    globalOutstandingLimit: configDefaults.globalOutstandingLimit,
    myid: undefined,
    raw: new Map(),
    initialConfig: '',
    ...overrides,
  };
}

/**
 * Reads zoo.cfg and, when present, `dataDir/myid` (relative dataDir: relative to the working
 * directory, as in ZooKeeper). A quorum configuration without a myid file is an error.
 */
export async function loadConfigFile(path: string): Promise<{ config: ServerConfig; warnings: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the config file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { file: path });
  }
  const parsed = parseConfig(text, { fileName: path });
  const myidPath = join(parsed.config.dataDir, 'myid');
  let myid: number | undefined;
  // ZooKeeper reads myid only when it is a regular file; a standalone server needs none.
  const isFile = await stat(myidPath).then((s) => s.isFile(), () => false);
  if (isFile) myid = parseMyId(await readFile(myidPath, 'utf8'), myidPath);
  else if (isDistributed(parsed.config)) throw new ConfigError('myid file is missing (required with server.N lines)', { file: myidPath });
  const applied = applyMyId(parsed.config, myid, path);
  return { config: applied.config, warnings: [...parsed.warnings, ...applied.warnings] };
}
