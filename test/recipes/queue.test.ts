/**
 * Queue against a real zkts and a real ZooKeeper 3.8: FIFO and priority order; a consumer waits
 * on an empty queue and wakes on a put; a take whose reply is lost (the multi's reply is dropped
 * on the wire) is resolved by its receipt: the item is delivered once, not lost; producers and
 * consumers in separate sessions, with connection blips, deliver every item exactly once; with
 * consumers killed mid-run no item is delivered twice and at most one per killed consumer is
 * missing (the take in flight when its session ended — the one case no protocol can close).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SessionExpiredError } from '../../src/client/index.js';
import { OpCode } from '../../src/protocol/codes.js';
import { Queue, RecipeTimeoutError } from '../../src/recipes/index.js';
import { blip, describeEachServer, expire, participant, participants, RequestSpy, sleep, waitFor, within } from './support.js';

const text = (data: Buffer | undefined) => data?.toString('utf8');

/** Takes and records items until the queue stays empty for a while once `done()` says so. */
async function consume(queue: Queue, delivered: string[], done: () => boolean): Promise<void> {
  for (;;) {
    try {
      delivered.push((await queue.take({ timeoutMs: 300 })).toString('utf8'));
    } catch (error) {
      if (!(error instanceof RecipeTimeoutError)) throw error;
      if (done()) return;
    }
  }
}

function duplicates(items: readonly string[]): string[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item) ? true : (seen.add(item), false)));
}

describeEachServer('recipes: Queue', (ctx) => {
  it('takes items in FIFO order, and by priority first when priorities differ', async () => {
    const zk = await ctx.client();
    const fifo = new Queue(zk, '/queues/fifo');
    for (const item of ['a', 'b', 'c']) await fifo.put(item);
    assert.equal(await fifo.size(), 3);
    assert.equal(text(await fifo.peek()), 'a');
    assert.deepEqual([text(await fifo.take()), text(await fifo.take()), text(await fifo.poll())], ['a', 'b', 'c']);
    assert.equal(await fifo.poll(), undefined);
    const byPriority = new Queue(zk, '/queues/priority');
    await byPriority.put('low', { priority: 9 });
    await byPriority.put('high-1', { priority: 1 });
    await byPriority.put('mid', { priority: 5 });
    await byPriority.put('high-2', { priority: 1 });
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push(text(await byPriority.take())!);
    assert.deepEqual(order, ['high-1', 'high-2', 'mid', 'low']);
    await assert.rejects(byPriority.put('x', { priority: 1000 }), RangeError);
  });

  it('makes a consumer wait on an empty queue until a producer puts, within its timeout', async () => {
    const [producer, consumer] = await participants(ctx, 2);
    const queue = new Queue(consumer!.client, '/queues/wait');
    await assert.rejects(queue.take({ timeoutMs: 200 }), RecipeTimeoutError);
    const taken = queue.take({ timeoutMs: 10_000 });
    await sleep(100);
    await new Queue(producer!.client, '/queues/wait').put('job');
    assert.equal(text(await within(taken, 10_000, () => 'take after put')), 'job');
  });

  it('delivers an item once when the reply to its take is lost', async () => {
    const spy = new RequestSpy();
    const consumer = await participant(ctx, 'consumer', { sessionTimeoutMs: 10_000 }, spy.tap);
    const producer = await ctx.client();
    const queue = new Queue(producer, '/queues/lost-reply');
    await queue.put('one');
    await queue.put('two');
    let multis = 0;
    spy.onRequest = (opCode) => {
      if (opCode === OpCode.multi && multis++ === 0) consumer.proxy.dropReplies(); // the first take's multi: its reply is lost
    };
    const taken = new Queue(consumer.client, '/queues/lost-reply').take({ timeoutMs: 15_000 });
    await waitFor('the take to commit on the server', async () => (await queue.size()) === 1);
    consumer.proxy.cut();
    consumer.proxy.restore();
    assert.equal(text(await within(taken, 15_000, () => 'the take after the lost reply')), 'one');
    assert.equal(multis, 1, 'the take was not sent again: its receipt answered');

    // The same loss with a short timeout that passes before the reconnect: the take still finds
    // out and delivers, rather than time out with the item already gone from the queue.
    multis = 0;
    const hurried = new Queue(consumer.client, '/queues/lost-reply').take({ timeoutMs: 300 });
    await waitFor('the hurried take to commit', async () => (await queue.size()) === 0);
    consumer.proxy.cut();
    await sleep(500);
    consumer.proxy.restore();
    assert.equal(text(await within(hurried, 15_000, () => 'the hurried take')), 'two');
  });

  it('delivers every item exactly once to concurrent consumers while connections blip', async () => {
    const producers = await participants(ctx, 3, 'producer');
    const consumers = await participants(ctx, 3, 'consumer', { sessionTimeoutMs: 10_000 });
    const perProducer = 30;
    const produced = producers.flatMap((p) => Array.from({ length: perProducer }, (_, i) => `${p.name}-${i}`));
    const delivered: string[] = [];
    let producing = true;
    const consuming = consumers.map((p) => consume(new Queue(p.client, '/queues/blips'), delivered, () => !producing));
    const putting = Promise.all(producers.map(async (p) => {
      const queue = new Queue(p.client, '/queues/blips');
      for (let i = 0; i < perProducer; i++) await queue.put(`${p.name}-${i}`);
    }));
    await sleep(100);
    for (const p of [...consumers, producers[0]!]) await blip(p);
    await within(putting, 30_000, () => 'the producers');
    producing = false;
    await within(Promise.all(consuming), 30_000, () => `delivered ${delivered.length} of ${produced.length}`);
    assert.deepEqual(duplicates(delivered), [], 'no item delivered twice');
    assert.deepEqual([...delivered].sort(), [...produced].sort(), 'every item delivered');
  });

  it('never delivers an item twice when consumers are killed mid-run, and misses at most one per killed consumer', async (t) => {
    const producer = await participant(ctx, 'producer');
    const consumers = await participants(ctx, 4, 'consumer');
    const produced = Array.from({ length: 60 }, (_, i) => `item-${i}`);
    const queue = new Queue(producer.client, '/queues/kills');
    for (const item of produced) await queue.put(item);
    const delivered: string[] = [];
    const killed = new Set(['consumer1', 'consumer3']);
    const runs = consumers.map(async (p) => {
      const consumerQueue = new Queue(p.client, '/queues/kills');
      try {
        await consume(consumerQueue, delivered, () => true);
      } catch (error) {
        if (!killed.has(p.name)) throw error;
        assert.ok(error instanceof SessionExpiredError, `${p.name} failed with ${(error as Error).name}`);
      }
    });
    await waitFor('consumption to be under way', () => delivered.length >= 10);
    await expire(ctx, consumers[1]!);
    await waitFor('more consumption', () => delivered.length >= 30);
    await expire(ctx, consumers[3]!);
    await within(Promise.all(runs), 30_000, () => `delivered ${delivered.length}`);
    // Whatever is still queued goes to a fresh consumer.
    const rest = new Queue(producer.client, '/queues/kills');
    for (let item = await rest.poll(); item !== undefined; item = await rest.poll()) delivered.push(item.toString('utf8'));
    assert.deepEqual(duplicates(delivered), [], 'no item delivered twice');
    const missing = produced.filter((item) => !delivered.includes(item));
    t.diagnostic(`${produced.length} items, ${delivered.length} delivered once, missing with killed consumers: ${missing.join(',') || 'none'}`);
    assert.ok(missing.length <= killed.size, `missing: ${missing.join(',')}`);
    assert.ok(delivered.every((item) => produced.includes(item)));
  });
});
