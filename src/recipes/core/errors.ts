/**
 * The recipes' own typed errors (DESIGN.md §3.9): one class per outcome a caller branches on,
 * each with a stable string `code`. ZooKeeper failures are NOT wrapped: a recipe call that fails
 * because the session expired rejects with the client's SessionExpiredError itself, and one that
 * gives up while disconnected with ConnectionLossError, so `isRetryable` keeps working.
 *
 * Not here: anything that does I/O. Invariant: `new X().code` is the same for every instance of X.
 */

export type RecipeErrorCode =
  | 'RECIPE_TIMEOUT'
  | 'ABORT_ERR'
  | 'NOT_HELD'
  | 'NODE_VANISHED'
  | 'RECIPE_CLOSED'
  | 'NO_INSTANCE'
  | 'CORRUPT_DATA'
  | 'LOCK_UPGRADE'
  | 'CONTENTION';

export class RecipeError extends Error {
  override name = 'RecipeError';
  constructor(readonly code: RecipeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
  }
}

/** A bounded wait (acquire, take, enter, waitForLeadership...) ran out of `timeoutMs`. */
export class RecipeTimeoutError extends RecipeError {
  override name = 'RecipeTimeoutError';
  constructor(message = 'timed out', options?: { cause?: unknown }) {
    super('RECIPE_TIMEOUT', message, options);
  }
}

/**
 * The caller's AbortSignal fired. Named and coded like Node's own AbortError (`ABORT_ERR`), with
 * the signal's reason as `cause`.
 */
export class AbortError extends RecipeError {
  override name = 'AbortError';
  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super('ABORT_ERR', message, options);
  }
}

/** release() of something this instance does not hold (never acquired, or already released). */
export class NotHeldError extends RecipeError {
  override name = 'NotHeldError';
  constructor(message = 'not held by this instance') {
    super('NOT_HELD', message);
  }
}

/**
 * A node this instance created and still needed is gone although its session lives: someone
 * else deleted it (an operator, or a recipe misused on the same path).
 */
export class NodeVanishedError extends RecipeError {
  override name = 'NodeVanishedError';
  constructor(readonly nodePath: string) {
    super('NODE_VANISHED', `own node vanished: ${nodePath}`);
  }
}

/** The recipe object was closed before or while the call ran. */
export class RecipeClosedError extends RecipeError {
  override name = 'RecipeClosedError';
  constructor(message = 'recipe is closed') {
    super('RECIPE_CLOSED', message);
  }
}

/** Service discovery has no instance of the service to offer. */
export class NoInstanceError extends RecipeError {
  override name = 'NoInstanceError';
  constructor(readonly service: string) {
    super('NO_INSTANCE', `no instance of service '${service}'`);
  }
}

/** A node's data is not in the format the recipe writes (e.g. a counter that is not a number). */
export class CorruptDataError extends RecipeError {
  override name = 'CorruptDataError';
  constructor(readonly nodePath: string, detail: string, options?: { cause?: unknown }) {
    super('CORRUPT_DATA', `${nodePath}: ${detail}`, options);
  }
}

/**
 * A read-write lock's write lock was requested by an instance holding (or waiting for) the read
 * lock: the write node would wait behind the instance's own read node forever.
 */
export class LockUpgradeError extends RecipeError {
  override name = 'LockUpgradeError';
  constructor() {
    super('LOCK_UPGRADE', 'cannot acquire the write lock while holding the read lock (release the read lock first)');
  }
}

/** A compare-and-set loop lost to other writers more times than its limit allows. */
export class ContentionError extends RecipeError {
  override name = 'ContentionError';
  constructor(message: string) {
    super('CONTENTION', message);
  }
}
