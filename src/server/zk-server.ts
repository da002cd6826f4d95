/**
 * The standalone server core: connections' protocol state, sessions, and the request pipeline
 * prep → log → apply → respond, as a synchronous state machine. The runtime shell feeds it
 * frames and ticks, persists `takeTxnsToLog()`, reports durability with `markDurable(zxid)`, and
 * writes out `takeOutputs()`.
 *
 * Not here: sockets, timers, files, hashing (injected as ports).
 * Invariants: replies leave in request order per connection; a write's reply (and every reply
 * queued behind it on its connection) waits until its txn is durable; a watch event is emitted
 * before the reply of the request whose change fired it; zxids are applied in increasing order.
 * As in ZooKeeper's CommitProcessor, a read waits only for writes ahead of it on its own
 * connection: a connection with nothing pending is answered at once from the applied tree,
 * even while other connections' writes wait for the disk.
 */
import { ErrorCode, OpCode, Xid, KeeperState, Perms } from '../protocol/codes.js';
import { checkACL } from '../tree/acl.js';
import { JuteError, JuteReader, JuteWriter } from '../jute/archive.js';
import * as R from '../jute/records.js';
import type { IdT } from '../jute/records.js';
import { encode, readRecord, writeRecord } from '../jute/schema.js';
import { DataTree, type TxnResult, type WatchEvent } from '../tree/data-tree.js';
import { ephemeralKindOf, ttlOf, type Txn, type TxnHeader } from '../tree/txn.js';
import { SessionTracker } from '../session/session-tracker.js';
import { javaHashSetCloneOrder } from '../util/java-hash-order.js';
import { ByteSlab } from '../util/byte-slab.js';
import { ChangeRecords } from './change-records.js';
import { prepWrite, WRITE_OPS, type PrepPolicy } from './prep.js';
import { processRead, type ReadOutcome } from './final.js';
import { encodeMultiResults, type MultiResult } from './multi.js';

export interface ServerPorts {
  /** Monotonic milliseconds, for session expiry and latency. */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the epoch, for ctime/mtime (TxnHeader.time). */
  wallMs(): number;
  /** base64(SHA-1(text)), for digest auth ids. */
  sha1Base64(text: string): string;
  /** Session password derivation (ZooKeeper's generatePasswd). */
  sessionPassword(sessionId: bigint): Uint8Array;
}

export interface ServerCoreOptions {
  readonly serverId: number;
  readonly tickTimeMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly extendedTypesEnabled: boolean;
  /** zookeeper.enforceQuota: hard quota limits fail writes with QUOTAEXCEEDED. Default false. */
  readonly enforceQuota?: boolean;
  readonly reconfigEnabled: boolean;
  readonly skipACL: boolean;
  readonly superDigest: string | undefined;
  readonly containerCheckIntervalMs: number;
  readonly containerMaxPerMinute: number;
  readonly containerMaxNeverUsedIntervalMs: number;
  /** jute.maxbuffer: a reply frame bigger than this closes its connection instead. Default 0xfffff. */
  readonly frameBytesMax?: number;
}

export type ServerOutput =
  | { readonly kind: 'send'; readonly connectionId: number; readonly bytes: Uint8Array }
  | { readonly kind: 'close'; readonly connectionId: number; readonly reason: string };

export interface LoggedTxn {
  readonly header: TxnHeader;
  readonly type: number;
  readonly txn: Txn;
}

export interface ConnectionStats {
  packetsReceived: number;
  packetsSent: number;
  lastOp: string;
  lastCxid: number;
  lastZxid: bigint;
  lastResponseMs: number;
  lastLatencyMs: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  totalLatencyMs: number;
  latencyCount: number;
  establishedWallMs: number;
}

export interface Connection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  sessionId: bigint;
  sessionTimeoutMs: number;
  authInfo: IdT[];
  /** Pre-3.4 clients send no readOnly byte and must not get one back. */
  oldClient: boolean;
  established: boolean;
  closing: boolean;
  outstanding: number;
  /** This connection's requests not yet answered, in arrival order; its writes are also in `writes`. */
  readonly pending: Entry[];
  readonly stats: ConnectionStats;
}

export interface ServerStats {
  packetsReceived: number;
  packetsSent: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  totalLatencyMs: number;
  latencyCount: number;
  /**
   * Sizes of the frames sent (without their length prefix): replies and notifications, not the
   * ConnectResponse, as ZooKeeper's client_response_stats counts them; -1 before the first.
   */
  responseBytesLast: number;
  responseBytesMin: number;
  responseBytesMax: number;
}

const freshServerStats = (): ServerStats => ({
  packetsReceived: 0, packetsSent: 0, minLatencyMs: 0, maxLatencyMs: 0, totalLatencyMs: 0, latencyCount: 0,
  responseBytesLast: -1, responseBytesMin: -1, responseBytesMax: -1,
});

/** A snapshot-time image of a session, for the persistence layer. */
export interface SessionImage {
  readonly sessionId: bigint;
  readonly timeoutMs: number;
}

/** State recovered from disk to start from: the tree (at its lastProcessedZxid) and the sessions. */
export interface RecoveredState {
  readonly tree: DataTree;
  readonly sessions: readonly SessionImage[];
}

type Entry =
  | { readonly kind: 'write'; readonly connectionId: number | undefined; readonly xid: number; readonly type: number; readonly log: LoggedTxn; readonly receivedMs: number }
  | { readonly kind: 'read'; readonly connectionId: number; readonly xid: number; readonly type: number; readonly body: Uint8Array; readonly sessionId: bigint; readonly authInfo: IdT[]; readonly receivedMs: number };

const NOTIFICATION_HEADER = { xid: Xid.notification, zxid: -1n, err: 0 };
const WRITER_POOL_MAX = 256;
const EMPTY_PASSWORD = new Uint8Array(16);

const opLabels: Record<number, string> = {
  [OpCode.create]: 'CREA', [OpCode.create2]: 'CREA', [OpCode.createContainer]: 'CREA', [OpCode.createTTL]: 'CREA',
  [OpCode.delete]: 'DELE', [OpCode.exists]: 'EXIS', [OpCode.getData]: 'GETD', [OpCode.setData]: 'SETD',
  [OpCode.getACL]: 'GACL', [OpCode.setACL]: 'SACL', [OpCode.getChildren]: 'GETC', [OpCode.getChildren2]: 'GETC',
  [OpCode.sync]: 'SYNC', [OpCode.ping]: 'PING', [OpCode.check]: 'CHEC', [OpCode.multi]: 'MULT',
  [OpCode.multiRead]: 'MLTR', [OpCode.closeSession]: 'CLOS', [OpCode.setWatches]: 'SETW', [OpCode.setWatches2]: 'STW2',
  [OpCode.addWatch]: 'ADDW', [OpCode.removeWatches]: 'REMW', [OpCode.checkWatches]: 'CHKW', [OpCode.whoAmI]: 'HOMI',
  [OpCode.getEphemerals]: 'GETE', [OpCode.getAllChildrenNumber]: 'GETACN', [OpCode.createSession]: 'SESS',
};

export class ZooKeeperServerCore {
  readonly tree: DataTree;
  readonly sessions: SessionTracker;
  readonly connections = new Map<number, Connection>();
  /**
   * The connection that holds each session (the one it last connected or moved to). Closing a
   * session or moving it finds its connection here: a scan of every connection per close made
   * a thousand sessions closing at once cost a million steps.
   */
  private readonly bySession = new Map<bigint, Connection>();
  readonly stats: ServerStats = freshServerStats();
  private readonly records: ChangeRecords;
  /** Writes in zxid order, applied once durable. */
  private readonly writes: (Entry & { kind: 'write' })[] = [];
  private writesHead = 0;
  private queuedReads = 0;
  /**
   * Frames waiting to be taken, per connection: a writer holding them, or, while a connection's
   * only frame this turn is a notification shared by every watcher of one event, those shared
   * bytes themselves (never written to: see emitEvents).
   */
  private readonly frames = new Map<number, JuteWriter | Uint8Array>();
  /** The frame being written is a ConnectResponse, which the response-size stats leave out. */
  private connectResponseFrame = false;
  private readonly writerPool: JuteWriter[] = [];
  /** Where sends are copied out of their (reused) writers. */
  private readonly sendSlab = new ByteSlab();
  private closes: ServerOutput[] = [];
  /** Where the frame being written starts in its connection's buffer. */
  private frameStart = 0;
  private toLog: LoggedTxn[] = [];
  private lastZxid = 0n;
  private durableZxid = 0n;
  private lastContainerCheckMs: number;
  /** Frames for connections that are gone or closing go here and are dropped. */
  private readonly discard = new JuteWriter(1024);
  private frameWriter: JuteWriter = this.discard;
  private readonly policy: PrepPolicy;
  private readonly frameBytesMax: number;

  constructor(private readonly options: ServerCoreOptions, private readonly ports: ServerPorts, restored?: RecoveredState) {
    this.tree = restored?.tree ?? new DataTree();
    // Session ids start from the wall clock (SessionTrackerImpl.initializeNextSessionId), so ids
    // handed out after a restart do not collide with sessions that survived it.
    this.sessions = new SessionTracker(options.tickTimeMs, options.serverId, ports.wallMs(), ports.sessionPassword);
    const nowMs = ports.monotonicMs();
    for (const session of restored?.sessions ?? []) this.sessions.add(session.sessionId, session.timeoutMs, nowMs);
    this.lastZxid = this.tree.lastProcessedZxid;
    this.durableZxid = this.lastZxid;
    this.records = new ChangeRecords(this.tree);
    this.frameBytesMax = options.frameBytesMax ?? 0xfffff;
    this.policy = {
      skipACL: options.skipACL, extendedTypesEnabled: options.extendedTypesEnabled, reconfigEnabled: options.reconfigEnabled,
      ...(options.enforceQuota === true ? {
        // A setData's change in bytes is against the data the tree holds now, as ZooKeeper's is.
        quotaExceeded: (path: string, op: 'create' | 'setData', dataBytes: number) => this.tree.quotas.exceedsHardLimit(path,
          op === 'create' ? dataBytes : dataBytes - (this.tree.get(path)?.data?.length ?? 0), op === 'create' ? 1 : 0),
      } : {}),
    };
    this.lastContainerCheckMs = ports.wallMs();
  }

  get lastProcessedZxid(): bigint {
    return this.tree.lastProcessedZxid;
  }

  get outstandingRequests(): number {
    return this.writes.length - this.writesHead + this.queuedReads;
  }

  /** Requests a connection has sent that are not answered yet (0 for an unknown connection). */
  connectionOutstanding(connectionId: number): number {
    return this.connections.get(connectionId)?.outstanding ?? 0;
  }

  /** The zxid of the last txn handed out (logged or about to be). */
  get lastLoggedZxid(): bigint {
    return this.lastZxid;
  }

  /** The live sessions as a snapshot stores them (id and negotiated timeout). */
  sessionImages(): SessionImage[] {
    const out: SessionImage[] = [];
    for (const session of this.sessions.all()) out.push({ sessionId: session.sessionId, timeoutMs: session.timeoutMs });
    return out;
  }

  // --- inputs ---------------------------------------------------------------------------------

  openConnection(connectionId: number, remoteAddress: string, remotePort: number): void {
    this.connections.set(connectionId, {
      id: connectionId, remoteAddress, remotePort, sessionId: 0n, sessionTimeoutMs: 0,
      authInfo: [{ scheme: 'ip', id: remoteAddress }], oldClient: false, established: false, closing: false, outstanding: 0, pending: [],
      stats: {
        packetsReceived: 0, packetsSent: 0, lastOp: 'NA', lastCxid: -1, lastZxid: -1n, lastResponseMs: 0, lastLatencyMs: 0,
        minLatencyMs: 0, maxLatencyMs: 0, totalLatencyMs: 0, latencyCount: 0, establishedWallMs: this.ports.wallMs(),
      },
    });
  }

  /** The socket is gone: its watches go with it; its session lives on until it expires. */
  connectionClosed(connectionId: number): void {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return;
    this.connections.delete(connectionId);
    if (this.bySession.get(connection.sessionId) === connection) this.bySession.delete(connection.sessionId);
    for (const entry of connection.pending) if (entry.kind === 'read') this.queuedReads--;
    connection.pending.length = 0;
    this.frames.delete(connectionId);
    this.tree.removeWatcher(connectionId);
  }

  onFrame(connectionId: number, payload: Uint8Array): void {
    const connection = this.connections.get(connectionId);
    if (connection === undefined || connection.closing) return;
    connection.stats.packetsReceived++;
    this.stats.packetsReceived++;
    try {
      if (!connection.established) this.onConnectRequest(connection, payload);
      else this.onRequest(connection, payload);
    } catch (error) {
      if (!(error instanceof JuteError)) throw error;
      this.close(connection, `malformed packet: ${error.message}`);
    }
    this.drain();
  }

  /** Expires sessions and reaps containers/TTL nodes; call at least once per tick. */
  tick(): void {
    const nowMs = this.ports.monotonicMs();
    for (const sessionId of this.sessions.expire(nowMs)) this.submitCloseSession(sessionId, undefined, 0, nowMs);
    const wallMs = this.ports.wallMs();
    if (wallMs - this.lastContainerCheckMs >= this.options.containerCheckIntervalMs) {
      this.lastContainerCheckMs = wallMs;
      this.reapContainers(wallMs, nowMs);
    }
    this.drain();
  }

  /**
   * What to write since the last call: per connection, all its frames as one send (in the
   * order they were produced), then the closes. A connection's frames are written straight into
   * its own buffer, so a burst of pipelined replies costs one copy (into a shared slab) and one
   * socket write; a connection whose only frame is a shared notification gets those bytes
   * uncopied. Sends may share an ArrayBuffer, or the very same array: never modify them.
   */
  takeOutputs(): ServerOutput[] {
    const out: ServerOutput[] = [];
    for (const [connectionId, writer] of this.frames) {
      if (writer instanceof Uint8Array) {
        out.push({ kind: 'send', connectionId, bytes: writer });
        continue;
      }
      out.push({ kind: 'send', connectionId, bytes: this.sendSlab.copyOf(writer.peek()) });
      writer.reset();
      if (this.writerPool.length < WRITER_POOL_MAX) this.writerPool.push(writer);
    }
    this.frames.clear();
    for (const close of this.closes) out.push(close);
    this.closes = [];
    return out;
  }

  takeTxnsToLog(): LoggedTxn[] {
    const out = this.toLog;
    this.toLog = [];
    return out;
  }

  /** Every txn up to `zxid` is durable: apply them and release the replies waiting on them. */
  markDurable(zxid: bigint): void {
    if (zxid > this.durableZxid) this.durableZxid = zxid;
    this.drain();
  }

  // --- connect --------------------------------------------------------------------------------

  private onConnectRequest(connection: Connection, payload: Uint8Array): void {
    const reader = new JuteReader(payload);
    const request = readRecord(reader, R.ConnectRequest);
    // 3.8 clients append readOnly after the record; pre-3.4 clients do not (processConnectRequest).
    connection.oldClient = reader.remaining === 0;
    if (!connection.oldClient) reader.readBoolean();
    if (request.lastZxidSeen > this.tree.lastProcessedZxid) {
      this.close(connection, `Refusing session request for client as it has seen zxid 0x${request.lastZxidSeen.toString(16)} our last zxid is 0x${this.tree.lastProcessedZxid.toString(16)} client must try another server`);
      return;
    }
    const timeoutMs = Math.min(Math.max(request.timeOut, this.options.minSessionTimeoutMs), this.options.maxSessionTimeoutMs);
    connection.sessionTimeoutMs = timeoutMs;
    const nowMs = this.ports.monotonicMs();
    if (request.sessionId === 0n) {
      const { sessionId } = this.sessions.allocate();
      this.sessions.add(sessionId, timeoutMs, nowMs);
      connection.sessionId = sessionId;
      this.bySession.set(sessionId, connection);
      connection.established = true;
      this.submitWrite(connection.id, sessionId, 0, OpCode.createSession, { type: 'createSession', timeOut: timeoutMs }, nowMs);
      return;
    }
    const passwd = request.passwd ?? new Uint8Array(0);
    const expected = this.sessions.passwordFor(request.sessionId);
    const valid = passwd.length === expected.length && passwd.every((byte, i) => byte === expected[i])
      && this.sessions.touch(request.sessionId, nowMs);
    if (!valid) {
      this.sendConnectResponse(connection, 0, 0n, EMPTY_PASSWORD);
      this.close(connection, `invalid session 0x${BigInt.asUintN(64, request.sessionId).toString(16)} for client, probably expired`);
      return;
    }
    // The session moves here: any other connection still holding it is closed (SESSIONMOVED for it).
    const other = this.bySession.get(request.sessionId);
    if (other !== undefined && other !== connection) this.close(other, 'session moved to another connection');
    connection.sessionId = request.sessionId;
    this.bySession.set(request.sessionId, connection);
    connection.established = true;
    this.sendConnectResponse(connection, timeoutMs, request.sessionId, expected);
  }

  private sendConnectResponse(connection: Connection, timeOut: number, sessionId: bigint, passwd: Uint8Array): void {
    const w = this.beginFrame(connection.id);
    this.connectResponseFrame = true;
    writeRecord(w, R.ConnectResponse, { protocolVersion: 0, timeOut, sessionId, passwd });
    if (!connection.oldClient) w.writeBoolean(false);
    this.endFrame(connection.id);
  }

  // --- requests -------------------------------------------------------------------------------

  private onRequest(connection: Connection, payload: Uint8Array): void {
    const reader = new JuteReader(payload);
    const { xid, type } = readRecord(reader, R.RequestHeader);
    const body = payload.subarray(reader.position);
    const nowMs = this.ports.monotonicMs();
    const sessionId = connection.sessionId;
    connection.stats.lastCxid = xid;
    if (!this.sessions.touch(sessionId, nowMs) && type !== OpCode.closeSession) {
      this.sendReply(connection.id, xid, this.tree.lastProcessedZxid, ErrorCode.SESSIONEXPIRED);
      this.close(connection, `session 0x${BigInt.asUintN(64, sessionId).toString(16)} expired`);
      return;
    }
    connection.outstanding++;
    if (type === OpCode.auth) {
      connection.outstanding--;
      this.onAuth(connection, body);
      return;
    }
    if (type === OpCode.sasl) {
      connection.outstanding--;
      this.onSasl(connection, xid, body);
      return;
    }
    if (type === OpCode.closeSession) {
      this.submitCloseSession(sessionId, connection.id, xid, nowMs);
      return;
    }
    if (WRITE_OPS.has(type)) {
      const overlay = this.records.overlay();
      const txn = prepWrite({ type, body, sessionId, authInfo: connection.authInfo }, overlay, this.policy, this.sessions.isLive(sessionId));
      const zxid = this.submitWrite(connection.id, sessionId, xid, type, txn, nowMs);
      this.records.commitOverlay(overlay, zxid);
      return;
    }
    const read: Entry & { kind: 'read' } = { kind: 'read', connectionId: connection.id, xid, type, body, sessionId, authInfo: [...connection.authInfo], receivedMs: nowMs };
    if (connection.pending.length === 0) {
      this.applyRead(read);
      return;
    }
    connection.pending.push(read);
    this.queuedReads++;
  }

  /** AuthPacket (xid -4): handled at once, like ZooKeeperServer.processPacket does. */
  private onAuth(connection: Connection, body: Uint8Array): void {
    const { scheme, auth } = readRecord(new JuteReader(body), R.AuthPacket);
    const text = new TextDecoder().decode(auth ?? new Uint8Array(0));
    if (scheme === 'digest') {
      const user = text.split(':')[0] ?? '';
      const id = `${user}:${this.ports.sha1Base64(text)}`;
      if (this.options.superDigest !== undefined && id === this.options.superDigest) connection.authInfo.push({ scheme: 'super', id: '' });
      if (!connection.authInfo.some((known) => known.scheme === 'digest' && known.id === id)) connection.authInfo.push({ scheme: 'digest', id });
      this.sendReply(connection.id, Xid.auth, 0n, ErrorCode.OK);
    } else if (scheme === 'ip') {
      this.sendReply(connection.id, Xid.auth, 0n, ErrorCode.OK);
    } else {
      this.sendReply(connection.id, Xid.auth, 0n, ErrorCode.AUTHFAILED);
      this.close(connection, `authentication failed for scheme: ${scheme}`);
    }
  }

  /**
   * SASL (op 102) without a SASL server configured, as ZooKeeper answers it then: an empty
   * challenge (token null) at once, zxid 0; a request with no token at all closes the connection.
   */
  private onSasl(connection: Connection, xid: number, body: Uint8Array): void {
    const { token } = readRecord(new JuteReader(body), R.GetSASLRequest);
    if (token === null) {
      this.close(connection, 'SASL request without a token');
      return;
    }
    this.sendReply(connection.id, xid, 0n, ErrorCode.OK, (w) => writeRecord(w, R.SetSASLResponse, { token: null }));
  }

  /**
   * The wall clock as a txn's time. Txns of the same millisecond share one bigint: the tree
   * keeps it as the node's ctime and mtime, and a bigint is a heap object of its own.
   */
  private wallTime(): bigint {
    const ms = this.ports.wallMs();
    if (ms !== this.lastWallMs) {
      this.lastWallMs = ms;
      this.lastWallTime = BigInt(ms);
    }
    return this.lastWallTime;
  }

  private lastWallMs = -1;
  private lastWallTime = 0n;

  private submitWrite(connectionId: number | undefined, sessionId: bigint, xid: number, type: number, txn: Txn, nowMs: number): bigint {
    this.lastZxid++;
    const header: TxnHeader = { clientId: sessionId, cxid: xid, zxid: this.lastZxid, timeMs: this.wallTime() };
    const log: LoggedTxn = { header, type: txn.type === 'error' ? OpCode.error : type, txn };
    this.toLog.push(log);
    const entry: Entry & { kind: 'write' } = { kind: 'write', connectionId, xid, type, log, receivedMs: nowMs };
    this.writes.push(entry);
    if (connectionId !== undefined) this.connections.get(connectionId)?.pending.push(entry);
    return this.lastZxid;
  }

  private submitCloseSession(sessionId: bigint, connectionId: number | undefined, xid: number, nowMs: number): void {
    this.sessions.setClosing(sessionId);
    const paths2Delete = javaHashSetCloneOrder([...this.tree.ephemeralsOf(sessionId)]);
    this.submitWrite(connectionId, sessionId, xid, OpCode.closeSession, { type: 'closeSession', paths2Delete }, nowMs);
  }

  private reapContainers(wallMs: number, nowMs: number): void {
    const candidates: string[] = [];
    for (const path of this.tree.containers) {
      const node = this.tree.get(path);
      if (node === undefined || node.children.size > 0) continue;
      const neverUsedTooLong = this.options.containerMaxNeverUsedIntervalMs > 0 && wallMs - Number(node.ctime) > this.options.containerMaxNeverUsedIntervalMs;
      if (node.cversion > 0 || neverUsedTooLong) candidates.push(path);
    }
    for (const path of this.tree.ttls) {
      const node = this.tree.get(path);
      if (node === undefined || node.children.size > 0 || ephemeralKindOf(node.ephemeralOwner) !== 'ttl') continue;
      const ttl = ttlOf(node.ephemeralOwner);
      if (ttl !== 0n && BigInt(wallMs) - node.mtime > ttl) candidates.push(path);
    }
    // ContainerManager spaces deletes to maxPerMinute; per check we allow that many per minute elapsed.
    const limit = Math.max(1, Math.floor((this.options.containerMaxPerMinute * this.options.containerCheckIntervalMs) / 60_000));
    for (const path of candidates.slice(0, limit)) {
      const overlay = this.records.overlay();
      const body = encode(R.DeleteContainerRequest, { path: new TextEncoder().encode(path) });
      const txn = prepWrite({ type: OpCode.deleteContainer, body, sessionId: 0n, authInfo: [] }, overlay, this.policy, true);
      if (txn.type === 'error') continue;
      const zxid = this.submitWrite(undefined, 0n, 0, OpCode.deleteContainer, txn, nowMs);
      this.records.commitOverlay(overlay, zxid);
    }
  }

  // --- apply and respond ----------------------------------------------------------------------

  private drain(): void {
    while (this.writesHead < this.writes.length) {
      const entry = this.writes[this.writesHead]!;
      if (entry.log.header.zxid > this.durableZxid) break;
      this.writesHead++;
      this.applyWrite(entry);
      const connection = entry.connectionId === undefined ? undefined : this.connections.get(entry.connectionId);
      if (connection === undefined) continue;
      // The write was answered (or needed no answer); the reads it held back go now, up to the
      // connection's next write.
      const pending = connection.pending;
      if (pending.shift() !== entry) throw new Error('invariant: a write applied out of its connection\'s order');
      for (let next = pending[0]; next !== undefined && next.kind === 'read'; next = pending[0]) {
        pending.shift();
        this.queuedReads--;
        this.applyRead(next);
      }
    }
    if (this.writesHead > 1024 && this.writesHead * 2 > this.writes.length) {
      this.writes.splice(0, this.writesHead);
      this.writesHead = 0;
    }
  }

  private applyWrite(entry: Entry & { kind: 'write' }): void {
    const { header, txn } = entry.log;
    const { result, events } = this.tree.applyTxn(header, txn, true);
    this.records.applied(header.zxid);
    this.emitEvents(events);
    const connection = entry.connectionId === undefined ? undefined : this.connections.get(entry.connectionId);
    if (txn.type === 'createSession') {
      if (connection !== undefined && !connection.closing) {
        this.sendConnectResponse(connection, connection.sessionTimeoutMs, header.clientId, this.sessions.passwordFor(header.clientId));
      }
      return;
    }
    if (txn.type === 'closeSession') {
      this.sessions.remove(header.clientId);
      if (connection !== undefined) this.reply(connection, entry, header.zxid, ErrorCode.OK);
      const holder = this.bySession.get(header.clientId);
      if (holder !== undefined) this.close(holder, entry.connectionId === undefined ? 'session expired' : 'session closed by client');
      return;
    }
    if (connection === undefined || !this.account(connection, entry, header.zxid)) return;
    // Written straight into the connection's frame: no body closure per write.
    const err = result.type === 'multi' ? ErrorCode.OK : result.err;
    const w = this.beginReply(connection.id, entry.xid, header.zxid, err);
    if (err === ErrorCode.OK) writeWriteResponse(w, entry.type, result);
    this.endFrame(connection.id);
  }

  private applyRead(entry: Entry & { kind: 'read' }): void {
    const connection = this.connections.get(entry.connectionId);
    if (connection === undefined || connection.closing) return;
    let outcome: ReadOutcome;
    try {
      outcome = processRead(entry.type, entry.body, {
        tree: this.tree, watcher: connection.id, sessionId: entry.sessionId, authInfo: entry.authInfo, policy: this.policy,
      });
    } catch (error) {
      // Like FinalRequestProcessor: a body that cannot be decoded is answered MarshallingError.
      if (!(error instanceof JuteError)) throw error;
      outcome = { err: ErrorCode.MARSHALLINGERROR };
    }
    for (const event of outcome.events ?? []) this.sendEvent(connection.id, event.type, event.path);
    this.reply(connection, entry, this.tree.lastProcessedZxid, outcome.err, outcome.body);
    if (outcome.close !== undefined) this.close(connection, outcome.close);
  }

  /**
   * Notifies each event's watchers that may read its node. One change can fire thousands of
   * watchers with the same event (tree.fire lists them together), so the frame is encoded once
   * per run of equal events and the same bytes go to every such watcher.
   */
  private emitEvents(events: readonly WatchEvent[]): void {
    let frame: Uint8Array | undefined;
    let framed: WatchEvent | undefined;
    for (const event of events) {
      const connection = this.connections.get(event.watcher);
      if (connection === undefined || connection.closing) continue;
      if (!checkACL(this.policy, event.acl, Perms.READ, connection.authInfo)) continue;
      if (framed === undefined || framed.type !== event.type || framed.path !== event.path) {
        framed = event;
        frame = encodeNotification(event.type, event.path);
      }
      if (frame!.length - 4 > this.frameBytesMax) this.sendEvent(event.watcher, event.type, event.path);
      else this.sendShared(connection, frame!);
    }
  }

  /** Queues a whole frame that other connections share: it is copied only next to other frames. */
  private sendShared(connection: Connection, frame: Uint8Array): void {
    const queued = this.frames.get(connection.id);
    if (queued === undefined) {
      this.frames.set(connection.id, frame);
    } else {
      const w = queued instanceof Uint8Array ? this.writerFor(connection.id, queued) : queued;
      w.writeRaw(frame);
    }
    connection.stats.packetsSent++;
    this.stats.packetsSent++;
    this.countResponse(frame.length - 4);
  }

  /** A pooled writer that takes over a connection's queued frames, starting with `queued`. */
  private writerFor(connectionId: number, queued: Uint8Array | undefined): JuteWriter {
    const w = this.writerPool.pop() ?? new JuteWriter(1024);
    if (queued !== undefined) w.writeRaw(queued);
    this.frames.set(connectionId, w);
    return w;
  }

  private sendEvent(connectionId: number, type: number, path: string): void {
    const w = this.beginFrame(connectionId);
    writeRecord(w, R.ReplyHeader, NOTIFICATION_HEADER);
    writeRecord(w, R.WatcherEvent, { type, state: KeeperState.SyncConnected, path });
    this.endFrame(connectionId);
  }

  private reply(connection: Connection, entry: Entry, zxid: bigint, err: number, body?: (w: JuteWriter) => void): void {
    if (this.account(connection, entry, zxid)) this.sendReply(connection.id, entry.xid, zxid, err, body);
  }

  /** Counts an answer to `entry` in the connection's and the server's stats; false if the connection is closing (no answer then). */
  private account(connection: Connection, entry: Entry, zxid: bigint): boolean {
    if (connection.closing) return false;
    connection.outstanding = Math.max(0, connection.outstanding - 1);
    // Whole milliseconds, as ZooKeeper measures them (the formatters print integer min/max).
    const nowMs = this.ports.monotonicMs();
    const latencyMs = Math.max(0, Math.round(nowMs - entry.receivedMs));
    const s = connection.stats;
    s.lastOp = opLabels[entry.type] ?? 'UNKN';
    s.lastZxid = zxid;
    s.lastResponseMs = Math.floor(nowMs);
    s.lastLatencyMs = latencyMs;
    s.minLatencyMs = s.latencyCount === 0 ? latencyMs : Math.min(s.minLatencyMs, latencyMs);
    s.maxLatencyMs = Math.max(s.maxLatencyMs, latencyMs);
    s.totalLatencyMs += latencyMs;
    s.latencyCount++;
    const g = this.stats;
    g.minLatencyMs = g.latencyCount === 0 ? latencyMs : Math.min(g.minLatencyMs, latencyMs);
    g.maxLatencyMs = Math.max(g.maxLatencyMs, latencyMs);
    g.totalLatencyMs += latencyMs;
    g.latencyCount++;
    return true;
  }

  private sendReply(connectionId: number, xid: number, zxid: bigint, err: number, body?: (w: JuteWriter) => void): void {
    const w = this.beginReply(connectionId, xid, zxid, err);
    if (err === ErrorCode.OK && body !== undefined) body(w);
    this.endFrame(connectionId);
  }

  /** Starts a reply frame with its header; the caller writes the body (if any) and ends the frame. */
  private beginReply(connectionId: number, xid: number, zxid: bigint, err: number): JuteWriter {
    const w = this.beginFrame(connectionId);
    writeRecord(w, R.ReplyHeader, { xid, zxid, err });
    return w;
  }

  private beginFrame(connectionId: number): JuteWriter {
    const connection = this.connections.get(connectionId);
    let w = this.discard;
    if (connection !== undefined && !connection.closing) {
      const queued = this.frames.get(connectionId);
      w = queued instanceof JuteWriter ? queued : this.writerFor(connectionId, queued);
    } else {
      w.reset();
    }
    this.frameWriter = w;
    this.frameStart = w.length;
    this.connectResponseFrame = false;
    w.writeInt(0);
    return w;
  }

  private endFrame(connectionId: number): void {
    const w = this.frameWriter;
    this.frameWriter = this.discard;
    if (w === this.discard) return;
    const payloadBytes = w.length - this.frameStart - 4;
    const connection = this.connections.get(connectionId)!;
    if (payloadBytes > this.frameBytesMax) {
      // Clients refuse frames over jute.maxbuffer (ClientCnxnSocket.readLength), so sending one
      // only breaks the connection later and less clearly: close it now and say why.
      w.truncate(this.frameStart);
      this.close(connection, `response of ${payloadBytes} bytes exceeds jute.maxbuffer (${this.frameBytesMax})`);
      return;
    }
    w.patchInt(this.frameStart, payloadBytes);
    connection.stats.packetsSent++;
    this.stats.packetsSent++;
    if (!this.connectResponseFrame) this.countResponse(payloadBytes);
  }

  private countResponse(bytes: number): void {
    const s = this.stats;
    s.responseBytesLast = bytes;
    if (s.responseBytesMin < 0 || bytes < s.responseBytesMin) s.responseBytesMin = bytes;
    if (bytes > s.responseBytesMax) s.responseBytesMax = bytes;
  }

  private close(connection: Connection, reason: string): void {
    if (connection.closing) return;
    connection.closing = true;
    this.tree.removeWatcher(connection.id);
    this.closes.push({ kind: 'close', connectionId: connection.id, reason });
  }

  /** Resets the counters behind `srst`. */
  resetStats(): void {
    Object.assign(this.stats, freshServerStats());
  }

  /** Resets the per-connection counters behind `crst`. */
  resetConnectionStats(): void {
    for (const connection of this.connections.values()) {
      Object.assign(connection.stats, { packetsReceived: 0, packetsSent: 0, lastOp: 'NA', lastCxid: -1, lastZxid: -1n, lastResponseMs: 0, lastLatencyMs: 0, minLatencyMs: 0, maxLatencyMs: 0, totalLatencyMs: 0, latencyCount: 0 });
    }
  }

  invariants(): void {
    this.tree.invariants();
    if (this.durableZxid > this.lastZxid) throw new Error('invariant: durable zxid beyond the last assigned zxid');
  }
}

/** A notification's whole frame (length prefix included), as sendEvent writes it. */
function encodeNotification(type: number, path: string): Uint8Array {
  const w = new JuteWriter(64 + path.length * 3);
  w.writeInt(0);
  writeRecord(w, R.ReplyHeader, NOTIFICATION_HEADER);
  writeRecord(w, R.WatcherEvent, { type, state: KeeperState.SyncConnected, path });
  w.patchInt(0, w.length - 4);
  return w.toBytes();
}

/** The body of a successful write's answer (the reply header is written). */
function writeWriteResponse(w: JuteWriter, type: number, result: TxnResult): void {
  switch (result.type) {
    case 'multi':
      encodeMultiResults(w, result.results.map((sub) => toMultiResult(sub)));
      return;
    case 'create':
      // CreateResponse{ustring path}; create2, createContainer and createTTL answer Create2Response.
      if (type === OpCode.create) w.writeUstring(result.path);
      else writeRecord(w, R.Create2Response, { path: result.path, stat: result.stat! });
      return;
    case 'setData':
    case 'setACL':
      writeRecord(w, type === OpCode.setACL ? R.SetACLResponse : R.SetDataResponse, { stat: result.stat! });
      return;
    case 'check': case 'delete': case 'session': case 'error':
      return;
  }
}

function toMultiResult(result: TxnResult): MultiResult {
  if (result.err !== ErrorCode.OK || result.type === 'error') return { type: -1, err: result.err };
  switch (result.type) {
    case 'create': {
      const stat = result.stat!;
      // Container and TTL creates answer as create2 results, with a stat (CreateResult(path, stat));
      // plain creates (create2 included: multi rebuilds it as a create) with the path alone.
      return result.txnType === 'createContainer' || result.txnType === 'createTTL'
        ? { type: 15, path: result.path, stat }
        : { type: 1, path: result.path };
    }
    case 'delete': return { type: 2 };
    case 'check': return { type: 13 };
    case 'setData': case 'setACL': return { type: 5, stat: result.stat! };
    case 'session': case 'multi': return { type: -1, err: ErrorCode.RUNTIMEINCONSISTENCY };
  }
}
