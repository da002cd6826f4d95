/**
 * Server behaviours that third-party clients reach only indirectly: container and TTL reaping,
 * setWatches after a reconnect, four-letter words on the client port, maxClientCnxns,
 * jute.maxbuffer, old clients without the readOnly byte, and a client ahead of the server.
 * Runs against zkts; ZKTS_INTEROP_TARGET=zookeeper runs the same checks on Apache ZooKeeper 3.8.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startZkts, startApacheZooKeeper, apacheZooKeeperAvailable, type RunningServer, type ServerOptions } from '../support/servers.js';
import { WireClient, WireError } from '../support/wire-client.js';
import { ErrorCode, EventType } from '../../src/protocol/codes.js';
import { frame } from '../../src/jute/frame-decoder.js';

const target = process.env.ZKTS_INTEROP_TARGET === 'zookeeper' ? 'zookeeper' : 'zkts';
const skip = target === 'zookeeper' && !apacheZooKeeperAvailable() ? 'Apache ZooKeeper is not installed' : false;
const start = (options: ServerOptions) => (target === 'zookeeper' ? startApacheZooKeeper(options) : startZkts(options));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function fourLetter(server: RunningServer, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port }, () => socket.write(word));
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`${word}: no answer`)));
    socket.on('data', (chunk) => { answer += chunk.toString(); });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const bytes = (text: string) => new TextEncoder().encode(text);
const open = (server: RunningServer, timeOutMs = 10_000) => WireClient.connect({ host: server.host, port: server.port, timeOutMs });

describe(`server features (${target})`, { skip }, () => {
  let server: RunningServer;
  before(async () => {
    server = await start({
      tickTimeMs: 500,
      config: { extendedTypesEnabled: 'true', 'znode.container.checkIntervalMs': '100', 'jute.maxbuffer': '4096' },
    });
  });
  after(async () => { await server?.stop(); });

  it('reaps a container once its last child is gone, but not a never-used one', async () => {
    const zk = await open(server);
    assert.equal((await zk.createContainer('/box', null)).err, 0);
    assert.equal((await zk.createContainer('/unused', null)).err, 0);
    assert.equal((await zk.create('/box/item', null)).err, 0);
    assert.equal((await zk.delete('/box/item')).err, 0);
    await until('/box to be reaped', async () => ((await zk.exists('/box')).err === ErrorCode.NONODE ? true : undefined));
    assert.equal((await zk.exists('/unused')).err, 0);
    await zk.close();
  });

  it('reaps a TTL node after its ttl without changes, and refuses a bad ttl', async () => {
    const zk = await open(server);
    const created = await zk.createTTL('/ttl', bytes('x'), [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], 5, 300n);
    assert.equal(created.err, 0);
    assert.equal(created.body?.stat.ephemeralOwner, 0n, 'clients see ephemeralOwner 0 for TTL nodes');
    await until('/ttl to expire', async () => ((await zk.exists('/ttl')).err === ErrorCode.NONODE ? true : undefined));
    const open31 = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
    assert.equal((await zk.createTTL('/ttl-bad', null, open31, 5, 0n)).err, ErrorCode.BADARGUMENTS);
    assert.equal((await zk.createTTL('/ttl-bad', null, open31, 0, 100n)).err, ErrorCode.BADARGUMENTS);
    await zk.close();
  });

  it('setWatches fires at once for changes newer than relativeZxid and registers the rest', async () => {
    const writer = await open(server);
    await writer.create('/sw', bytes('1'));
    await writer.create('/sw-quiet', bytes('1'));
    const seen = (await writer.exists('/sw')).zxid;
    await writer.setData('/sw', bytes('2'));
    await writer.create('/sw-born', null);
    const watcher = await open(server);
    const reply = await watcher.setWatches({ relativeZxid: seen, dataWatches: ['/sw', '/sw-quiet', '/sw-gone'], existWatches: ['/sw-born', '/sw-later'] });
    assert.equal(reply.err, 0);
    await until('immediate events', () => (watcher.events.length >= 3 ? true : undefined));
    const immediate = watcher.events.map((e) => `${e.type} ${e.path}`).sort();
    assert.deepEqual(immediate, [`${EventType.NodeCreated} /sw-born`, `${EventType.NodeDataChanged} /sw`, `${EventType.NodeDeleted} /sw-gone`].sort());
    await writer.setData('/sw-quiet', bytes('2'));
    await writer.create('/sw-later', null);
    await until('registered watches to fire', () => (watcher.events.length >= 5 ? true : undefined));
    assert.deepEqual(watcher.events.slice(3).map((e) => `${e.type} ${e.path}`), [`${EventType.NodeDataChanged} /sw-quiet`, `${EventType.NodeCreated} /sw-later`]);
    await writer.close();
    await watcher.close();
  });

  it('answers four-letter words on the client port', async () => {
    assert.equal(await fourLetter(server, 'ruok'), 'imok');
    const srvr = await fourLetter(server, 'srvr');
    assert.match(srvr, /^Zookeeper version: 3\.8\.\d+/);
    assert.match(srvr, /\nMode: standalone\n/);
    assert.match(srvr, /\nNode count: \d+\n/);
    const mntr = await fourLetter(server, 'mntr');
    assert.match(mntr, /^zk_version\t3\.8\.\d+/);
    assert.match(mntr, /\nzk_server_state\tstandalone\n/);
    assert.match(mntr, /\nzk_znode_count\t\d+\n/);
    assert.match(await fourLetter(server, 'conf'), new RegExp(`clientPort=${server.port}\n`));
    assert.match(await fourLetter(server, 'envi'), /^Environment:\nzookeeper\.version=3\.8\./);
    assert.equal(await fourLetter(server, 'isro'), 'rw');
    const zk = await open(server);
    await zk.exists('/', true);
    assert.match(await fourLetter(server, 'wchs'), /^1 connections watching 1 paths\nTotal watches:1\n$/);
    assert.match(await fourLetter(server, 'stat'), /Clients:\n( \/127\.0\.0\.1:\d+\[\d\]\(.*\)\n)+/);
    assert.match(await fourLetter(server, 'cons'), new RegExp(`sid=0x${BigInt.asUintN(64, zk.sessionId).toString(16)}`));
    assert.match(await fourLetter(server, 'dump'), new RegExp(`0x${BigInt.asUintN(64, zk.sessionId).toString(16)}`));
    await zk.close();
  });

  it('closes a connection whose frame exceeds jute.maxbuffer, and only that one', async () => {
    const bystander = await open(server);
    const victim = await open(server);
    assert.equal((await victim.create('/big', new Uint8Array(3000))).err, 0);
    await assert.rejects(victim.setData('/big', new Uint8Array(5000)), (error: unknown) => error instanceof WireError);
    await victim.closed;
    assert.equal((await bystander.getData('/big')).body?.data?.length, 3000);
    await bystander.close();
  });

  it('serves an old client that sends no readOnly byte, and answers it without one', async () => {
    const zk = await WireClient.connect({ host: server.host, port: server.port, sendReadOnlyByte: false });
    assert.equal(zk.readOnlyByte, undefined);
    assert.equal((await zk.exists('/')).err, 0);
    await zk.close();
    const modern = await open(server);
    assert.equal(modern.readOnlyByte, false);
    await modern.close();
  });

  it('refuses a client that has seen a newer zxid than the server', async () => {
    await assert.rejects(
      WireClient.connect({ host: server.host, port: server.port, lastZxidSeen: 1n << 40n, connectTimeoutMs: 5000 }),
      (error: unknown) => error instanceof WireError && error.code === ErrorCode.CONNECTIONLOSS,
    );
  });

  it('keeps serving after a garbage connection', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect({ host: server.host, port: server.port }, () => socket.write(frame(new Uint8Array([1, 2, 3]))));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const zk = await open(server);
    assert.equal((await zk.exists('/')).err, 0);
    await zk.close();
  });
});

describe(`maxClientCnxns (${target})`, { skip }, () => {
  let server: RunningServer;
  before(async () => { server = await start({ config: { maxClientCnxns: '4' } }); });
  after(async () => { await server?.stop(); });

  it('limits connections per client address, and frees the slot when one closes', async () => {
    const clients: WireClient[] = [];
    for (let i = 0; i < 4; i++) clients.push(await open(server));
    await assert.rejects(open(server), (error: unknown) => error instanceof WireError && error.code === ErrorCode.CONNECTIONLOSS);
    await clients.pop()!.close();
    const again = await until('a free connection slot', async () => open(server).catch(() => undefined));
    assert.equal((await again.exists('/')).err, 0);
    await Promise.all([...clients, again].map((client) => client.close()));
  });
});
