/**
 * Bounded waiting for the recipes: a Deadline (the caller's `timeoutMs` and AbortSignal), a race
 * of any promise against it and against the end of the client's session, and `persistently`,
 * which re-runs one idempotent client call across connection losses.
 *
 * Why the session end is part of every wait: a watch never fires after the session expired, so
 * a waiter that only waited for its watch would hang forever; it must fail with the client's
 * terminal error (SessionExpiredError, ClientClosedError, AuthFailedError) instead.
 *
 * Not here: decisions (core/), node names. Invariants: every timer and listener a wait installs
 * is removed when it settles; a promise abandoned by a timed-out race has a rejection handler, so
 * it never surfaces as an unhandled rejection.
 */
import { performance } from 'node:perf_hooks';
import { isRetryable, type WatchEvent, type WatchListener, type ZooKeeperClient, type ZooKeeperError } from '../client/index.js';
import { AbortError, RecipeTimeoutError } from './core/errors.js';
import { isEnded, onClientState } from './session-events.js';

export interface WaitOptions {
  /** Give up after this many milliseconds with RecipeTimeoutError. Default: no limit. */
  readonly timeoutMs?: number;
  /** Give up when this signal aborts, with AbortError (its reason as `cause`). */
  readonly signal?: AbortSignal;
}

/** Retries of one client call across connection losses before its error is passed on. */
export const connectionLossRetriesMax = 100;
/** setTimeout's largest delay. */
const timerMsMax = 2 ** 31 - 1;
/** Pause before retrying a call that failed while connected (throttled, request timeout). */
const retryBackoffMsMax = 1_000;

/** When a bounded operation must end, and why it ends early. */
export class Deadline {
  private readonly atMs: number | undefined;

  constructor(private readonly options: WaitOptions, private readonly what: string) {
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw new RangeError(`timeoutMs must be >= 0, got ${timeoutMs}`);
    this.atMs = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
  }

  static none(what: string): Deadline {
    return new Deadline({}, what);
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /** Milliseconds left; undefined when unbounded. */
  remainingMs(): number | undefined {
    return this.atMs === undefined ? undefined : Math.max(0, this.atMs - performance.now());
  }

  /** The error the operation ends with now, if it must end now. */
  failure(): Error | undefined {
    const signal = this.options.signal;
    if (signal?.aborted === true) return new AbortError(`${this.what}: aborted`, { cause: signal.reason });
    if (this.atMs !== undefined && performance.now() >= this.atMs) return new RecipeTimeoutError(`${this.what}: not done within ${this.options.timeoutMs} ms`);
    return undefined;
  }

  /** Throws the failure, if the operation must end now. */
  check(): void {
    const failure = this.failure();
    if (failure !== undefined) throw failure;
  }
}

/**
 * `work`, or the deadline's failure, or the session's terminal error, whichever comes first.
 * `work` keeps running when it loses the race; its outcome is then ignored.
 */
export function bounded<T>(client: ZooKeeperClient, deadline: Deadline, work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  const early = deadline.failure();
  if (early !== undefined) return Promise.reject(early);
  if (isEnded(client)) return client.connected().then(() => work);
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const signal = deadline.signal;
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    };
    const settle = (outcome: () => void) => {
      cleanup();
      outcome();
    };
    const onAbort = () => settle(() => reject(deadline.failure()));
    const onState = (state: string, cause: ZooKeeperError | undefined) => {
      if (state === 'expired' || state === 'authFailed' || state === 'closed') {
        // The client's own terminal error, as every later call on it would get.
        settle(() => client.connected().then(() => reject(cause), reject));
      }
    };
    const unsubscribe = onClientState(client, onState);
    const remaining = deadline.remainingMs();
    if (remaining !== undefined) timer = setTimeout(() => settle(() => reject(deadline.failure() ?? new RecipeTimeoutError())), Math.min(remaining, timerMsMax));
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then((value) => settle(() => resolve(value)), (error: unknown) => settle(() => reject(error)));
  });
}

/** Resolves when the client is connected (at once if it is), within the deadline. */
export function connected(client: ZooKeeperClient, deadline: Deadline): Promise<void> {
  return bounded(client, deadline, client.connected());
}

/** Resolves after `ms`, or earlier with the deadline's failure. */
export function pause(client: ZooKeeperClient, deadline: Deadline, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slept = new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); });
  return bounded(client, deadline, slept).finally(() => clearTimeout(timer));
}

/**
 * Runs an idempotent client call (a read, a versioned write, a delete), re-running it after the
 * next reconnect when it fails with a retryable error (ConnectionLoss: outcome unknown, so only
 * idempotent calls may come here). Other errors, and the terminal ones, are passed on.
 */
export async function persistently<T>(client: ZooKeeperClient, deadline: Deadline, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bounded(client, deadline, call());
    } catch (error) {
      if (!isRetryable(error) || attempt >= connectionLossRetriesMax) throw error;
      await afterRetryableFailure(client, deadline, attempt);
    }
  }
}

/** Waits for the reconnect after a retryable failure, or backs off when still connected. */
export async function afterRetryableFailure(client: ZooKeeperClient, deadline: Deadline, attempt: number): Promise<void> {
  if (client.state === 'connected' || client.state === 'readOnly') {
    await pause(client, deadline, Math.min(retryBackoffMsMax, 10 * 2 ** Math.min(attempt, 10)));
  } else {
    await connected(client, deadline);
  }
}

/**
 * A one-shot wake-up for a watch: pass `listener` as the watch, then `wait()` until it fired
 * (at once if it already did). One Wakeup serves one wait.
 */
export class Wakeup {
  private fired = false;
  private resolveWait: (() => void) | undefined;
  /** The event that woke it, for callers that care which. */
  event: WatchEvent | undefined;

  readonly listener: WatchListener = (event) => {
    this.event = event;
    this.fire();
  };

  /** Wakes the waiter without a watch event (a local change, e.g. close()). */
  fire(): void {
    this.fired = true;
    this.resolveWait?.();
  }

  get hasFired(): boolean {
    return this.fired;
  }

  wait(client: ZooKeeperClient, deadline: Deadline): Promise<void> {
    if (this.fired) return Promise.resolve();
    return bounded(client, deadline, new Promise<void>((resolve) => { this.resolveWait = resolve; }));
  }

  /** wait(), removing this wakeup's watch on `path` when the wait fails, so it does not linger. */
  async waitOrForget(client: ZooKeeperClient, deadline: Deadline, path: string, type: 'data' | 'children'): Promise<void> {
    try {
      await this.wait(client, deadline);
    } catch (error) {
      forgetWatch(client, path, type, this.listener);
      throw error;
    }
  }
}

/** Forgets a watch listener that will not be waited for any more (best effort). */
export function forgetWatch(client: ZooKeeperClient, path: string, type: 'data' | 'children', listener: WatchListener): void {
  client.removeWatches(path, type, { listener }).catch(() => undefined);
}

/**
 * Sets an exists watch on `path` and waits until it fires (the node changed or went): true then;
 * false at once when there is no such node (the exists watch on the missing node is dropped).
 */
export async function awaitNodeChange(client: ZooKeeperClient, path: string, deadline: Deadline): Promise<boolean> {
  const wakeup = new Wakeup();
  const stat = await persistently(client, deadline, () => client.exists(path, { watch: wakeup.listener }));
  if (stat === null) {
    forgetWatch(client, path, 'data', wakeup.listener);
    return false;
  }
  await wakeup.waitOrForget(client, deadline, path, 'data');
  return true;
}
