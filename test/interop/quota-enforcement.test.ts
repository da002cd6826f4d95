/**
 * zookeeper.enforceQuota, next to Apache ZooKeeper 3.8: the same quota nodes (as zkCli 3.8
 * writes them) and the same writes on both servers, and the same error code for each write:
 * creates and setData past a hard count or byte limit fail with QUOTAEXCEEDED (also before a
 * bad version, and inside a multi), soft limits and paths outside a quota never do, and without
 * enforceQuota nothing fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apacheZooKeeperAvailable, startApacheZooKeeper, startZkts } from '../support/servers.js';
import { multiOp, WireClient } from '../support/wire-client.js';

const skip = apacheZooKeeperAvailable() ? false : 'Apache ZooKeeper is not installed';
const bytes = (text: string) => new TextEncoder().encode(text);

async function history(kind: 'zkts' | 'zookeeper', enforce: boolean): Promise<string[]> {
  const server = await (kind === 'zkts' ? startZkts : startApacheZooKeeper)({ config: { 'zookeeper.enforceQuota': String(enforce) } });
  try {
    const zk = await WireClient.connect({ host: server.host, port: server.port, timeOutMs: 10_000 });
    const setUp = async (path: string, limits: string) => {
      for (const [at, data] of [[path, 'ab'], [`/zookeeper/quota${path}`, null], [`/zookeeper/quota${path}/zookeeper_stats`, 'count=0,bytes=0'],
        [`/zookeeper/quota${path}/zookeeper_limits`, limits]] as const) {
        assert.equal((await zk.create(at, data === null ? null : bytes(data))).err, 0, at);
      }
    };
    await setUp('/q', 'count=-1,bytes=-1=;byteHardLimit=20;countHardLimit=4');
    await setUp('/s', 'count=1,bytes=1=;byteHardLimit=-1;countHardLimit=-1');
    const outcomes: string[] = [];
    const note = async (what: string, reply: Promise<{ err: number; body?: unknown }>) => {
      const answer = await reply;
      const results = Array.isArray(answer.body) ? ` ${(answer.body as { err: number }[]).map((r) => r.err).join(',')}` : '';
      outcomes.push(`${what}: ${answer.err}${results}`);
    };
    for (const name of ['a', 'b', 'c', 'd']) await note(`create /q/${name}`, zk.create(`/q/${name}`, bytes(name === 'd' ? '' : 'x')));
    await note('setData to 19 bytes', zk.setData('/q/a', bytes('x'.repeat(15))));
    await note('setData to 21 bytes', zk.setData('/q/a', bytes('x'.repeat(17))));
    await note('setData back down', zk.setData('/q/a', new Uint8Array(0)));
    await note('setData past the limit with a bad version', zk.setData('/q/b', bytes('y'.repeat(30)), 99));
    await note('multi of two creates', zk.multi([multiOp.create('/q/m1', null), multiOp.create('/q/m2', null)]));
    await note('delete /q/c', zk.delete('/q/c'));
    await note('create /q/e', zk.create('/q/e', null));
    await note('create /q/e/deeper', zk.create('/q/e/deeper', null));
    await note('create outside any quota', zk.create('/other', bytes('x'.repeat(100))));
    for (const name of ['s1', 's2']) await note(`create /s/${name} past a soft limit`, zk.create(`/s/${name}`, bytes('soft')));
    await zk.destroy();
    return outcomes;
  } finally {
    await server.stop();
  }
}

describe('zookeeper.enforceQuota, next to Apache ZooKeeper 3.8', { skip }, () => {
  it('fails the same writes with QUOTAEXCEEDED, and none without enforceQuota', async () => {
    const [theirs, ours, theirsOff, oursOff] = await Promise.all([
      history('zookeeper', true), history('zkts', true), history('zookeeper', false), history('zkts', false),
    ]);
    assert.deepEqual(ours, theirs);
    assert.ok(ours.filter((line) => line.includes('-125')).length >= 4, ours.join('\n'));
    assert.deepEqual(oursOff, theirsOff);
    assert.ok(!oursOff.some((line) => line.includes('-125')), oursOff.join('\n'));
  });
});
