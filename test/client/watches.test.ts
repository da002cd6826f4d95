/**
 * Watches through the client against a real zkts server and a real Apache ZooKeeper 3.8:
 * one-shot watch callbacks from exists/getData/getChildren, `watch()` async iterators in every
 * mode (one-shot re-armed, persistent, persistentRecursive), removeWatches, and ZooKeeper's
 * ordering guarantee (a client sees the event before any reply that reflects the change).
 *
 * "Nothing else fired" is checked with a barrier, not a sleep: a round trip on the watching
 * client after the writer's call returned. The server sends a notification before any reply
 * that reflects its change, so whatever was going to fire has fired when the barrier returns.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  NoWatcherError, ZooKeeperError, type WatchEvent, type WatchListener, type WatchStream, type ZooKeeperClient,
} from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/codes.js';
import { describeEachServer, serverWatchCount, take, waitFor, within } from './support.js';

const show = (event: WatchEvent) => `${event.type} ${event.path}`;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

function recorder(): { events: string[]; listener: WatchListener } {
  const events: string[] = [];
  return { events, listener: (event) => events.push(show(event)) };
}

/** A round trip on `zk`: every notification sent before it has been delivered when it returns. */
async function barrier(zk: ZooKeeperClient): Promise<void> {
  await zk.exists('/');
}

async function takeShown(stream: WatchStream, count: number): Promise<string[]> {
  return (await take(stream, count)).map(show);
}

describeEachServer('client watches', (ctx) => {
  it('fires one-shot watches from getData, exists and getChildren once each', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    await zk.create('/w', 'v0');
    const data = recorder();
    const missing = recorder();
    const present = recorder();
    const children = recorder();
    await zk.getData('/w', { watch: data.listener });
    assert.equal(await zk.exists('/w/new', { watch: missing.listener }), null);
    await zk.exists('/w', { watch: present.listener });
    assert.deepEqual(await zk.getChildren('/w', { watch: children.listener }), []);

    await other.setData('/w', 'v1');
    await other.create('/w/new');
    await barrier(zk);
    assert.deepEqual(data.events, ['NodeDataChanged /w']);
    assert.deepEqual(present.events, ['NodeDataChanged /w']);
    assert.deepEqual(missing.events, ['NodeCreated /w/new']);
    assert.deepEqual(children.events, ['NodeChildrenChanged /w']);

    await other.setData('/w', 'v2');
    await other.create('/w/more');
    await barrier(zk);
    assert.equal(data.events.length + present.events.length + missing.events.length + children.events.length, 4, 'one-shot watches fire once');
  });

  it('fires NodeDeleted to data and child watches, calling a listener registered twice once', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    await zk.create('/del');
    const both = recorder();
    await zk.getData('/del', { watch: both.listener });
    await zk.getChildren('/del', { watch: both.listener });
    await other.delete('/del');
    await barrier(zk);
    assert.deepEqual(both.events, ['NodeDeleted /del']);
  });

  it('delivers a watch event before the reply that reflects the change', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    await zk.create('/order', 'v1');
    const seen: string[] = [];
    await zk.getData('/order', { watch: (event) => seen.push(`event ${event.type}`) });
    await other.setData('/order', 'v2');
    await zk.getData('/order').then((result) => seen.push(`reply ${text(result.data)}`));
    assert.deepEqual(seen, ['event NodeDataChanged', 'reply v2']);

    // The same holds for the writer's own change: its event comes before its own reply.
    const own: string[] = [];
    await zk.addWatch('/order', 'persistent', (event) => own.push(`event ${event.type}`));
    await zk.setData('/order', 'v3').then((stat) => own.push(`reply version ${stat.version}`));
    assert.deepEqual(own, ['event NodeDataChanged', 'reply version 2']);
  });

  it('streams data changes with for await, re-arming the one-shot watch, and ends when the node goes', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    await zk.create('/stream', '0');
    const stream = zk.watch('/stream');
    await stream.ready;
    const seen: string[] = [];
    const consumed = (async () => {
      for await (const event of stream) {
        seen.push(show(event));
        // The re-arm was submitted when the event arrived; a round trip after it means the watch
        // is set again, so the next change is guaranteed to produce an event of its own.
        await barrier(zk);
        if (seen.length === 1) await other.setData('/stream', '2');
        else if (seen.length === 2) await other.delete('/stream');
      }
    })();
    await other.setData('/stream', '1');
    await within(consumed, 5_000, () => `the stream to end; seen ${JSON.stringify(seen)}`);
    assert.deepEqual(seen, ['NodeDataChanged /stream', 'NodeDataChanged /stream', 'NodeDeleted /stream']);
  });

  it('streams exists and children watches, and break stops the stream', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    const exists = zk.watch('/ex', { mode: 'exists' });
    await exists.ready;
    await other.create('/ex');
    assert.deepEqual(await takeShown(exists, 1), ['NodeCreated /ex']);
    await barrier(zk);
    const children = zk.watch('/ex', { mode: 'children' });
    await children.ready;
    await other.create('/ex/kid');
    assert.deepEqual(await takeShown(children, 1), ['NodeChildrenChanged /ex']);
    await barrier(zk);
    await other.delete('/ex/kid');
    assert.deepEqual(await takeShown(children, 1), ['NodeChildrenChanged /ex']);
    await children.return();
    await other.delete('/ex');
    assert.deepEqual(await takeShown(exists, 1), ['NodeDeleted /ex']);
    await barrier(zk);
    await other.create('/ex');
    let first: WatchEvent | undefined;
    await within((async () => {
      for await (const event of exists) {
        first = event;
        break;
      }
    })(), 5_000, () => 'NodeCreated from the exists stream');
    assert.equal(first !== undefined ? show(first) : undefined, 'NodeCreated /ex');
    assert.deepEqual(await exists.next(), { value: undefined, done: true }, 'break ended the stream');
    // The re-arm sent with the event may still be on its way; once it is answered, the one-shot
    // watch it set on the server is used up by the delete and nothing is left.
    await barrier(zk);
    assert.equal(zk.watchCount, 0, 'the client holds no watch for the ended streams');
    await other.delete('/ex');
    await barrier(zk);
    assert.equal(await serverWatchCount(ctx.server), 0, 'no watch is left on the server');
  });

  it('streams every change of a node with a persistent watch, and removes it from the server on return()', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    const stream = zk.watch('/pw', { mode: 'persistent' });
    await stream.ready;
    await other.create('/pw', 'a');
    await other.setData('/pw', 'b');
    await other.create('/pw/c');
    await other.setData('/pw/c', 'not the watched node');
    await other.delete('/pw/c');
    await other.delete('/pw');
    await other.create('/pw');
    assert.deepEqual(await takeShown(stream, 6), [
      'NodeCreated /pw', 'NodeDataChanged /pw', 'NodeChildrenChanged /pw', 'NodeChildrenChanged /pw', 'NodeDeleted /pw', 'NodeCreated /pw',
    ]);
    assert.equal(await serverWatchCount(ctx.server), 1);
    await stream.return();
    await waitFor('the server to drop the persistent watch', async () => (await serverWatchCount(ctx.server)) === 0);
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  it('streams the subtree with a persistentRecursive watch, without child-list events', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    const stream = zk.watch('/rw', { mode: 'persistentRecursive' });
    await stream.ready;
    await other.create('/rw');
    await other.create('/rw/a');
    await other.create('/rw/a/b', 'x');
    await other.setData('/rw/a/b', 'y');
    await other.delete('/rw/a/b');
    await other.create('/rwx'); // shares the string prefix but is not below /rw
    await other.setData('/rw', 'last');
    assert.deepEqual(await takeShown(stream, 6), [
      'NodeCreated /rw', 'NodeCreated /rw/a', 'NodeCreated /rw/a/b', 'NodeDataChanged /rw/a/b', 'NodeDeleted /rw/a/b', 'NodeDataChanged /rw',
    ]);
    await barrier(zk);
    await stream.return();
    assert.deepEqual(await stream.next(), { value: undefined, done: true }, 'nothing else was queued');
  });

  it('removes watches by type, telling each removed listener, and answers NoWatcher when none is set', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    await zk.create('/rm');
    const data = recorder();
    const child = recorder();
    await zk.getData('/rm', { watch: data.listener });
    await zk.getChildren('/rm', { watch: child.listener });
    await zk.removeWatches('/rm', 'data');
    assert.deepEqual(data.events, ['DataWatchRemoved /rm']);
    await other.setData('/rm', 'changed');
    await other.create('/rm/kid');
    await barrier(zk);
    assert.deepEqual(data.events, ['DataWatchRemoved /rm'], 'the removed watch no longer fires');
    assert.deepEqual(child.events, ['NodeChildrenChanged /rm'], 'the other type still fires');
    await assert.rejects(zk.removeWatches('/rm', 'children'), (error: unknown) => error instanceof NoWatcherError && error.code === ErrorCode.NOWATCHER);

    // With two listeners on one watch, removing one leaves the server watch for the other.
    const first = recorder();
    const second = recorder();
    await zk.getData('/rm', { watch: first.listener });
    await zk.getData('/rm', { watch: second.listener });
    await zk.removeWatches('/rm', 'data', { listener: first.listener });
    await other.setData('/rm', 'again');
    await barrier(zk);
    assert.deepEqual(first.events, ['DataWatchRemoved /rm']);
    assert.deepEqual(second.events, ['NodeDataChanged /rm']);
  });

  it('removes a persistent watch with type any; 3.8 cannot remove it by its own type', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    await zk.create('/prm');
    const persistent = recorder();
    await zk.addWatch('/prm', 'persistent', persistent.listener);
    await assert.rejects(zk.removeWatches('/prm', 'persistent'), (error: unknown) => {
      assert.ok(error instanceof ZooKeeperError, String(error));
      // 3.8 servers know WatcherType 1-3 only: 4 (a 3.9 addition) is a MarshallingError.
      assert.equal(error.code, ErrorCode.MARSHALLINGERROR);
      return true;
    });
    await other.setData('/prm', 'still watched');
    await barrier(zk);
    assert.deepEqual(persistent.events, ['NodeDataChanged /prm'], 'a refused removal leaves the watch');
    await zk.removeWatches('/prm', 'any');
    assert.deepEqual(persistent.events, ['NodeDataChanged /prm', 'PersistentWatchRemoved /prm']);
    await other.setData('/prm', 'unwatched');
    await barrier(zk);
    assert.equal(persistent.events.length, 2);
    assert.equal(await serverWatchCount(ctx.server), 0);
  });
});
