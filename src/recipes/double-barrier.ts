/**
 * Double barrier (ZooKeeper's "Double Barriers" recipe; Curator's DistributedDoubleBarrier):
 * `memberCount` participants `enter()` and start a computation together once all are in, and
 * `leave()` it together once all are done.
 *
 * Enter: watch `<path>/ready`, create the ephemeral member node `<path>/members/<id>`, count the
 * members; the one that makes the count complete creates `ready`, which wakes the others. The
 * watch is set before the node is created, so the creation of `ready` cannot be missed.
 * Leave (core/turns.ts `leaveStep`): with the members sorted, the lowest waits for the highest
 * to go and everyone else deletes its node and waits for the lowest; the last one out also
 * deletes `ready`. Each waiter watches one node.
 *
 * Members are ephemeral, so a crashed member stops blocking `leave()` once its session expires
 * (but an `enter()` still needs `memberCount` live members). A path serves one round at a time:
 * a new round may start once every member of the previous one has left. Waiting members keep
 * waiting across a connection loss and fail with the client's error when the session ends.
 *
 * Not here: the leave decision (core/turns.ts).
 */
import { NodeExistsError, NoNodeError, type Data, type ZooKeeperClient } from '../client/index.js';
import { childPath } from './core/names.js';
import { checkComponent } from './core/service-instance.js';
import { leaveStep } from './core/turns.js';
import { assertNever } from '../util/assert.js';
import { awaitNodeChange, Deadline, forgetWatch, persistently, Wakeup, type WaitOptions } from './waiting.js';
import { createOwnedEphemeral, createWithParents, deleteQuietly, ensurePath, newGuid } from './zk-ops.js';

export interface DoubleBarrierOptions {
  /** This member's id (default: a fresh GUID); one path component. */
  readonly id?: string;
  /** Stored in the member node. */
  readonly data?: Data;
}

export class DoubleBarrier {
  readonly id: string;
  private readonly membersPath: string;
  private readonly readyPath: string;

  constructor(readonly client: ZooKeeperClient, readonly path: string, readonly memberCount: number, private readonly options: DoubleBarrierOptions = {}) {
    if (!Number.isInteger(memberCount) || memberCount < 1) throw new RangeError(`memberCount must be a positive integer, got ${memberCount}`);
    this.id = checkComponent('member id', options.id ?? newGuid());
    this.membersPath = childPath(path, 'members');
    this.readyPath = childPath(path, 'ready');
  }

  private get ownPath(): string {
    return childPath(this.membersPath, this.id);
  }

  /** Resolves once `memberCount` members have entered. On failure this member's node is removed. */
  async enter(options: WaitOptions = {}): Promise<void> {
    const deadline = new Deadline(options, `enter ${this.path}`);
    await ensurePath(this.client, this.membersPath, deadline);
    const ready = new Wakeup();
    try {
      const readyStat = await persistently(this.client, deadline, () => this.client.exists(this.readyPath, { watch: ready.listener }));
      await createOwnedEphemeral(this.client, this.ownPath, this.options.data, deadline);
      if (readyStat !== null) return; // the barrier is open already
      const members = await persistently(this.client, deadline, () => this.client.getChildren(this.membersPath));
      if (members.length >= this.memberCount) {
        try {
          await persistently(this.client, deadline, () => createWithParents(this.client, this.readyPath, null, 'persistent', deadline));
        } catch (error) {
          if (!(error instanceof NodeExistsError)) throw error;
        }
        return;
      }
      await ready.wait(this.client, deadline);
    } catch (error) {
      deleteQuietly(this.client, this.ownPath).catch(() => undefined);
      throw error;
    } finally {
      if (!ready.hasFired) forgetWatch(this.client, this.readyPath, 'data', ready.listener);
    }
  }

  /** Resolves once every member has left (this one's node is gone then). */
  async leave(options: WaitOptions = {}): Promise<void> {
    const deadline = new Deadline(options, `leave ${this.path}`);
    for (;;) {
      deadline.check();
      let members: string[];
      try {
        members = (await persistently(this.client, deadline, () => this.client.getChildren(this.membersPath))).sort();
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        members = [];
      }
      const step = leaveStep(members, this.id);
      switch (step.kind) {
        case 'done':
          return;
        case 'deleteOwnAndDone':
          await deleteQuietly(this.client, this.ownPath, deadline);
          try {
            await persistently(this.client, deadline, () => this.client.delete(this.readyPath));
          } catch (error) {
            if (!(error instanceof NoNodeError)) throw error;
          }
          return;
        case 'wait':
          if (step.deleteOwn) await deleteQuietly(this.client, this.ownPath, deadline);
          await awaitNodeChange(this.client, childPath(this.membersPath, step.watch), deadline);
          break;
        default:
          assertNever(step);
      }
    }
  }
}
