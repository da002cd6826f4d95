/**
 * ConfigStore against a real zkts and a real ZooKeeper 3.8: readers in their own sessions follow
 * a typed configuration written by concurrent writers; a multi-key update is never seen half
 * done, even when a writer stops half-way (shown with the same steps done by hand: a plain read
 * of the keys sees the torn state, the store does not); a reader that was disconnected catches
 * up; a configuration `decode` rejects is reported and not adopted; read() waits for ready.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigStore, CorruptDataError, RecipeTimeoutError, type ConfigChange } from '../../src/recipes/index.js';
import { blip, describeEachServer, participant, participants, sleep, waitFor, within } from './support.js';

interface Pair { readonly a: number; readonly b: number; readonly note?: string }

function decodePair(raw: Readonly<Record<string, unknown>>): Pair {
  if (typeof raw['a'] !== 'number' || typeof raw['b'] !== 'number') throw new TypeError('a and b must be numbers');
  return { a: raw['a'], b: raw['b'], ...(typeof raw['note'] === 'string' ? { note: raw['note'] } : {}) };
}

describeEachServer('recipes: ConfigStore', (ctx) => {
  it('never shows readers a half-done multi-key update, with two writers and three readers', async () => {
    const [w1, w2, ...readers] = await participants(ctx, 5);
    const writers = [w1!, w2!].map((p) => new ConfigStore<Pair>(p.client, '/config/pairs', { decode: decodePair }));
    await writers[0]!.update({ a: 0, b: 0 });
    const seen: string[][] = readers.map(() => []);
    const torn: string[] = [];
    const stores = await Promise.all(readers.map(async (p, i) => {
      const store = new ConfigStore<Pair>(p.client, '/config/pairs', { decode: decodePair });
      store.on('change', ({ current, generation }: ConfigChange<Pair>) => {
        seen[i]!.push(`${generation}:${current.a}`);
        if (current.a !== current.b) torn.push(`${p.name} saw a=${current.a} b=${current.b}`);
      });
      const first = await store.start({ timeoutMs: 5_000 });
      assert.deepEqual(first.values, { a: 0, b: 0 });
      return store;
    }));
    const rounds = 20;
    const generations = await within(Promise.all(writers.map(async (writer, w) => {
      const made: number[] = [];
      for (let i = 1; i <= rounds; i++) made.push(await writer.update({ a: w * 100 + i, b: w * 100 + i }));
      return made;
    })), 30_000, () => 'the writers');
    const all = generations.flat().sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: 2 * rounds }, (_, i) => i + 2), 'every update got its own generation (writers were serialised)');
    for (const store of stores) await waitFor('the last generation', () => store.snapshot?.generation === 2 * rounds + 1);
    assert.deepEqual(torn, []);
    const last = stores[0]!.snapshot!.values;
    for (const store of stores) assert.deepEqual(store.snapshot!.values, last);
    for (const [i, log] of seen.entries()) {
      const gens = log.map((entry) => Number(entry.split(':')[0]));
      assert.deepEqual(gens, [...gens].sort((x, y) => x - y), `reader ${i} saw generations in order`);
    }
    for (const store of stores) store.close();
  });

  it('keeps the last ready configuration while a writer is half-way, where a plain read sees it torn', async () => {
    const writer = await ctx.client();
    const store = new ConfigStore<Pair>(writer, '/config/halfway', { decode: decodePair });
    await store.update({ a: 1, b: 1 });
    const reader = await participant(ctx, 'reader');
    const following = new ConfigStore<Pair>(reader.client, '/config/halfway', { decode: decodePair });
    const changes: Pair[] = [];
    following.on('change', ({ current }) => changes.push(current));
    await following.start();
    // A writer's steps by hand, stopping between the two keys.
    await writer.delete('/config/halfway/ready');
    await writer.setData('/config/halfway/keys/a', '2');
    const plain = await Promise.all(['a', 'b'].map(async (key) => Number((await reader.client.getData(`/config/halfway/keys/${key}`)).data.toString())));
    assert.deepEqual(plain, [2, 1], 'the keys alone are torn right now');
    await sleep(100);
    assert.deepEqual(following.snapshot?.values, { a: 1, b: 1 }, 'the store still holds the last ready configuration');
    await assert.rejects(new ConfigStore(reader.client, '/config/halfway').read({ timeoutMs: 300 }), RecipeTimeoutError);
    await writer.setData('/config/halfway/keys/b', '2');
    await writer.setData('/config/halfway', '2');
    await writer.create('/config/halfway/ready', '2');
    await waitFor('the completed update', () => following.snapshot?.generation === 2);
    assert.deepEqual(changes, [{ a: 1, b: 1 }, { a: 2, b: 2 }]);
    assert.deepEqual((await new ConfigStore(reader.client, '/config/halfway', { decode: decodePair }).read({ timeoutMs: 2_000 })).values, { a: 2, b: 2 });
    following.close();
  });

  it('catches a disconnected reader up, deletes keys set to undefined, and reports what decode rejects', async () => {
    const writerClient = await ctx.client();
    const writer = new ConfigStore<Pair>(writerClient, '/config/catch-up');
    await writer.update({ a: 1, b: 1, note: 'first' });
    const reader = await participant(ctx, 'reader');
    const store = new ConfigStore<Pair>(reader.client, '/config/catch-up', { decode: decodePair });
    const changes: ConfigChange<Pair>[] = [];
    store.on('change', (change) => changes.push(change));
    const errors: unknown[] = [];
    store.on('error', (error) => errors.push(error));
    await store.start();
    reader.proxy.cut();
    await waitFor('the reader to notice', () => reader.client.state === 'connecting');
    await writer.update({ a: 5, b: 5, note: undefined });
    reader.proxy.restore();
    await waitFor('the catch-up', () => store.get('a') === 5);
    assert.deepEqual(store.snapshot, { values: { a: 5, b: 5 }, generation: 2 });
    assert.deepEqual(changes.at(-1)?.changedKeys, ['a', 'b', 'note']);
    await writer.update({ a: 'x' as unknown as number });
    await waitFor('the rejected configuration to be reported', () => errors.length === 1);
    assert.ok(errors[0] instanceof CorruptDataError);
    assert.equal(store.snapshot?.generation, 2, 'a rejected configuration is not adopted');
    await writer.update({ a: 6 });
    await waitFor('the next good one', () => store.snapshot?.generation === 4);
    await blip(reader);
    await writer.update({ b: 6 });
    await waitFor('after a blip', () => store.get('b') === 6);
    store.close();
  });
});
