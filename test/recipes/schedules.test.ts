/**
 * Property tests with random schedules (fast-check) against a real zkts and a real ZooKeeper
 * 3.8: four participants, each its own session, take random steps — acquire/release a Lock, or
 * start/relinquish/close a LeaderElection — while some are blipped (connection cut and restored),
 * crashed (cut for good) or expired (session closed from outside), with random pauses between.
 *
 * Safety, throughout: a monitor of what the participants report (lock: acquire resolved →
 * release/'suspended'/'lost'; election: 'elected' → 'revoked') never sees two holders at once.
 * Liveness, at the end: every surviving waiter gets the lock in turn; among surviving
 * candidates exactly one leads, and it is the one whose node is first.
 *
 * Runs are bounded (ZKTS_SCHEDULE_RUNS, default 12 per server kind, at most 20 steps each) and
 * seeded (ZKTS_SCHEDULE_SEED); fast-check prints the seed and path of a failing schedule.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { LeaderElection, Lock } from '../../src/recipes/index.js';
import {
  blip, crash, describeEachServer, expire, HoldMonitor, participant, sleep, waitFor, within, type Participant, type ServerContext,
} from './support.js';

const seed = Number(process.env['ZKTS_SCHEDULE_SEED'] ?? 20_251_201);
const numRuns = Number(process.env['ZKTS_SCHEDULE_RUNS'] ?? 12);
const participantCount = 4;
/** The smallest session timeout the test servers grant (2 ticks): a crash is over quickly. */
const sessionTimeoutMs = 1_000;

type Fault = 'blip' | 'crash' | 'expire';
type Step =
  | { readonly kind: 'act'; readonly who: number }
  | { readonly kind: 'fault'; readonly who: number; readonly fault: Fault }
  | { readonly kind: 'pause'; readonly ms: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('act' as const), who: fc.nat(participantCount - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fault' as const), who: fc.nat(participantCount - 1), fault: fc.constantFrom<Fault>('blip', 'crash', 'expire') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 60 }) }) },
);
const scheduleArbitrary = fc.array(stepArbitrary, { minLength: 4, maxLength: 20 });

function show(schedule: readonly Step[]): string {
  return schedule.map((step) => (step.kind === 'pause' ? `pause ${step.ms}` : step.kind === 'act' ? `act p${step.who}` : `${step.fault} p${step.who}`)).join('; ');
}

async function applyFault(ctx: ServerContext, p: Participant, fault: Fault): Promise<void> {
  switch (fault) {
    case 'blip': await blip(p); return;
    case 'crash': crash(p); return;
    case 'expire': await expire(ctx, p); return;
  }
}

/** The children of `path` with their owners, read by a fresh session: what a failed run left. */
async function nodesOf(ctx: ServerContext, path: string): Promise<string> {
  const reader = await ctx.client();
  try {
    const names = (await reader.getChildren(path)).sort();
    const owners = await Promise.all(names.map(async (name) => (await reader.exists(`${path}/${name}`))?.ephemeralOwner.toString(16) ?? 'gone'));
    return names.map((name, i) => `${name} (session 0x${owners[i]})`).join(', ') || 'none';
  } catch (error) {
    return `unreadable: ${String(error)}`;
  } finally {
    await reader.close();
  }
}

interface Run {
  readonly path: string;
  readonly monitor: HoldMonitor;
  readonly ps: readonly Participant[];
  /** Participants crashed or expired: they take no more steps. */
  readonly dead: Set<number>;
}

/**
 * fast-check over random schedules: each run gets a fresh path, monitor and participants (closed
 * afterwards), plays the schedule — pauses, faults, and `act(who)` for the recipe's own steps —
 * then lets `finish` check liveness, and checks the monitor last.
 */
async function checkSchedules(ctx: ServerContext, name: string, act: (run: Run, who: number) => Promise<void>, finish: (run: Run, schedule: readonly Step[]) => Promise<void>): Promise<void> {
  let count = 0;
  await fc.assert(fc.asyncProperty(scheduleArbitrary, async (schedule) => {
    const path = `/schedules/${name}-${count++}`;
    const ps: Participant[] = [];
    for (let i = 0; i < participantCount; i++) ps.push(await participant(ctx, `p${i}`, { sessionTimeoutMs }));
    const run: Run = { path, monitor: new HoldMonitor(path), ps, dead: new Set() };
    try {
      for (const step of schedule) {
        if (step.kind === 'pause') await sleep(step.ms);
        else if (run.dead.has(step.who)) continue;
        else if (step.kind === 'act') await act(run, step.who);
        else {
          if (step.fault !== 'blip') run.dead.add(step.who);
          await applyFault(ctx, ps[step.who]!, step.fault);
        }
      }
      try {
        await finish(run, schedule);
      } catch (error) {
        const sessions = ps.map((p) => `${p.name}=0x${p.client.sessionId.toString(16)} ${p.client.state}`).join(', ');
        throw new Error(`${String(error)}; ${show(schedule)}; sessions: ${sessions}; nodes then: ${await nodesOf(ctx, path)}`, { cause: error });
      }
      run.monitor.assertSafe();
    } finally {
      await Promise.all(ps.map(async (p) => { await p.client.close(); await p.proxy.close(); }));
    }
  }), { numRuns, seed, endOnFailure: true, includeErrorInReport: true });
}

describeEachServer('recipes: random schedules', (ctx) => {
  it('Lock: never two holders, and every surviving waiter gets its turn', async () => {
    // Per run: each participant's lock, its acquire in flight, and who holds (as reported).
    const state = new WeakMap<Run, { locks: Lock[]; waits: Map<number, Promise<void>>; holding: Set<number> }>();
    const of = (run: Run) => {
      let found = state.get(run);
      if (found === undefined) {
        const locks = run.ps.map((p) => {
          const lock = new Lock(p.client, run.path);
          lock.on('suspended', () => run.monitor.exit(p.name));
          lock.on('lost', () => run.monitor.exit(p.name));
          return lock;
        });
        found = { locks, waits: new Map(), holding: new Set() };
        state.set(run, found);
      }
      return found;
    };
    const release = async (run: Run, who: number) => {
      const { locks, holding } = of(run);
      holding.delete(who);
      run.monitor.exit(run.ps[who]!.name);
      if (locks[who]!.state !== 'lost') await locks[who]!.release();
    };
    await checkSchedules(ctx, 'lock', async (run, who) => {
      const { locks, waits, holding } = of(run);
      if (holding.has(who)) {
        await release(run, who);
      } else if (!waits.has(who)) {
        waits.set(who, locks[who]!.acquire({ timeoutMs: 20_000 }).then(
          () => { run.monitor.enter(run.ps[who]!.name); holding.add(who); },
          (error: unknown) => { if (!run.dead.has(who)) throw error; },
        ).finally(() => waits.delete(who)));
      }
    }, async (run, schedule) => {
      const { waits, holding } = of(run);
      for (const who of run.dead) holding.delete(who);
      // Liveness: release as holders come, until every surviving waiter has held the lock.
      // An acquire can resolve while a release is awaited: look at the holders again before
      // racing the waits, or that holder (no longer among the waits) is never released.
      const liveness = (async () => {
        while (waits.size > 0 || holding.size > 0) {
          if (holding.size > 0) {
            for (const who of [...holding]) await release(run, who);
            continue;
          }
          await Promise.race(waits.values());
        }
      })();
      try {
        await within(liveness, 30_000, () => `waiting: ${[...waits.keys()].join(',')}; ${show(schedule)}`);
      } catch (error) {
        // What the test believed next to what each Lock says: where the two part is the bug.
        const locks = of(run).locks.map((lock, i) => `p${i} ${lock.state}${lock.isAcquiring ? ' acquiring' : ''}`).join(', ');
        throw new Error(`${String(error)}; test's view: waiting ${[...waits.keys()].join(',') || '-'}, holding ${[...holding].join(',') || '-'}; locks: ${locks}`, { cause: error });
      }
    });
  });

  it('LeaderElection: never two leaders, and in the end the first surviving candidate leads', async () => {
    const state = new WeakMap<Run, { elections: LeaderElection[]; started: Set<number> }>();
    const newElection = (run: Run, p: Participant) => {
      const election = new LeaderElection(p.client, run.path, { id: p.name });
      election.on('elected', () => run.monitor.enter(p.name));
      election.on('revoked', () => run.monitor.exit(p.name));
      return election;
    };
    const of = (run: Run) => {
      let found = state.get(run);
      if (found === undefined) {
        found = { elections: run.ps.map((p) => newElection(run, p)), started: new Set() };
        state.set(run, found);
      }
      return found;
    };
    await checkSchedules(ctx, 'election', async (run, who) => {
      const { elections, started } = of(run);
      if (!started.has(who)) {
        started.add(who);
        await elections[who]!.start({ timeoutMs: 10_000 });
      } else if (elections[who]!.isLeader) {
        await elections[who]!.relinquish();
      } else {
        await elections[who]!.close();
        started.delete(who);
        elections[who] = newElection(run, run.ps[who]!);
      }
    }, async (run, schedule) => {
      const { elections, started } = of(run);
      const survivors = [...started].filter((who) => !run.dead.has(who));
      if (survivors.length > 0) {
        const leader = await waitFor(`one leader among ${survivors.join(',')}; ${show(schedule)}`, () => {
          const leaders = survivors.filter((who) => elections[who]!.isLeader);
          return leaders.length === 1 ? leaders[0] : undefined;
        }, 15_000);
        const first = await elections[leader!]!.leader();
        assert.equal(first?.id, run.ps[leader!]!.name, 'the leader is the first node');
      }
      for (const who of survivors) await elections[who]!.close();
    });
  });
});
