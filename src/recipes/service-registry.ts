/**
 * The provider side of service discovery: each running instance of a service registers an
 * EPHEMERAL node `<basePath>/<service>/<id>` holding its address, port and payload as JSON
 * (core/service-instance.ts). Ephemeral, so an instance whose process dies disappears from every
 * consumer once its session expires, without anyone cleaning up.
 *
 * Connection events: 'suspended' — the registrations are still listed while the session lives;
 * 'reconnected' — same session: each registration is checked and re-created if someone deleted
 * it; 'lost' — the session ended and every registration with it (consumers no longer see them).
 * A provider that wants to stay registered builds a new client and registers again.
 *
 * Not here: reading instances (service-discovery.ts). Invariant: `registrations` lists exactly
 * the instances registered through this object and not unregistered, while the session lives.
 */
import { EventEmitter } from 'node:events';
import { NoNodeError, type ZooKeeperClient } from '../client/index.js';
import { childPath } from './core/names.js';
import { checkComponent, encodeInstance, type ServiceInstance } from './core/service-instance.js';
import { reportError, SessionWatch, type ConnectionEvents } from './session-events.js';
import { Deadline, persistently, type WaitOptions } from './waiting.js';
import { createOwnedEphemeral, deleteQuietly, newGuid } from './zk-ops.js';

export interface ServiceInstanceSpec<P = unknown> {
  readonly name: string;
  /** Default: a fresh GUID. */
  readonly id?: string;
  readonly address: string;
  readonly port: number;
  readonly payload?: P;
}

export interface ServiceRegistryEvents extends ConnectionEvents {
  /** Re-creating a registration after a reconnect failed. */
  error: [error: unknown];
}

export class ServiceRegistry extends EventEmitter<ServiceRegistryEvents> {
  private readonly registered = new Map<string, ServiceInstance>();
  private session: SessionWatch | undefined;

  constructor(readonly client: ZooKeeperClient, readonly basePath: string) {
    super();
  }

  /** The instances registered through this registry (and still registered). */
  get registrations(): readonly ServiceInstance[] {
    return [...this.registered.values()];
  }

  /** Registers an instance; resolves with the record consumers will see. */
  async register<P>(spec: ServiceInstanceSpec<P>, options: WaitOptions = {}): Promise<ServiceInstance<P>> {
    const instance: ServiceInstance<P> = {
      name: checkComponent('service name', spec.name),
      id: checkComponent('instance id', spec.id ?? newGuid()),
      address: spec.address,
      port: spec.port,
      ...(spec.payload !== undefined ? { payload: spec.payload } : {}),
      registeredAtMs: Date.now(),
    };
    const path = this.pathOf(instance);
    await createOwnedEphemeral(this.client, path, encodeInstance(instance), new Deadline(options, `register ${path}`));
    this.registered.set(path, instance);
    this.watchSession();
    return instance;
  }

  /** Replaces a registered instance's payload (consumers' caches update). */
  async update<P>(instance: ServiceInstance<P>, payload: P, options: WaitOptions = {}): Promise<ServiceInstance<P>> {
    const path = this.pathOf(instance);
    if (!this.registered.has(path)) throw new NoNodeError('not registered here', { path });
    const updated: ServiceInstance<P> = { ...instance, payload };
    await persistently(this.client, new Deadline(options, `update ${path}`), () => this.client.setData(path, encodeInstance(updated)));
    this.registered.set(path, updated);
    return updated;
  }

  /** Removes a registration (consumers stop seeing it). */
  async unregister(instance: ServiceInstance, options: WaitOptions = {}): Promise<void> {
    const path = this.pathOf(instance);
    this.registered.delete(path);
    if (this.registered.size === 0) this.unwatchSession();
    await deleteQuietly(this.client, path, new Deadline(options, `unregister ${path}`));
  }

  /** Unregisters everything registered here. */
  async close(): Promise<void> {
    await Promise.all(this.registrations.map((instance) => this.unregister(instance)));
    this.unwatchSession();
  }

  private pathOf(instance: ServiceInstance): string {
    return childPath(childPath(this.basePath, instance.name), instance.id);
  }

  private watchSession(): void {
    this.session ??= new SessionWatch(this.client, {
      suspended: () => this.emit('suspended'),
      reconnected: () => {
        this.emit('reconnected');
        void this.restore();
      },
      lost: (cause) => {
        this.session = undefined;
        this.registered.clear();
        this.emit('lost', cause);
      },
    });
  }

  /** After a reconnect: re-creates registrations someone deleted while the session lived. */
  private async restore(): Promise<void> {
    for (const [path, instance] of this.registered) {
      try {
        await createOwnedEphemeral(this.client, path, encodeInstance(instance), Deadline.none(`re-register ${path}`));
      } catch (error) {
        reportError(this, this.client, error);
      }
    }
  }

  private unwatchSession(): void {
    this.session?.stop();
    this.session = undefined;
  }
}
