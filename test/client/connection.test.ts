/**
 * Connection management through the client against a real zkts server and a real Apache
 * ZooKeeper 3.8: pipelining, the bounded request queue, request timeouts, moving to another host
 * of the connect string with the session, its ephemerals and its watches (re-registered with
 * SetWatches, in batches when the watch set is larger than one frame may be), session expiry,
 * authFailed, pings, host shuffling and the retry helper.
 *
 * Network failures are made with TestProxy (support.ts) in front of the one server: two proxies
 * are two hosts of the connect string, and closing one stops that host for the client.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  AuthFailedError, ClientClosedError, ConnectionLossError, isRetryable, NoNodeError, RequestQueueFullError, RequestTimeoutError,
  retry, SessionExpiredError, type WatchEvent,
} from '../../src/client/index.js';
import { describeEachServer, Recorder, recordStates, serverWatchCount, sleep, take, tickTimeMs, waitFor, type TestProxy } from './support.js';

const show = (event: WatchEvent) => `${event.type} ${event.path}`;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** The one proxy of `proxies` the client is connected through. */
function liveProxy(proxies: readonly TestProxy[]): TestProxy {
  const live = proxies.filter((proxy) => proxy.liveConnections > 0);
  assert.equal(live.length, 1, `exactly one proxy carries the connection (live: ${proxies.map((p) => p.liveConnections).join(',')})`);
  return live[0]!;
}

describeEachServer('client connection', (ctx) => {
  it('pipelines many requests and answers them in submission order', async () => {
    const zk = await ctx.client({ maxInFlightRequests: 64 });
    await zk.create('/pipe');
    const count = 1000;
    const creates = Array.from({ length: count }, (_, i) => zk.create('/pipe/n-', String(i), { mode: 'persistentSequential' }));
    assert.ok(zk.pendingRequests > 64, `requests were queued behind the in-flight bound (${zk.pendingRequests} pending)`);
    const names = await Promise.all(creates);
    assert.deepEqual(names, Array.from({ length: count }, (_, i) => `/pipe/n-${String(i).padStart(10, '0')}`));
    const reads = await Promise.all(names.slice(0, 100).map((name) => zk.getData(name)));
    assert.deepEqual(reads.map((read) => text(read.data)), Array.from({ length: 100 }, (_, i) => String(i)));
    assert.equal(zk.pendingRequests, 0);
  });

  it('refuses requests beyond maxQueuedRequests without sending them (backpressure)', async () => {
    const zk = await ctx.client({ maxQueuedRequests: 10 });
    const settled = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => zk.exists(`/bp-${i}`)));
    const outcomes = settled.map((result) => (result.status === 'fulfilled' ? 'ok' : (result.reason as Error).name));
    assert.deepEqual(outcomes, [...Array<string>(10).fill('ok'), ...Array<string>(15).fill('RequestQueueFullError')]);
    const refused = settled[24];
    assert.ok(refused?.status === 'rejected' && refused.reason instanceof RequestQueueFullError && isRetryable(refused.reason));
    assert.equal(await zk.exists('/bp-0'), null, 'the client takes requests again once the queue drains');
  });

  it('fails a request with RequestTimeoutError when no reply comes in time, then recovers', async () => {
    const proxy = await ctx.proxy();
    const zk = await ctx.client({ sessionTimeoutMs: 10_000, requestTimeoutMs: 300 }, proxy.connectString);
    const states = recordStates(zk);
    const sessionId = zk.sessionId;
    proxy.blackhole();
    const started = performance.now();
    await assert.rejects(zk.getData('/'), (error: unknown) => error instanceof RequestTimeoutError && isRetryable(error));
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 3_000, `timed out after ${elapsed} ms`);
    assert.equal(zk.state, 'connected', 'a request timeout alone does not drop the connection');
    proxy.cut();
    await states.waitFor('the disconnect', (state) => state === 'disconnected');
    proxy.restore();
    await zk.connected(10_000);
    assert.equal(zk.sessionId, sessionId);
    assert.notEqual(await zk.exists('/'), null);
  });

  it('moves to another host of the connect string, keeping its session, ephemerals and watches', async () => {
    const proxies = [await ctx.proxy(), await ctx.proxy()];
    const zk = await ctx.client({ sessionTimeoutMs: 10_000 }, proxies.map((proxy) => proxy.connectString).join(','));
    const observer = await ctx.client();
    const states = recordStates(zk);
    const live = liveProxy(proxies);
    const spare = proxies.find((proxy) => proxy !== live)!;
    const sessionId = zk.sessionId;

    await zk.create('/rc', 'v0');
    await zk.create('/rc/eph', null, { mode: 'ephemeral' });
    const events = new Recorder<string>();
    const record = (event: WatchEvent) => events.push(show(event));
    await zk.getData('/rc', { watch: record });
    await zk.getChildren('/rc', { watch: record });
    assert.equal(await zk.exists('/rc/new', { watch: record }), null);
    await zk.addWatch('/rc/p', 'persistent', record);
    const tree = zk.watch('/rc/tree', { mode: 'persistentRecursive' });
    await tree.ready;

    // A request written just before the host goes has an unknown outcome: ConnectionLoss.
    spare.cut(); // keep the client off the other host until the changes below are made
    live.blackhole();
    const inFlight = zk.getData('/rc');
    await live.close();
    await assert.rejects(inFlight, (error: unknown) => error instanceof ConnectionLossError && isRetryable(error));
    await states.waitFor('the disconnect', (state) => state === 'disconnected');
    const queued = zk.getData('/rc');

    await observer.setData('/rc', 'changed while away');
    await observer.create('/rc/new');
    assert.deepEqual(events.items, [], 'nothing fires while disconnected');
    spare.restore();
    await states.waitFor('the reconnect', (state) => state === 'connected');
    assert.equal(spare.liveConnections, 1, 'the client is on the other host');
    assert.equal(zk.sessionId, sessionId, 'the session was re-attached, not replaced');
    assert.equal(text((await queued).data), 'changed while away', 'a request made while disconnected ran after the reconnect');

    // SetWatches reported what changed while away at once...
    await waitFor('the missed events', () => events.items.length >= 3);
    assert.deepEqual([...events.items].sort(), ['NodeChildrenChanged /rc', 'NodeCreated /rc/new', 'NodeDataChanged /rc']);
    // ...and re-registered the persistent watches, which fire for changes from now on.
    await observer.create('/rc/p');
    await observer.create('/rc/tree');
    await observer.create('/rc/tree/leaf');
    await events.waitFor('the persistent watch', (event) => event === 'NodeCreated /rc/p');
    assert.deepEqual((await take(tree, 2)).map(show), ['NodeCreated /rc/tree', 'NodeCreated /rc/tree/leaf']);

    assert.deepEqual(await zk.getEphemerals('/rc'), ['/rc/eph']);
    assert.equal((await observer.exists('/rc/eph'))?.ephemeralOwner, sessionId);
    assert.deepEqual(states.items, ['disconnected', 'connected']);
  });

  it('re-registers a watch set larger than one frame in several SetWatches batches', async () => {
    const proxy = await ctx.proxy();
    const zk = await ctx.client({ sessionTimeoutMs: 10_000 }, proxy.connectString);
    const observer = await ctx.client();
    const states = recordStates(zk);
    await zk.create('/big');
    // 1,200 paths of about 1 KB: 1.2 MB of paths, more than the 1 MB frame a server accepts, so
    // the re-registration only works if it is split (into 128 KB batches by default).
    const paths = Array.from({ length: 1200 }, (_, i) => `/big/${String(i).padStart(4, '0')}-${'x'.repeat(1000)}`);
    const fired = new Set<string>();
    const listener = (event: WatchEvent) => {
      assert.equal(event.type, 'NodeCreated');
      fired.add(event.path);
    };
    assert.deepEqual(new Set(await Promise.all(paths.map((path) => zk.exists(path, { watch: listener })))), new Set([null]));
    assert.equal(await serverWatchCount(ctx.server), paths.length);

    proxy.cut();
    await states.waitFor('the disconnect', (state) => state === 'disconnected');
    await waitFor('the server to drop the old connection\'s watches', async () => (await serverWatchCount(ctx.server)) === 0);
    const whileAway = paths.slice(0, 10);
    await Promise.all(whileAway.map((path) => observer.create(path)));
    proxy.restore();
    await states.waitFor('the reconnect', (state) => state === 'connected');

    await waitFor('the events missed while away', () => whileAway.every((path) => fired.has(path)));
    assert.equal(fired.size, whileAway.length);
    await zk.exists('/'); // answered after every SetWatches batch (replies come in request order)
    assert.equal(await serverWatchCount(ctx.server), paths.length - whileAway.length, 'every other watch is registered again');
    assert.deepEqual(states.items, ['disconnected', 'connected'], 'no batch made the server drop the connection');
    await Promise.all(paths.slice(whileAway.length).map((path) => observer.create(path)));
    await waitFor('an event for every path', () => fired.size === paths.length);
  });

  it('fails createClient with ConnectionLoss when no host answers within connectTimeoutMs', async () => {
    const proxy = await ctx.proxy();
    proxy.cut();
    const started = performance.now();
    await assert.rejects(ctx.client({ connectTimeoutMs: 300 }, `${proxy.connectString},127.0.0.1:1`), ConnectionLossError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 2_000, `gave up after ${elapsed} ms`);
    assert.ok(proxy.acceptedCount >= 1, 'it did try the hosts');
  });

  it('gets the session timeout clamped to [2, 20] x tickTime by the server', async () => {
    assert.equal((await ctx.client({ sessionTimeoutMs: 60_000 })).sessionTimeoutMs, 20 * tickTimeMs);
    assert.equal((await ctx.client({ sessionTimeoutMs: 100 })).sessionTimeoutMs, 2 * tickTimeMs);
    assert.equal((await ctx.client({ sessionTimeoutMs: 3_000 })).sessionTimeoutMs, 3_000);
  });

  it('re-attaches another client to a session with its id and password; a wrong password is expiry', async () => {
    const proxy = await ctx.proxy();
    const first = await ctx.client({ sessionTimeoutMs: 10_000, expireLocally: false }, proxy.connectString);
    const observer = await ctx.client();
    await first.create('/handover', null, { mode: 'ephemeral' });
    proxy.cut(); // the first client is away; its session lives on for the timeout
    const wrong = Uint8Array.from(first.sessionPasswd, (byte) => byte ^ 0xff);
    await assert.rejects(ctx.client({ sessionId: first.sessionId, sessionPasswd: wrong }), SessionExpiredError);
    const second = await ctx.client({ sessionId: first.sessionId, sessionPasswd: first.sessionPasswd });
    assert.equal(second.sessionId, first.sessionId);
    assert.deepEqual(await second.getEphemerals('/handover'), ['/handover']);
    await second.close();
    assert.equal(await observer.exists('/handover'), null, 'closing the re-attached client ended the session');
  });

  it('keeps an idle session alive with pings', async () => {
    const zk = await ctx.client({ sessionTimeoutMs: 3 * tickTimeMs });
    const observer = await ctx.client();
    const states = recordStates(zk);
    await zk.create('/idle', null, { mode: 'ephemeral' });
    await sleep(2 * zk.sessionTimeoutMs); // without pings the server expires it after one
    assert.deepEqual(states.items, [], 'no disconnect while idle');
    assert.equal((await observer.exists('/idle'))?.ephemeralOwner, zk.sessionId);
  });

  it('reports expiry when the server refuses the session after a long disconnect; the session is then unusable', async () => {
    const proxy = await ctx.proxy();
    // Without local expiry the client keeps its session until a server says it expired.
    const zk = await ctx.client({ sessionTimeoutMs: 2 * tickTimeMs, expireLocally: false }, proxy.connectString);
    const observer = await ctx.client();
    const states = recordStates(zk);
    await zk.create('/exp', null, { mode: 'ephemeral' });
    const stream = zk.watch('/exp', { mode: 'persistent' });
    await stream.ready;
    // Assertions on promises that settle later are attached now, so no rejection goes unhandled.
    const streamEnds = assert.rejects(stream.next(), SessionExpiredError, 'a watch stream ends with the session');

    const statesBefore = states.items.length;
    proxy.blackhole();
    const inFlight = zk.getData('/exp');
    proxy.cut();
    await assert.rejects(inFlight, ConnectionLossError);
    await states.waitFor('the disconnect', (state) => state === 'disconnected');
    const queuedFails = assert.rejects(zk.getData('/exp'), SessionExpiredError, 'a request queued while disconnected fails on expiry');
    await waitFor('the server to expire the session', async () => (await observer.exists('/exp')) === null, 10_000);
    proxy.restore();
    await states.waitFor('expiry', (state) => state === 'expired');

    assert.equal(zk.state, 'expired');
    assert.deepEqual(states.items.slice(statesBefore), ['disconnected', 'expired']);
    await queuedFails;
    await assert.rejects(zk.getData('/'), (error: unknown) => error instanceof SessionExpiredError && !isRetryable(error));
    await assert.rejects(zk.connected(), SessionExpiredError);
    await streamEnds;
    await zk.close();
    assert.equal(zk.state, 'expired', 'closing an expired client changes nothing');
  });

  it('presumes the session expired when no server answers for 4/3 of the session timeout', async () => {
    const proxy = await ctx.proxy();
    const zk = await ctx.client({ sessionTimeoutMs: 2 * tickTimeMs }, proxy.connectString);
    const observer = await ctx.client();
    const states = recordStates(zk);
    await zk.create('/lost', null, { mode: 'ephemeral' });
    proxy.cut(); // and never restored: the client cannot ask any server
    await states.waitFor('the disconnect', (state) => state === 'disconnected');
    const queuedFails = assert.rejects(zk.getData('/lost'), SessionExpiredError);
    const disconnectedAt = performance.now();
    await states.waitFor('local expiry', (state) => state === 'expired', 8_000);
    const waitedMs = performance.now() - disconnectedAt;
    const limitMs = (zk.sessionTimeoutMs * 4) / 3;
    assert.ok(waitedMs > limitMs - 100 && waitedMs < limitMs + 3_000, `expired ${waitedMs} ms after the disconnect (limit ${limitMs})`);
    await queuedFails;
    await assert.rejects(zk.exists('/'), SessionExpiredError);
    await waitFor('the server to agree that the session is gone', async () => (await observer.exists('/lost')) === null, 5_000);
  });

  it('enters authFailed when the server rejects credentials, from addAuth or from the options', async () => {
    const zk = await ctx.client();
    const states = recordStates(zk);
    await assert.rejects(zk.addAuth('nosuchscheme', 'x'), AuthFailedError);
    await states.waitFor('authFailed', (state) => state === 'authFailed');
    assert.equal(zk.state, 'authFailed');
    await assert.rejects(zk.exists('/'), AuthFailedError);
    await assert.rejects(ctx.client({ auth: [{ scheme: 'nosuchscheme', auth: 'x' }] }), AuthFailedError);
  });

  it('shuffles the hosts of the connect string with the injected random source', async () => {
    const proxies = [await ctx.proxy(), await ctx.proxy()];
    const connectString = proxies.map((proxy) => proxy.connectString).join(',');
    const keep = await ctx.client({ random: () => 0.99 }, connectString);
    assert.equal(liveProxy(proxies), proxies[0]);
    await keep.close();
    await waitFor('the first connection to close', () => proxies[0]!.liveConnections === 0);
    await ctx.client({ random: () => 0 }, connectString);
    assert.equal(liveProxy(proxies), proxies[1]);
  });

  it('retries idempotent operations across a connection loss with the retry helper', async () => {
    const proxy = await ctx.proxy();
    const zk = await ctx.client({ sessionTimeoutMs: 10_000 }, proxy.connectString);
    await zk.create('/retry', 'r');
    proxy.blackhole();
    const tries: string[] = [];
    const result = retry(async (attempt) => {
      tries.push(`try ${attempt}`);
      try {
        return await zk.getData('/retry');
      } catch (error) {
        tries.push((error as Error).name);
        throw error;
      }
    }, { attempts: 5, backoffMs: 20 });
    await waitFor('the first try to be written', () => tries.length === 1 && zk.pendingRequests === 1);
    proxy.cut();
    await waitFor('the second try', () => tries.length >= 3);
    proxy.restore();
    assert.equal(text((await result).data), 'r');
    assert.deepEqual(tries, ['try 1', 'ConnectionLossError', 'try 2']);

    let noNodeTries = 0;
    await assert.rejects(retry(() => { noNodeTries++; return zk.getData('/retry/none'); }), NoNodeError);
    assert.equal(noNodeTries, 1, 'a definite answer is not retried');

    const slow = await ctx.client({ sessionTimeoutMs: 10_000, requestTimeoutMs: 50 }, proxy.connectString);
    proxy.blackhole();
    let timeoutTries = 0;
    await assert.rejects(retry(() => { timeoutTries++; return slow.exists('/'); }, { attempts: 3, backoffMs: 1 }), RequestTimeoutError);
    assert.equal(timeoutTries, 3, 'retryable failures are retried up to the attempt limit');
    proxy.restore();

    await zk.close();
    let closedTries = 0;
    await assert.rejects(retry(() => { closedTries++; return zk.exists('/'); }), ClientClosedError);
    assert.equal(closedTries, 1, 'a closed client is not retried');
  });
});
