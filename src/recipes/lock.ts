/**
 * Exclusive lock (ZooKeeper's "Locks" recipe; Curator's InterProcessMutex behaviour): each
 * acquire creates an ephemeral sequential node under the lock path, the smallest holds, and every
 * waiter watches only its predecessor (contender.ts), so a release wakes one waiter.
 *
 * Re-entrant by default: an acquire() while this instance holds the lock succeeds at once and
 * needs one more release(). With `reentrant: false` every acquire() queues a node of its own, so
 * a second acquire() on the same instance waits for the first to be released.
 *
 * Connection events, while the lock is held:
 * - 'suspended': the connection dropped. The node — and so the lock — survives if the session
 *   does, but it may expire before the client hears again, and then another session gets the
 *   lock. `isHeld` is false and `state` is 'suspended': work that must never overlap another
 *   holder's must pause here.
 * - 'reconnected': same session, and the node was checked to be still there: held again.
 * - 'lost': the session ended (or the node was deleted by someone else): the lock is gone for
 *   good; release() then just resolves.
 * An acquire() resolves only while connected, after its node was seen to be first.
 *
 * Not here: the queue mechanics (contender.ts). Invariant: at most one held node per instance.
 */
import { EventEmitter } from 'node:events';
import type { Data, ZooKeeperClient, ZooKeeperError } from '../client/index.js';
import { NotHeldError } from './core/errors.js';
import { exclusiveTurn } from './core/turns.js';
import { Contender, firstParticipant, type TurnFunction } from './contender.js';
import { SessionWatch, type ConnectionEvents } from './session-events.js';
import { connected, Deadline, persistently, type WaitOptions } from './waiting.js';

export type LockState = 'released' | 'held' | 'suspended' | 'lost';

export interface LockOptions {
  /** Default true: acquire() while holding counts up instead of waiting. */
  readonly reentrant?: boolean;
  /** Stored in the lock node, so `holder()` and zkCli show who holds it. */
  readonly data?: Data;
  /** Node base name (default 'lock-'). */
  readonly nodeName?: string;
}

export type AcquireOptions = WaitOptions;

const lockBase = 'lock-';

/** What distinguishes the queue locks (exclusive, read, write) from each other. */
export interface QueueLockSpec {
  /** Base name of this lock's nodes. */
  readonly nodeName: string;
  /** The node bases that form the queue (a read-write lock's halves share one queue). */
  readonly bases: readonly string[];
  readonly turn: TurnFunction;
  readonly reentrant: boolean;
  readonly data?: Data;
  /** Throws when this acquire must not even queue (a read-write lock's upgrade). */
  readonly beforeAcquire?: () => void;
}

/**
 * A lock held through one node in a queue of ephemeral sequential nodes: the base of Lock, and
 * the type of ReadWriteLock's `readLock` and `writeLock`.
 */
export class QueueLock extends EventEmitter<ConnectionEvents> {
  private held: Contender | undefined;
  private holdCount = 0;
  private stateValue: LockState = 'released';
  private session: SessionWatch | undefined;
  private readonly pending = new Set<Contender>();
  private readonly reentrant: boolean;

  constructor(readonly client: ZooKeeperClient, readonly path: string, private readonly spec: QueueLockSpec) {
    super();
    this.reentrant = spec.reentrant;
  }

  /** 'held' only while connected; 'suspended' while held but disconnected. */
  get state(): LockState {
    return this.stateValue;
  }

  /** True when the lock is held and the connection is up (safe to act as the holder). */
  get isHeld(): boolean {
    return this.stateValue === 'held';
  }

  /** How many releases it takes to let go (re-entrant acquisitions count). */
  get holds(): number {
    return this.held === undefined ? 0 : this.holdCount;
  }

  /** The path of the node that holds the lock for this instance. */
  get nodePath(): string | undefined {
    return this.held?.path;
  }

  /**
   * Waits until this instance holds the lock. Rejects with RecipeTimeoutError after
   * `timeoutMs`, AbortError when `signal` aborts (its node is then removed), or the client's
   * error when the session ends.
   */
  async acquire(options: AcquireOptions = {}): Promise<void> {
    const deadline = new Deadline(options, `acquire ${this.path}`);
    deadline.check();
    if (this.reentrant && this.held !== undefined && this.stateValue !== 'lost') {
      this.holdCount++;
      return;
    }
    this.spec.beforeAcquire?.();
    const { nodeName, bases, turn, data } = this.spec;
    const contender = new Contender(this.client, { basePath: this.path, name: nodeName, bases, turn, data });
    this.pending.add(contender);
    this.watchSession();
    try {
      await contender.join(deadline);
      await this.turnWhileConnected(contender, deadline);
    } catch (error) {
      this.pending.delete(contender);
      contender.leave().catch(() => undefined);
      this.unwatchIfIdle();
      throw error;
    }
    this.pending.delete(contender);
    this.held = contender;
    this.holdCount = 1;
    this.stateValue = 'held';
  }

  /** awaitTurn, repeated after a reconnect if the connection dropped just as the turn came. */
  private async turnWhileConnected(contender: Contender, deadline: Deadline): Promise<void> {
    for (;;) {
      await contender.awaitTurn(deadline);
      if (this.client.state === 'connected') return;
      await connected(this.client, deadline);
    }
  }

  /**
   * Releases one hold; the last one deletes the node. Rejects with NotHeldError when nothing is
   * held; after 'lost' it just resolves (the lock went with the session).
   */
  async release(): Promise<void> {
    const contender = this.held;
    if (contender === undefined) {
      if (this.stateValue === 'lost') {
        this.stateValue = 'released';
        return;
      }
      throw new NotHeldError(`${this.path} is not held by this instance`);
    }
    if (this.reentrant && --this.holdCount > 0) return;
    this.held = undefined;
    this.holdCount = 0;
    this.stateValue = 'released';
    this.unwatchIfIdle();
    await contender.leave();
  }

  /** The first node of the queue (any instance's: the holder) and its data, or undefined when free. */
  holder(options: WaitOptions = {}): Promise<{ node: string; data: Buffer } | undefined> {
    return firstParticipant(this.client, this.path, this.spec.bases, new Deadline(options, `holder of ${this.path}`));
  }

  /** True while an acquire() of this instance waits. */
  get isAcquiring(): boolean {
    return this.pending.size > 0;
  }

  private watchSession(): void {
    this.session ??= new SessionWatch(this.client, {
      suspended: () => {
        if (this.held === undefined) return;
        this.stateValue = 'suspended';
        this.emit('suspended');
      },
      reconnected: () => {
        const contender = this.held;
        if (contender?.path === undefined) return;
        // Held again only if the node is still there (the session survived, but an operator
        // may have deleted the node meanwhile).
        persistently(this.client, Deadline.none('lock check'), () => this.client.exists(contender.path!)).then((stat) => {
          if (this.held !== contender) return;
          if (stat !== null && this.stateValue === 'suspended') {
            this.stateValue = 'held';
            this.emit('reconnected');
          } else if (stat === null) {
            this.loseHold(undefined);
          }
        }, (error: unknown) => {
          if (this.held === contender) this.loseHold(error as ZooKeeperError);
        });
      },
      lost: (cause) => {
        this.session = undefined;
        if (this.held !== undefined) this.loseHold(cause);
      },
    });
  }

  private loseHold(cause: ZooKeeperError | undefined): void {
    const contender = this.held;
    this.held = undefined;
    this.holdCount = 0;
    this.stateValue = 'lost';
    contender?.leave().catch(() => undefined);
    this.emit('lost', cause);
    this.unwatchIfIdle();
  }

  private unwatchIfIdle(): void {
    if (this.held !== undefined || this.pending.size > 0) return;
    this.session?.stop();
    this.session = undefined;
  }
}

/** The exclusive lock: see the file header. `new Lock(client, '/locks/x')`. */
export class Lock extends QueueLock {
  constructor(client: ZooKeeperClient, path: string, options: LockOptions = {}) {
    const nodeName = options.nodeName ?? lockBase;
    super(client, path, { nodeName, bases: [nodeName], turn: exclusiveTurn, reentrant: options.reentrant ?? true, ...(options.data !== undefined ? { data: options.data } : {}) });
  }
}
