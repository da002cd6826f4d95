/**
 * Barrier (ZooKeeper's "Barriers" recipe; Curator's DistributedBarrier): the barrier is up while
 * the node `<path>` exists. Whoever holds others back creates it with `set()`; waiters block in
 * `wait()` until it is deleted with `remove()`. A waiter sets an exists watch and checks in one
 * call, so a removal between the check and the watch cannot be missed.
 *
 * The node is persistent: the barrier stays up if its setter dies (remove it by hand, or use a
 * DoubleBarrier, whose members are ephemeral). Connection events are not reported: a waiter
 * keeps waiting across a connection loss (the client re-registers its watch) and fails with the
 * client's error when its session ends.
 *
 * Not here: counting members (double-barrier.ts).
 */
import { NoNodeError, type ZooKeeperClient } from '../client/index.js';
import { awaitNodeChange, Deadline, persistently, type WaitOptions } from './waiting.js';
import { ensurePath } from './zk-ops.js';

export class Barrier {
  constructor(readonly client: ZooKeeperClient, readonly path: string) {}

  /** Raises the barrier (idempotent). */
  async set(options: WaitOptions = {}): Promise<void> {
    await ensurePath(this.client, this.path, new Deadline(options, `set barrier ${this.path}`));
  }

  /** Lowers the barrier: every waiter proceeds (idempotent). */
  async remove(options: WaitOptions = {}): Promise<void> {
    try {
      await persistently(this.client, new Deadline(options, `remove barrier ${this.path}`), () => this.client.delete(this.path));
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  }

  /** True while the barrier is up. */
  async isSet(options: WaitOptions = {}): Promise<boolean> {
    return (await persistently(this.client, new Deadline(options, `barrier ${this.path}`), () => this.client.exists(this.path))) !== null;
  }

  /** Resolves once the barrier is down (at once if it is not up). */
  async wait(options: WaitOptions = {}): Promise<void> {
    const deadline = new Deadline(options, `wait on barrier ${this.path}`);
    while (await awaitNodeChange(this.client, this.path, deadline)) deadline.check();
  }
}
