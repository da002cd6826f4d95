/**
 * zkts recipes, imported as `zkts/recipes`: the coordination patterns of ZooKeeper's "Recipes and
 * Solutions", built only on the public client API (`zkts/client`).
 *
 * @packageDocumentation
 */
export { Lock, QueueLock, type LockOptions, type LockState, type AcquireOptions } from './lock.js';
export { ReadWriteLock, type ReadWriteLockOptions } from './read-write-lock.js';
export { Semaphore, Lease, type SemaphoreOptions } from './semaphore.js';
export {
  LeaderElection, type LeaderElectionOptions, type LeaderElectionEvents, type ElectionState, type RevokeReason, type Participant,
} from './leader-election.js';
export type { ConnectionEvents } from './session-events.js';
export type { WaitOptions } from './waiting.js';
export * from './core/errors.js';
