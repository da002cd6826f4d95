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
export { ServiceRegistry, type ServiceInstanceSpec, type ServiceRegistryEvents } from './service-registry.js';
export { ServiceDiscovery, ServiceProvider, type ProviderOptions, type ServiceProviderEvents } from './service-discovery.js';
export type { ServiceInstance } from './core/service-instance.js';
export type { StrategyName, Strategy } from './core/strategies.js';
export { GroupMembership, type GroupMembershipOptions, type GroupMembershipEvents, type Member } from './group-membership.js';
export { ChildrenCache, type CachedChild, type ChildrenChange, type ChildrenCacheEvents } from './children-cache.js';
export {
  ConfigStore, type ConfigStoreOptions, type ConfigSnapshot, type ConfigChange, type ConfigStoreEvents, type ConfigUpdate, type RawConfig,
} from './config-store.js';
export { Barrier } from './barrier.js';
export { DoubleBarrier, type DoubleBarrierOptions } from './double-barrier.js';
export { Queue, type PutOptions } from './queue.js';
export { Counter } from './counter.js';
export { NamingService } from './naming-service.js';
export type { ConnectionEvents } from './session-events.js';
export type { WaitOptions } from './waiting.js';
export * from './core/errors.js';
