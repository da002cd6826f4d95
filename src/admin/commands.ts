/**
 * The AdminServer's commands (ZooKeeper 3.8's `/commands/<name>`): each answers a JSON object
 * of its fields followed by `"command": <primary name>` and `"error": null` (an error message
 * instead where the command fails), printed as Jackson pretty-prints it (util/jackson-json.ts).
 * Names, aliases, fields and their order are those of a live 3.8.0 standalone server, captured
 * in zk380-captures/admin_*.json and compared field by field in test/interop/admin-server.test.ts.
 *
 * The state comes from the same FourLetterContext the four-letter words read, plus what only
 * these commands show (AdminContext). Ways zkts differs, all in values rather than shape:
 * - `dump`'s expiry times are wall-clock epoch ms (ZooKeeper: its monotonic clock's ms);
 * - `environment` and `system_properties` describe the Node.js process (no java.* keys).
 * Not here: HTTP (runtime/admin-server.ts). Pure.
 */
import { javaHashMapLongKeyOrder, javaHashSetOrder } from '../util/java-hash-order.js';
import { JavaDouble, jacksonPretty, type JsonValue } from '../util/jackson-json.js';
import { javaLongHex } from '../util/java-format.js';
import {
  connectionLatency, environmentEntries, fullVersion, hostAndPort, monitorEntries, serverLatency,
  type ConnectionStats, type FourLetterContext,
} from './four-letter.js';

/** What the admin commands show beyond the four-letter words' context. */
export interface AdminContext extends FourLetterContext {
  /** The config file's text as read at start-up (`initial_configuration`). */
  readonly initialConfiguration: string;
  /** `system_properties`: name → value, printed sorted by name. */
  readonly systemProperties: readonly (readonly [string, string])[];
  /** The newest snapshot written by this server: zxid and file time in epoch seconds. */
  readonly lastSnapshot: { readonly zxid: bigint; readonly timestampSec: number } | undefined;
  /** fdatasyncs slower than fsync.warningthresholdms since start. */
  readonly fsyncThresholdExceedCount: number;
}

type Fields = Map<string, JsonValue>;
interface Outcome {
  readonly fields: Fields;
  /** Set for a failed command; `errorFirst` puts it before "command", as those commands do. */
  readonly error?: string;
  readonly errorFirst?: boolean;
}
type Command = (ctx: AdminContext, parameters: URLSearchParams) => Outcome;

const ok = (fields: Fields = new Map()): Outcome => ({ fields });
const fields = (...entries: [string, JsonValue][]): Fields => new Map(entries);

/** ServerCnxn.getConnectionInfo: the brief fields, then (not brief) the session's. */
function connectionInfo(c: ConnectionStats, brief: boolean): Fields {
  const info = fields(
    // Jackson writes an InetSocketAddress as "ip:port", without toString's leading slash.
    ['remote_socket_address', hostAndPort(c.remoteHost, c.remotePort)],
    ['interest_ops', c.interestOps],
    ['outstanding_requests', c.outstandingRequests],
    ['packets_received', c.packetsReceived],
    ['packets_sent', c.packetsSent],
  );
  if (brief) return info;
  const latency = connectionLatency(c.latency);
  info.set('session_id', c.sessionId);
  info.set('last_operation', c.lastOperation);
  info.set('established', c.establishedMs);
  info.set('session_timeout', c.sessionTimeoutMs);
  info.set('last_cxid', c.lastCxid);
  info.set('last_zxid', c.lastZxid);
  info.set('last_response_time', c.lastResponseTimeMs);
  info.set('last_latency', c.lastLatencyMs);
  info.set('min_latency', latency.min);
  info.set('avg_latency', latency.avg);
  info.set('max_latency', latency.max);
  return info;
}

function bufferSizes(ctx: AdminContext): Fields {
  const sizes = ctx.clientResponseSize ?? { last: -1, min: -1, max: -1 };
  return fields(['last_buffer_size', sizes.last], ['min_buffer_size', sizes.min], ['max_buffer_size', sizes.max]);
}

/** server_stats and stats: the version, then ServerStats as its bean getters list it. */
function serverStats(ctx: AdminContext): Fields {
  const latency = serverLatency(ctx.latency);
  return fields(
    ['version', fullVersion(ctx.zktsVersion, ctx.builtOn)],
    ['read_only', ctx.readOnly],
    ['server_stats', fields(
      ['packets_sent', ctx.packetsSent],
      ['packets_received', ctx.packetsReceived],
      ['fsync_threshold_exceed_count', ctx.fsyncThresholdExceedCount],
      ['client_response_stats', bufferSizes(ctx)],
      ['data_dir_size', ctx.dataDirSizeBytes],
      ['log_dir_size', ctx.dataLogDirSizeBytes],
      ['provider_null', false],
      ['server_state', ctx.serverState],
      ['last_processed_zxid', ctx.lastProcessedZxid],
      ['outstanding_requests', ctx.outstandingRequests],
      ['avg_latency', new JavaDouble(latency.avgValue)],
      ['max_latency', latency.max],
      ['min_latency', latency.min],
      ['num_alive_client_connections', ctx.connections.length],
      ['uptime', ctx.uptimeMs],
      ['auth_failed_count', ctx.authFailedCount ?? 0],
      ['non_mtlsremote_conn_count', 0],
      ['non_mtlslocal_conn_count', 0],
    )],
    ['client_response', bufferSizes(ctx)],
    ['node_count', ctx.nodeCount],
  );
}

/** A HashMap<Long, Set<…>> or HashMap<String, Set<…>> as Jackson iterates it. */
function groupBy<K extends bigint | string, V extends bigint | string>(pairs: readonly (readonly [K, V])[]): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const [key, value] of pairs) {
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [value]);
    else if (!group.includes(value)) group.push(value);
  }
  return groups;
}

function longKeyed(groups: Map<bigint, JsonValue>): Fields {
  return new Map(javaHashMapLongKeyOrder([...groups.keys()]).map((key) => [key.toString(), groups.get(key)!]));
}

const sessionIds = (ids: readonly bigint[]): bigint[] => javaHashMapLongKeyOrder(ids);
const paths = (names: readonly string[]): string[] => javaHashSetOrder(names);

const commands: readonly (readonly [names: readonly string[], run: Command])[] = [
  [['configuration', 'conf', 'config'], (ctx) => {
    const c = ctx.conf;
    const out = fields(['client_port', c.clientPort]);
    if (c.secureClientPort >= 0) out.set('secure_client_port', c.secureClientPort);
    out.set('data_dir', c.dataDir);
    out.set('data_log_dir', c.dataLogDir);
    out.set('tick_time', c.tickTimeMs);
    out.set('max_client_cnxns', c.maxClientCnxns);
    out.set('min_session_timeout', c.minSessionTimeoutMs);
    out.set('max_session_timeout', c.maxSessionTimeoutMs);
    out.set('server_id', c.serverId);
    out.set('client_port_listen_backlog', c.clientPortListenBacklog);
    return ok(out);
  }],
  [['connection_stat_reset', 'crst'], (ctx) => {
    ctx.resetConnectionStats();
    return ok();
  }],
  [['connections', 'cons'], (ctx) => ok(fields(
    ['connections', ctx.connections.map((c) => connectionInfo(c, false))],
    ['secure_connections', []],
  ))],
  [['dirs'], (ctx) => ok(fields(['datadir_size', ctx.dataDirSizeBytes], ['logdir_size', ctx.dataLogDirSizeBytes]))],
  [['dump'], (ctx) => {
    // A TreeMap by expiry time; each bucket and the ephemerals map are hash sets and maps.
    const byTime = groupBy(ctx.sessions.map((s) => [BigInt(Math.round(s.expiresAtMs)), s.sessionId] as const));
    const expiry: Fields = new Map([...byTime.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((time) => [time.toString(), sessionIds(byTime.get(time)!)]));
    const ephemerals = new Map(ctx.ephemerals.map((owner) => [owner.sessionId, paths(owner.paths)] as const));
    return ok(fields(['expiry_time_to_session_ids', expiry], ['session_id_to_ephemeral_paths', longKeyed(ephemerals)]));
  }],
  [['environment', 'env', 'envi'], (ctx) => ok(new Map(environmentEntries(ctx)))],
  [['get_trace_mask', 'gtmk'], (ctx) => ok(fields(['tracemask', BigInt.asIntN(64, ctx.traceMask)]))],
  [['hash'], (ctx) => ok(fields(['digests', ctx.digests.map((d) => fields(['zxid', d.zxid], ['digest', BigInt.asIntN(64, d.digest)]))]))],
  [['initial_configuration', 'icfg'], (ctx) => ok(fields(['initial_configuration', ctx.initialConfiguration]))],
  [['is_read_only', 'isro'], (ctx) => ok(fields(['read_only', ctx.readOnly]))],
  [['last_snapshot', 'lsnp'], (ctx) => ok(fields(
    ['zxid', javaLongHex(ctx.lastSnapshot?.zxid ?? -1n)],
    ['timestamp', ctx.lastSnapshot?.timestampSec ?? -1],
  ))],
  // Standalone: there is no leader; 3.8 answers this.
  [['leader', 'lead'], () => ({ fields: new Map(), error: 'server is not initialized', errorFirst: true })],
  [['monitor', 'mntr'], (ctx) => ok(new Map(monitorEntries(ctx)))],
  [['observer_connection_stat_reset', 'orst'], () => ok()],
  [['observers', 'obsr'], () => ok(fields(['synced_observers', 0], ['observers', []]))],
  [['ruok'], () => ok()],
  [['server_stats', 'srvr'], (ctx) => ok(serverStats(ctx))],
  [['set_trace_mask', 'stmk'], (ctx, parameters) => {
    const text = parameters.get('traceMask');
    const refused = (detail: string): Outcome => ({ fields: new Map(), error: `setTraceMask requires long traceMask argument${detail}`, errorFirst: true });
    if (text === null) return refused('');
    // Long.parseLong: an optional sign, decimal digits, within 64 bits.
    if (!/^[+-]?\d+$/.test(text) || BigInt.asIntN(64, BigInt(text)) !== BigInt(text)) return refused(`, got ${text}`);
    ctx.setTraceMask(BigInt(text));
    return ok(fields(['tracemask', BigInt(text)]));
  }],
  [['stat_reset', 'srst'], (ctx) => {
    ctx.resetServerStats();
    return ok();
  }],
  [['stats', 'stat'], (ctx) => {
    const out = serverStats(ctx);
    out.set('connections', ctx.connections.map((c) => connectionInfo(c, true)));
    out.set('secure_connections', []);
    return ok(out);
  }],
  [['system_properties', 'sysp'], (ctx) => ok(new Map([...ctx.systemProperties].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))],
  [['voting_view'], () => ok(fields(['current_config', new Map()]))],
  [['watch_summary', 'wchs'], (ctx) => {
    const pairs = new Set(ctx.dataWatches.map((w) => `${w.sessionId} ${w.path}`));
    return ok(fields(
      ['num_connections', new Set(ctx.dataWatches.map((w) => w.sessionId)).size],
      ['num_paths', new Set(ctx.dataWatches.map((w) => w.path)).size],
      ['num_total_watches', pairs.size],
    ));
  }],
  [['watches', 'wchc'], (ctx) => {
    const bySession = groupBy(ctx.dataWatches.map((w) => [w.sessionId, w.path] as const));
    return ok(fields(['session_id_to_watched_paths', longKeyed(new Map([...bySession].map(([id, list]) => [id, paths(list)])))]));
  }],
  [['watches_by_path', 'wchp'], (ctx) => {
    const byPath = groupBy(ctx.dataWatches.map((w) => [w.path, w.sessionId] as const));
    return ok(fields(['path_to_session_ids', new Map(paths([...byPath.keys()]).map((path) => [path, sessionIds(byPath.get(path)!)]))]));
  }],
  [['zabstate'], () => ok(fields(['voting', false], ['zabstate', '']))],
];

const byName = new Map<string, { primary: string; run: Command }>();
for (const [names, run] of commands) for (const name of names) byName.set(name, { primary: names[0]!, run });

/** The primary command names, in the order `/commands` lists them (sorted, as ZooKeeper does). */
export const adminCommandNames: readonly string[] = commands.map(([names]) => names[0]!).sort();

/** GET /commands: ZooKeeper's index, a link per primary name. */
export function adminCommandIndex(commandUrl: string): string {
  return adminCommandNames.map((name) => `<a href="${commandUrl}/${name}">${name}</a>\n<br/>\n`).join('');
}

/**
 * Runs `name` (primary or alias) with the URL's query `parameters`; an unknown name answers
 * an error object, as ZooKeeper does (with HTTP 200). Runs the reset and trace-mask callbacks.
 */
export function runAdminCommand(name: string, ctx: AdminContext, parameters = new URLSearchParams()): string {
  const command = byName.get(name);
  const outcome: Outcome = command === undefined ? { fields: new Map(), error: `Unknown command: ${name}` } : command.run(ctx, parameters);
  const primary = command?.primary ?? name;
  const out: Fields = new Map();
  if (outcome.error !== undefined && outcome.errorFirst === true) {
    out.set('error', outcome.error);
    out.set('command', primary);
    return jacksonPretty(out);
  }
  for (const [key, value] of outcome.fields) out.set(key, value);
  out.set('command', primary);
  out.set('error', outcome.error ?? null);
  return jacksonPretty(out);
}
