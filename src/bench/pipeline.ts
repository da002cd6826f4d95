/**
 * The bench's hot path: a driver that keeps `window` requests outstanding on one connection,
 * taking each next request from a RequestSource and timing each reply against its write.
 *
 * Per reply it does a ring-buffer lookup, one histogram record and a counter; per socket
 * chunk it makes one buffer and one socket write for all the requests the chunk made room
 * for, and reads the clock once for them. No promise or closure per op.
 * Not here: what the requests are (sources, built from core/request-template.ts) or the run's
 * phases (runner.ts). Invariant: replies match the oldest outstanding xid, else the driver
 * stops with an error (a server must answer one session's requests in order).
 */
import { performance } from 'node:perf_hooks';
import { errorName } from '../protocol/codes.js';
import { LogLinearHistogram } from './core/histogram.js';
import type { RequestTemplate } from './core/request-template.js';
import type { KeyCycle, ReadWriteMix } from './core/workload.js';
import type { BenchConnection, ConnectionDriver } from './connection.js';

/** Writes requests one after another into a send buffer. */
export interface RequestSource {
  /** The longest frame `write` can produce. */
  readonly frameBytesMax: number;
  /** Writes the next request at `target[at]` with `xid`; its length, or 0 when the source is done. */
  write(target: Uint8Array, at: number, xid: number): number;
  /** The op kind (an index into the recorder's kinds) of the request written last. */
  readonly lastKind: number;
}

/**
 * Counts and times replies. Only replies that arrive while `measuring` enter the window's
 * numbers; the interval histogram (for the progress line) takes every reply.
 */
export class Recorder {
  measuring = false;
  /** False once the run stops issuing new requests (drain). */
  issuing = true;
  readonly window = new LogLinearHistogram();
  readonly interval = new LogLinearHistogram();
  readonly byKind: LogLinearHistogram[];
  windowOps = 0;
  intervalOps = 0;
  /** Successful replies in every phase (create mode deletes that many sequential znodes). */
  okTotal = 0;
  readonly errors = new Map<number, number>();
  errorCount = 0;

  constructor(readonly kinds: readonly string[], private readonly opsMax: number, private readonly onOpsMax: () => void) {
    this.byKind = kinds.map(() => new LogLinearHistogram());
  }

  record(kind: number, latencyUs: number, err: number): void {
    if (err === 0) this.okTotal++;
    this.interval.record(latencyUs);
    this.intervalOps++;
    if (!this.measuring) return;
    this.window.record(latencyUs);
    this.byKind[kind]!.record(latencyUs);
    if (err !== 0) this.countError(err);
    if (++this.windowOps >= this.opsMax) this.onOpsMax();
  }

  countError(err: number): void {
    this.errors.set(err, (this.errors.get(err) ?? 0) + 1);
    this.errorCount++;
  }

  /** Starts the measured window: what came before it does not count. */
  beginWindow(): void {
    this.window.reset();
    for (const histogram of this.byKind) histogram.reset();
    this.windowOps = 0;
    this.errors.clear();
    this.errorCount = 0;
    this.measuring = true;
  }

  errorsByName(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [code, count] of this.errors) out[errorName(code)] = count;
    return out;
  }
}

export class PipelineDriver implements ConnectionDriver {
  private readonly sentAtMs: Float64Array;
  private readonly xids: Int32Array;
  private readonly kinds: Uint8Array;
  private head = 0;
  private outstanding = 0;
  private exhausted = false;
  private finished = false;
  private failure: Error | undefined;
  private resolveDone!: () => void;
  /** Resolves when the source is done (or the run stopped issuing) and every reply is in, or the connection failed. */
  readonly done: Promise<void>;

  constructor(
    private readonly connection: BenchConnection,
    private readonly source: RequestSource,
    private readonly window: number,
    private readonly recorder: Recorder,
  ) {
    this.sentAtMs = new Float64Array(window);
    this.xids = new Int32Array(window);
    this.kinds = new Uint8Array(window);
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    connection.closed.then(() => this.finish(connection.error ?? new Error('connection closed')));
  }

  get error(): Error | undefined {
    return this.failure;
  }

  start(): void {
    this.connection.driver = this;
    this.fill(this.window);
    this.checkDone();
  }

  /** Called after issuing stops: resolves `done` now if nothing is outstanding. */
  checkDone(): void {
    if (this.outstanding === 0 && (this.exhausted || !this.recorder.issuing)) this.finish(undefined);
  }

  onReply(xid: number, err: number): void {
    if (this.outstanding === 0 || this.xids[this.head] !== xid) {
      this.finish(new Error(`reply xid ${xid} out of order (expected ${this.outstanding === 0 ? 'none' : this.xids[this.head]})`));
      this.connection.destroy();
      return;
    }
    const latencyUs = (this.connection.receivedAtMs - this.sentAtMs[this.head]!) * 1000;
    this.recorder.record(this.kinds[this.head]!, latencyUs, err);
    this.head = this.head + 1 === this.window ? 0 : this.head + 1;
    this.outstanding--;
  }

  onChunkEnd(): void {
    if (this.finished) return;
    if (this.recorder.issuing && !this.exhausted) this.fill(this.window - this.outstanding);
    this.checkDone();
  }

  private fill(count: number): void {
    if (count <= 0) return;
    const buffer = Buffer.allocUnsafe(count * this.source.frameBytesMax);
    const first = this.outstanding;
    let at = 0;
    for (let i = 0; i < count; i++) {
      const xid = this.connection.takeXid();
      const length = this.source.write(buffer, at, xid);
      if (length === 0) {
        this.exhausted = true;
        break;
      }
      const slot = (this.head + this.outstanding) % this.window;
      this.xids[slot] = xid;
      this.kinds[slot] = this.source.lastKind;
      this.outstanding++;
      at += length;
    }
    if (at === 0) return;
    const now = performance.now();
    for (let i = first; i < this.outstanding; i++) this.sentAtMs[(this.head + i) % this.window] = now;
    this.connection.write(buffer.subarray(0, at));
  }

  private finish(error: Error | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = error;
    if (this.connection.driver === this) this.connection.driver = undefined;
    this.resolveDone();
  }
}

/** Requests on keys: one op (get, set, exists) or a read/write mix, each on the session's next key. */
export class KeySource implements RequestSource {
  lastKind = 0;
  readonly frameBytesMax: number;

  /** `templates[0]` is the read (or only) op, `templates[1]` the write; digit field 0 is the key. */
  constructor(private readonly templates: readonly RequestTemplate[], private readonly keys: KeyCycle, private readonly mix: ReadWriteMix | undefined) {
    this.frameBytesMax = Math.max(...templates.map((template) => template.length));
  }

  write(target: Uint8Array, at: number, xid: number): number {
    const kind = this.mix === undefined || this.mix.nextIsRead() ? 0 : 1;
    const template = this.templates[kind]!;
    template.writeTo(target, at, xid);
    template.setDigits(target, at, 0, this.keys.take());
    this.lastKind = kind;
    return template.length;
  }
}

/** The same request every time (sequential creates: the server picks the name). */
export class RepeatSource implements RequestSource {
  readonly lastKind = 0;
  readonly frameBytesMax: number;

  constructor(private readonly template: RequestTemplate) {
    this.frameBytesMax = template.length;
  }

  write(target: Uint8Array, at: number, xid: number): number {
    this.template.writeTo(target, at, xid);
    return this.template.length;
  }
}

/**
 * A fixed list of requests: indices `first, first + step, ...` below `end`, each written from
 * the template and patched by `patch` (setup, cleanup and load mode's levels).
 */
export class IndexedSource implements RequestSource {
  readonly lastKind = 0;
  readonly frameBytesMax: number;
  private next: number;

  constructor(
    private readonly template: RequestTemplate,
    first: number,
    private readonly step: number,
    private readonly end: number,
    private readonly patch: (target: Uint8Array, at: number, index: number) => void,
  ) {
    this.frameBytesMax = template.length;
    this.next = first;
  }

  write(target: Uint8Array, at: number, xid: number): number {
    if (this.next >= this.end) return 0;
    this.template.writeTo(target, at, xid);
    this.patch(target, at, this.next);
    this.next += this.step;
    return this.template.length;
  }
}
