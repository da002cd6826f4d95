/**
 * Moving a data directory between Apache ZooKeeper 3.8 and zkts, both ways, with real servers:
 * - a dataDir a crashed ZooKeeper left (test/support/zk-datadir.ts: every znode type, ACLs,
 *   quotas, open sessions with ephemerals, many logs and fuzzy snapshots) opens in zkts with the
 *   same tree — every path, data, ACL and Stat — and its open sessions can be resumed on zkts;
 *   after zkts has written to it, ZooKeeper opens it again and serves what zkts served;
 * - the same history run on zkts and killed opens in ZooKeeper with the same tree and resumable
 *   sessions, ZooKeeper reporting no digest mismatch and no CRC error; ZooKeeper's own
 *   TxnLogToolkit and SnapshotFormatter read zkts's files without error.
 * Skipped when ZooKeeper is not installed.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionPassword } from '../../src/util/java-random.js';
import { apacheZooKeeperAvailable, startApacheZooKeeper, startZkts, type RunningServer } from '../support/servers.js';
import { WireClient } from '../support/wire-client.js';
import { digestId, generateZooKeeperDataDir, readTree, runZooKeeperClass, SUPER_PASSWORD, type ExpectedZnode, type ZooKeeperDataDir } from '../support/zk-datadir.js';

const skip = apacheZooKeeperAvailable() ? false : 'Apache ZooKeeper is not installed';
const serverConfig = {
  'zookeeper.extendedTypesEnabled': 'true',
  'zookeeper.DigestAuthenticationProvider.superDigest': digestId('super', SUPER_PASSWORD),
};

function copyOf(dataDir: string): string {
  const target = join(mkdtempSync(join(tmpdir(), 'zkts-compat-')), 'data');
  cpSync(dataDir, target, { recursive: true });
  return target;
}

async function treeOn(server: RunningServer): Promise<Map<string, ExpectedZnode>> {
  const client = await WireClient.connect({ host: server.host, port: server.port });
  try {
    assert.equal((await client.auth('digest', `super:${SUPER_PASSWORD}`)).err, 0);
    return await readTree(client);
  } finally {
    await client.close();
  }
}

function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port }, () => socket.end(word));
    let text = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`${word}: no answer`)));
    socket.on('data', (chunk) => { text += chunk.toString(); });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/** Every session the old server had open is resumed on `server` (id + password), its ephemerals intact. */
async function resumeSessions(server: RunningServer, fixture: ZooKeeperDataDir): Promise<void> {
  for (const { sessionId } of fixture.sessions) {
    const client = await WireClient.connect({ host: server.host, port: server.port, sessionId, passwd: sessionPassword(sessionId), timeOutMs: 30_000 });
    try {
      assert.equal(client.sessionId, sessionId);
      const owned = [...fixture.nodes.values()].filter((node) => node.stat.ephemeralOwner === sessionId).map((node) => node.path).sort();
      const reply = await client.getEphemerals('/');
      assert.equal(reply.err, 0);
      assert.deepEqual([...(reply.body as { ephemerals: string[] }).ephemerals].sort(), owned, `ephemerals of 0x${sessionId.toString(16)}`);
    } finally {
      await client.destroy();
    }
  }
}

function assertSameTree(actual: ReadonlyMap<string, ExpectedZnode>, expected: ReadonlyMap<string, ExpectedZnode>, what: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), `${what}: paths`);
  for (const [path, node] of expected) assert.deepEqual(actual.get(path), node, `${what}: ${path}`);
}

describe('data directories move between Apache ZooKeeper 3.8 and zkts', { skip, timeout: 240_000 }, () => {
  const cleanup: (() => void)[] = [];
  after(() => { for (const step of cleanup) step(); });

  it('a crashed ZooKeeper\'s dataDir opens in zkts with the same tree and sessions, and back in ZooKeeper after zkts wrote to it', async () => {
    const fixture = await generateZooKeeperDataDir();
    cleanup.push(() => fixture.remove());
    const dataDir = copyOf(fixture.dataDir);
    cleanup.push(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

    const zkts = await startZkts({ dataDir, config: serverConfig });
    let served: Map<string, ExpectedZnode>;
    try {
      assertSameTree(await treeOn(zkts), fixture.nodes, 'zkts on ZooKeeper\'s files');
      await resumeSessions(zkts, fixture);
      // zkts writes on top of ZooKeeper's files: a new node, a change, a delete.
      const client = await WireClient.connect({ host: zkts.host, port: zkts.port });
      assert.equal((await client.auth('digest', `super:${SUPER_PASSWORD}`)).err, 0);
      assert.equal((await client.create('/written-by-zkts', new TextEncoder().encode('hello'))).err, 0);
      assert.equal((await client.setData('/app/config', new TextEncoder().encode('{"version":5}'))).err, 0);
      assert.equal((await client.delete('/app/empty')).err, 0);
      served = await readTree(client);
      await client.close();
    } finally {
      await zkts.stop('SIGKILL');
    }

    const zookeeper = await startApacheZooKeeper({ dataDir, config: serverConfig });
    try {
      const back = await treeOn(zookeeper);
      // Sessions zkts resumed and left are still within their timeouts: the same ephemerals.
      assertSameTree(back, served, 'ZooKeeper on the files zkts wrote');
      assert.match(await fourLetterWord(zookeeper.port, 'mntr'), /digest_mismatches_count\s+0\n/);
    } finally {
      await zookeeper.stop();
    }
    assert.doesNotMatch(zookeeper.output(), /CRC check failed|Digests are not matching|Exception/);
  });

  it('a crashed zkts\'s dataDir opens in ZooKeeper with the same tree and sessions, and ZooKeeper\'s tools read every file', async () => {
    const fixture = await generateZooKeeperDataDir({ server: 'zkts' });
    cleanup.push(() => fixture.remove());
    const files = fixture.files();
    assert.ok(files.filter((name) => name.startsWith('log.')).length >= 3, `several logs: ${files.join(' ')}`);
    assert.ok(files.filter((name) => name.startsWith('snapshot.')).length >= 3, `several snapshots: ${files.join(' ')}`);

    // ZooKeeper's own tools, on a spread of zkts's files (each tool run is a JVM start).
    const spread = (names: string[]) => [...new Set([names[0]!, names[Math.floor(names.length / 2)]!, names[names.length - 1]!])];
    for (const name of spread(files.filter((file) => file.startsWith('log.')))) {
      const { stdout } = await runZooKeeperClass('org.apache.zookeeper.server.persistence.TxnLogToolkit', [join(fixture.versionDir, name)]);
      assert.match(stdout, /ZooKeeper Transactional Log File with dbid 0 txnlog format version 2/, name);
      assert.doesNotMatch(stdout, /CRC ERROR/, name);
      // Every txn is printed: as many lines as the log holds records, then the clean end.
      assert.match(stdout, /EOF reached after \d+ txns\.\n?$/, name);
    }
    for (const name of spread(files.filter((file) => file.startsWith('snapshot.')))) {
      const { stdout } = await runZooKeeperClass('org.apache.zookeeper.server.SnapshotFormatter', [join(fixture.versionDir, name)]);
      assert.match(stdout, /^ZNode Details \(count=\d+\):/, name);
      assert.match(stdout, /Last zxid: 0x/, name);
    }

    const dataDir = copyOf(fixture.dataDir);
    cleanup.push(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));
    const zookeeper = await startApacheZooKeeper({ dataDir, config: serverConfig });
    try {
      assertSameTree(await treeOn(zookeeper), fixture.nodes, 'ZooKeeper on zkts\'s files');
      await resumeSessions(zookeeper, fixture);
      assert.match(await fourLetterWord(zookeeper.port, 'mntr'), /digest_mismatches_count\s+0\n/);
    } finally {
      await zookeeper.stop();
    }
    assert.doesNotMatch(zookeeper.output(), /CRC check failed|Digests are not matching|Exception|ERROR/);
    assert.ok(readdirSync(join(dataDir, 'version-2')).length > 0);
  });
});
