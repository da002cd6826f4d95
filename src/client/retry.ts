/**
 * `retry(fn, { attempts, backoffMs })`: re-runs an operation that failed with a retryable error
 * (connection loss, request timeout, throttling — see isRetryable), with exponential backoff and
 * full jitter. Use it only for idempotent operations (reads, versioned writes, deletes that may
 * answer NoNode the second time): a connection loss says nothing about whether the first try
 * took effect. Non-retryable errors, and the last retryable one, are thrown as they are.
 */
import { isRetryable } from './core/errors.js';

export interface RetryOptions {
  /** Total tries, including the first. Default 3. */
  readonly attempts?: number;
  /** Backoff before the 2nd try; doubled for each further try. Default 100. */
  readonly backoffMs?: number;
  /** Upper bound of one backoff. Default 5 000. */
  readonly maxBackoffMs?: number;
  /** Which errors to retry. Default isRetryable. */
  readonly retryOn?: (error: unknown) => boolean;
  /** Stops waiting and throws the last error when aborted. */
  readonly signal?: AbortSignal;
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const retryOn = options.retryOn ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryOn(error) || options.signal?.aborted === true) throw error;
      const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
      await sleep(delay * (0.5 + Math.random() * 0.5), options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
