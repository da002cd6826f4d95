/**
 * The consumer side of service discovery: `discovery.provider(name)` keeps a local list of the
 * service's instances (a ChildrenCache of `<basePath>/<name>`, fresh by watches — no server
 * lookup per call) and `getInstance()` picks one by round-robin, random or least-recently-used
 * (core/strategies.ts). An instance vanishes from the list when its provider unregisters or its
 * provider's session ends.
 *
 * Connection events (per provider): while 'suspended' the list is the last one seen and may be
 * stale; on 'reconnected' it is refreshed; after 'lost' it stays frozen (build a new client).
 * A node under the service that is not an instance record is skipped and reported as 'error'
 * (CorruptDataError).
 *
 * Not here: registering (service-registry.ts). Invariant: `instances()` is sorted by id and
 * holds exactly the decodable children of the last refresh.
 */
import { EventEmitter } from 'node:events';
import { NoNodeError, type ZooKeeperClient } from '../client/index.js';
import { CorruptDataError, NoInstanceError } from './core/errors.js';
import { childPath } from './core/names.js';
import { checkComponent, decodeInstance, type ServiceInstance } from './core/service-instance.js';
import { strategyNamed, type Strategy, type StrategyName } from './core/strategies.js';
import { ChildrenCache } from './children-cache.js';
import { reportError, type ConnectionEvents } from './session-events.js';
import { Deadline, persistently, type WaitOptions } from './waiting.js';

export interface ProviderOptions {
  /** How getInstance() picks (default 'roundRobin'). */
  readonly strategy?: StrategyName;
  /** Uniform [0, 1) source for 'random' (default Math.random). */
  readonly random?: () => number;
}

export interface ServiceProviderEvents<P> extends ConnectionEvents {
  /** The instance list changed; the new list. */
  change: [instances: readonly ServiceInstance<P>[]];
  error: [error: unknown];
}

/** A live, locally cached view of one service's instances. */
export class ServiceProvider<P = unknown> extends EventEmitter<ServiceProviderEvents<P>> {
  private readonly cache: ChildrenCache;
  private readonly strategy: Strategy<ServiceInstance<P>>;
  private list: ServiceInstance<P>[] = [];

  /** @internal Made by ServiceDiscovery.provider(). */
  constructor(private readonly client: ZooKeeperClient, readonly path: string, readonly name: string, options: ProviderOptions) {
    super();
    this.strategy = strategyNamed<ServiceInstance<P>>(options.strategy ?? 'roundRobin', (instance) => instance.id, options.random ?? Math.random);
    this.cache = new ChildrenCache(client, path);
    this.cache.on('change', () => {
      this.rebuild();
      this.emit('change', this.list);
    });
    this.cache.on('error', (error) => reportError(this, client, error));
    this.cache.on('suspended', () => this.emit('suspended'));
    this.cache.on('reconnected', () => this.emit('reconnected'));
    this.cache.on('lost', (cause) => this.emit('lost', cause));
  }

  /** Starts watching; resolves once the first list is in. */
  async start(options: WaitOptions = {}): Promise<this> {
    await this.cache.start(options);
    this.rebuild();
    return this;
  }

  /** The cached instances, sorted by id. */
  instances(): readonly ServiceInstance<P>[] {
    return this.list;
  }

  /** One instance, by the provider's strategy. NoInstanceError when there is none. */
  getInstance(): ServiceInstance<P> {
    const chosen = this.strategy.pick(this.list);
    if (chosen === undefined) throw new NoInstanceError(this.name);
    return chosen;
  }

  close(): void {
    this.cache.close();
  }

  private rebuild(): void {
    const list: ServiceInstance<P>[] = [];
    for (const child of this.cache.children.values()) {
      const decoded = decodeInstance<P>(child.data.toString('utf8'));
      if (typeof decoded === 'string') reportError(this, this.client, new CorruptDataError(childPath(this.path, child.name), decoded));
      else list.push(decoded);
    }
    this.list = list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

export class ServiceDiscovery {
  constructor(readonly client: ZooKeeperClient, readonly basePath: string) {}

  /** A provider for `name`; call `start()` on it (or use `await discovery.provider(...).start()`). */
  provider<P = unknown>(name: string, options: ProviderOptions = {}): ServiceProvider<P> {
    return new ServiceProvider<P>(this.client, childPath(this.basePath, checkComponent('service name', name)), name, options);
  }

  /** The services with at least one registration node now (one read, no cache). */
  async serviceNames(options: WaitOptions = {}): Promise<string[]> {
    try {
      return (await persistently(this.client, new Deadline(options, `services under ${this.basePath}`), () => this.client.getChildren(this.basePath))).sort();
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  /** The instances of `name` now (reads the server; a provider's cache avoids that). */
  async instances<P = unknown>(name: string, options: WaitOptions = {}): Promise<ServiceInstance<P>[]> {
    const path = childPath(this.basePath, checkComponent('service name', name));
    const deadline = new Deadline(options, `instances of ${path}`);
    let ids: string[];
    try {
      ids = await persistently(this.client, deadline, () => this.client.getChildren(path));
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
    const instances: ServiceInstance<P>[] = [];
    for (const id of ids.sort()) {
      try {
        const decoded = decodeInstance<P>((await persistently(this.client, deadline, () => this.client.getData(childPath(path, id)))).data.toString('utf8'));
        if (typeof decoded !== 'string') instances.push(decoded);
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
    }
    return instances;
  }
}
