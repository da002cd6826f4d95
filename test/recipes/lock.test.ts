/**
 * The exclusive Lock against a real zkts and a real ZooKeeper 3.8, with many sessions: mutual
 * exclusion checked by a monitor of what the holders report (acquire resolved → enter; release,
 * 'suspended' or 'lost' → exit), holders crashed and sessions expired mid-run, re-entrancy,
 * timeouts and aborts (the waiter's node is gone afterwards), a create whose reply is lost (the
 * node is found by its GUID, not created twice), and the herd effect measured on the wire.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConnectionLossError, SessionExpiredError, type ZooKeeperClient } from '../../src/client/index.js';
import { AbortError, Lock, NotHeldError, RecipeTimeoutError } from '../../src/recipes/index.js';
import {
  crash, describeEachServer, expire, HoldMonitor, NotificationCounter, participant, participants, sleep, waitFor, within,
  type Participant,
} from './support.js';

/** A participant's lock, reporting to the monitor: holding ends at release, suspension or loss. */
function monitoredLock(p: Participant, path: string, monitor: HoldMonitor, options = {}): Lock {
  const lock = new Lock(p.client, path, options);
  lock.on('suspended', () => monitor.exit(p.name));
  lock.on('lost', () => monitor.exit(p.name));
  return lock;
}

async function holdOnce(p: Participant, lock: Lock, monitor: HoldMonitor, holdMs: number): Promise<void> {
  await lock.acquire({ timeoutMs: 30_000 });
  monitor.enter(p.name);
  await sleep(holdMs);
  monitor.exit(p.name);
  await lock.release();
}

async function children(zk: ZooKeeperClient, path: string): Promise<string[]> {
  return (await zk.getChildren(path)).sort();
}

describeEachServer('recipes: Lock', (ctx) => {
  it('lets one session at a time hold it among eight contending sessions', async () => {
    const monitor = new HoldMonitor('/locks/many');
    const ps = await participants(ctx, 8);
    const rounds = 3;
    await within(Promise.all(ps.map(async (p, i) => {
      const lock = monitoredLock(p, '/locks/many', monitor);
      for (let round = 0; round < rounds; round++) await holdOnce(p, lock, monitor, (i * 7 + round * 3) % 15);
    })), 60_000, () => `history ${monitor.history.join(' ')}`);
    monitor.assertSafe();
    assert.equal(monitor.enters, ps.length * rounds, 'every acquisition succeeded');
    const observer = await ctx.client();
    assert.deepEqual(await children(observer, '/locks/many'), [], 'every node was deleted on release');
  });

  it('passes the lock on when the holder crashes, after the holder was told it is suspended', async () => {
    const monitor = new HoldMonitor('/locks/crash');
    const [a, b] = [await participant(ctx, 'a'), await participant(ctx, 'b')];
    const events: string[] = [];
    const lockA = monitoredLock(a, '/locks/crash', monitor);
    lockA.on('suspended', () => events.push('a suspended'));
    lockA.on('lost', () => events.push('a lost'));
    await lockA.acquire({ timeoutMs: 5_000 });
    monitor.enter('a');
    const lockB = monitoredLock(b, '/locks/crash', monitor);
    const bAcquired = lockB.acquire({ timeoutMs: 15_000 }).then(() => {
      events.push('b acquired');
      monitor.enter('b');
    });
    await sleep(100);
    assert.equal(lockB.isHeld, false);
    const crashedAt = performance.now();
    crash(a);
    await within(bAcquired, 15_000, () => events.join(', '));
    const waitedMs = performance.now() - crashedAt;
    assert.equal(events[0], 'a suspended', `the crashed holder knew first: ${events.join(', ')}`);
    assert.ok(waitedMs >= 1_000, `b waited for a's session to expire (${waitedMs} ms)`);
    assert.equal(lockA.isHeld, false);
    assert.equal(lockA.state === 'suspended' || lockA.state === 'lost', true);
    await waitFor('a to hear its session is gone', () => events.includes('a lost'), 10_000);
    assert.equal(lockA.state, 'lost');
    await lockA.release(); // after 'lost' a release just resolves
    monitor.assertSafe();
    await lockB.release();
  });

  it('stays safe while participants are crashed and expired in the middle of a contended run', async () => {
    const monitor = new HoldMonitor('/locks/chaos');
    const ps = await participants(ctx, 6);
    const victims = new Set(['p1', 'p4']);
    const done: string[] = [];
    const failures: string[] = [];
    const runs = ps.map(async (p, i) => {
      const lock = monitoredLock(p, '/locks/chaos', monitor);
      for (let round = 0; round < 6; round++) {
        try {
          await holdOnce(p, lock, monitor, 5 + ((i + round) % 4) * 5);
        } catch (error) {
          if (!victims.has(p.name)) throw error;
          failures.push(`${p.name}: ${(error as Error).name}`);
          return;
        }
      }
      done.push(p.name);
    });
    await sleep(150);
    await expire(ctx, ps[1]!); // its session is closed at once, mid-run
    crash(ps[4]!); // its session expires on its own
    await within(Promise.all(runs), 60_000, () => `done ${done.join(',')}; history ${monitor.history.slice(-20).join(' ')}`);
    monitor.assertSafe();
    assert.deepEqual(done.filter((name) => !victims.has(name)).sort(), ['p0', 'p2', 'p3', 'p5'], 'every survivor finished all its rounds');
    for (const failure of failures) assert.match(failure, /SessionExpiredError|ConnectionLossError/);
    const observer = await ctx.client();
    await waitFor('the victims\' nodes to go with their sessions', async () => (await children(observer, '/locks/chaos')).length === 0, 10_000);
  });

  it('is re-entrant by default, and with reentrant: false a second acquire waits for the first release', async () => {
    const [a, b] = [await participant(ctx, 'a'), await participant(ctx, 'b')];
    const lockA = new Lock(a.client, '/locks/re');
    const lockB = new Lock(b.client, '/locks/re');
    await lockA.acquire();
    await lockA.acquire({ timeoutMs: 100 });
    assert.equal(lockA.holds, 2);
    let bHeld = false;
    const bAcquired = lockB.acquire({ timeoutMs: 10_000 }).then(() => { bHeld = true; });
    await lockA.release();
    await sleep(200);
    assert.equal(bHeld, false, 'one release of two does not let go');
    await lockA.release();
    await within(bAcquired, 10_000, () => 'b after the second release');
    await lockB.release();
    await assert.rejects(lockB.release(), NotHeldError);

    const single = new Lock(a.client, '/locks/single', { reentrant: false });
    await single.acquire();
    await assert.rejects(single.acquire({ timeoutMs: 300 }), RecipeTimeoutError, 'the same instance waits behind itself');
    const second = single.acquire({ timeoutMs: 10_000 });
    await sleep(100);
    await single.release();
    await within(second, 10_000, () => 'the second acquire after the release');
    assert.equal(single.isHeld, true);
    await single.release();
  });

  it('gives up after timeoutMs or on abort, and removes the waiter\'s node', async () => {
    const [a, b] = [await participant(ctx, 'a'), await participant(ctx, 'b')];
    const observer = await ctx.client();
    const lockA = new Lock(a.client, '/locks/give-up');
    const lockB = new Lock(b.client, '/locks/give-up');
    await lockA.acquire();
    const started = performance.now();
    await assert.rejects(lockB.acquire({ timeoutMs: 300 }), RecipeTimeoutError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 3_000, `gave up after ${elapsed} ms`);
    await waitFor('the timed-out node to go', async () => (await children(observer, '/locks/give-up')).length === 1);

    const controller = new AbortController();
    const aborted = assert.rejects(lockB.acquire({ signal: controller.signal }), (error: unknown) => error instanceof AbortError && error.code === 'ABORT_ERR');
    await waitFor('b to queue', async () => (await children(observer, '/locks/give-up')).length === 2);
    controller.abort(new Error('shutting down'));
    await aborted;
    await waitFor('the aborted node to go', async () => (await children(observer, '/locks/give-up')).length === 1);
    await assert.rejects(lockB.acquire({ signal: AbortSignal.abort() }), AbortError, 'an aborted signal fails at once');
    await lockA.release();
    await lockB.acquire({ timeoutMs: 5_000 });
    assert.deepEqual((await children(observer, '/locks/give-up')).length, 1);
    await lockB.release();
  });

  it('finds its own node by GUID when the create took effect but its reply was lost', async () => {
    const observer = await ctx.client();
    await observer.create('/lost-reply');
    await observer.create('/lost-reply/lock');
    const b = await participant(ctx, 'b', { sessionTimeoutMs: 10_000 });

    // The scenario, shown with a plain create: the reply is lost, and trying again makes two nodes.
    b.proxy.dropReplies();
    const plain = b.client.create('/lost-reply/lock/plain-', null, { mode: 'ephemeralSequential' });
    await waitFor('the plain create to take effect', async () => (await children(observer, '/lost-reply/lock')).length === 1);
    b.proxy.cut();
    await assert.rejects(plain, ConnectionLossError);
    b.proxy.restore();
    await b.client.connected(10_000);
    await b.client.create('/lost-reply/lock/plain-', null, { mode: 'ephemeralSequential' });
    assert.equal((await children(observer, '/lost-reply/lock')).length, 2, 'a naive retry queues twice');
    for (const child of await children(observer, '/lost-reply/lock')) await b.client.delete(`/lost-reply/lock/${child}`);

    // The lock: same loss, one node, and the lock is acquired through it.
    const lock = new Lock(b.client, '/lost-reply/lock');
    b.proxy.dropReplies();
    const acquired = lock.acquire({ timeoutMs: 15_000 });
    const [created] = await waitFor('the lock node to be created', async () => {
      const names = await children(observer, '/lost-reply/lock');
      return names.length > 0 ? names : undefined;
    });
    b.proxy.cut();
    b.proxy.restore();
    await within(acquired, 15_000, () => 'acquire after the lost reply');
    assert.deepEqual(await children(observer, '/lost-reply/lock'), [created], 'no second node');
    assert.match(created!, /^_c_[0-9a-f-]{36}-lock-\d{10}$/);
    assert.equal(lock.nodePath, `/lost-reply/lock/${created}`);
    assert.equal(lock.isHeld, true);
    await lock.release();
    assert.deepEqual(await children(observer, '/lost-reply/lock'), []);
  });

  it('wakes only the next waiter on each release (no herd effect), counted on the wire', async (t) => {
    const waiters = 8;
    const counters = Array.from({ length: waiters }, () => new NotificationCounter());
    const ps: Participant[] = [];
    for (let i = 0; i < waiters; i++) ps.push(await participant(ctx, `w${i}`, {}, counters[i]!.tap));
    const total = () => counters.reduce((sum, counter) => sum + counter.count, 0);
    const locks = ps.map((p) => new Lock(p.client, '/locks/herd'));
    await locks[0]!.acquire();
    const observer = await ctx.client();
    // Queued one after another, so waiter i+1's node follows waiter i's.
    const acquisitions: Promise<void>[] = [];
    for (let i = 1; i < waiters; i++) {
      const acquired = locks[i]!.acquire({ timeoutMs: 30_000 });
      acquired.catch(() => undefined);
      acquisitions.push(acquired);
      await waitFor(`waiter ${i} to queue`, async () => (await children(observer, '/locks/herd')).length === i + 1);
    }
    await sleep(100);
    assert.equal(total(), 0, 'waiting costs no notifications');

    const perRelease: number[] = [];
    for (let i = 0; i < waiters - 1; i++) {
      const before = total();
      await locks[i]!.release();
      await within(acquisitions[i]!, 10_000, () => `waiter ${i + 1} after release ${i}`);
      await ps[i + 1]!.client.exists('/'); // a round trip: every notification sent to it has arrived
      perRelease.push(total() - before);
    }
    await locks[waiters - 1]!.release();
    t.diagnostic(`notifications to ${waiters - 1} waiters per release: ${perRelease.join(',')}`);
    assert.deepEqual(perRelease, Array<number>(waiters - 1).fill(1), 'each release notified exactly one waiter');

    // The measurement sees a herd when there is one: every waiter watching the children.
    const herd = new NotificationCounter();
    const watchers: Participant[] = [];
    for (let i = 0; i < 4; i++) watchers.push(await participant(ctx, `h${i}`, {}, herd.tap));
    await observer.create('/locks/herd/x');
    for (const watcher of watchers) await watcher.client.getChildren('/locks/herd', { watch: () => undefined });
    await observer.delete('/locks/herd/x');
    await Promise.all(watchers.map((watcher) => watcher.client.exists('/')));
    t.diagnostic(`control, children watches: ${herd.count} notifications for one deletion with ${watchers.length} watchers`);
    assert.equal(herd.count, watchers.length, 'a children watch notifies every watcher');
  });

  it('fails a waiting acquire with SessionExpiredError when its own session is closed from outside', async () => {
    const [a, b] = [await participant(ctx, 'a'), await participant(ctx, 'b')];
    const lockA = new Lock(a.client, '/locks/waiter-expiry');
    const lockB = new Lock(b.client, '/locks/waiter-expiry');
    await lockA.acquire();
    const waiting = assert.rejects(lockB.acquire({ timeoutMs: 20_000 }), SessionExpiredError);
    await sleep(100);
    await expire(ctx, b);
    await within(waiting, 10_000, () => 'the waiter to fail');
    await lockA.release();
  });
});
