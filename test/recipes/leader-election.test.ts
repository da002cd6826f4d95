/**
 * LeaderElection against a real zkts and a real ZooKeeper 3.8: a monitor records 'elected' and
 * 'revoked' of every candidate (each in its own session) and there must never be two leaders;
 * fail-over in queue order on close, crash (the old leader is revoked as 'suspended' before the
 * new one is elected) and expiry ('lost'); a leader whose connection blips leads again without
 * anyone else leading meanwhile; relinquish; an operator deleting the leader's node; and one
 * notification per leader change to the candidates.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SessionExpiredError } from '../../src/client/index.js';
import { LeaderElection, RecipeClosedError, RecipeTimeoutError } from '../../src/recipes/index.js';
import {
  blip, crash, describeEachServer, expire, HoldMonitor, NotificationCounter, participant, participants, sleep, waitFor, within,
  type Participant, type ServerContext,
} from './support.js';

interface Candidate {
  readonly p: Participant;
  readonly election: LeaderElection;
  readonly events: string[];
}

function candidate(p: Participant, path: string, monitor: HoldMonitor): Candidate {
  const election = new LeaderElection(p.client, path, { id: p.name });
  const events: string[] = [];
  election.on('elected', () => { events.push('elected'); monitor.enter(p.name); });
  election.on('revoked', (reason) => { events.push(`revoked ${reason}`); monitor.exit(p.name); });
  election.on('suspended', () => events.push('suspended'));
  election.on('reconnected', () => events.push('reconnected'));
  election.on('lost', () => events.push('lost'));
  election.on('error', (error) => events.push(`error ${(error as Error).name}`));
  return { p, election, events };
}

/** `count` candidates in their own sessions, started one after another (so in that queue order). */
async function election(ctx: ServerContext, count: number, path: string): Promise<{ monitor: HoldMonitor; candidates: Candidate[] }> {
  const monitor = new HoldMonitor('leadership');
  const candidates: Candidate[] = [];
  for (const p of await participants(ctx, count)) {
    const c = candidate(p, path, monitor);
    await c.election.start({ timeoutMs: 5_000 });
    candidates.push(c);
  }
  return { monitor, candidates };
}

/** The one candidate that leads now, once exactly one does. */
async function soleLeader(candidates: readonly Candidate[], monitor: HoldMonitor, timeoutMs = 15_000): Promise<Candidate> {
  return waitFor('exactly one leader', () => {
    const leaders = candidates.filter((c) => c.election.isLeader);
    return leaders.length === 1 && monitor.current.length === 1 ? leaders[0] : undefined;
  }, timeoutMs);
}

describeEachServer('recipes: LeaderElection', (ctx) => {
  it('elects the first candidate and fails over in queue order as leaders leave', async () => {
    const { monitor, candidates } = await election(ctx, 6, '/election/order');
    const observer = await ctx.client();
    for (let i = 0; i < candidates.length; i++) {
      const leader = await soleLeader(candidates.slice(i), monitor);
      assert.equal(leader, candidates[i], `candidate ${i} leads after ${i} left`);
      assert.deepEqual(await leader.election.leader(), { id: `p${i}`, node: leader.election.nodePath!.split('/').pop(), isLeader: true });
      const listed = await leader.election.participants();
      assert.deepEqual(listed.map((p) => p.id), candidates.slice(i).map((c) => c.p.name));
      await leader.election.close();
      assert.deepEqual(leader.events, ['elected', 'revoked closed']);
    }
    monitor.assertSafe();
    assert.equal(monitor.enters, candidates.length);
    assert.deepEqual(await observer.getChildren('/election/order'), []);
  });

  it('fails over when the leader crashes, and the old leader was revoked first', async () => {
    const monitor = new HoldMonitor('leadership');
    const order: string[] = [];
    const candidates = (await participants(ctx, 3)).map((p) => candidate(p, '/election/crash', monitor));
    for (const c of candidates) {
      c.election.on('elected', () => order.push(`${c.p.name} elected`));
      c.election.on('revoked', (reason) => order.push(`${c.p.name} revoked ${reason}`));
      await c.election.start();
    }
    const first = await soleLeader(candidates, monitor);
    crash(first.p);
    const rest = candidates.filter((c) => c !== first);
    const second = await soleLeader(rest, monitor);
    assert.equal(second, rest[0], 'the next in queue took over');
    assert.deepEqual(order, [`${first.p.name} elected`, `${first.p.name} revoked suspended`, `${second.p.name} elected`]);
    await waitFor('the crashed leader to hear its session is gone', () => first.election.state === 'lost', 10_000);
    assert.deepEqual(first.events, ['elected', 'revoked suspended', 'suspended', 'lost']);
    await assert.rejects(first.election.waitForLeadership({ timeoutMs: 100 }), RecipeClosedError);
    monitor.assertSafe();
  });

  it('leads again after a connection blip within the session, with nobody else leading meanwhile', async () => {
    const { monitor, candidates } = await election(ctx, 3, '/election/blip');
    const leader = await soleLeader(candidates, monitor);
    await blip(leader.p);
    await waitFor('the leader to lead again', () => leader.election.isLeader);
    assert.deepEqual(leader.events, ['elected', 'revoked suspended', 'suspended', 'reconnected', 'elected']);
    for (const other of candidates.filter((c) => c !== leader)) assert.deepEqual(other.events, [], `${other.p.name} never led`);
    monitor.assertSafe();
  });

  it('reports lost when the leader\'s session expires, and the next candidate leads', async () => {
    const { monitor, candidates } = await election(ctx, 3, '/election/expire');
    const leader = await soleLeader(candidates, monitor);
    const lostCause = new Promise((resolve) => leader.election.once('lost', resolve));
    await expire(ctx, leader.p);
    assert.ok((await within(lostCause, 5_000, () => 'lost')) instanceof SessionExpiredError);
    assert.equal(leader.election.state, 'lost');
    const next = await soleLeader(candidates.filter((c) => c !== leader), monitor);
    assert.ok(next.events.includes('elected'));
    monitor.assertSafe();
  });

  it('relinquish hands leadership to the next candidate and requeues at the back', async () => {
    const { monitor, candidates } = await election(ctx, 3, '/election/relinquish');
    const leaders: string[] = [];
    for (let round = 0; round < 5; round++) {
      const leader = await soleLeader(candidates, monitor);
      leaders.push(leader.p.name);
      await leader.election.relinquish();
    }
    assert.deepEqual(leaders, ['p0', 'p1', 'p2', 'p0', 'p1']);
    const waiting = candidates.find((c) => !c.election.isLeader)!;
    await assert.rejects(waiting.election.waitForLeadership({ timeoutMs: 200 }), RecipeTimeoutError);
    monitor.assertSafe();
    for (const c of candidates) await c.election.close();
  });

  it('revokes a leader whose node an operator deletes, and the leader rejoins the queue', async () => {
    const { monitor, candidates } = await election(ctx, 2, '/election/deleted');
    const leader = await soleLeader(candidates, monitor);
    const observer = await ctx.client();
    await observer.setData(leader.election.nodePath!, 'touched'); // a data change is not a revocation
    await sleep(100);
    assert.equal(leader.election.isLeader, true);
    await observer.delete(leader.election.nodePath!);
    const next = await soleLeader(candidates.filter((c) => c !== leader), monitor);
    assert.notEqual(next, leader);
    assert.deepEqual(leader.events, ['elected', 'revoked vanished']);
    await waitFor('the old leader to rejoin', async () => (await observer.getChildren('/election/deleted')).length === 2);
    monitor.assertSafe();
  });

  it('notifies only the next candidate when the leader changes', async () => {
    const count = 6;
    const counters = Array.from({ length: count }, () => new NotificationCounter());
    const monitor = new HoldMonitor('leadership');
    const candidates: Candidate[] = [];
    for (let i = 0; i < count; i++) {
      const c = candidate(await participant(ctx, `c${i}`, {}, counters[i]!.tap), '/election/herd', monitor);
      await c.election.start();
      candidates.push(c);
    }
    await soleLeader(candidates, monitor);
    const followersTotal = (from: number) => counters.slice(from).reduce((sum, counter) => sum + counter.count, 0);
    for (let i = 0; i < count - 1; i++) {
      const before = followersTotal(i + 1);
      await candidates[i]!.election.close();
      await soleLeader(candidates.slice(i + 1), monitor);
      await Promise.all(candidates.slice(i + 1).map((c) => c.p.client.exists('/')));
      assert.equal(followersTotal(i + 1) - before, 1, `leader change ${i} notified one candidate`);
    }
    monitor.assertSafe();
  });
});
