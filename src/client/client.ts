/**
 * The public, promise-based ZooKeeper client: the runtime shell around the pure ClientCore.
 * It owns the clock (performance.now), the one timer (set to the core's next deadline), the TCP
 * transports, and the promises; every decision is the core's. Methods are named after
 * ZooKeeper's own API (create, delete, exists, getData, setData, getChildren, getACL, setACL,
 * sync, multi, multiRead, getEphemerals, getAllChildrenNumber, addWatch, removeWatches, whoAmI,
 * addAuth, close).
 *
 * Watch listeners are called synchronously, in arrival order, before the promise of any later
 * reply settles — so a listener always runs before code awaiting a read that already observes
 * the change (ZooKeeper's ordering guarantee). A listener that throws is reported on the
 * 'error' event (or rethrown asynchronously when nobody listens, like any EventEmitter error).
 *
 * Not here: protocol logic (core/), socket code (transport/). Invariant: the core is only
 * driven from `drive()`, which drains its outputs until none are left, then re-arms the timer.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ConnectionOptions } from 'node:tls';
import { ClientCore, type ClientState, type CoreConfig, type Output, type StateEvent } from './core/connection.js';
import { BadArgumentsError, ClientClosedError, ConnectionLossError, NoWatcherError, type ZooKeeperError } from './core/errors.js';
import { parseConnectString } from './core/paths.js';
import * as ops from './core/requests.js';
import type {
  ACL, ACLAndStat, AddWatchModeName, ClientInfo, CreateOptions, Data, MultiOp, MultiReadOp, MultiResult, Operation, Stat,
  WatcherTypeName,
} from './core/requests.js';
import type { WatchEvent, WatchEventType, WatchKind } from './core/watches.js';
import { TcpTransport } from './transport/tcp.js';
import { WatchStream, type WatchStreamHost, type WatchStreamMode } from './watch-stream.js';

export type WatchListener = (event: WatchEvent) => void;

export interface ClientOptions {
  /** Requested session timeout; the server clamps it to [2, 20] x its tickTime. Default 30 000. */
  readonly sessionTimeoutMs?: number;
  /** A request without a reply after this long fails with RequestTimeoutError. 0 (default) = off. */
  readonly requestTimeoutMs?: number;
  /** How long createClient waits for the first connection. Default: sessionTimeoutMs. */
  readonly connectTimeoutMs?: number;
  /**
   * While disconnected, report the session 'expired' once no server has answered for 4/3 of
   * the session timeout (ZooKeeper's client does the same since 3.9.3), instead of only when a
   * server says so after the network is back. Default true.
   */
  readonly expireLocally?: boolean;
  /** Accept read-only servers (state 'readOnly'). Default false. */
  readonly canBeReadOnly?: boolean;
  /** Requests queued or outstanding at once (backpressure). Default 10 000. */
  readonly maxQueuedRequests?: number;
  /** Requests written but unanswered at once (pipelining depth). Default 1 000. */
  readonly maxInFlightRequests?: number;
  /** Reconnect backoff: doubled per failed attempt from `initial` up to `max`, with jitter. */
  readonly reconnectDelayMs?: { readonly initial?: number; readonly max?: number };
  /** Largest reply frame accepted. Default 2 x 1 MiB (jute.maxbuffer plus its read slack). */
  readonly maxFrameBytes?: number;
  /** SetWatches batches stay under this. Default 128 KiB, like ZooKeeper's client. */
  readonly setWatchesBatchBytes?: number;
  /** How long close() waits for the server to confirm. Default 2 000. */
  readonly closeTimeoutMs?: number;
  /** Credentials sent on every connection before anything else (like addAuth before connect). */
  readonly auth?: readonly { readonly scheme: string; readonly auth: Uint8Array | string }[];
  /** Re-attach to an existing session. */
  readonly sessionId?: bigint;
  readonly sessionPasswd?: Uint8Array;
  /** Uniform [0, 1) source for host shuffling and jitter. Default Math.random. */
  readonly random?: () => number;
  /** Events buffered per watch() iterator before it fails. Default 10 000. */
  readonly watchBufferMax?: number;
  /**
   * Connect over TLS, to servers' secureClientPort, with these node TLS options: `ca` to trust
   * the server's certificate issuer, `cert` and `key` for a server that wants client
   * certificates (ZooKeeper's default ssl.clientAuth=need). The server's certificate must name
   * the host as the connect string gives it. Default: plain TCP.
   */
  readonly tls?: ConnectionOptions;
}

export interface WatchOptions { readonly watch?: WatchListener }
export interface GetChildrenOptions extends WatchOptions { readonly withStat?: boolean }
export interface WatchStreamOptions { readonly mode?: WatchStreamMode }
export interface RemoveWatchesOptions {
  /** Remove only this listener; the server is asked only when no listener of the type is left. */
  readonly listener?: WatchListener;
  /** Remove locally without asking the server (works while disconnected). */
  readonly local?: boolean;
}

/** `dataIsNull`: the node has null data (created without any), as opposed to zero bytes. */
export interface GetDataResult { readonly data: Buffer; readonly dataIsNull: boolean; readonly stat: Stat }
export interface ChildrenWithStat { readonly children: string[]; readonly stat: Stat }
export type MultiReadResult =
  | { readonly type: 'getData'; readonly data: Buffer; readonly stat: Stat }
  | { readonly type: 'getChildren'; readonly children: string[] }
  | { readonly type: 'error'; readonly error: ZooKeeperError };

const kindsForType: Readonly<Record<WatcherTypeName, readonly WatchKind[]>> = {
  data: ['data', 'exist'],
  children: ['child'],
  any: ['data', 'exist', 'child', 'persistent', 'persistentRecursive'],
  persistent: ['persistent'],
  persistentRecursive: ['persistentRecursive'],
};

const removedEventFor: Readonly<Record<WatchKind, WatchEventType>> = {
  data: 'DataWatchRemoved',
  exist: 'DataWatchRemoved',
  child: 'ChildWatchRemoved',
  persistent: 'PersistentWatchRemoved',
  persistentRecursive: 'PersistentWatchRemoved',
};

const utf8 = new TextEncoder();

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes); // a copy: the reply frame may share memory with the socket chunk
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** The events a ZooKeeperClient emits (it is a typed EventEmitter). */
export interface ZooKeeperClientEvents {
  /**
   * The session's state changed: 'connected' / 'readOnly' (a connection is up), 'disconnected'
   * (lost; the client is reconnecting and the session may still be alive), and the terminal
   * 'expired', 'authFailed' and 'closed'. `cause` is the error that led to it.
   */
  state: [state: StateEvent, cause?: ZooKeeperError];
  /** A watch listener threw. */
  error: [error: unknown];
}

/**
 * A ZooKeeper session. Create one with {@link createClient}; listen for session changes with
 * `client.on('state', (state, cause) => ...)`. Calls made while disconnected wait in the queue
 * and run after the reconnect; calls in flight when the connection drops fail with
 * {@link ConnectionLossError}.
 */
export class ZooKeeperClient extends EventEmitter<ZooKeeperClientEvents> {
  private readonly core: ClientCore<WatchListener>;
  private readonly pending = new Map<number, Pending>();
  private readonly transports = new Map<number, TcpTransport>();
  private readonly streams = new Set<WatchStream>();
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs: number | undefined;
  private driving = false;
  private readonly watchBufferMax: number;

  /** Does not connect: {@link createClient} (or `connect()`) does. */
  constructor(connectString: string, private readonly options: ClientOptions = {}) {
    super();
    const parsed = parseConnectString(connectString);
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    const config: CoreConfig = {
      hosts: parsed.hosts,
      chroot: parsed.chroot,
      sessionTimeoutMs,
      canBeReadOnly: options.canBeReadOnly ?? false,
      requestTimeoutMs: options.requestTimeoutMs ?? 0,
      queuedRequestsMax: options.maxQueuedRequests ?? 10_000,
      inFlightRequestsMax: options.maxInFlightRequests ?? 1_000,
      reconnectDelayInitialMs: options.reconnectDelayMs?.initial ?? 50,
      reconnectDelayMaxMs: options.reconnectDelayMs?.max ?? 2_000,
      setWatchesBatchBytesMax: options.setWatchesBatchBytes ?? 128 * 1024,
      frameBytesMax: options.maxFrameBytes ?? 2 * 1024 * 1024,
      closeTimeoutMs: options.closeTimeoutMs ?? 2_000,
      random: options.random ?? Math.random,
      expireLocally: options.expireLocally ?? true,
      ...(options.sessionId !== undefined ? { sessionId: options.sessionId } : {}),
      ...(options.sessionPasswd !== undefined ? { sessionPasswd: options.sessionPasswd } : {}),
    };
    this.core = new ClientCore<WatchListener>(config);
    this.watchBufferMax = options.watchBufferMax ?? 10_000;
    const accepted = (options.auth ?? []).map(({ scheme, auth }) =>
      this.await<void>(this.core.addAuth(scheme, typeof auth === 'string' ? utf8.encode(auth) : auth, this.now())));
    this.initialAuth = Promise.all(accepted).then(() => undefined);
    this.initialAuth.catch(() => undefined); // reported by connect(), or later as the authFailed state
  }

  /** Settles when the server has answered the credentials from `options.auth`. */
  private readonly initialAuth: Promise<void>;

  // ---- session -------------------------------------------------------------------------------

  /** Where the session is now; 'expired', 'authFailed' and 'closed' are final. */
  get state(): ClientState { return this.core.state; }
  /** The session id the server assigned (0n before the first connection). */
  get sessionId(): bigint { return this.core.sessionId; }
  /** The session password; with sessionId it re-attaches another client to this session. */
  get sessionPasswd(): Uint8Array { return this.core.sessionPasswd; }
  /** The session timeout the server granted (0 before the first connection). */
  get sessionTimeoutMs(): number { return this.core.sessionTimeoutMs; }
  /** The newest zxid seen in a reply; a server behind it is refused on reconnect. */
  get lastZxidSeen(): bigint { return this.core.lastZxidSeen; }
  /** The chroot from the connect string ('' when none). */
  get chroot(): string { return this.core.chroot.prefix; }
  /** Requests queued or outstanding. */
  get pendingRequests(): number { return this.core.pendingCount; }
  /** Watch registrations held (one per listener, path and kind); all are re-set after a reconnect. */
  get watchCount(): number { return this.core.watchCount; }

  /**
   * Starts connecting (createClient does this); resolves at the first connection, once the
   * server accepted the credentials from `options.auth` (so bad ones fail here, with
   * AuthFailedError, instead of on the first call).
   */
  async connect(timeoutMs = this.options.connectTimeoutMs ?? this.options.sessionTimeoutMs ?? 30_000): Promise<void> {
    const startedMs = this.now();
    const connected = this.connected(timeoutMs);
    this.core.start(startedMs);
    this.drive();
    await connected;
    // The same deadline covers the server's answer to the credentials.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectionLossError(`credentials not answered within ${timeoutMs} ms`)), Math.max(0, startedMs + timeoutMs - this.now()));
    });
    try {
      await Promise.race([this.initialAuth, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves when the client is (or next becomes) connected; rejects with the terminal error if
   * the session ends first, or with ConnectionLossError after `timeoutMs`.
   */
  connected(timeoutMs?: number): Promise<void> {
    const state = this.core.state;
    if (state === 'connected' || state === 'readOnly') return Promise.resolve();
    if (state === 'closed' || state === 'expired' || state === 'authFailed' || state === 'closing') {
      return Promise.reject(state === 'closing' ? new ClientClosedError() : this.terminalErrorFor(state));
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onState = (event: StateEvent, cause?: ZooKeeperError) => {
        if (event === 'connected' || event === 'readOnly') settle(undefined);
        else if (event === 'expired' || event === 'authFailed' || event === 'closed') settle(cause ?? new ClientClosedError());
      };
      const settle = (error: unknown) => {
        this.off('state', onState);
        if (timer !== undefined) clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
      this.on('state', onState);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => settle(new ConnectionLossError(`not connected within ${timeoutMs} ms`)), timeoutMs);
      }
    });
  }

  /**
   * Closes the session (the server deletes its ephemerals at once) after the requests already
   * queued; resolves when the server confirmed or closeTimeoutMs passed. Idempotent.
   */
  async close(): Promise<void> {
    const ticket = this.core.close(this.now());
    const done = new Promise<void>((resolve) => this.pending.set(ticket, { resolve: () => resolve(), reject: () => resolve() }));
    this.drive();
    await done;
  }

  // ---- operations ----------------------------------------------------------------------------

  /** Creates a node; resolves with its path (with the sequence suffix for sequential modes). */
  async create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    const created = await this.run(ops.createOp(this.core.chroot, path, data, options));
    return created.path;
  }

  /** ZooKeeper's create2: like create, but also returns the new node's Stat. */
  async create2(path: string, data?: Data, options: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    return this.run(ops.create2Op(this.core.chroot, path, data, options));
  }

  /** Deletes a node; version -1 (default) means any version. */
  async delete(path: string, version = -1): Promise<void> {
    return this.run(ops.deleteOp(this.core.chroot, path, version));
  }

  /** The node's Stat, or null if it does not exist. A watch fires on create, change or delete. */
  async exists(path: string, options: WatchOptions = {}): Promise<Stat | null> {
    return this.run(ops.existsOp(this.core.chroot, path, this.listenerOf(options.watch)));
  }

  /** The node's data and Stat. A watch fires once on a data change or deletion. */
  async getData(path: string, options: WatchOptions = {}): Promise<GetDataResult> {
    const result = await this.run(ops.getDataOp(this.core.chroot, path, this.listenerOf(options.watch)));
    return { data: toBuffer(result.data), dataIsNull: result.dataIsNull, stat: result.stat };
  }

  /** Replaces the node's data if its version matches (-1, the default, matches any); resolves with the new Stat. */
  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    return this.run(ops.setDataOp(this.core.chroot, path, data, version));
  }

  /** Child names (unsorted, as the server returns them); with `withStat` also the parent's Stat. */
  getChildren(path: string, options: GetChildrenOptions & { readonly withStat: true }): Promise<ChildrenWithStat>;
  getChildren(path: string, options?: GetChildrenOptions & { readonly withStat?: false }): Promise<string[]>;
  async getChildren(path: string, options: GetChildrenOptions = {}): Promise<string[] | ChildrenWithStat> {
    const listener = this.listenerOf(options.watch);
    if (options.withStat === true) return this.run(ops.getChildren2Op(this.core.chroot, path, listener));
    return this.run(ops.getChildrenOp(this.core.chroot, path, listener));
  }

  /** The node's ACL and Stat (digest ids are masked by the server unless you hold ADMIN). */
  async getACL(path: string): Promise<ACLAndStat> {
    return this.run(ops.getACLOp(this.core.chroot, path));
  }

  /** version is checked against the node's aversion; -1 (default) means any. */
  async setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    return this.run(ops.setACLOp(this.core.chroot, path, acl, version));
  }

  /** Makes this server catch up with the leader for `path` before later reads. */
  async sync(path: string): Promise<void> {
    await this.run(ops.syncOp(this.core.chroot, path));
  }

  /**
   * Runs the ops atomically. On failure rejects with the first failing op's typed error; its
   * `multi` field has `failedOpIndex`, each op's code and each failed op's error.
   */
  async multi(operations: readonly MultiOp[]): Promise<MultiResult[]> {
    return this.run(ops.multiOp(this.core.chroot, operations));
  }

  /** A builder for `multi`: client.transaction().create(...).check(...).commit(). */
  transaction(): Transaction {
    return new Transaction(this);
  }

  /** Reads several nodes in one round trip; each op succeeds or fails on its own. */
  async multiRead(operations: readonly MultiReadOp[]): Promise<MultiReadResult[]> {
    const results = await this.run(ops.multiReadOp(this.core.chroot, operations));
    return results.map((result) => (result.type === 'getData' ? { type: 'getData', data: toBuffer(result.data), stat: result.stat } : result));
  }

  /** This session's ephemeral nodes whose path starts with `prefix` (a string prefix). */
  async getEphemerals(prefix = '/'): Promise<string[]> {
    return this.run(ops.getEphemeralsOp(this.core.chroot, prefix));
  }

  /** The number of all descendants of `path` (not counting the node itself). */
  async getAllChildrenNumber(path: string): Promise<number> {
    return this.run(ops.getAllChildrenNumberOp(this.core.chroot, path));
  }

  /**
   * A watch that stays until removed: 'persistent' fires for the node's data changes, creation,
   * deletion and child list changes; 'persistentRecursive' for those of the node and every
   * descendant except child-list changes.
   */
  async addWatch(path: string, mode: AddWatchModeName, listener: WatchListener): Promise<void> {
    if (typeof listener !== 'function') throw new BadArgumentsError('addWatch needs a listener function');
    return this.run(ops.addWatchOp(this.core.chroot, path, mode, listener));
  }

  /**
   * Removes the watches of `type` on `path` (ZooKeeper's removeWatches/removeAllWatches); each
   * removed listener receives a DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved
   * event. Fails with NoWatcherError when no such watch is registered here. The types
   * 'persistent' and 'persistentRecursive' need a 3.9 server; 'any' removes them on 3.8.
   */
  async removeWatches(path: string, type: WatcherTypeName, options: RemoveWatchesOptions = {}): Promise<void> {
    const kinds = kindsForType[type];
    if (kinds === undefined) throw new BadArgumentsError(`unknown watcher type '${String(type)}'`);
    const listener = options.listener;
    if (!kinds.some((kind) => this.core.hasWatch(kind, path, listener))) throw new NoWatcherError(undefined, { path });
    if (options.local !== true && !(listener !== undefined && this.otherListenersRemain(path, kinds, listener))) {
      await this.run(ops.removeWatchesOp(this.core.chroot, path, type));
    }
    this.notifyRemoved(path, this.core.removeWatches(path, kinds, listener));
  }

  /** The identities this connection is authenticated as (ZooKeeper 3.7+). */
  async whoAmI(): Promise<ClientInfo[]> {
    return this.run(ops.whoAmIOp());
  }

  /**
   * Adds credentials to the session (e.g. 'digest', 'user:password'); replayed on every
   * reconnect. Resolves when the server accepts them. A rejection is terminal: the server closes
   * the connection and the client enters 'authFailed'.
   */
  async addAuth(scheme: string, auth: Uint8Array | string): Promise<void> {
    const bytes = typeof auth === 'string' ? utf8.encode(auth) : auth;
    const ticket = this.core.addAuth(scheme, bytes, this.now());
    const done = this.await<void>(ticket);
    this.drive();
    return done;
  }

  // ---- watches as async iterators ------------------------------------------------------------

  /**
   * Watch events on `path` as an async iterator (default mode 'data'). Await `.ready` before
   * making changes that must be seen; `break` (or `return()`) unregisters the watch.
   */
  watch(path: string, options: WatchStreamOptions = {}): WatchStream {
    const host: WatchStreamHost = {
      arm: (mode, watchPath, listener) => this.arm(mode, watchPath, listener),
      disarm: (mode, watchPath, listener) => this.disarm(mode, watchPath, listener),
      connected: () => this.connected(),
      streamClosed: (stream) => this.streams.delete(stream),
    };
    const stream = new WatchStream(host, path, options.mode ?? 'data', this.watchBufferMax);
    this.streams.add(stream);
    return stream;
  }

  // ---- internals -----------------------------------------------------------------------------

  private otherListenersRemain(path: string, kinds: readonly WatchKind[], listener: WatchListener): boolean {
    return this.core.listenersOf(path, kinds).some((other) => other !== listener);
  }

  private async arm(mode: WatchStreamMode, path: string, listener: WatchListener): Promise<void> {
    switch (mode) {
      case 'data': await this.getData(path, { watch: listener }); return;
      case 'exists': await this.exists(path, { watch: listener }); return;
      case 'children': await this.getChildren(path, { watch: listener }); return;
      case 'persistent': case 'persistentRecursive': await this.addWatch(path, mode, listener); return;
    }
  }

  private disarm(mode: WatchStreamMode, path: string, listener: WatchListener): void {
    const kinds: readonly WatchKind[] = mode === 'data' || mode === 'exists' ? ['data', 'exist'] : mode === 'children' ? ['child'] : [mode];
    this.core.removeWatches(path, kinds, listener);
    // A persistent watch keeps firing on the server until removed there; ask only when nothing
    // else of ours watches the path ('any' is the only type a 3.8 server can remove it by).
    const persistent = mode === 'persistent' || mode === 'persistentRecursive';
    const live = this.core.state === 'connected' || this.core.state === 'readOnly';
    if (persistent && live && !this.core.hasAnyWatchOn(path)) {
      this.run(ops.removeWatchesOp(this.core.chroot, path, 'any')).catch(() => undefined);
    }
  }

  private notifyRemoved(path: string, removed: { kind: WatchKind; listeners: WatchListener[] }[]): void {
    for (const { kind, listeners } of removed) {
      const event: WatchEvent = { type: removedEventFor[kind], path, zxid: -1n };
      for (const listener of listeners) this.callListener(listener, event);
    }
  }

  private listenerOf(watch: WatchListener | undefined): WatchListener | undefined {
    if (watch === undefined) return undefined;
    if (typeof watch !== 'function') throw new BadArgumentsError('watch must be a function');
    return watch;
  }

  private terminalErrorFor(state: ClientState): ZooKeeperError {
    return this.core.terminalError ?? new ClientClosedError(`client is ${state}`);
  }

  /** Submits an operation and waits for its outcome. */
  private run<T>(op: Operation<T, WatchListener>): Promise<T> {
    const ticket = this.core.submit(op as Operation<unknown, WatchListener>, this.now());
    const done = this.await<T>(ticket);
    this.drive();
    return done;
  }

  private await<T>(ticket: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(ticket, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private now(): number {
    return performance.now();
  }

  /** Drains the core's outputs (including those caused by listeners), then re-arms the timer. */
  private drive(): void {
    if (this.driving) return;
    this.driving = true;
    try {
      for (let outputs = this.core.takeOutputs(); outputs.length > 0; outputs = this.core.takeOutputs()) {
        for (const output of outputs) this.execute(output);
      }
    } finally {
      this.driving = false;
    }
    this.schedule();
  }

  private execute(output: Output<WatchListener>): void {
    switch (output.kind) {
      case 'open': {
        const connection = output.connection;
        const transport = new TcpTransport(output.host, output.port, {
          onOpen: () => { this.core.onOpen(connection, this.now()); this.drive(); },
          onData: (bytes) => { this.core.onData(connection, bytes, this.now()); this.drive(); },
          onClosed: (reason) => {
            this.transports.delete(connection);
            this.core.onClosed(connection, this.now(), reason);
            this.drive();
          },
        }, this.options.tls);
        this.transports.set(connection, transport);
        return;
      }
      case 'send':
        this.transports.get(output.connection)?.write(output.bytes);
        return;
      case 'close':
        this.transports.get(output.connection)?.destroy();
        this.transports.delete(output.connection);
        return;
      case 'resolve': {
        const pending = this.pending.get(output.ticket);
        this.pending.delete(output.ticket);
        pending?.resolve(output.value);
        return;
      }
      case 'reject': {
        const pending = this.pending.get(output.ticket);
        this.pending.delete(output.ticket);
        pending?.reject(output.error);
        return;
      }
      case 'watch':
        for (const listener of output.listeners) this.callListener(listener, output.event);
        return;
      case 'state':
        this.onState(output.state, output.cause);
        return;
    }
  }

  private onState(state: StateEvent, cause: ZooKeeperError | undefined): void {
    if (state === 'expired' || state === 'authFailed' || state === 'closed') {
      for (const stream of [...this.streams]) {
        if (state === 'closed') stream.finish();
        else stream.fail(cause);
      }
      this.streams.clear();
    }
    this.emit('state', state, cause);
  }

  private callListener(listener: WatchListener, event: WatchEvent): void {
    try {
      listener(event);
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', error);
      else queueMicrotask(() => { throw error; });
    }
  }

  private schedule(): void {
    const deadline = this.core.nextDeadlineMs();
    if (deadline === this.timerAtMs && this.timer !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAtMs = deadline;
    if (deadline === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = undefined;
      this.core.tick(this.now());
      this.drive();
    }, Math.max(0, Math.ceil(deadline - this.now())));
  }
}

/** Builder for an atomic multi: every op applies, or none does. */
export class Transaction {
  private readonly ops: MultiOp[] = [];

  constructor(private readonly client: ZooKeeperClient) {}

  create(path: string, data?: Data, options?: CreateOptions): this {
    this.ops.push({ type: 'create', path, data, ...(options !== undefined ? { options } : {}) });
    return this;
  }

  delete(path: string, version = -1): this {
    this.ops.push({ type: 'delete', path, version });
    return this;
  }

  setData(path: string, data: Data, version = -1): this {
    this.ops.push({ type: 'setData', path, data, version });
    return this;
  }

  /** Fails the transaction unless `path` is at `version`. */
  check(path: string, version: number): this {
    this.ops.push({ type: 'check', path, version });
    return this;
  }

  get operations(): readonly MultiOp[] {
    return this.ops;
  }

  commit(): Promise<MultiResult[]> {
    return this.client.multi(this.ops);
  }
}
