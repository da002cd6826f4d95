/**
 * The client's connection state machine: PURE (DESIGN.md §2). It decides everything a ZooKeeper
 * client decides — which server to try next and when, the handshake and session re-attachment
 * (sessionId + passwd + lastZxidSeen), xid assignment and FIFO reply matching, pings and the
 * read timeout, request timeouts, the bounded request queue, watch registration and the
 * SetWatches re-registration after a reconnect, auth replay, and the session state transitions —
 * and it does none of the I/O. Inputs are method calls carrying `nowMs`; outputs are queued data
 * (`takeOutputs()`): open/close a transport, send bytes, resolve/reject a ticket, deliver a watch
 * event, report a state change. `nextDeadlineMs()` tells the shell when to call `tick()`.
 *
 * Reply matching (ZooKeeper's ClientCnxn): normal replies, including the SetWatches reply (xid -8),
 * come back in request order and must match the oldest outstanding request; a mismatch is a broken
 * connection. Pings (xid -2) and auth replies (xid -4, answered out of band by the server) are
 * counted separately. Notifications (xid -1) are watch events.
 *
 * Session states:  connecting -> connected|readOnly <-> connecting (disconnected, retrying)
 *                  any -> expired (server answered the re-attach with timeOut 0, or — with
 *                  `expireLocally` — no server reached for 4/3 of the session timeout) | authFailed
 *                  | closing -> closed.  expired, authFailed and closed are terminal.
 * Outcomes on a lost connection: requests already written fail with ConnectionLossError (their
 * outcome is unknown); requests not yet written stay queued and go out after the reconnect.
 *
 * Invariants (checked by `invariants()`): terminal states hold no queued or outstanding requests;
 * outstanding requests exist only while a transport is connected; at most one transport is live.
 */
import { JuteReader, JuteWriter } from '../../jute/archive.js';
import { FrameDecoder, frame } from '../../jute/frame-decoder.js';
import { AuthPacket, ConnectRequest, ConnectResponse, ReplyHeader, RequestHeader, WatcherEvent } from '../../jute/records.js';
import { readRecord, writeRecord } from '../../jute/schema.js';
import { ErrorCode, OpCode, Xid } from '../../protocol/codes.js';
import {
  AuthFailedError, ClientClosedError, ConnectionLossError, errorFromCode, MarshallingError, RequestQueueFullError,
  RequestTimeoutError, SessionExpiredError, ZooKeeperError,
} from './errors.js';
import { Chroot, type HostPort } from './paths.js';
import type { Operation } from './requests.js';
import { eventTypeName, WatchRegistry, type WatchEvent, type WatchKind } from './watches.js';

export type ClientState = 'connecting' | 'connected' | 'readOnly' | 'closing' | 'closed' | 'expired' | 'authFailed';
export type StateEvent = 'connected' | 'disconnected' | 'expired' | 'authFailed' | 'readOnly' | 'closed';

export interface CoreConfig {
  readonly hosts: readonly HostPort[];
  readonly chroot: string;
  /** Requested session timeout; the server clamps it to [2, 20] x tickTime. */
  readonly sessionTimeoutMs: number;
  /** Accept a read-only server (ConnectRequest readOnly byte). */
  readonly canBeReadOnly: boolean;
  /** 0 disables. A request without a reply after this long fails with RequestTimeoutError. */
  readonly requestTimeoutMs: number;
  /** Requests queued or outstanding at once; beyond it submit fails with RequestQueueFullError. */
  readonly queuedRequestsMax: number;
  /** Requests written but unanswered at once; the rest wait in the queue (pipelining bound). */
  readonly inFlightRequestsMax: number;
  readonly reconnectDelayInitialMs: number;
  readonly reconnectDelayMaxMs: number;
  /** SetWatches frames are split to stay under this (ZooKeeper's client: 128 KB). */
  readonly setWatchesBatchBytesMax: number;
  /** Largest reply frame accepted. */
  readonly frameBytesMax: number;
  /** How long close() waits for the closeSession reply. */
  readonly closeTimeoutMs: number;
  /** Uniform in [0, 1): host shuffling and backoff jitter. Injected so tests replay exactly. */
  readonly random: () => number;
  /**
   * While disconnected, end the session as expired once no server has answered for 4/3 of the
   * negotiated timeout, as ZooKeeper's client does since 3.9.3 (ZOOKEEPER-4508): by then the
   * server has expired it, and otherwise a partitioned client never learns that it did.
   */
  readonly expireLocally: boolean;
  /** Resume an existing session instead of creating one. */
  readonly sessionId?: bigint;
  readonly sessionPasswd?: Uint8Array;
}

export type Output<W> =
  | { readonly kind: 'open'; readonly connection: number; readonly host: string; readonly port: number }
  | { readonly kind: 'send'; readonly connection: number; readonly bytes: Uint8Array }
  | { readonly kind: 'close'; readonly connection: number }
  | { readonly kind: 'resolve'; readonly ticket: number; readonly value: unknown }
  | { readonly kind: 'reject'; readonly ticket: number; readonly error: ZooKeeperError }
  | { readonly kind: 'watch'; readonly event: WatchEvent; readonly listeners: readonly W[] }
  | { readonly kind: 'state'; readonly state: StateEvent; readonly cause?: ZooKeeperError };

type Phase = 'idle' | 'waiting' | 'opening' | 'handshaking' | 'connected' | 'ended';

interface Entry<W> {
  readonly ticket: number | undefined;
  readonly op: Operation<unknown, W> | undefined;
  /** Pre-encoded frame for internal entries (SetWatches); user entries are encoded when sent. */
  readonly bytes?: Uint8Array;
  readonly deadlineMs: number | undefined;
  xid: number;
  /** Timed out after it was written: its reply is still expected and is dropped. */
  abandoned: boolean;
}

interface AuthRecord {
  readonly scheme: string;
  readonly auth: Uint8Array;
  /** Tickets of addAuth calls waiting for the server to accept this auth. */
  waiters: number[];
}

const pingIntervalMsMax = 10_000;
const protocolVersion = 0;

export class ClientCore<W> {
  private phaseValue: Phase = 'idle';
  private stateValue: ClientState = 'connecting';
  private terminalErrorValue: ZooKeeperError | undefined;
  private readonly hosts: HostPort[];
  private hostIndex = 0;
  private connection = 0;
  private decoder: FrameDecoder;
  private readonly chrootMap: Chroot;
  private readonly watches = new WatchRegistry<W>();
  private outputs: Output<W>[] = [];

  private sessionIdValue: bigint;
  private passwdValue: Uint8Array;
  private negotiatedTimeoutMs = 0;
  private lastZxid = 0n;
  private readOnlyValue = false;

  private nextTicket = 1;
  private xid = 1;
  private unsent: Entry<W>[] = [];
  private inFlight: Entry<W>[] = [];
  private inFlightUser = 0;
  private readonly auths: AuthRecord[] = [];
  private authInFlight: AuthRecord[] = [];
  private pingsOutstanding = 0;

  private reconnectAtMs = 0;
  private connectDeadlineMs = 0;
  private closeDeadlineMs: number | undefined;
  private lastSendMs = 0;
  private lastRecvMs = 0;
  /** Last time a server answered on an established session (the local-expiry clock). */
  private lastContactMs = 0;
  private consecutiveFailures = 0;

  constructor(private readonly config: CoreConfig) {
    if (config.hosts.length === 0) throw new RangeError('no hosts');
    if (!(config.sessionTimeoutMs > 0)) throw new RangeError('sessionTimeoutMs must be positive');
    this.hosts = shuffle([...config.hosts], config.random);
    this.decoder = new FrameDecoder(config.frameBytesMax);
    this.chrootMap = new Chroot(config.chroot);
    this.sessionIdValue = config.sessionId ?? 0n;
    this.passwdValue = config.sessionPasswd ?? new Uint8Array(16);
  }

  // ---- read-only views ---------------------------------------------------------------------

  get state(): ClientState { return this.stateValue; }
  get sessionId(): bigint { return this.sessionIdValue; }
  get sessionPasswd(): Uint8Array { return this.passwdValue; }
  /** The timeout the server granted (0 before the first handshake). */
  get sessionTimeoutMs(): number { return this.negotiatedTimeoutMs; }
  get lastZxidSeen(): bigint { return this.lastZxid; }
  /** Whether the current (or last) server is read-only. */
  get readOnly(): boolean { return this.readOnlyValue; }
  get chroot(): Chroot { return this.chrootMap; }
  get pendingCount(): number { return this.unsent.length + this.inFlightUser; }
  get watchCount(): number { return this.watches.size; }
  /** The host of the current or last connection attempt. */
  get currentHost(): HostPort | undefined {
    return this.connection === 0 ? undefined : this.hosts[(this.hostIndex + this.hosts.length - 1) % this.hosts.length];
  }
  hasWatch(kind: WatchKind, path: string, listener?: W): boolean { return this.watches.has(kind, path, listener); }
  hasAnyWatchOn(path: string): boolean { return this.watches.hasAnyOn(path); }
  listenersOf(path: string, kinds: readonly WatchKind[]): W[] { return this.watches.listeners(path, kinds); }
  /** The error every call fails with once the session has ended (undefined while usable). */
  get terminalError(): ZooKeeperError | undefined { return this.terminalErrorValue; }

  takeOutputs(): Output<W>[] {
    const out = this.outputs;
    this.outputs = [];
    return out;
  }

  /** The earliest time at which `tick` has something to do, or undefined. */
  nextDeadlineMs(): number | undefined {
    let next: number | undefined;
    const consider = (at: number | undefined) => {
      if (at !== undefined && (next === undefined || at < next)) next = at;
    };
    switch (this.phaseValue) {
      case 'waiting': consider(this.reconnectAtMs); consider(this.localExpiryAtMs()); break;
      case 'opening': case 'handshaking': consider(this.connectDeadlineMs); consider(this.localExpiryAtMs()); break;
      case 'connected':
        consider(this.lastRecvMs + this.readTimeoutMs());
        consider(this.lastSendMs + this.pingIntervalMs());
        break;
      case 'idle': case 'ended': break;
    }
    consider(this.closeDeadlineMs);
    // Request deadlines grow in submission order, so the first entry with one is the earliest.
    consider(this.inFlight.find((entry) => entry.deadlineMs !== undefined && !entry.abandoned)?.deadlineMs);
    consider(this.unsent.find((entry) => entry.deadlineMs !== undefined)?.deadlineMs);
    return next;
  }

  // ---- inputs ------------------------------------------------------------------------------

  start(nowMs: number): void {
    if (this.phaseValue !== 'idle') return;
    this.openNext(nowMs);
  }

  /** Queues a request; its outcome arrives as a resolve/reject output for the returned ticket. */
  submit(op: Operation<unknown, W>, nowMs: number): number {
    const ticket = this.nextTicket++;
    const refused = this.refusal();
    if (refused !== undefined) {
      this.outputs.push({ kind: 'reject', ticket, error: refused });
      return ticket;
    }
    if (this.pendingCount >= this.config.queuedRequestsMax) {
      this.outputs.push({ kind: 'reject', ticket, error: new RequestQueueFullError(undefined, { path: op.path }) });
      return ticket;
    }
    const deadlineMs = this.config.requestTimeoutMs > 0 ? nowMs + this.config.requestTimeoutMs : undefined;
    this.unsent.push({ ticket, op, deadlineMs, xid: 0, abandoned: false });
    this.flush(nowMs);
    return ticket;
  }

  /**
   * addAuth: remembered for the life of the session and replayed after every reconnect, as
   * ZooKeeper's client does. The ticket resolves when a server accepts it.
   */
  addAuth(scheme: string, auth: Uint8Array, nowMs: number): number {
    const ticket = this.nextTicket++;
    const refused = this.refusal();
    if (refused !== undefined) {
      this.outputs.push({ kind: 'reject', ticket, error: refused });
      return ticket;
    }
    const record: AuthRecord = { scheme, auth, waiters: [ticket] };
    this.auths.push(record);
    if (this.phaseValue === 'connected') this.sendAuth(record, nowMs);
    return ticket;
  }

  /** A transport for `connection` is up: start the handshake. */
  onOpen(connection: number, nowMs: number): void {
    if (connection !== this.connection || this.phaseValue !== 'opening') return;
    this.phaseValue = 'handshaking';
    this.lastRecvMs = nowMs;
    const writer = new JuteWriter();
    writeRecord(writer, ConnectRequest, {
      protocolVersion,
      lastZxidSeen: this.lastZxid,
      timeOut: this.config.sessionTimeoutMs,
      sessionId: this.sessionIdValue,
      passwd: this.passwdValue,
    });
    // The readOnly flag trails the 3.8 record (facts §1.3); every 3.4+ client sends it.
    writer.writeBoolean(this.config.canBeReadOnly);
    this.send(writer.toBytes(), nowMs);
  }

  onData(connection: number, bytes: Uint8Array, nowMs: number): void {
    if (connection !== this.connection || (this.phaseValue !== 'handshaking' && this.phaseValue !== 'connected')) return;
    this.lastRecvMs = nowMs;
    if (this.phaseValue === 'connected') this.lastContactMs = nowMs;
    for (const event of this.decoder.push(bytes)) {
      if (connection !== this.connection) return; // a frame ended the connection
      if (event.kind === 'error') {
        this.connectionLost(nowMs, new MarshallingError(`bad frame from server: ${event.reason}`));
        return;
      }
      try {
        if (this.phaseValue === 'handshaking') this.onConnectResponse(event.payload, nowMs);
        else if (this.phaseValue === 'connected') this.onReply(event.payload, nowMs);
      } catch (error) {
        if (error instanceof ZooKeeperError) this.connectionLost(nowMs, error);
        else this.connectionLost(nowMs, new MarshallingError(`cannot decode server frame: ${String(error)}`, { cause: error }));
        return;
      }
    }
  }

  /** The transport for `connection` closed or failed. */
  onClosed(connection: number, nowMs: number, reason?: string): void {
    if (connection !== this.connection) return;
    if (this.phaseValue !== 'opening' && this.phaseValue !== 'handshaking' && this.phaseValue !== 'connected') return;
    this.connectionLost(nowMs, new ConnectionLossError(reason ?? 'connection closed by server'), false);
  }

  tick(nowMs: number): void {
    if (this.closeDeadlineMs !== undefined && nowMs >= this.closeDeadlineMs) {
      this.end('closed', new ClientClosedError());
      return;
    }
    const expiryAtMs = this.phaseValue === 'connected' ? undefined : this.localExpiryAtMs();
    if (expiryAtMs !== undefined && nowMs >= expiryAtMs) {
      const silentMs = nowMs - this.lastContactMs;
      this.end('expired', new SessionExpiredError(`no server reached for ${silentMs} ms (4/3 of the session timeout): session presumed expired`));
      return;
    }
    switch (this.phaseValue) {
      case 'waiting':
        if (nowMs >= this.reconnectAtMs) this.openNext(nowMs);
        break;
      case 'opening': case 'handshaking':
        if (nowMs >= this.connectDeadlineMs) this.connectionLost(nowMs, new ConnectionLossError('connect timed out'));
        break;
      case 'connected':
        if (nowMs - this.lastRecvMs >= this.readTimeoutMs()) {
          this.connectionLost(nowMs, new ConnectionLossError(`no reply from server in ${nowMs - this.lastRecvMs} ms`));
        } else if (nowMs - this.lastSendMs >= this.pingIntervalMs()) {
          this.sendPing(nowMs);
        }
        break;
      case 'idle': case 'ended':
        break;
    }
    this.expireRequests(nowMs);
  }

  /** Closes the session: queued requests go out first, then closeSession; then the transport. */
  close(nowMs: number): number {
    const ticket = this.nextTicket++;
    if (this.stateValue === 'closing') {
      this.closeWaiters.push(ticket);
      return ticket;
    }
    if (this.phaseValue === 'ended') {
      this.outputs.push({ kind: 'resolve', ticket, value: undefined });
      return ticket;
    }
    if (this.phaseValue !== 'connected') {
      this.closeWaiters.push(ticket);
      this.end('closed', new ClientClosedError());
      return ticket;
    }
    this.setState('closing');
    this.closeWaiters.push(ticket);
    this.closeDeadlineMs = nowMs + this.config.closeTimeoutMs;
    this.unsent.push({ ticket: undefined, op: undefined, deadlineMs: undefined, xid: 0, abandoned: false, bytes: undefined });
    this.flush(nowMs);
    return ticket;
  }
  private closeWaiters: number[] = [];

  /**
   * Removes local watch registrations (after a successful removeWatches, or a local-only
   * removal). Returns what was removed so the shell can tell those listeners.
   */
  removeWatches(path: string, kinds: readonly WatchKind[], listener?: W): { kind: WatchKind; listeners: W[] }[] {
    return kinds.map((kind) => ({ kind, listeners: this.watches.remove(kind, path, listener) })).filter((r) => r.listeners.length > 0);
  }

  invariants(): void {
    const terminal = this.stateValue === 'closed' || this.stateValue === 'expired' || this.stateValue === 'authFailed';
    if (terminal && (this.unsent.length > 0 || this.inFlight.length > 0 || this.authInFlight.length > 0)) {
      throw new Error('invariant: terminal state with requests');
    }
    if (this.phaseValue !== 'connected' && this.phaseValue !== 'handshaking' && (this.inFlight.length > 0 || this.authInFlight.length > 0)) {
      throw new Error(`invariant: outstanding requests in phase ${this.phaseValue}`);
    }
    if (this.inFlightUser !== this.inFlight.filter((entry) => entry.bytes === undefined).length) {
      throw new Error('invariant: inFlightUser count drifted');
    }
    if (this.phaseValue === 'ended' && this.watches.size > 0) throw new Error('invariant: watches after session end');
  }

  // ---- internals ---------------------------------------------------------------------------

  private refusal(): ZooKeeperError | undefined {
    if (this.terminalErrorValue !== undefined) return this.terminalErrorValue;
    if (this.stateValue === 'closing') return new ClientClosedError();
    return undefined;
  }

  private readTimeoutMs(): number {
    return Math.floor(((this.negotiatedTimeoutMs || this.config.sessionTimeoutMs) * 2) / 3);
  }

  private pingIntervalMs(): number {
    return Math.min(Math.floor(this.readTimeoutMs() / 2), pingIntervalMsMax);
  }

  /** When a disconnected session is given up as expired (undefined: never, or no session yet). */
  private localExpiryAtMs(): number | undefined {
    if (!this.config.expireLocally || this.negotiatedTimeoutMs === 0 || this.stateValue === 'closing') return undefined;
    return this.lastContactMs + Math.floor((this.negotiatedTimeoutMs * 4) / 3);
  }

  private connectTimeoutMs(): number {
    return Math.max(1, Math.floor((this.negotiatedTimeoutMs || this.config.sessionTimeoutMs) / this.hosts.length));
  }

  private setState(state: ClientState): void {
    this.stateValue = state;
  }

  private openNext(nowMs: number): void {
    const host = this.hosts[this.hostIndex]!;
    this.hostIndex = (this.hostIndex + 1) % this.hosts.length;
    this.connection++;
    this.phaseValue = 'opening';
    this.decoder = new FrameDecoder(this.config.frameBytesMax);
    this.connectDeadlineMs = nowMs + this.connectTimeoutMs();
    this.outputs.push({ kind: 'open', connection: this.connection, host: host.host, port: host.port });
  }

  private send(bytes: Uint8Array, nowMs: number): void {
    this.outputs.push({ kind: 'send', connection: this.connection, bytes: frame(bytes) });
    this.lastSendMs = nowMs;
  }

  private sendFramed(framed: Uint8Array, nowMs: number): void {
    this.outputs.push({ kind: 'send', connection: this.connection, bytes: framed });
    this.lastSendMs = nowMs;
  }

  private nextXid(): number {
    const xid = this.xid;
    this.xid = this.xid >= 0x7ffffffe ? 1 : this.xid + 1;
    return xid;
  }

  private sendPing(nowMs: number): void {
    const writer = new JuteWriter(8);
    writeRecord(writer, RequestHeader, { xid: Xid.ping, type: OpCode.ping });
    this.pingsOutstanding++;
    this.send(writer.toBytes(), nowMs);
  }

  private sendAuth(record: AuthRecord, nowMs: number): void {
    const writer = new JuteWriter();
    writeRecord(writer, RequestHeader, { xid: Xid.auth, type: OpCode.auth });
    writeRecord(writer, AuthPacket, { type: 0, scheme: record.scheme, auth: record.auth });
    this.authInFlight.push(record);
    this.send(writer.toBytes(), nowMs);
  }

  /** Writes queued requests while connected and under the in-flight bound. */
  private flush(nowMs: number): void {
    if (this.phaseValue !== 'connected') return;
    while (this.unsent.length > 0 && this.inFlightUser < this.config.inFlightRequestsMax) {
      const entry = this.unsent.shift()!;
      const isClose = entry.op === undefined && entry.ticket === undefined && entry.bytes === undefined;
      const op = isClose ? undefined : entry.op!;
      entry.xid = this.nextXid();
      const writer = new JuteWriter();
      writeRecord(writer, RequestHeader, { xid: entry.xid, type: isClose ? OpCode.closeSession : op!.opCode });
      if (op !== undefined) {
        try {
          op.write(writer);
        } catch (error) {
          this.reject(entry, error instanceof ZooKeeperError ? error : new MarshallingError(`cannot encode request: ${String(error)}`, { cause: error }));
          continue;
        }
      }
      this.inFlight.push(entry);
      this.inFlightUser++;
      this.send(writer.toBytes(), nowMs);
    }
  }

  private onConnectResponse(payload: Uint8Array, nowMs: number): void {
    const reader = new JuteReader(payload);
    const response = readRecord(reader, ConnectResponse);
    const readOnly = reader.remaining >= 1 ? reader.readBoolean() : false;
    if (response.timeOut <= 0) {
      // The server no longer knows the session (facts §1.3: timeOut 0, sessionId 0).
      this.end('expired', new SessionExpiredError());
      return;
    }
    this.sessionIdValue = response.sessionId;
    this.passwdValue = response.passwd ?? new Uint8Array(16);
    this.negotiatedTimeoutMs = response.timeOut;
    this.readOnlyValue = readOnly;
    this.phaseValue = 'connected';
    this.consecutiveFailures = 0;
    this.lastRecvMs = nowMs;
    this.lastContactMs = nowMs;
    if (this.stateValue !== 'closing') this.setState(readOnly ? 'readOnly' : 'connected');
    this.outputs.push({ kind: 'state', state: readOnly ? 'readOnly' : 'connected' });
    // Prime the connection like ZooKeeper's client: auths first, then watch re-registration,
    // then whatever was queued while disconnected.
    for (const record of this.auths) this.sendAuth(record, nowMs);
    for (const bytes of this.watches.setWatchesFrames(this.lastZxid, this.chrootMap, this.config.setWatchesBatchBytesMax)) {
      const entry: Entry<W> = { ticket: undefined, op: undefined, bytes, deadlineMs: undefined, xid: Xid.setWatches, abandoned: false };
      this.inFlight.push(entry);
      this.sendFramed(bytes, nowMs);
    }
    this.flush(nowMs);
  }

  private onReply(payload: Uint8Array, nowMs: number): void {
    const reader = new JuteReader(payload);
    const header = readRecord(reader, ReplyHeader);
    switch (header.xid) {
      case Xid.notification: {
        const event = readRecord(reader, WatcherEvent);
        const type = eventTypeName(event.type);
        if (type === undefined) return; // a state-only event (type None): nothing to fire
        const path = this.chrootMap.toClient(event.path);
        const listeners = this.watches.materialize(type, path);
        if (listeners.length > 0) this.outputs.push({ kind: 'watch', event: { type, path, zxid: header.zxid }, listeners });
        return;
      }
      case Xid.ping:
        if (this.pingsOutstanding > 0) this.pingsOutstanding--;
        return;
      case Xid.auth: {
        const record = this.authInFlight.shift();
        if (header.err === ErrorCode.AUTHFAILED) {
          this.end('authFailed', new AuthFailedError(record !== undefined ? `authentication failed for scheme '${record.scheme}'` : undefined));
          return;
        }
        if (record === undefined) return;
        const waiters = record.waiters;
        record.waiters = [];
        for (const ticket of waiters) {
          if (header.err === 0) this.outputs.push({ kind: 'resolve', ticket, value: undefined });
          else this.outputs.push({ kind: 'reject', ticket, error: errorFromCode(header.err) });
        }
        if (header.err !== 0) this.auths.splice(this.auths.indexOf(record), 1);
        return;
      }
    }
    const entry = this.inFlight[0];
    if (entry === undefined || entry.xid !== header.xid) {
      throw new MarshallingError(`xid out of order: got ${header.xid}, expected ${entry?.xid ?? 'none'}`);
    }
    this.inFlight.shift();
    if (header.zxid > 0n) this.lastZxid = header.zxid;
    if (entry.bytes !== undefined) return; // SetWatches: nothing waits on it
    this.inFlightUser--;
    if (entry.op === undefined) {
      // closeSession answered: the server closes the socket next; we are done either way.
      this.end('closed', new ClientClosedError());
      return;
    }
    if (!entry.abandoned) this.complete(entry, header.err, reader);
    this.flush(nowMs);
  }

  private complete(entry: Entry<W>, err: number, reader: JuteReader): void {
    const op = entry.op!;
    const watch = op.watch;
    if (err === 0) {
      let value: unknown;
      try {
        value = op.read(reader);
      } catch (error) {
        this.reject(entry, error instanceof ZooKeeperError ? error : new MarshallingError(`cannot decode reply: ${String(error)}`, { path: op.path, cause: error }));
        return;
      }
      if (watch?.onOk !== undefined) this.watches.add(watch.onOk, watch.path, watch.listener);
      this.resolve(entry, value);
      return;
    }
    if (err === ErrorCode.NONODE && op.nullOnNoNode === true) {
      if (watch?.onNoNode !== undefined) this.watches.add(watch.onNoNode, watch.path, watch.listener);
      this.resolve(entry, null);
      return;
    }
    this.reject(entry, errorFromCode(err, { path: op.path }));
  }

  private resolve(entry: Entry<W>, value: unknown): void {
    if (entry.ticket !== undefined) this.outputs.push({ kind: 'resolve', ticket: entry.ticket, value });
  }

  private reject(entry: Entry<W>, error: ZooKeeperError): void {
    if (entry.ticket !== undefined) this.outputs.push({ kind: 'reject', ticket: entry.ticket, error });
  }

  private expireRequests(nowMs: number): void {
    if (this.config.requestTimeoutMs <= 0) return;
    for (const entry of this.inFlight) {
      if (entry.deadlineMs === undefined || entry.abandoned) continue;
      if (entry.deadlineMs > nowMs) break;
      entry.abandoned = true;
      this.reject(entry, new RequestTimeoutError(undefined, { path: entry.op?.path }));
    }
    while (this.unsent.length > 0) {
      const entry = this.unsent[0]!;
      if (entry.deadlineMs === undefined || entry.deadlineMs > nowMs) break;
      this.unsent.shift();
      this.reject(entry, new RequestTimeoutError(undefined, { path: entry.op?.path }));
    }
  }

  /**
   * The transport broke (or timed out): fail what was written, keep what was not, and schedule
   * the next attempt with exponential backoff and jitter (the first retry after a working
   * connection is immediate, on the next host).
   */
  private connectionLost(nowMs: number, cause: ZooKeeperError, closeTransport = true): void {
    if (closeTransport) this.outputs.push({ kind: 'close', connection: this.connection });
    const wasConnected = this.phaseValue === 'connected';
    if (this.stateValue === 'closing') {
      this.end('closed', new ClientClosedError());
      return;
    }
    this.connection++; // ignore anything more from the old transport
    this.failInFlight(cause);
    this.authInFlight = []; // their records are replayed on the next connection
    this.pingsOutstanding = 0;
    if (wasConnected) {
      this.setState('connecting');
      this.outputs.push({ kind: 'state', state: 'disconnected', cause });
    }
    const failures = this.consecutiveFailures++;
    let delay = 0;
    if (failures > 0 || !wasConnected) {
      const base = Math.min(this.config.reconnectDelayMaxMs, this.config.reconnectDelayInitialMs * 2 ** Math.min(failures, 20));
      delay = Math.floor(base * (0.5 + 0.5 * this.config.random()));
    }
    this.phaseValue = 'waiting';
    this.reconnectAtMs = nowMs + delay;
    if (delay === 0) this.openNext(nowMs);
  }

  private failInFlight(cause: ZooKeeperError): void {
    const entries = this.inFlight;
    this.inFlight = [];
    this.inFlightUser = 0;
    for (const entry of entries) {
      if (entry.abandoned || entry.ticket === undefined) continue;
      this.reject(entry, new ConnectionLossError(cause.message, { path: entry.op?.path, cause }));
    }
  }

  /** Enters a terminal state: everything outstanding fails with `error`. */
  private end(state: 'closed' | 'expired' | 'authFailed', error: ZooKeeperError): void {
    if (this.phaseValue === 'ended') return;
    if (this.phaseValue === 'opening' || this.phaseValue === 'handshaking' || this.phaseValue === 'connected') {
      this.outputs.push({ kind: 'close', connection: this.connection });
    }
    this.connection++;
    this.phaseValue = 'ended';
    this.setState(state);
    this.terminalErrorValue = state === 'closed' ? new ClientClosedError() : error;
    this.closeDeadlineMs = undefined;
    const entries = [...this.inFlight, ...this.unsent];
    this.inFlight = [];
    this.unsent = [];
    this.inFlightUser = 0;
    this.authInFlight = [];
    for (const entry of entries) {
      if (!entry.abandoned) this.reject(entry, state === 'closed' ? new ClientClosedError(undefined, { path: entry.op?.path }) : errorFromCode(error.code, { path: entry.op?.path }));
    }
    for (const record of this.auths) {
      for (const ticket of record.waiters) this.outputs.push({ kind: 'reject', ticket, error });
      record.waiters = [];
    }
    this.watches.drain();
    for (const ticket of this.closeWaiters) this.outputs.push({ kind: 'resolve', ticket, value: undefined });
    this.closeWaiters = [];
    this.outputs.push({ kind: 'state', state, cause: error });
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
