/**
 * Distributed atomic counter (Curator's DistributedAtomicLong behaviour, optimistic mode): the
 * value is the decimal text of the node `<path>`; a change reads the value and its version and
 * writes the new value only at that version (compare-and-set), retrying when another writer got
 * there first (BadVersion).
 *
 * A versioned write whose reply is lost cannot simply be retried: if it took effect, the retry
 * answers BadVersion and a naive counter would read its own write and add again. So every write
 * goes in a multi with an ephemeral receipt (zk-ops.ts `commitWithReceipt`), and after a lost
 * reply the receipt says whether it happened: a connection loss never counts twice or loses a
 * change. If the session ends with a write in flight, the call fails with SessionExpiredError
 * and the write may or may not have happened (ZooKeeper cannot tell anyone any more).
 *
 * Not here: locking (none is needed). Invariant: every resolved add() changed the value by
 * exactly its delta, once. Values are JavaScript safe integers.
 */
import { BadVersionError, NodeExistsError, NoNodeError, type ZooKeeperClient } from '../client/index.js';
import { assertNever } from '../util/assert.js';
import { ContentionError, CorruptDataError } from './core/errors.js';
import { Deadline, pause, persistently, type WaitOptions } from './waiting.js';
import { commitWithReceipt, createWithParents } from './zk-ops.js';

/** Compare-and-set rounds before giving up under extreme contention (each loses to a writer that won). */
export const counterAttemptsMax = 10_000;
const utf8 = new TextDecoder();

export class Counter {
  constructor(readonly client: ZooKeeperClient, readonly path: string) {}

  /** The current value (0 when the counter was never written). */
  async get(options: WaitOptions = {}): Promise<number> {
    return (await this.read(new Deadline(options, `get ${this.path}`))).value;
  }

  /** Adds `delta` atomically; resolves with the new value. */
  async add(delta: number, options: WaitOptions = {}): Promise<number> {
    if (!Number.isSafeInteger(delta)) throw new RangeError(`delta must be a safe integer, got ${delta}`);
    const deadline = new Deadline(options, `add to ${this.path}`);
    for (let attempt = 1; attempt <= counterAttemptsMax; attempt++) {
      const { value, version } = await this.read(deadline);
      const next = value + delta;
      if (!Number.isSafeInteger(next)) throw new RangeError(`${this.path}: ${value} + ${delta} is not a safe integer`);
      if (await this.write(next, version, deadline)) return next;
      await pause(this.client, deadline, Math.min(50, attempt)); // lost to another writer: back off a little
    }
    throw new ContentionError(`${this.path}: no compare-and-set succeeded in ${counterAttemptsMax} attempts`);
  }

  increment(options: WaitOptions = {}): Promise<number> {
    return this.add(1, options);
  }

  decrement(options: WaitOptions = {}): Promise<number> {
    return this.add(-1, options);
  }

  /** Sets `value` if the counter holds `expected`; false (and no change) when it does not. */
  async compareAndSet(expected: number, value: number, options: WaitOptions = {}): Promise<boolean> {
    if (!Number.isSafeInteger(value)) throw new RangeError(`value must be a safe integer, got ${value}`);
    const deadline = new Deadline(options, `compareAndSet ${this.path}`);
    for (let attempt = 1; attempt <= counterAttemptsMax; attempt++) {
      const current = await this.read(deadline);
      if (current.value !== expected) return false;
      if (await this.write(value, current.version, deadline)) return true;
      // Another writer changed it; it may have written `expected` again, so look once more.
    }
    throw new ContentionError(`${this.path}: no compare-and-set succeeded in ${counterAttemptsMax} attempts`);
  }

  /** The value and the version it was read at; creates the node (at 0) if it is missing. */
  private async read(deadline: Deadline): Promise<{ value: number; version: number }> {
    for (;;) {
      try {
        const { data, stat } = await persistently(this.client, deadline, () => this.client.getData(this.path));
        const text = utf8.decode(data);
        const value = text === '' ? 0 : Number(text);
        if (!Number.isSafeInteger(value) || !/^-?\d*$/.test(text)) throw new CorruptDataError(this.path, `'${text}' is not an integer`);
        return { value, version: stat.version };
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
      try {
        await persistently(this.client, deadline, () => createWithParents(this.client, this.path, '0', 'persistent', deadline));
      } catch (error) {
        if (!(error instanceof NodeExistsError)) throw error;
      }
    }
  }

  /** One compare-and-set write: true when it took effect, false when it did not (read again). */
  private async write(value: number, version: number, deadline: Deadline): Promise<boolean> {
    const outcome = await commitWithReceipt(this.client, [{ type: 'setData', path: this.path, data: String(value), version }], this.path, deadline);
    switch (outcome.kind) {
      case 'committed': return true;
      case 'notApplied': return false; // read and try again
      case 'failed':
        if (outcome.error instanceof BadVersionError) return false;
        throw outcome.error;
      default: return assertNever(outcome);
    }
  }
}
