/**
 * `client.watch(path, { mode })` as an async iterator of watch events.
 *
 * - persistent / persistentRecursive: one addWatch; every event is queued until consumed.
 * - data / exists / children: ZooKeeper's one-shot watches re-armed after each event
 *   (getData / exists / getChildren with a watch), so the stream means "this changed" — a change
 *   made between the event and the re-arm is seen by the re-arm's read, not as a second event.
 *   'data' and 'children' end when the node is gone (NoNode on re-arm; NoNode on the first arm
 *   is thrown); 'exists' also follows a missing node and fires NodeCreated.
 * A re-arm that fails with a connection loss is retried after the next reconnect. The stream
 * throws the session's terminal error on expiry or auth failure and ends when the client closes.
 *
 * Not here: I/O (it goes through the client's public methods). Invariants: the buffer never
 * holds more than `bufferMax` events (overflow ends the stream with WatchBufferOverflowError);
 * after return() no event is queued, and once any arm in flight has been answered the listener
 * is registered nowhere in the client.
 */
import { ConnectionLossError, NoNodeError, RequestTimeoutError } from './core/errors.js';
import type { WatchEvent } from './core/watches.js';

export type WatchStreamMode = 'data' | 'exists' | 'children' | 'persistent' | 'persistentRecursive';

export class WatchBufferOverflowError extends Error {
  override name = 'WatchBufferOverflowError';
}

/** What the stream needs from the client (kept narrow so the stream is easy to reason about). */
export interface WatchStreamHost {
  arm(mode: WatchStreamMode, path: string, listener: (event: WatchEvent) => void): Promise<void>;
  disarm(mode: WatchStreamMode, path: string, listener: (event: WatchEvent) => void): void;
  /** Resolves at the next (re)connection, rejects if the session ends first. */
  connected(): Promise<void>;
  streamClosed(stream: WatchStream): void;
}

/**
 * Watch events on one path as an async iterator, made by `client.watch(path, { mode })`:
 * `for await (const event of client.watch('/jobs', { mode: 'persistentRecursive' })) ...`.
 * Await `ready` before changes that must be seen; `break` or `return()` removes the watch.
 */
export class WatchStream implements AsyncIterableIterator<WatchEvent> {
  /** Resolves once the first watch is registered on the server (rejects if that fails). */
  readonly ready: Promise<void>;
  private readonly buffer: WatchEvent[] = [];
  private waiter: { resolve: (result: IteratorResult<WatchEvent>) => void; reject: (error: unknown) => void } | undefined;
  private done = false;
  private failure: unknown;
  private readonly listener = (event: WatchEvent) => this.onEvent(event);
  private readonly oneShot: boolean;

  /** @internal Made by `client.watch()`. */
  constructor(
    private readonly host: WatchStreamHost,
    readonly path: string,
    readonly mode: WatchStreamMode,
    private readonly bufferMax: number,
  ) {
    this.oneShot = mode === 'data' || mode === 'exists' || mode === 'children';
    this.ready = this.arm();
    this.ready.catch((error: unknown) => this.fail(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<WatchEvent>> {
    const event = this.buffer.shift();
    if (event !== undefined) return { value: event, done: false };
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      this.done = true;
      throw failure;
    }
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<WatchEvent>> {
    this.finish();
    return { value: undefined, done: true };
  }

  /** @internal Ends the stream normally (client closed, node gone, or the consumer stopped). */
  finish(): void {
    if (this.done) return;
    this.stop();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  }

  /** @internal Ends the stream with an error, delivered after the events already queued. */
  fail(error: unknown): void {
    if (this.done) return;
    this.stop();
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter !== undefined) waiter.reject(error); // a waiter implies an empty buffer
    else this.failure = error;
  }

  private stop(): void {
    this.done = true;
    this.host.disarm(this.mode, this.path, this.listener);
    this.host.streamClosed(this);
  }

  /**
   * Registers the watch. A reply that lands after the stream ended registered the listener
   * again (the client records a watch when its reply arrives), so it is taken off once more.
   */
  private async arm(): Promise<void> {
    await this.host.arm(this.mode, this.path, this.listener);
    if (this.done) this.host.disarm(this.mode, this.path, this.listener);
  }

  private onEvent(event: WatchEvent): void {
    if (this.done) return;
    if (this.buffer.length >= this.bufferMax) {
      this.fail(new WatchBufferOverflowError(`more than ${this.bufferMax} unconsumed watch events on ${this.path}`));
      return;
    }
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.resolve({ value: event, done: false });
    } else {
      this.buffer.push(event);
    }
    if (this.oneShot) void this.rearm();
  }

  private async rearm(): Promise<void> {
    for (let attempt = 0; !this.done; attempt++) {
      try {
        await this.arm();
        return;
      } catch (error) {
        if (this.done) return;
        if (error instanceof NoNodeError) {
          this.finish();
          return;
        }
        if (!(error instanceof ConnectionLossError) && !(error instanceof RequestTimeoutError)) {
          this.fail(error);
          return;
        }
        try {
          await this.host.connected();
        } catch (ended) {
          this.fail(ended);
          return;
        }
      }
    }
  }
}
