/**
 * One participant's place in a queue of ephemeral sequential nodes — the shared machinery of
 * the exclusive lock, the read and write locks, the semaphore's internal lock and leader
 * election (ZooKeeper's "Locks" and "Leader Election" recipes):
 *
 *   join:      create `<base>/_c_<guid>-<name><seq>` (ephemeral, sequential, protected, so a lost
 *              create reply finds the node again instead of queueing twice);
 *   awaitTurn: list the children, ask the turn function (core/turns.ts) whether the node holds;
 *              if not, set an exists watch on the ONE node it names and wait for that watch;
 *              the node being gone already means "decide again" — so no wake-up is lost and no
 *              release wakes more than the one waiter behind it (no herd effect);
 *   leave:     delete the node (or, when its create's outcome is unknown, whatever node exists
 *              under its GUID).
 *
 * ConnectionLoss while waiting is not an error: the calls are idempotent reads and are re-run
 * after the reconnect, and the client re-registers the watch (SetWatches reports a deletion
 * missed meanwhile). The session ending is: every wait then fails with the client's error.
 *
 * Not here: what holding means (lock.ts, leader-election.ts...). Invariants: at most one node
 * per Contender; a watch this contender set is removed again when its wait is abandoned.
 */
import type { Data, ZooKeeperClient } from '../client/index.js';
import { NoNodeError, type CreateModeName } from '../client/index.js';
import { assertNever } from '../util/assert.js';
import { NodeVanishedError } from './core/errors.js';
import { childPath, nameOf, sortSequential, type SequentialNode } from './core/names.js';
import type { Turn } from './core/turns.js';
import { awaitNodeChange, Deadline, persistently } from './waiting.js';
import { createProtected, deleteOwnChildren, deleteQuietly, newGuid } from './zk-ops.js';

export type TurnFunction = (sorted: readonly SequentialNode[], own: string) => Turn;

export interface ContenderSpec {
  readonly basePath: string;
  /** The node's base name ('lock-', 'read-', 'write-', 'n_'). */
  readonly name: string;
  /** Which bases take part in the order (all others under basePath are ignored). */
  readonly bases: readonly string[];
  readonly turn: TurnFunction;
  readonly data?: Data;
  readonly mode?: CreateModeName;
}

/** The sequential children of `basePath` with one of `bases`, in queue order ([] without the node). */
export async function listParticipants(client: ZooKeeperClient, basePath: string, bases: readonly string[], deadline: Deadline): Promise<SequentialNode[]> {
  try {
    return sortSequential(await persistently(client, deadline, () => client.getChildren(basePath)), bases);
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}

/** The data of the first participant (the holder or leader), skipping ones deleted meanwhile. */
export async function firstParticipant(client: ZooKeeperClient, basePath: string, bases: readonly string[], deadline: Deadline): Promise<{ node: string; data: Buffer } | undefined> {
  for (const node of await listParticipants(client, basePath, bases, deadline)) {
    try {
      const { data } = await persistently(client, deadline, () => client.getData(childPath(basePath, node.name)));
      return { node: node.name, data };
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  }
  return undefined;
}

export class Contender {
  readonly guid = newGuid();
  private nodePath: string | undefined;
  private joining: Promise<string> | undefined;
  private left = false;
  /** A create was sent: a node may exist under the GUID even if no reply said so. */
  private createSent = false;

  constructor(private readonly client: ZooKeeperClient, readonly spec: ContenderSpec) {}

  /** The node's path, once created. */
  get path(): string | undefined {
    return this.nodePath;
  }

  /** Creates the node (once; later calls return the same path). */
  join(deadline: Deadline): Promise<string> {
    if (this.left) return Promise.reject(new Error('join after leave'));
    this.createSent = true;
    this.joining ??= createProtected(this.client, this.spec.basePath, this.spec.name, this.spec.data, this.spec.mode ?? 'ephemeralSequential', deadline, this.guid)
      .then((path) => { this.nodePath = path; return path; });
    this.joining.catch(() => { this.joining = undefined; });
    return this.joining;
  }

  /** The sorted participants now (this contender's node among them, if it exists). */
  participants(deadline: Deadline): Promise<SequentialNode[]> {
    return listParticipants(this.client, this.spec.basePath, this.spec.bases, deadline);
  }

  /**
   * Resolves when the turn function says this node holds; fails with NodeVanishedError if the
   * node is gone, or with the deadline's or the session's error.
   */
  async awaitTurn(deadline: Deadline): Promise<void> {
    const own = this.nodePath;
    if (own === undefined) throw new Error('awaitTurn before join');
    for (;;) {
      deadline.check();
      const turn = this.spec.turn(await this.participants(deadline), nameOf(own));
      switch (turn.kind) {
        case 'held':
          return;
        case 'missing':
          throw new NodeVanishedError(own);
        case 'wait':
          // Either way, decide again: the watched node changed or went, or was gone already.
          await awaitNodeChange(this.client, childPath(this.spec.basePath, turn.watch), deadline);
          break;
        default:
          assertNever(turn);
      }
    }
  }

  /**
   * Deletes the node. Idempotent; resolves once it is gone (with the session, if that ended).
   * When the create's outcome was never learned, deletes whatever exists under the GUID.
   */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    await this.joining?.catch(() => undefined);
    if (this.nodePath !== undefined) await deleteQuietly(this.client, this.nodePath);
    else if (this.createSent) await deleteOwnChildren(this.client, this.spec.basePath, this.guid);
  }
}
