/**
 * Counter and NamingService against a real zkts and a real ZooKeeper 3.8. Counter: concurrent
 * increments from six sessions add up exactly and each returns a distinct value; an increment
 * whose reply is lost counts once (where a naive retry of the versioned write counts twice, shown
 * first); compare-and-set; with incrementers killed mid-run the total is the confirmed
 * increments plus at most one per killed session. NamingService: ids from many sessions are
 * unique and increase per caller, and leave no nodes behind.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BadVersionError, ConnectionLossError, SessionExpiredError } from '../../src/client/index.js';
import { OpCode } from '../../src/protocol/codes.js';
import { CorruptDataError, Counter, NamingService } from '../../src/recipes/index.js';
import { describeEachServer, expire, participant, participants, RequestSpy, sleep, waitFor, within } from './support.js';

describeEachServer('recipes: Counter', (ctx) => {
  it('adds up concurrent increments from six sessions exactly', async () => {
    const ps = await participants(ctx, 6);
    const perSession = 15;
    const results = await within(Promise.all(ps.map(async (p) => {
      const counter = new Counter(p.client, '/counters/many');
      const values: number[] = [];
      for (let i = 0; i < perSession; i++) values.push(await counter.increment());
      return values;
    })), 60_000, () => 'the incrementers');
    const all = results.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: ps.length * perSession }, (_, i) => i + 1), 'every increment saw its own value');
    assert.equal(await new Counter(ps[0]!.client, '/counters/many').get(), ps.length * perSession);
  });

  it('counts an increment once when its reply is lost, where a naive retry counts it twice', async () => {
    const spy = new RequestSpy();
    const p = await participant(ctx, 'p', { sessionTimeoutMs: 10_000 }, spy.tap);
    const observer = await ctx.client();
    await observer.create('/counters-lost');
    await observer.create('/counters-lost/c', '0');
    const valueNow = async () => Number((await observer.getData('/counters-lost/c')).data.toString());

    // Naive: read, write at the version; the write's reply is lost, so try again from a fresh read.
    let dropNext = true;
    spy.onRequest = (opCode) => {
      if (opCode === OpCode.setData && dropNext) { dropNext = false; p.proxy.dropReplies(); }
    };
    const naive = async () => {
      for (;;) {
        const { data, stat } = await p.client.getData('/counters-lost/c');
        try {
          await p.client.setData('/counters-lost/c', String(Number(data.toString()) + 1), stat.version);
          return;
        } catch (error) {
          if (!(error instanceof ConnectionLossError || error instanceof BadVersionError)) throw error;
          await p.client.connected(10_000);
        }
      }
    };
    const naiveDone = naive();
    await waitFor('the naive write to commit', async () => (await valueNow()) === 1);
    p.proxy.cut();
    p.proxy.restore();
    await within(naiveDone, 10_000, () => 'the naive increment');
    assert.equal(await valueNow(), 2, 'one naive increment counted twice');

    // The counter: the same loss, counted once.
    let multis = 0;
    spy.onRequest = (opCode) => {
      if (opCode === OpCode.multi && multis++ === 0) p.proxy.dropReplies();
    };
    const counter = new Counter(p.client, '/counters-lost/c');
    const incremented = counter.increment({ timeoutMs: 15_000 });
    await waitFor('the counter\'s write to commit', async () => (await valueNow()) === 3);
    p.proxy.cut();
    p.proxy.restore();
    assert.equal(await within(incremented, 15_000, () => 'the increment after the lost reply'), 3);
    assert.equal(multis, 1, 'not written again');
    assert.equal(await valueNow(), 3);
  });

  it('compares and sets, and reports a value that is not a number', async () => {
    const zk = await ctx.client();
    const counter = new Counter(zk, '/counters/cas');
    assert.equal(await counter.get(), 0);
    assert.equal(await counter.compareAndSet(0, 10), true);
    assert.equal(await counter.compareAndSet(0, 20), false);
    assert.equal(await counter.add(-3), 7);
    assert.equal(await counter.decrement(), 6);
    await zk.setData('/counters/cas', 'eleven');
    await assert.rejects(counter.get(), CorruptDataError);
  });

  it('counts each confirmed increment once when incrementers are killed mid-run', async (t) => {
    const ps = await participants(ctx, 4);
    const killed = new Set(['p1', 'p2']);
    let confirmed = 0;
    let stop = false;
    const runs = ps.map(async (p) => {
      const counter = new Counter(p.client, '/counters/kills');
      try {
        while (!stop) {
          await counter.increment({ timeoutMs: 20_000 });
          confirmed++;
        }
      } catch (error) {
        if (!killed.has(p.name)) throw error;
        assert.ok(error instanceof SessionExpiredError, `${p.name}: ${(error as Error).name}`);
      }
    });
    await sleep(300);
    await expire(ctx, ps[1]!);
    await sleep(200);
    await expire(ctx, ps[2]!);
    await sleep(200);
    stop = true;
    await within(Promise.all(runs), 30_000, () => 'the incrementers');
    const total = await new Counter(ps[0]!.client, '/counters/kills').get();
    t.diagnostic(`confirmed increments ${confirmed}, counter ${total}`);
    assert.ok(total >= confirmed && total <= confirmed + killed.size, `counter ${total}, confirmed ${confirmed}`);
  });
});

describeEachServer('recipes: NamingService', (ctx) => {
  it('gives unique ids, increasing per caller, to five sessions', async () => {
    const ps = await participants(ctx, 5);
    const perSession = 20;
    const ids = await within(Promise.all(ps.map(async (p) => {
      const naming = new NamingService(p.client, '/names/ids');
      const mine: number[] = [];
      for (let i = 0; i < perSession; i++) mine.push(await naming.nextId());
      return mine;
    })), 30_000, () => 'the callers');
    for (const mine of ids) assert.deepEqual(mine, [...mine].sort((a, b) => a - b), 'increasing per caller');
    const all = ids.flat();
    assert.equal(new Set(all).size, all.length, 'unique');
    const observer = await ctx.client();
    await waitFor('the id nodes to be deleted', async () => (await observer.getChildren('/names/ids')).length === 0);
  });
});
