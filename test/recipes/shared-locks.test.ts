/**
 * ReadWriteLock and Semaphore against a real zkts and a real ZooKeeper 3.8, many sessions each.
 * Read-write: a monitor sees readers together but never a writer with anyone; readers did share;
 * a writer waiting behind readers keeps later readers out; downgrade is allowed and upgrade is
 * refused; a crashed writer's lock passes on. Semaphore: never more than maxLeases out (and that
 * many are used at once), a crashed holder's lease comes back with its session's expiry, a timed
 * out waiter leaves nothing behind, and a release costs a constant number of notifications.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LockUpgradeError, ReadWriteLock, RecipeTimeoutError, Semaphore, type Lease, type QueueLock } from '../../src/recipes/index.js';
import {
  crash, describeEachServer, HoldMonitor, NotificationCounter, participant, participants, sleep, waitFor, within, type Participant,
} from './support.js';

/** Readers may overlap each other; a writer overlaps nobody. */
class ReadWriteMonitor {
  readonly readers = new Set<string>();
  writer: string | undefined;
  readonly violations: string[] = [];
  maxReaders = 0;

  enter(who: string, mode: 'read' | 'write'): void {
    if (mode === 'read') {
      if (this.writer !== undefined) this.violations.push(`${who} reads while ${this.writer} writes`);
      this.readers.add(who);
      this.maxReaders = Math.max(this.maxReaders, this.readers.size);
    } else {
      if (this.writer !== undefined || this.readers.size > 0) this.violations.push(`${who} writes while ${[this.writer, ...this.readers].filter(Boolean).join(',')} hold`);
      this.writer = who;
    }
  }

  exit(who: string, mode: 'read' | 'write'): void {
    if (mode === 'read') this.readers.delete(who);
    else if (this.writer === who) this.writer = undefined;
  }
}

function reportTo(lock: QueueLock, monitor: ReadWriteMonitor, who: string, mode: 'read' | 'write'): void {
  lock.on('suspended', () => monitor.exit(who, mode));
  lock.on('lost', () => monitor.exit(who, mode));
}

async function held(lock: QueueLock, timeoutMs = 300): Promise<boolean> {
  try {
    await lock.acquire({ timeoutMs });
    return true;
  } catch (error) {
    if (error instanceof RecipeTimeoutError) return false;
    throw error;
  }
}

describeEachServer('recipes: ReadWriteLock', (ctx) => {
  it('lets readers share and keeps a writer alone, among six sessions', async () => {
    const monitor = new ReadWriteMonitor();
    const ps = await participants(ctx, 6);
    await within(Promise.all(ps.map(async (p, i) => {
      const rw = new ReadWriteLock(p.client, '/rw/mixed');
      reportTo(rw.readLock, monitor, p.name, 'read');
      reportTo(rw.writeLock, monitor, p.name, 'write');
      for (let round = 0; round < 4; round++) {
        const mode = (i + round) % 3 === 0 ? 'write' : 'read';
        const lock = mode === 'read' ? rw.readLock : rw.writeLock;
        await lock.acquire({ timeoutMs: 30_000 });
        monitor.enter(p.name, mode);
        await sleep(mode === 'read' ? 30 : 10);
        // A first-round reader lingers (up to 2 s, no more: a writer may rightly be queued
        // between it and the next reader) so that readers overlap however the scheduler runs.
        for (const until = Date.now() + 2_000; round === 0 && mode === 'read' && monitor.maxReaders < 2 && Date.now() < until;) await sleep(10);
        monitor.exit(p.name, mode);
        await lock.release();
      }
    })), 60_000, () => monitor.violations.join('; '));
    assert.deepEqual(monitor.violations, []);
    assert.ok(monitor.maxReaders > 1, `readers held the lock together (at most ${monitor.maxReaders} did)`);
  });

  it('queues a reader that arrives after a waiting writer behind that writer', async () => {
    const [r1, w, r2] = await participants(ctx, 3);
    const first = new ReadWriteLock(r1!.client, '/rw/fair');
    const writer = new ReadWriteLock(w!.client, '/rw/fair');
    const late = new ReadWriteLock(r2!.client, '/rw/fair');
    await first.readLock.acquire();
    const written = writer.writeLock.acquire({ timeoutMs: 10_000 });
    const observer = await ctx.client();
    await waitFor('the writer to queue', async () => (await observer.getChildren('/rw/fair')).length === 2);
    assert.equal(await held(late.readLock), false, 'the late reader waits for the writer');
    await first.readLock.release();
    await within(written, 10_000, () => 'writer after the first reader left');
    const lateRead = late.readLock.acquire({ timeoutMs: 10_000 });
    await sleep(100);
    assert.equal(late.readLock.isHeld, false);
    await writer.writeLock.release();
    await within(lateRead, 10_000, () => 'late reader after the writer');
    await late.readLock.release();
  });

  it('allows a write-lock holder to take the read lock (downgrade) and refuses the upgrade', async () => {
    const [a, b] = await participants(ctx, 2);
    const mine = new ReadWriteLock(a!.client, '/rw/grade');
    const other = new ReadWriteLock(b!.client, '/rw/grade');
    await mine.writeLock.acquire();
    await mine.readLock.acquire({ timeoutMs: 2_000 });
    await mine.writeLock.release();
    assert.equal(await held(other.writeLock), false, 'the kept read lock still excludes writers');
    assert.equal(await held(other.readLock, 2_000), true, 'but readers share it');
    await other.readLock.release();
    await assert.rejects(mine.writeLock.acquire({ timeoutMs: 1_000 }), LockUpgradeError);
    await mine.readLock.release();
    assert.equal(await held(other.writeLock, 5_000), true);
    await other.writeLock.release();
  });

  it('passes the lock on when a writer crashes', async () => {
    const [w, r] = await participants(ctx, 2);
    const monitor = new ReadWriteMonitor();
    const writer = new ReadWriteLock(w!.client, '/rw/crash');
    const reader = new ReadWriteLock(r!.client, '/rw/crash');
    reportTo(writer.writeLock, monitor, 'w', 'write');
    await writer.writeLock.acquire();
    monitor.enter('w', 'write');
    const read = reader.readLock.acquire({ timeoutMs: 15_000 }).then(() => monitor.enter('r', 'read'));
    crash(w!);
    await within(read, 15_000, () => 'the reader after the writer crashed');
    assert.deepEqual(monitor.violations, []);
    await reader.readLock.release();
  });
});

describeEachServer('recipes: Semaphore', (ctx) => {
  it('hands out at most maxLeases at once among six sessions, and uses them all', async () => {
    const monitor = new HoldMonitor('/sem/many', 2);
    const ps = await participants(ctx, 6);
    await within(Promise.all(ps.map(async (p) => {
      const semaphore = new Semaphore(p.client, '/sem/many', 2);
      semaphore.on('suspended', () => monitor.exit(p.name));
      for (let round = 0; round < 3; round++) {
        const lease = await semaphore.acquire({ timeoutMs: 30_000 });
        monitor.enter(p.name);
        await sleep(20);
        // A holder keeps its first lease until a second one is out, which a free lease makes
        // possible: "uses them all" then does not depend on how the scheduler interleaves.
        if (round === 0) await waitFor('two leases out at once', () => monitor.maxConcurrent >= 2, 10_000);
        monitor.exit(p.name);
        await lease.release();
      }
    })), 60_000, () => monitor.history.join(' '));
    monitor.assertSafe();
    assert.equal(monitor.maxConcurrent, 2, 'two leases were out at once');
    assert.equal(monitor.enters, 18);
    assert.equal(await new Semaphore(ps[0]!.client, '/sem/many', 2).leaseCount(), 0);
  });

  it('gets a crashed holder\'s lease back when its session expires; a timed-out waiter leaves nothing', async () => {
    const [a, b, c] = await participants(ctx, 3);
    const leaseA = await new Semaphore(a!.client, '/sem/crash', 2).acquire();
    const semB = new Semaphore(b!.client, '/sem/crash', 2);
    const leaseB = await semB.acquire();
    const semC = new Semaphore(c!.client, '/sem/crash', 2);
    await assert.rejects(semC.acquire({ timeoutMs: 300 }), RecipeTimeoutError);
    const observer = await ctx.client();
    await waitFor('the timed-out waiter to clean up', async () =>
      (await observer.getChildren('/sem/crash/leases')).length === 2 && (await observer.getChildren('/sem/crash/locks')).length === 0);
    assert.equal(leaseA.isValid, true);
    crash(a!);
    const leaseC = await within(semC.acquire({ timeoutMs: 15_000 }), 15_000, () => 'c after a crashed');
    await waitFor('a to hear that its lease went with its session', () => !leaseA.isValid, 10_000);
    assert.equal(await semC.leaseCount(), 2);
    assert.equal(leaseC.isValid, true);
    await leaseC.release();
    await leaseB.release();
    await assert.rejects(leaseB.release(), /released already/);
  });

  it('costs a constant number of notifications per release, however many wait', async (t) => {
    const waiters = 6;
    const counter = new NotificationCounter();
    const holder = await participant(ctx, 'holder');
    const ps: Participant[] = [];
    for (let i = 0; i < waiters; i++) ps.push(await participant(ctx, `w${i}`, {}, counter.tap));
    const held: Lease[] = [await new Semaphore(holder.client, '/sem/herd', 1).acquire()];
    const observer = await ctx.client();
    const acquisitions = ps.map((p) => new Semaphore(p.client, '/sem/herd', 1).acquire({ timeoutMs: 30_000 }));
    for (const acquisition of acquisitions) acquisition.catch(() => undefined);
    await waitFor('every waiter to queue', async () => (await observer.getChildren('/sem/herd/locks')).length === waiters);
    const perRelease: number[] = [];
    const pending = new Set(acquisitions);
    for (let i = 0; i < waiters; i++) {
      const before = counter.count;
      await held.pop()!.release();
      const [next, lease] = await within(Promise.race([...pending].map((acquisition) => acquisition.then((got) => [acquisition, got] as const))), 10_000, () => `waiter after release ${i}`);
      pending.delete(next);
      held.push(lease);
      await Promise.all(ps.map((p) => p.client.exists('/')));
      perRelease.push(counter.count - before);
    }
    await held.pop()!.release();
    t.diagnostic(`notifications to ${waiters} waiters per release: ${perRelease.join(',')}`);
    // No herd: a release wakes at most two sessions (the lock's next waiter and the lease
    // watcher), never all six. A waiter may also find the lease free on its own check and need
    // no notification at all, so 0 is fine.
    assert.ok(perRelease.every((count) => count <= 2), `notifications per release: ${perRelease.join(',')}`);
    assert.ok(perRelease.reduce((sum, count) => sum + count, 0) >= 1, 'waiters were woken by notifications at all');
  });
});
