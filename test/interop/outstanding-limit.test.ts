/**
 * globalOutstandingLimit, next to Apache ZooKeeper 3.8: with a limit of 2, connections that
 * pipeline thousands of writes and reads get paused and read again (src/server/throttle.ts), and
 * every request is still answered, in order, with the same results on both servers. This is a
 * liveness check; which connection is paused when is timing and not compared.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apacheZooKeeperAvailable, startApacheZooKeeper, startZkts } from '../support/servers.js';
import { WireClient } from '../support/wire-client.js';

const skip = apacheZooKeeperAvailable() ? false : 'Apache ZooKeeper is not installed';
const utf8 = (text: string) => new TextEncoder().encode(text);

async function burst(kind: 'zkts' | 'zookeeper'): Promise<string[]> {
  const server = await (kind === 'zkts' ? startZkts : startApacheZooKeeper)({ config: { globalOutstandingLimit: '2' } });
  try {
    const clients = await Promise.all([0, 1, 2].map(() => WireClient.connect({ host: server.host, port: server.port, timeOutMs: 30_000 })));
    assert.equal((await clients[0]!.create('/t', null)).err, 0);
    const outcomes = await Promise.all(clients.map(async (client, c) => {
      const order: number[] = [];
      const replies = [];
      for (let i = 0; i < 1500; i++) {
        const reply = i % 3 === 2 ? client.getData(`/t/c${c}-${i - 1}`) : client.create(`/t/c${c}-${i}`, utf8(`${c}:${i}`));
        replies.push(reply.then((answer) => { order.push(i); return answer; }));
      }
      const answers = await Promise.all(replies);
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `${kind}: client ${c} answered in order`);
      return answers.map((answer, i) => (i % 3 === 2 ? `${answer.err}:${new TextDecoder().decode((answer.body as { data: Uint8Array }).data)}` : String(answer.err)));
    }));
    for (const client of clients) await client.destroy();
    return outcomes.flat();
  } finally {
    await server.stop();
  }
}

describe('globalOutstandingLimit, next to Apache ZooKeeper 3.8', { skip }, () => {
  it('pipelined bursts over a tiny limit are all answered, in order, with ZooKeeper\'s results', async () => {
    const [theirs, ours] = await Promise.all([burst('zookeeper'), burst('zkts')]);
    assert.equal(ours.length, 4500);
    assert.ok(ours.every((outcome) => outcome === '0' || outcome.startsWith('0:')), 'every request succeeded');
    assert.deepEqual(ours, theirs);
  });
});
