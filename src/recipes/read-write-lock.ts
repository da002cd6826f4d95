/**
 * Shared (read-write) lock (ZooKeeper's "Shared Locks" recipe; Curator's
 * InterProcessReadWriteLock behaviour): readers and writers queue in ONE sequence of ephemeral
 * nodes under the lock path, `read-<seq>` and `write-<seq>`.
 * - A writer holds when its node is first; it watches its immediate predecessor (of any kind).
 * - A reader holds when no write node sorts before it; it watches the closest write node before
 *   it. Readers therefore share the lock, and a writer waiting behind readers keeps later readers
 *   out (no writer starvation).
 * Both halves are re-entrant. The instance holding the write lock may also take the read lock
 * (a downgrade: release the write lock afterwards and keep reading); taking the write lock while
 * holding or waiting for the read lock would wait on itself forever, so it fails at once with
 * LockUpgradeError.
 *
 * Connection events and states are the exclusive Lock's (lock.ts), per half. Not here: the
 * queue mechanics (contender.ts). Invariant: only the held write node of this instance is
 * treated as its own by the read half.
 */
import type { Data, ZooKeeperClient } from '../client/index.js';
import { LockUpgradeError } from './core/errors.js';
import { nameOf } from './core/names.js';
import { exclusiveTurn, readTurn } from './core/turns.js';
import { QueueLock } from './lock.js';

export interface ReadWriteLockOptions {
  /** Stored in both halves' nodes. */
  readonly data?: Data;
}

const readBase = 'read-';
const writeBase = 'write-';

export class ReadWriteLock {
  /** Shared: any number of holders while no writer holds or waits ahead of them. */
  readonly readLock: QueueLock;
  /** Exclusive: one holder, and no readers. */
  readonly writeLock: QueueLock;

  constructor(readonly client: ZooKeeperClient, readonly path: string, options: ReadWriteLockOptions = {}) {
    const bases = [readBase, writeBase];
    const data = options.data !== undefined ? { data: options.data } : {};
    const writeLock: QueueLock = new QueueLock(client, path, {
      nodeName: writeBase, bases, turn: exclusiveTurn, reentrant: true, ...data,
      beforeAcquire: () => {
        if (this.readLock.holds > 0 || this.readLock.isAcquiring) throw new LockUpgradeError();
      },
    });
    this.writeLock = writeLock;
    this.readLock = new QueueLock(client, path, {
      nodeName: readBase, bases, reentrant: true, ...data,
      turn: (sorted, own) => readTurn(sorted, own, writeBase, (name) => writeLock.nodePath !== undefined && nameOf(writeLock.nodePath) === name),
    });
  }
}
