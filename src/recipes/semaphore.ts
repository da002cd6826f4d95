/**
 * Counting semaphore with leases (Curator's InterProcessSemaphoreV2 behaviour, as documented):
 * at most `maxLeases` leases are out at once across all sessions. A lease is an ephemeral
 * sequential node under `<path>/leases`, so a lease of a crashed holder returns when its session
 * expires.
 *
 * To acquire, a participant first takes an internal exclusive lock (`<path>/locks`), creates its
 * lease node, and while the leases number more than `maxLeases` waits for a change of the lease
 * list; then it releases the internal lock. Only the internal lock's holder ever waits on the
 * lease list, so a lease release notifies one waiter, and everyone else waits in the lock's
 * queue, which is herd-free too — no release wakes all waiters.
 *
 * Every participant must use the same `maxLeases` for a path (it is not stored). Connection
 * events: a Lease is uncertain while 'suspended' and gone on 'lost' (`lease.isValid` false),
 * like a lock; acquire() fails with the client's error when the session ends.
 *
 * Not here: the lock (lock.ts). Invariant: a Lease's node is deleted at most once, by release()
 * or with the session.
 */
import { EventEmitter } from 'node:events';
import { NoNodeError, type Data, type ZooKeeperClient } from '../client/index.js';
import { NodeVanishedError, NotHeldError } from './core/errors.js';
import { childPath, nameOf } from './core/names.js';
import { leaseGranted } from './core/turns.js';
import { Lock } from './lock.js';
import { SessionWatch, type ConnectionEvents } from './session-events.js';
import { Deadline, forgetWatch, persistently, Wakeup, type WaitOptions } from './waiting.js';
import { createProtected, deleteOwnChildren, deleteQuietly, newGuid } from './zk-ops.js';

export interface SemaphoreOptions {
  /** Stored in each lease node. */
  readonly data?: Data;
}

/** One lease of a Semaphore; give it back with `release()`. */
export class Lease {
  private released = false;
  private lost = false;

  /** @internal Made by Semaphore.acquire(). */
  constructor(private readonly semaphore: Semaphore, readonly path: string) {}

  /** False once released, or once the session ended. */
  get isValid(): boolean {
    return !this.released && !this.lost;
  }

  /** @internal */
  markLost(): void {
    this.lost = true;
  }

  /** Gives the lease back. NotHeldError if it was released already; after a loss it just resolves. */
  async release(): Promise<void> {
    if (this.released) throw new NotHeldError(`lease ${this.path} was released already`);
    this.released = true;
    await this.semaphore.returnLease(this);
  }
}

export class Semaphore extends EventEmitter<ConnectionEvents> {
  private readonly lock: Lock;
  private readonly leasesPath: string;
  private readonly held = new Set<Lease>();
  private session: SessionWatch | undefined;

  constructor(readonly client: ZooKeeperClient, readonly path: string, readonly maxLeases: number, private readonly options: SemaphoreOptions = {}) {
    super();
    if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError(`maxLeases must be a positive integer, got ${maxLeases}`);
    this.lock = new Lock(client, childPath(path, 'locks'), { reentrant: false });
    this.leasesPath = childPath(path, 'leases');
  }

  /** The leases this instance holds. */
  get leases(): readonly Lease[] {
    return [...this.held];
  }

  /**
   * Waits for a lease. Rejects with RecipeTimeoutError after `timeoutMs`, AbortError on abort
   * (nothing is left behind), or the client's error when the session ends.
   */
  async acquire(options: WaitOptions = {}): Promise<Lease> {
    const deadline = new Deadline(options, `lease of ${this.path}`);
    await this.lock.acquire(options);
    const guid = newGuid();
    let leasePath: string | undefined;
    try {
      leasePath = await createProtected(this.client, this.leasesPath, 'lease-', this.options.data, 'ephemeralSequential', deadline, guid);
      await this.awaitLease(leasePath, deadline);
    } catch (error) {
      if (leasePath !== undefined) deleteQuietly(this.client, leasePath).catch(() => undefined);
      else deleteOwnChildren(this.client, this.leasesPath, guid).catch(() => undefined);
      throw error;
    } finally {
      await this.lock.release().catch(() => undefined);
    }
    const lease = new Lease(this, leasePath);
    this.held.add(lease);
    this.watchSession();
    return lease;
  }

  /** How many leases are out now (any instance's, including waiting ones being decided). */
  async leaseCount(options: WaitOptions = {}): Promise<number> {
    try {
      return (await persistently(this.client, new Deadline(options, `leases of ${this.path}`), () => this.client.getChildren(this.leasesPath))).length;
    } catch (error) {
      if (error instanceof NoNodeError) return 0;
      throw error;
    }
  }

  /** @internal Lease.release() */
  async returnLease(lease: Lease): Promise<void> {
    const wasHeld = this.held.delete(lease); // not held any more after a loss: gone with the session
    if (this.held.size === 0) this.unwatchSession();
    if (wasHeld) await deleteQuietly(this.client, lease.path);
  }

  private async awaitLease(leasePath: string, deadline: Deadline): Promise<void> {
    for (;;) {
      deadline.check();
      const wakeup = new Wakeup();
      const leases = await persistently(this.client, deadline, () => this.client.getChildren(this.leasesPath, { watch: wakeup.listener }));
      if (!leases.includes(nameOf(leasePath))) {
        forgetWatch(this.client, this.leasesPath, 'children', wakeup.listener);
        throw new NodeVanishedError(leasePath);
      }
      if (leaseGranted(leases.length, this.maxLeases)) {
        forgetWatch(this.client, this.leasesPath, 'children', wakeup.listener);
        return;
      }
      await wakeup.waitOrForget(this.client, deadline, this.leasesPath, 'children');
    }
  }

  private watchSession(): void {
    this.session ??= new SessionWatch(this.client, {
      suspended: () => this.emit('suspended'),
      reconnected: () => this.emit('reconnected'),
      lost: (cause) => {
        this.session = undefined;
        for (const lease of this.held) lease.markLost();
        this.held.clear();
        this.emit('lost', cause);
      },
    });
  }

  private unwatchSession(): void {
    this.session?.stop();
    this.session = undefined;
  }
}
