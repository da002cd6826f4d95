/**
 * Whose turn it is, PURE: given the sorted children of a lock, election or barrier node and the
 * caller's own child, decide whether the caller holds it and, if not, which ONE node to watch.
 * These are the decisions of ZooKeeper's "Recipes and Solutions" (Locks, Shared Locks, Leader
 * Election, Double Barriers), separated from the I/O so they can be property-tested directly.
 *
 * Watching exactly one node — the predecessor that must go before the caller's turn can come —
 * is what avoids the herd effect: a release wakes one waiter, not all of them. A waiter that
 * finds its watched node already gone re-reads the children (the caller's loop does), so a
 * release between the read and the watch is never missed.
 *
 * Not here: creating, listing or watching nodes (contender.ts does that with these answers).
 * Invariant of every decision: the node to watch sorts before the caller's own node (or, for the
 * double barrier's lowest member, is another member), so waiting on it cannot deadlock on itself.
 */
import type { SequentialNode } from './names.js';

export type Turn =
  /** The caller holds the lock / leads. */
  | { readonly kind: 'held' }
  /** Not yet: watch this child (a name from the list) and decide again when it changes. */
  | { readonly kind: 'wait'; readonly watch: string }
  /** The caller's node is not among the children (deleted, or its session ended). */
  | { readonly kind: 'missing' };

function indexOf(sorted: readonly SequentialNode[], own: string): number {
  return sorted.findIndex((node) => node.name === own);
}

/**
 * Exclusive lock and leader election: the smallest sequence holds; any other node watches its
 * immediate predecessor.
 */
export function exclusiveTurn(sorted: readonly SequentialNode[], own: string): Turn {
  const index = indexOf(sorted, own);
  if (index < 0) return { kind: 'missing' };
  if (index === 0) return { kind: 'held' };
  return { kind: 'wait', watch: sorted[index - 1]!.name };
}

/**
 * Shared (read) lock: held when no write node sorts before the caller's; otherwise watch the
 * closest such write node. Write nodes for which `isOwn` is true belong to the caller's own
 * read-write lock instance: holding the write lock lets the same instance take the read lock
 * (a downgrade), so they do not block it.
 */
export function readTurn(sorted: readonly SequentialNode[], own: string, writeBase: string, isOwn: (name: string) => boolean): Turn {
  const index = indexOf(sorted, own);
  if (index < 0) return { kind: 'missing' };
  for (let i = index - 1; i >= 0; i--) {
    const node = sorted[i]!;
    if (node.base === writeBase && !isOwn(node.name)) return { kind: 'wait', watch: node.name };
  }
  return { kind: 'held' };
}

/** Semaphore: a lease is granted while the leases, the caller's included, number at most `maxLeases`. */
export function leaseGranted(leaseCount: number, maxLeases: number): boolean {
  return leaseCount <= maxLeases;
}

export type LeaveStep =
  /** Nobody is left: the barrier is open. */
  | { readonly kind: 'done' }
  /** The caller is the last member: delete its node, then the barrier is open. */
  | { readonly kind: 'deleteOwnAndDone' }
  /** Wait until `watch` is gone; delete the caller's node first when `deleteOwn`. */
  | { readonly kind: 'wait'; readonly watch: string; readonly deleteOwn: boolean };

/**
 * One step of leaving a double barrier (ZooKeeper's recipe): with the members sorted, the lowest
 * waits for the highest to go, and every other member deletes its node and waits for the lowest.
 * Each waiter watches one node, and the lowest deletes its node last, so nobody leaves before
 * everybody has at least started leaving.
 */
export function leaveStep(sortedMembers: readonly string[], own: string): LeaveStep {
  if (sortedMembers.length === 0) return { kind: 'done' };
  const index = sortedMembers.indexOf(own);
  if (sortedMembers.length === 1 && index === 0) return { kind: 'deleteOwnAndDone' };
  if (index === 0) return { kind: 'wait', watch: sortedMembers[sortedMembers.length - 1]!, deleteOwn: false };
  return { kind: 'wait', watch: sortedMembers[0]!, deleteOwn: index > 0 };
}
