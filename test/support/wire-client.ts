/**
 * A minimal promise-based ZooKeeper client for tests that speaks the client wire protocol
 * directly (src/jute records + frame decoder), so a test sees exactly what a server sent: the
 * reply header zxid and err of every reply, raw bodies, notifications with their zxid, and the
 * order in which replies and notifications arrived on the socket.
 *
 * It is deliberately not a real client: no reconnect loop, no pings on a timer, no chroot, no
 * client-side path validation and no watcher bookkeeping (a test drives all of that itself, and
 * must be able to send what a real client would refuse to). Invariants: one socket per instance;
 * normal replies must match pending requests in FIFO order (a mismatch is a protocol error that
 * fails every pending request and closes the socket); special xids (ping -2, auth -4,
 * setWatches -8) match the oldest pending request with that xid, because a server may answer
 * auth out of band.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { JuteReader, JuteWriter } from '../../src/jute/archive.js';
import { FrameDecoder, frame, type FrameEvent } from '../../src/jute/frame-decoder.js';
import {
  AddWatchRequest, AuthPacket, CheckVersionRequest, CheckWatchesRequest, ConnectRequest, ConnectResponse,
  Create2Response, CreateRequest, CreateResponse, CreateTTLRequest, DeleteRequest, ErrorResponse, ExistsRequest,
  ExistsResponse, GetACLRequest, GetACLResponse, GetAllChildrenNumberRequest, GetAllChildrenNumberResponse,
  GetChildren2Request, GetChildren2Response, GetChildrenRequest, GetChildrenResponse, GetDataRequest,
  GetDataResponse, GetEphemeralsRequest, GetEphemeralsResponse, MultiHeader, RemoveWatchesRequest, ReplyHeader,
  RequestHeader, SetACLRequest, SetACLResponse, SetDataRequest, SetDataResponse, SetWatches, SetWatches2,
  SyncRequest, SyncResponse, WatcherEvent, WhoAmIResponse,
  type ACLT, type WatcherEventT,
} from '../../src/jute/records.js';
import { decode, readRecord, writeRecord, type Fields, type Rec, type RecordOf, type RecordSchema } from '../../src/jute/schema.js';
import { ErrorCode, OpCode, Xid, opName } from '../../src/protocol/codes.js';

/** Generous: a test may read large replies; the server enforces its own jute.maxbuffer. */
const frameBytesMax = 16 * 1024 * 1024;
const connectTimeoutMsDefault = 10_000;

export const openAcl: ACLT[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

export interface Reply<T = unknown> {
  readonly xid: number;
  readonly zxid: bigint;
  readonly err: number;
  /** The decoded response record; present only when err == 0 and a response schema was given. */
  readonly body?: T;
  /** Every byte after the ReplyHeader (an error reply from ZooKeeper has none). */
  readonly raw: Uint8Array;
}

export interface NotificationEvent {
  readonly zxid: bigint;
  readonly type: number;
  readonly state: number;
  readonly path: string;
}

/** What arrived on the socket, in arrival order: replies and notifications interleaved. */
export type Arrival =
  | { readonly kind: 'reply'; readonly xid: number; readonly opCode: number; readonly zxid: bigint; readonly err: number }
  | ({ readonly kind: 'event' } & NotificationEvent);

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly timeOutMs?: number;
  /** Reattach to an existing session (0n or absent for a new session). */
  readonly sessionId?: bigint;
  readonly passwd?: Uint8Array;
  readonly lastZxidSeen?: bigint;
  readonly readOnly?: boolean;
  /** Send the trailing readOnly byte (true, like every 3.4+ client) or omit it (a pre-3.4 client). */
  readonly sendReadOnlyByte?: boolean;
  readonly connectTimeoutMs?: number;
}

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

export type MultiOp = { readonly type: number; readonly schema: RecordSchema<Fields>; readonly request: unknown };

export interface MultiResult {
  /** The result's MultiHeader type: the op code, or -1 (error). */
  readonly type: number;
  /** The MultiHeader err. */
  readonly err: number;
  /** Decoded body: CreateResponse, Create2Response, SetDataResponse, GetDataResponse, GetChildrenResponse or ErrorResponse. */
  readonly body?: unknown;
}

/** Builders for the ops of multi (create/create2/createContainer/createTTL/delete/setData/check) and multiRead (getData/getChildren). */
export const multiOp = {
  create: (path: string, data: Uint8Array | null, acl: ACLT[] = openAcl, flags = 0): MultiOp =>
    ({ type: OpCode.create, schema: CreateRequest, request: { path, data, acl, flags } }),
  create2: (path: string, data: Uint8Array | null, acl: ACLT[] = openAcl, flags = 0): MultiOp =>
    ({ type: OpCode.create2, schema: CreateRequest, request: { path, data, acl, flags } }),
  createContainer: (path: string, data: Uint8Array | null, acl: ACLT[] = openAcl): MultiOp =>
    ({ type: OpCode.createContainer, schema: CreateRequest, request: { path, data, acl, flags: 4 } }),
  createTTL: (path: string, data: Uint8Array | null, acl: ACLT[], flags: number, ttl: bigint): MultiOp =>
    ({ type: OpCode.createTTL, schema: CreateTTLRequest, request: { path, data, acl, flags, ttl } }),
  delete: (path: string, version = -1): MultiOp => ({ type: OpCode.delete, schema: DeleteRequest, request: { path, version } }),
  setData: (path: string, data: Uint8Array | null, version = -1): MultiOp =>
    ({ type: OpCode.setData, schema: SetDataRequest, request: { path, data, version } }),
  check: (path: string, version: number): MultiOp => ({ type: OpCode.check, schema: CheckVersionRequest, request: { path, version } }),
  getData: (path: string): MultiOp => ({ type: OpCode.getData, schema: GetDataRequest, request: { path, watch: false } }),
  getChildren: (path: string): MultiOp => ({ type: OpCode.getChildren, schema: GetChildrenRequest, request: { path, watch: false } }),
} as const;

export function encodeMulti(ops: readonly MultiOp[]): Uint8Array {
  const writer = new JuteWriter();
  for (const op of ops) {
    writeRecord(writer, MultiHeader, { type: op.type, done: false, err: -1 });
    writeRecord(writer, op.schema, op.request as RecordOf<Fields>);
  }
  writeRecord(writer, MultiHeader, { type: -1, done: true, err: -1 });
  return writer.toBytes();
}

/** The body schema of a multi/multiRead result by its header type (facts §1.10). */
function multiResultSchema(type: number): RecordSchema<Fields> | undefined | 'none' {
  switch (type) {
    case OpCode.create: return CreateResponse;
    case OpCode.create2: case OpCode.createContainer: case OpCode.createTTL: return Create2Response;
    case OpCode.delete: case OpCode.check: return 'none';
    case OpCode.setData: return SetDataResponse;
    case OpCode.getData: return GetDataResponse;
    case OpCode.getChildren: return GetChildrenResponse;
    case OpCode.error: return ErrorResponse;
    default: return undefined;
  }
}

export function decodeMulti(raw: Uint8Array): MultiResult[] {
  const reader = new JuteReader(raw);
  const results: MultiResult[] = [];
  // Each result takes at least a 9-byte header, so this bounds the loop.
  for (let guard = 0; guard <= raw.length; guard++) {
    const header = readRecord(reader, MultiHeader);
    if (header.done) {
      if (reader.remaining !== 0) throw new WireError(`multi response: ${reader.remaining} bytes after done`, ErrorCode.MARSHALLINGERROR);
      return results;
    }
    const schema = multiResultSchema(header.type);
    if (schema === undefined) throw new WireError(`multi response: unknown result type ${header.type}`, ErrorCode.MARSHALLINGERROR);
    const body = schema === 'none' ? undefined : readRecord(reader, schema);
    results.push(body === undefined ? { type: header.type, err: header.err } : { type: header.type, err: header.err, body });
  }
  throw new WireError('multi response: no done header', ErrorCode.MARSHALLINGERROR);
}

interface Pending {
  readonly xid: number;
  readonly opCode: number;
  readonly schema: RecordSchema<Fields> | undefined;
  resolve(reply: Reply<unknown>): void;
  reject(error: Error): void;
}

export class WireClient {
  readonly sessionId: bigint;
  readonly passwd: Uint8Array;
  /** The negotiated session timeout. */
  readonly timeOutMs: number;
  /** Whether the ConnectResponse carried the trailing readOnly byte, and its value. */
  readonly readOnlyByte: boolean | undefined;
  /** Replies and notifications in arrival order. */
  readonly arrivals: Arrival[] = [];
  /** Notifications in arrival order. */
  readonly events: NotificationEvent[] = [];
  /** Highest reply zxid seen (notifications excluded), for reconnects and setWatches. */
  lastZxid: bigint;
  /** Resolves when the socket has closed, for whatever reason. */
  readonly closed: Promise<void>;
  private readonly listeners: ((event: NotificationEvent) => void)[] = [];
  private pending: Pending[] = [];
  private nextXid = 1;
  private isClosed = false;
  private closeReason: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly decoder: FrameDecoder,
    response: Rec<typeof ConnectResponse>,
    readOnlyByte: boolean | undefined,
    lastZxidSeen: bigint,
  ) {
    this.sessionId = response.sessionId;
    this.passwd = response.passwd ?? new Uint8Array(0);
    this.timeOutMs = response.timeOut;
    this.readOnlyByte = readOnlyByte;
    this.lastZxid = lastZxidSeen;
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        this.failAll(this.closeReason ?? new WireError('connection closed', ErrorCode.CONNECTIONLOSS));
        resolve();
      });
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => { this.closeReason ??= new WireError(`socket error: ${error.message}`, ErrorCode.CONNECTIONLOSS); });
  }

  /**
   * Connects and performs the handshake. Rejects with code SESSIONEXPIRED if the server answers a
   * reattach with sessionId 0 (its way of saying the session is gone).
   */
  static async connect(options: ConnectOptions): Promise<WireClient> {
    const socket = netConnect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(frameBytesMax);
    const lastZxidSeen = options.lastZxidSeen ?? 0n;
    const handshake = new Promise<{ response: Rec<typeof ConnectResponse>; readOnlyByte: boolean | undefined; rest: FrameEvent[] }>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new WireError(`no ConnectResponse within ${options.connectTimeoutMs ?? connectTimeoutMsDefault} ms`, ErrorCode.CONNECTIONLOSS));
      }, options.connectTimeoutMs ?? connectTimeoutMsDefault);
      const fail = (error: Error) => { clearTimeout(timer); socket.destroy(); reject(error); };
      const onData = (chunk: Buffer) => {
        const frames = decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (frames.length === 0) return;
        // Paused until the client object takes over the socket, so no bytes are dropped in between.
        socket.pause();
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.off('error', onError);
        clearTimeout(timer);
        const [first, ...others] = frames;
        if (first!.kind === 'error') return fail(new WireError(first!.reason, ErrorCode.MARSHALLINGERROR));
        const reader = new JuteReader(first!.payload);
        let response: Rec<typeof ConnectResponse>;
        try {
          response = readRecord(reader, ConnectResponse);
        } catch (error) {
          return fail(error as Error);
        }
        const readOnlyByte = reader.remaining > 0 ? reader.readBoolean() : undefined;
        resolve({ response, readOnlyByte, rest: others });
      };
      const onClose = () => fail(new WireError('connection closed during handshake', ErrorCode.CONNECTIONLOSS));
      const onError = (error: Error) => fail(new WireError(`connect: ${error.message}`, ErrorCode.CONNECTIONLOSS));
      socket.on('data', onData);
      socket.once('close', onClose);
      socket.once('error', onError);
      socket.once('connect', () => {
        const writer = new JuteWriter();
        writeRecord(writer, ConnectRequest, {
          protocolVersion: 0,
          lastZxidSeen,
          timeOut: options.timeOutMs ?? 30_000,
          sessionId: options.sessionId ?? 0n,
          passwd: options.passwd ?? new Uint8Array(16),
        });
        if (options.sendReadOnlyByte ?? true) writer.writeBoolean(options.readOnly ?? false);
        socket.write(frame(writer.toBytes()));
      });
    });
    const { response, readOnlyByte, rest } = await handshake;
    if (response.sessionId === 0n) {
      socket.destroy();
      throw new WireError('session expired (ConnectResponse sessionId 0)', ErrorCode.SESSIONEXPIRED);
    }
    // The same decoder carries on, so a partial frame behind the handshake is kept.
    const client = new WireClient(socket, decoder, response, readOnlyByte, lastZxidSeen);
    client.onFrames(rest);
    socket.resume();
    return client;
  }

  /** Reattaches to this client's session on a new socket (the old one is left as it is). */
  reconnect(options: Omit<ConnectOptions, 'sessionId' | 'passwd'>): Promise<WireClient> {
    return WireClient.connect({ lastZxidSeen: this.lastZxid, ...options, sessionId: this.sessionId, passwd: this.passwd });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  onEvent(listener: (event: NotificationEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Writes bytes as they are (no framing added), for fuzzing. */
  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Closes the socket without closing the session (a network drop, as far as the server can tell). */
  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  request<G extends Fields>(opCode: number, schema: RecordSchema<Fields> | undefined, body: unknown, responseSchema: RecordSchema<G>, xid?: number): Promise<Reply<RecordOf<G>>>;
  request(opCode: number, schema: RecordSchema<Fields> | undefined, body: unknown, responseSchema?: undefined, xid?: number): Promise<Reply<undefined>>;
  request(opCode: number, schema: RecordSchema<Fields> | undefined, body: unknown, responseSchema?: RecordSchema<Fields>, xid?: number): Promise<Reply<unknown>> {
    const writer = new JuteWriter();
    const useXid = xid ?? this.nextXid++;
    writeRecord(writer, RequestHeader, { xid: useXid, type: opCode });
    if (schema !== undefined) writeRecord(writer, schema, body as RecordOf<Fields>);
    else if (body instanceof Uint8Array) writer.writeRaw(body);
    return this.send(useXid, opCode, responseSchema, writer.toBytes());
  }

  private send(xid: number, opCode: number, schema: RecordSchema<Fields> | undefined, payload: Uint8Array): Promise<Reply<unknown>> {
    if (this.isClosed) return Promise.reject(this.closeReason ?? new WireError('connection closed', ErrorCode.CONNECTIONLOSS));
    return new Promise((resolve, reject) => {
      this.pending.push({ xid, opCode, schema, resolve, reject });
      this.socket.write(frame(payload));
    });
  }

  private onData(chunk: Buffer): void {
    this.onFrames(this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  }

  private onFrames(events: readonly FrameEvent[]): void {
    for (const event of events) {
      if (event.kind === 'error') return this.protocolError(event.reason);
      try {
        this.onFrame(event.payload);
      } catch (error) {
        return this.protocolError(`bad frame: ${(error as Error).message}`);
      }
    }
  }

  private onFrame(payload: Uint8Array): void {
    const reader = new JuteReader(payload);
    const header = readRecord(reader, ReplyHeader);
    const raw = payload.subarray(reader.position);
    if (header.xid === Xid.notification) {
      const watcherEvent: WatcherEventT = decode(WatcherEvent, raw);
      const event: NotificationEvent = { zxid: header.zxid, ...watcherEvent };
      this.arrivals.push({ kind: 'event', ...event });
      this.events.push(event);
      for (const listener of this.listeners) listener(event);
      return;
    }
    const special = header.xid === Xid.ping || header.xid === Xid.auth || header.xid === Xid.setWatches;
    const index = special
      ? this.pending.findIndex((entry) => entry.xid === header.xid)
      : this.pending.findIndex((entry) => entry.xid !== Xid.ping && entry.xid !== Xid.auth && entry.xid !== Xid.setWatches);
    const entry = index === -1 ? undefined : this.pending[index]!;
    if (entry === undefined || entry.xid !== header.xid) {
      return this.protocolError(`reply xid ${header.xid} does not match the next pending xid ${entry?.xid ?? '(none)'}`);
    }
    this.pending.splice(index, 1);
    if (header.zxid > this.lastZxid) this.lastZxid = header.zxid;
    this.arrivals.push({ kind: 'reply', xid: header.xid, opCode: entry.opCode, zxid: header.zxid, err: header.err });
    let body: unknown;
    if (header.err === 0 && entry.schema !== undefined) {
      try {
        body = decode(entry.schema, raw);
      } catch (error) {
        entry.reject(new WireError(`${opName(entry.opCode) ?? entry.opCode} reply: ${(error as Error).message}`, ErrorCode.MARSHALLINGERROR));
        return;
      }
    }
    entry.resolve(body === undefined ? { xid: header.xid, zxid: header.zxid, err: header.err, raw } : { xid: header.xid, zxid: header.zxid, err: header.err, body, raw });
  }

  private protocolError(reason: string): void {
    this.closeReason = new WireError(`protocol error: ${reason}`, ErrorCode.MARSHALLINGERROR);
    this.failAll(this.closeReason);
    this.socket.destroy();
  }

  private failAll(error: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const entry of pending) entry.reject(error);
  }

  // --- typed helpers, one per op -------------------------------------------------------------

  create(path: string, data: Uint8Array | null, acl: ACLT[] = openAcl, flags = 0) {
    return this.request(OpCode.create, CreateRequest, { path, data, acl, flags }, CreateResponse);
  }
  create2(path: string, data: Uint8Array | null, acl: ACLT[] = openAcl, flags = 0) {
    return this.request(OpCode.create2, CreateRequest, { path, data, acl, flags }, Create2Response);
  }
  createContainer(path: string, data: Uint8Array | null, acl: ACLT[] = openAcl) {
    return this.request(OpCode.createContainer, CreateRequest, { path, data, acl, flags: 4 }, Create2Response);
  }
  createTTL(path: string, data: Uint8Array | null, acl: ACLT[], flags: number, ttl: bigint) {
    return this.request(OpCode.createTTL, CreateTTLRequest, { path, data, acl, flags, ttl }, Create2Response);
  }
  delete(path: string, version = -1) {
    return this.request(OpCode.delete, DeleteRequest, { path, version });
  }
  exists(path: string, watch = false) {
    return this.request(OpCode.exists, ExistsRequest, { path, watch }, ExistsResponse);
  }
  getData(path: string, watch = false) {
    return this.request(OpCode.getData, GetDataRequest, { path, watch }, GetDataResponse);
  }
  setData(path: string, data: Uint8Array | null, version = -1) {
    return this.request(OpCode.setData, SetDataRequest, { path, data, version }, SetDataResponse);
  }
  getACL(path: string) {
    return this.request(OpCode.getACL, GetACLRequest, { path }, GetACLResponse);
  }
  setACL(path: string, acl: ACLT[], version = -1) {
    return this.request(OpCode.setACL, SetACLRequest, { path, acl, version }, SetACLResponse);
  }
  getChildren(path: string, watch = false) {
    return this.request(OpCode.getChildren, GetChildrenRequest, { path, watch }, GetChildrenResponse);
  }
  getChildren2(path: string, watch = false) {
    return this.request(OpCode.getChildren2, GetChildren2Request, { path, watch }, GetChildren2Response);
  }
  getAllChildrenNumber(path: string) {
    return this.request(OpCode.getAllChildrenNumber, GetAllChildrenNumberRequest, { path }, GetAllChildrenNumberResponse);
  }
  getEphemerals(prefixPath: string) {
    return this.request(OpCode.getEphemerals, GetEphemeralsRequest, { prefixPath }, GetEphemeralsResponse);
  }
  sync(path: string) {
    return this.request(OpCode.sync, SyncRequest, { path }, SyncResponse);
  }
  /**
   * A stand-alone check (op 13 outside multi). Beware: ZooKeeper 3.8.0 sends no reply and closes the
   * connection, and other sessions' connections with it; the body is left raw.
   */
  check(path: string, version: number) {
    return this.request(OpCode.check, CheckVersionRequest, { path, version });
  }
  async multi(ops: readonly MultiOp[]): Promise<Reply<MultiResult[]>> {
    return this.multiLike(OpCode.multi, ops);
  }
  async multiRead(ops: readonly MultiOp[]): Promise<Reply<MultiResult[]>> {
    return this.multiLike(OpCode.multiRead, ops);
  }
  private async multiLike(opCode: number, ops: readonly MultiOp[]): Promise<Reply<MultiResult[]>> {
    const reply = await this.request(opCode, undefined, encodeMulti(ops));
    if (reply.err !== 0) return { xid: reply.xid, zxid: reply.zxid, err: reply.err, raw: reply.raw };
    return { ...reply, body: decodeMulti(reply.raw) };
  }
  /** mode: AddWatchMode (0 persistent, 1 persistentRecursive). The reply body is a 4-byte ErrorResponse. */
  addWatch(path: string, mode: number) {
    return this.request(OpCode.addWatch, AddWatchRequest, { path, mode }, ErrorResponse);
  }
  removeWatches(path: string, type: number) {
    return this.request(OpCode.removeWatches, RemoveWatchesRequest, { path, type });
  }
  checkWatches(path: string, type: number) {
    return this.request(OpCode.checkWatches, CheckWatchesRequest, { path, type });
  }
  setWatches(watches: { relativeZxid?: bigint; dataWatches?: string[]; existWatches?: string[]; childWatches?: string[] }) {
    return this.request(OpCode.setWatches, SetWatches, {
      relativeZxid: watches.relativeZxid ?? this.lastZxid,
      dataWatches: watches.dataWatches ?? [], existWatches: watches.existWatches ?? [], childWatches: watches.childWatches ?? [],
    }, undefined, Xid.setWatches);
  }
  setWatches2(watches: {
    relativeZxid?: bigint; dataWatches?: string[]; existWatches?: string[]; childWatches?: string[];
    persistentWatches?: string[]; persistentRecursiveWatches?: string[];
  }) {
    return this.request(OpCode.setWatches2, SetWatches2, {
      relativeZxid: watches.relativeZxid ?? this.lastZxid,
      dataWatches: watches.dataWatches ?? [], existWatches: watches.existWatches ?? [], childWatches: watches.childWatches ?? [],
      persistentWatches: watches.persistentWatches ?? [], persistentRecursiveWatches: watches.persistentRecursiveWatches ?? [],
    }, undefined, Xid.setWatches);
  }
  /** ZooKeeper closes the connection after an AUTHFAILED reply. */
  auth(scheme: string, auth: Uint8Array | string) {
    const bytes = typeof auth === 'string' ? new TextEncoder().encode(auth) : auth;
    return this.request(OpCode.auth, AuthPacket, { type: 0, scheme, auth: bytes }, undefined, Xid.auth);
  }
  whoAmI() {
    return this.request(OpCode.whoAmI, undefined, undefined, WhoAmIResponse);
  }
  ping() {
    return this.request(OpCode.ping, undefined, undefined, undefined, Xid.ping);
  }

  /** closeSession, then wait for the server to close the socket (bounded by timeoutMs). */
  async close(timeoutMs = 5000): Promise<Reply<undefined> | undefined> {
    if (this.isClosed) return undefined;
    const timer = setTimeout(() => this.socket.destroy(), timeoutMs);
    const reply = await this.request(OpCode.closeSession, undefined, undefined).catch(() => undefined);
    this.socket.end();
    await this.closed;
    clearTimeout(timer);
    return reply;
  }
}

