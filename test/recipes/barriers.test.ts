/**
 * Barrier and DoubleBarrier against a real zkts and a real ZooKeeper 3.8, each participant in its
 * own session. Barrier: waiters block while it is set and all go when it is removed. Double
 * barrier: no member gets through enter() before the last one arrived, none through leave()
 * before the last one started leaving; a member that crashes inside stops blocking leave() when
 * its session expires; an enter() that times out takes its node back.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Barrier, DoubleBarrier, RecipeTimeoutError } from '../../src/recipes/index.js';
import { crash, describeEachServer, participants, sleep, waitFor, within } from './support.js';

describeEachServer('recipes: Barrier', (ctx) => {
  it('holds every waiter while set and lets them all go when removed', async () => {
    const ps = await participants(ctx, 4);
    const setter = new Barrier(ps[0]!.client, '/barriers/simple');
    assert.equal(await setter.isSet(), false);
    await setter.wait({ timeoutMs: 1_000 }); // not set: no wait
    await setter.set();
    await setter.set(); // idempotent
    assert.equal(await setter.isSet(), true);
    const passed: string[] = [];
    const waits = ps.slice(1).map((p) => new Barrier(p.client, '/barriers/simple').wait({ timeoutMs: 10_000 }).then(() => passed.push(p.name)));
    await assert.rejects(new Barrier(ps[1]!.client, '/barriers/simple').wait({ timeoutMs: 200 }), RecipeTimeoutError);
    assert.deepEqual(passed, []);
    await setter.remove();
    await within(Promise.all(waits), 5_000, () => `passed: ${passed.join(',')}`);
    assert.equal(passed.length, 3);
    await setter.remove(); // idempotent
  });
});

describeEachServer('recipes: DoubleBarrier', (ctx) => {
  it('lets nobody start before all entered, and nobody finish before all started leaving', async () => {
    const count = 5;
    const ps = await participants(ctx, count);
    const log: string[] = [];
    await within(Promise.all(ps.map(async (p, i) => {
      const barrier = new DoubleBarrier(p.client, '/barriers/double', count, { id: p.name });
      await sleep(i * 40); // arrive one after another
      log.push(`enter ${p.name}`);
      await barrier.enter({ timeoutMs: 10_000 });
      log.push(`in ${p.name}`);
      await sleep((count - i) * 40); // finish in the other order
      log.push(`leave ${p.name}`);
      await barrier.leave({ timeoutMs: 10_000 });
      log.push(`out ${p.name}`);
    })), 30_000, () => log.join(', '));
    const lastEnter = Math.max(...log.flatMap((entry, i) => (entry.startsWith('enter') ? [i] : [])));
    const firstIn = log.findIndex((entry) => entry.startsWith('in '));
    assert.ok(firstIn > lastEnter, `nobody was in before everybody came: ${log.join(', ')}`);
    const lastLeave = Math.max(...log.flatMap((entry, i) => (entry.startsWith('leave') ? [i] : [])));
    const firstOut = log.findIndex((entry) => entry.startsWith('out'));
    assert.ok(firstOut > lastLeave, `nobody was out before everybody started leaving: ${log.join(', ')}`);
    const observer = await ctx.client();
    assert.deepEqual(await observer.getChildren('/barriers/double/members'), []);
    assert.equal(await observer.exists('/barriers/double/ready'), null, 'the last one out lowered it for the next round');
  });

  it('stops waiting for a member that crashed inside once its session expires', async () => {
    const ps = await participants(ctx, 3);
    const barriers = ps.map((p) => new DoubleBarrier(p.client, '/barriers/crash', 3, { id: p.name }));
    await within(Promise.all(barriers.map((barrier) => barrier.enter({ timeoutMs: 10_000 }))), 15_000, () => 'enter');
    crash(ps[0]!); // the lowest member: the others wait for it in leave()
    await within(Promise.all(barriers.slice(1).map((barrier) => barrier.leave({ timeoutMs: 15_000 }))), 20_000, () => 'leave after the crash');
  });

  it('takes back the node of an enter() that timed out, so a later round counts right', async () => {
    const ps = await participants(ctx, 3);
    const observer = await ctx.client();
    const early = ps.slice(0, 2).map((p) => new DoubleBarrier(p.client, '/barriers/timeout', 3, { id: p.name }));
    for (const result of await Promise.allSettled(early.map((barrier) => barrier.enter({ timeoutMs: 300 })))) {
      assert.ok(result.status === 'rejected' && result.reason instanceof RecipeTimeoutError);
    }
    await waitFor('their nodes to go', async () => (await observer.getChildren('/barriers/timeout/members')).length === 0);
    const again = ps.map((p) => new DoubleBarrier(p.client, '/barriers/timeout', 3, { id: p.name }));
    await within(Promise.all(again.map((barrier) => barrier.enter({ timeoutMs: 10_000 }))), 15_000, () => 'the full round');
    await within(Promise.all(again.map((barrier) => barrier.leave({ timeoutMs: 10_000 }))), 15_000, () => 'leave');
  });
});
