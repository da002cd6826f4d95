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

async function makeParticipants(ctx: ServerContext): Promise<Participant[]> {
  const made: Participant[] = [];
  for (let i = 0; i < participantCount; i++) made.push(await participant(ctx, `p${i}`, { sessionTimeoutMs }));
  return made;
}

async function closeAll(ps: readonly Participant[]): Promise<void> {
  await Promise.all(ps.map(async (p) => { await p.client.close(); await p.proxy.close(); }));
}

describeEachServer('recipes: random schedules', (ctx) => {
  it('Lock: never two holders, and every surviving waiter gets its turn', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(scheduleArbitrary, async (schedule) => {
      const path = `/schedules/lock-${run++}`;
      const monitor = new HoldMonitor(path);
      const ps = await makeParticipants(ctx);
      const dead = new Set<number>();
      const locks = ps.map((p) => {
        const lock = new Lock(p.client, path);
        lock.on('suspended', () => monitor.exit(p.name));
        lock.on('lost', () => monitor.exit(p.name));
        return lock;
      });
      const waits = new Map<number, Promise<void>>();
      const holding = new Set<number>();
      const acquire = (who: number) => {
        const waited = locks[who]!.acquire({ timeoutMs: 20_000 }).then(
          () => { monitor.enter(ps[who]!.name); holding.add(who); },
          (error: unknown) => { if (!dead.has(who)) throw error; },
        ).finally(() => waits.delete(who));
        waits.set(who, waited);
      };
      try {
        for (const step of schedule) {
          if (step.kind === 'pause') await sleep(step.ms);
          else if (dead.has(step.who)) continue;
          else if (step.kind === 'fault') {
            if (step.fault !== 'blip') dead.add(step.who);
            if (step.fault !== 'blip') holding.delete(step.who);
            await applyFault(ctx, ps[step.who]!, step.fault);
          } else if (holding.has(step.who)) {
            holding.delete(step.who);
            monitor.exit(ps[step.who]!.name);
            await locks[step.who]!.release();
          } else if (!waits.has(step.who)) {
            acquire(step.who);
          }
        }
        // Liveness: release as holders come, until every surviving waiter has held the lock.
        const liveness = (async () => {
          while (waits.size > 0 || holding.size > 0) {
            for (const who of [...holding]) {
              holding.delete(who);
              monitor.exit(ps[who]!.name);
              if (locks[who]!.state !== 'lost') await locks[who]!.release();
            }
            if (waits.size > 0) await Promise.race(waits.values());
          }
        })();
        await within(liveness, 30_000, () => `waiting: ${[...waits.keys()].join(',')}; ${show(schedule)}`);
        monitor.assertSafe();
      } finally {
        await closeAll(ps);
      }
    }), { numRuns, seed, endOnFailure: true });
  });

  it('LeaderElection: never two leaders, and in the end the first surviving candidate leads', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(scheduleArbitrary, async (schedule) => {
      const path = `/schedules/election-${run++}`;
      const monitor = new HoldMonitor(path);
      const ps = await makeParticipants(ctx);
      const dead = new Set<number>();
      const started = new Set<number>();
      let elections = ps.map((p) => newElection(p));
      function newElection(p: Participant): LeaderElection {
        const election = new LeaderElection(p.client, path, { id: p.name });
        election.on('elected', () => monitor.enter(p.name));
        election.on('revoked', () => monitor.exit(p.name));
        return election;
      }
      try {
        for (const step of schedule) {
          if (step.kind === 'pause') await sleep(step.ms);
          else if (dead.has(step.who)) continue;
          else if (step.kind === 'fault') {
            if (step.fault !== 'blip') dead.add(step.who);
            await applyFault(ctx, ps[step.who]!, step.fault);
          } else if (!started.has(step.who)) {
            started.add(step.who);
            await elections[step.who]!.start({ timeoutMs: 10_000 });
          } else if (elections[step.who]!.isLeader) {
            await elections[step.who]!.relinquish();
          } else {
            await elections[step.who]!.close();
            started.delete(step.who);
            elections = elections.map((election, i) => (i === step.who ? newElection(ps[i]!) : election));
          }
        }
        const survivors = [...started].filter((who) => !dead.has(who));
        if (survivors.length > 0) {
          const leader = await waitFor(`one leader among ${survivors.join(',')}; ${show(schedule)}`, () => {
            const leaders = survivors.filter((who) => elections[who]!.isLeader);
            return leaders.length === 1 ? leaders[0] : undefined;
          }, 15_000);
          const first = await elections[leader!]!.leader();
          assert.equal(first?.id, ps[leader!]!.name, 'the leader is the first node');
        }
        monitor.assertSafe();
        for (const who of survivors) await elections[who]!.close();
      } finally {
        await closeAll(ps);
      }
    }), { numRuns, seed, endOnFailure: true });
  });
});
