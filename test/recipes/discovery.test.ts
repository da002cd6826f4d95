/**
 * ServiceRegistry, ServiceDiscovery and GroupMembership against a real zkts and a real
 * ZooKeeper 3.8: providers and consumers in separate sessions; consumers see registrations,
 * updates and unregistrations in their local cache (getInstance is synchronous: it cannot ask
 * the server), pick by round-robin, random and least-recently-used, and lose an instance when
 * its provider crashes or its session expires; a consumer that was disconnected catches up; a
 * node that is not an instance record is reported and skipped. Group members join and leave, a
 * killed member leaves everyone's list, and the killed member hears 'lost'.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CorruptDataError, GroupMembership, NoInstanceError, ServiceDiscovery, ServiceRegistry, type ServiceInstance } from '../../src/recipes/index.js';
import { blip, crash, describeEachServer, expire, participant, participants, waitFor } from './support.js';

type Payload = { readonly version: string };

const ids = (instances: readonly ServiceInstance[]) => instances.map((instance) => instance.id);

describeEachServer('recipes: service registry and discovery', (ctx) => {
  it('shows consumers what providers register, update and unregister, from a watched cache', async () => {
    const providers = await participants(ctx, 3, 'provider');
    const registries = providers.map((p) => new ServiceRegistry(p.client, '/services'));
    const consumer = await ctx.client();
    const api = await new ServiceDiscovery(consumer, '/services').provider<Payload>('api').start({ timeoutMs: 5_000 });
    assert.deepEqual(api.instances(), []);
    assert.throws(() => api.getInstance(), NoInstanceError);

    const registered = await Promise.all(registries.map((registry, i) => registry.register({ name: 'api', id: `api-${i}`, address: '127.0.0.1', port: 8000 + i, payload: { version: 'v1' } })));
    await waitFor('three instances in the cache', () => api.instances().length === 3);
    assert.deepEqual(api.instances(), registered, 'the cached records are what the providers wrote');
    assert.deepEqual([1, 2, 3, 4].map(() => api.getInstance().id), ['api-0', 'api-1', 'api-2', 'api-0'], 'round-robin');

    const changes: string[][] = [];
    api.on('change', (instances) => changes.push(instances.map((instance) => `${instance.id}@${instance.payload?.version}`)));
    await registries[1]!.update(registered[1]!, { version: 'v2' });
    await waitFor('the update', () => api.instances()[1]?.payload?.version === 'v2');
    await registries[2]!.unregister(registered[2]!);
    await waitFor('the unregistration', () => api.instances().length === 2);
    assert.deepEqual(changes, [['api-0@v1', 'api-1@v2', 'api-2@v1'], ['api-0@v1', 'api-1@v2']]);

    const discovery = new ServiceDiscovery(consumer, '/services');
    assert.deepEqual(await discovery.serviceNames(), ['api']);
    assert.deepEqual(ids(await discovery.instances('api')), ['api-0', 'api-1']);
    assert.deepEqual(await discovery.instances('none'), []);
    api.close();
  });

  it('picks by least-recently-used and by random with the given source', async () => {
    const provider = await ctx.client();
    const registry = new ServiceRegistry(provider, '/services-pick');
    for (const id of ['a', 'b', 'c']) await registry.register({ name: 'db', id, address: 'localhost', port: 5432 });
    const consumer = await ctx.client();
    const discovery = new ServiceDiscovery(consumer, '/services-pick');
    const lru = await discovery.provider('db', { strategy: 'leastRecentlyUsed' }).start();
    assert.deepEqual([1, 2, 3].map(() => lru.getInstance().id), ['a', 'b', 'c']);
    await registry.register({ name: 'db', id: 'd', address: 'localhost', port: 5433 });
    await waitFor('d', () => lru.instances().length === 4);
    assert.equal(lru.getInstance().id, 'd', 'the never-used instance first');
    assert.equal(lru.getInstance().id, 'a', 'then the one used longest ago');
    const draws = [0.1, 0.9, 0.5];
    const random = await discovery.provider('db', { strategy: 'random', random: () => draws.shift() ?? 0 }).start();
    assert.deepEqual([1, 2, 3].map(() => random.getInstance().id), ['a', 'd', 'c']);
    lru.close();
    random.close();
    await registry.close();
    assert.deepEqual(await discovery.instances('db'), []);
  });

  it('drops an instance from every consumer when its provider crashes or its session expires', async () => {
    const providers = await participants(ctx, 4, 'provider');
    for (const [i, p] of providers.entries()) await new ServiceRegistry(p.client, '/services-kill').register({ name: 'worker', id: p.name, address: '10.0.0.1', port: 9000 + i });
    const consumers = await Promise.all([1, 2, 3].map(async () => new ServiceDiscovery(await ctx.client(), '/services-kill').provider('worker').start()));
    for (const consumer of consumers) await waitFor('four workers', () => consumer.instances().length === 4);
    await expire(ctx, providers[1]!);
    for (const consumer of consumers) await waitFor('the expired worker to vanish', () => consumer.instances().length === 3, 5_000);
    crash(providers[3]!);
    for (const consumer of consumers) await waitFor('the crashed worker to vanish', () => consumer.instances().length === 2, 10_000);
    for (const consumer of consumers) assert.deepEqual(ids(consumer.instances()), ['provider0', 'provider2']);
    for (const consumer of consumers) consumer.close();
  });

  it('catches a disconnected consumer up after the reconnect, and reports a record it cannot read', async () => {
    const consumerSide = await participant(ctx, 'consumer');
    const provider = await ctx.client();
    const registry = new ServiceRegistry(provider, '/services-catch-up');
    await registry.register({ name: 'cache', id: 'c1', address: 'h1', port: 1 });
    const cache = await new ServiceDiscovery(consumerSide.client, '/services-catch-up').provider('cache').start();
    const events: string[] = [];
    cache.on('suspended', () => events.push('suspended'));
    cache.on('reconnected', () => events.push('reconnected'));
    const errors: unknown[] = [];
    cache.on('error', (error) => errors.push(error));
    consumerSide.proxy.cut();
    await waitFor('the consumer to notice', () => consumerSide.client.state === 'connecting');
    await registry.register({ name: 'cache', id: 'c2', address: 'h2', port: 2 });
    await provider.create('/services-catch-up/cache/junk', 'not json', { mode: 'ephemeral' });
    assert.deepEqual(ids(cache.instances()), ['c1'], 'stale while away');
    consumerSide.proxy.restore();
    await waitFor('the catch-up', () => cache.instances().length === 2);
    assert.deepEqual(ids(cache.instances()), ['c1', 'c2']);
    assert.deepEqual(events, ['suspended', 'reconnected']);
    await waitFor('the junk record reported', () => errors.length > 0);
    assert.ok(errors[0] instanceof CorruptDataError && errors[0].nodePath === '/services-catch-up/cache/junk');
    cache.close();
  });

  it('re-creates a registration an operator deleted, after a reconnect within the session', async () => {
    const providerSide = await participant(ctx, 'provider', { sessionTimeoutMs: 10_000 });
    const registry = new ServiceRegistry(providerSide.client, '/services-restore');
    await registry.register({ name: 'svc', id: 'one', address: 'h', port: 1 });
    const observer = await ctx.client();
    providerSide.proxy.cut();
    await waitFor('the provider to notice', () => providerSide.client.state === 'connecting');
    // Not possible for an ephemeral of a live session except by hand: an operator's delete.
    await observer.delete('/services-restore/svc/one');
    providerSide.proxy.restore();
    await waitFor('the registration to come back', async () => (await observer.exists('/services-restore/svc/one'))?.ephemeralOwner === providerSide.client.sessionId);
  });
});

describeEachServer('recipes: GroupMembership', (ctx) => {
  it('tracks members joining and leaving, including a killed member, which hears it was lost', async () => {
    const ps = await participants(ctx, 4, 'm');
    const watcher = new GroupMembership(await ctx.client(), '/groups/g');
    const changes: string[] = [];
    watcher.on('change', ({ joined, left }) => changes.push(`+${[...joined].sort().join(',')} -${[...left].sort().join(',')}`));
    await watcher.start();
    assert.deepEqual(watcher.members(), []);
    const members = ps.map((p) => new GroupMembership(p.client, '/groups/g', { id: p.name, data: `host of ${p.name}` }));
    for (const member of members) await member.join();
    await waitFor('four members', () => watcher.members().length === 4);
    assert.deepEqual(watcher.members().map((m) => `${m.id}=${m.data.toString()}`), ['m0=host of m0', 'm1=host of m1', 'm2=host of m2', 'm3=host of m3']);
    await members[0]!.join(); // joining twice is harmless
    await members[0]!.leave();
    await waitFor('m0 to leave', () => watcher.members().length === 3);
    const lost = new Promise((resolve) => members[2]!.once('lost', resolve));
    await expire(ctx, ps[2]!);
    await lost;
    assert.equal(members[2]!.isMember, false);
    await waitFor('m2 to vanish', () => watcher.members().length === 2);
    await blip(ps[3]!);
    assert.deepEqual(watcher.members().map((m) => m.id), ['m1', 'm3'], 'a blip does not end membership');
    assert.equal(changes.join(' ; ').includes('-m0'), true);
    assert.equal(changes.at(-1), '+ -m2');
    await watcher.close();
  });
});
