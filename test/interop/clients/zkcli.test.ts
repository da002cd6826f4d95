/**
 * Interop: Apache ZooKeeper's own shell, zkCli.sh (the Java client, 3.8.0), against the server
 * under test. Each zkCli.sh runs as one long-lived interactive process fed over stdin (it reads
 * commands from a pipe when JLine is off), so the JVM starts once per session, and tests can
 * hold a session open while another session changes things.
 *
 * How a command's output is delimited: after each command the helper sends `stat <marker>` for
 * a path that never exists; zkCli handles commands one at a time, so everything printed before
 * "Node does not exist: <marker>" belongs to the command. Watch notifications are printed by
 * the client's event thread whenever they arrive, so they are stripped from command output and
 * read from the whole transcript instead.
 *
 * Not a test of zkCli's own parsing. Skipped only when zkCli.sh is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../support/servers.js';
import { digestOf, InteractiveProcess, startTarget, stopAllProcesses, superUser, waitFor } from './support.js';

const zkCliPath = '/usr/share/zookeeper/bin/zkCli.sh';
const installed = existsSync(zkCliPath) && existsSync('/usr/share/java/zookeeper.jar');

interface WatchedEvent {
  readonly state: string;
  readonly type: string;
  readonly path: string;
}

/** One zkCli.sh session. */
class ZkCli {
  private markers = 0;

  private constructor(readonly process: InteractiveProcess, readonly name: string) {}

  static async open(server: RunningServer, name: string, extraArgs: readonly string[] = []): Promise<ZkCli> {
    const env = { ...process.env, CLIENT_JVMFLAGS: '-Xmx128m -XX:TieredStopAtLevel=1' };
    const proc = new InteractiveProcess(zkCliPath, [...extraArgs, '-server', server.connectString], env);
    try {
      await proc.waitForMatch(/WatchedEvent state:SyncConnected type:None path:null/, 0, 30_000);
    } catch (error) {
      await proc.stop();
      throw error;
    }
    return new ZkCli(proc, name);
  }

  /** Runs one command and returns what it printed, minus watch notifications. */
  async run(command: string, timeoutMs = 15_000): Promise<string> {
    const marker = `/zkcli-interop-marker/${this.name}-${++this.markers}`;
    const from = this.process.mark;
    this.process.send(command);
    this.process.send(`stat ${marker}`);
    const end = await this.process.waitForMatch(new RegExp(`Node does not exist: ${escapeRegExp(marker)}\\n`), from, timeoutMs);
    const text = this.process.output.slice(from, from + end.index);
    return text
      .split('\n')
      .filter((line) => line !== 'WATCHER::' && !line.startsWith('WatchedEvent ') && line.trim() !== '')
      .join('\n');
  }

  /** Every watch notification printed so far, in order. */
  events(): WatchedEvent[] {
    const found: WatchedEvent[] = [];
    for (const match of this.process.output.matchAll(/WatchedEvent state:(\w+) type:(\w+) path:(\S+)/g)) {
      found.push({ state: match[1]!, type: match[2]!, path: match[3]! });
    }
    return found;
  }

  eventsFor(path: string): WatchedEvent[] {
    return this.events().filter((event) => event.path === path);
  }

  async waitForEvent(type: string, path: string, count = 1, timeoutMs = 15_000): Promise<void> {
    await waitFor(
      `${this.name}: ${count} × ${type} ${path}`,
      () => this.events().filter((event) => event.type === type && event.path === path).length >= count,
      timeoutMs,
      () => this.process.output.slice(-3000),
    );
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Parses zkCli's stat block ("cZxid = 0x5", ...) into numbers (zxids and owners are hex). */
function parseStat(text: string): Record<string, bigint> {
  const stat: Record<string, bigint> = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+) = (.*)$/.exec(line);
    if (!match) continue;
    const [, key, value] = match as unknown as [string, string, string];
    if (key === 'ctime' || key === 'mtime') continue;
    stat[key] = BigInt(value.trim());
  }
  for (const key of ['cZxid', 'mZxid', 'pZxid', 'cversion', 'dataVersion', 'aclVersion', 'ephemeralOwner', 'dataLength', 'numChildren']) {
    assert.ok(key in stat, `stat output lacks ${key}:\n${text}`);
  }
  return stat;
}

/** Output lines other than a stat block, e.g. the data printed by `get -s`. */
function nonStatLines(text: string): string[] {
  return text.split('\n').filter((line) => !/^\w+ = /.test(line));
}

function parseList(text: string): string[] {
  const match = /^\[(.*)\]$/m.exec(text);
  assert.ok(match, `expected a [list] in:\n${text}`);
  return match[1] === '' ? [] : match[1]!.split(', ');
}

describe('zkCli.sh (Java client 3.8)', { skip: installed ? false : `${zkCliPath} is not installed`, timeout: 120_000 }, () => {
  let server: RunningServer;
  let cli: ZkCli;
  let observer: ZkCli;

  before(async () => {
    server = await startTarget();
    [cli, observer] = await Promise.all([ZkCli.open(server, 'main'), ZkCli.open(server, 'observer')]);
  });

  after(async () => {
    await stopAllProcesses();
    await server?.stop();
  });

  it('creates persistent, sequential, ephemeral, container and TTL nodes', async () => {
    assert.equal(await cli.run('create /modes'), 'Created /modes');
    assert.equal(await cli.run('create /modes/p data1'), 'Created /modes/p');
    assert.equal(await cli.run('create -s /modes/s- x'), 'Created /modes/s-0000000001');
    assert.equal(await cli.run('create -s /modes/s- x'), 'Created /modes/s-0000000002');
    assert.equal(await cli.run('create -e /modes/e x'), 'Created /modes/e');
    assert.equal(await cli.run('create -e -s /modes/es- x'), 'Created /modes/es-0000000004');
    assert.equal(await cli.run('create -c /modes/cont'), 'Created /modes/cont');
    assert.equal(await cli.run('create -t 100000 /modes/ttl x'), 'Created /modes/ttl');
    assert.equal(await cli.run('create -t 100000 -s /modes/ttls- x'), 'Created /modes/ttls-0000000007');
    for (const name of ['s-0000000001', 'es-0000000004', 'ttls-0000000007']) assert.match(name, /-\d{10}$/);

    const ephemeral = parseStat(await cli.run('stat /modes/e'));
    assert.notEqual(ephemeral.ephemeralOwner, 0n);
    assert.equal(parseStat(await cli.run('stat /modes/es-0000000004')).ephemeralOwner, ephemeral.ephemeralOwner);
    // Container and TTL nodes report no owner to clients.
    assert.equal(parseStat(await cli.run('stat /modes/cont')).ephemeralOwner, 0n);
    assert.equal(parseStat(await cli.run('stat /modes/ttl')).ephemeralOwner, 0n);
    assert.equal(parseStat(await cli.run('stat /modes/p')).ephemeralOwner, 0n);

    const parent = parseStat(await cli.run('stat /modes'));
    assert.equal(parent.numChildren, 8n);
    assert.equal(parent.cversion, 8n);
    assert.deepEqual(parseList(await observer.run('ls /modes')), ['cont', 'e', 'es-0000000004', 'p', 's-0000000001', 's-0000000002', 'ttl', 'ttls-0000000007']);
  });

  it('reports NodeExists, NoNode, NoChildrenForEphemerals and NotEmpty', async () => {
    await cli.run('create /errs');
    await cli.run('create /errs/child');
    await cli.run('create -e /errs/eph');
    assert.equal(await cli.run('create /errs'), 'Node already exists: /errs');
    assert.equal(await cli.run('create /errs/missing/x'), 'Node does not exist: /errs/missing/x');
    assert.equal(await cli.run('create /errs/eph/x'), 'Ephemerals cannot have children: /errs/eph/x');
    assert.equal(await cli.run('delete /errs'), 'Node not empty: /errs');
    for (const command of ['get', 'ls', 'stat', 'delete', 'getAcl', 'getAllChildrenNumber']) {
      assert.equal(await cli.run(`${command} /errs/nope`), 'Node does not exist: /errs/nope', command);
    }
    assert.equal(await cli.run('set /errs/nope x'), 'Node does not exist: /errs/nope');
    assert.equal(await cli.run('setAcl /errs/nope world:anyone:r'), 'Node does not exist: /errs/nope');
  });

  it('reads and writes data with versions and stats', async () => {
    await cli.run('create /ver data1');
    const first = await cli.run('get -s /ver');
    assert.deepEqual(nonStatLines(first), ['data1']);
    const s0 = parseStat(first);
    assert.equal(s0.dataVersion, 0n);
    assert.equal(s0.dataLength, 5n);
    assert.equal(s0.cZxid, s0.mZxid);
    assert.equal(await cli.run('set /ver data2'), '');
    const s2 = parseStat(await cli.run('set -s -v 1 /ver data3'));
    assert.equal(s2.dataVersion, 2n);
    assert.equal(s2.cZxid, s0.cZxid);
    assert.ok(s2.mZxid > s0.mZxid);
    assert.equal(await cli.run('set -v 1 /ver data4'), 'version No is not valid : /ver');
    assert.equal(await cli.run('delete -v 0 /ver'), 'version No is not valid : /ver');
    assert.deepEqual(nonStatLines(await observer.run('get -s /ver')), ['data3']);
    assert.equal(await cli.run('delete -v 2 /ver'), '');
    assert.equal(await cli.run('stat /ver'), 'Node does not exist: /ver');
  });

  it('lists children (plain, with stat, recursive) and counts descendants', async () => {
    await cli.run('create /tree');
    for (const path of ['/tree/b', '/tree/a', '/tree/a/x', '/tree/a/y', '/tree/a/y/z']) await cli.run(`create ${path}`);
    assert.deepEqual(parseList(await cli.run('ls /tree')), ['a', 'b']);
    const withStat = await cli.run('ls -s /tree');
    assert.deepEqual(parseList(withStat), ['a', 'b']);
    assert.equal(parseStat(withStat).numChildren, 2n);
    assert.deepEqual((await cli.run('ls -R /tree')).split('\n'), ['/tree', '/tree/a', '/tree/b', '/tree/a/x', '/tree/a/y', '/tree/a/y/z']);
    assert.equal(await cli.run('getAllChildrenNumber /tree'), '5');
    assert.equal(await cli.run('getAllChildrenNumber /tree/a/y/z'), '0');
    assert.equal(await cli.run('deleteall /tree'), '');
    assert.equal(await cli.run('ls /tree'), 'Node does not exist: /tree');
  });

  it('lists only its own session\'s ephemerals with getEphemerals', async () => {
    await cli.run('create /ephs');
    await cli.run('create -e /ephs/mine1');
    await cli.run('create -e -s /ephs/mine-');
    await observer.run('create -e /ephs/theirs');
    await cli.run('create /ephs/persistent');
    const mine = parseList(await cli.run('getEphemerals /ephs')).sort();
    assert.deepEqual(mine, ['/ephs/mine-0000000001', '/ephs/mine1']);
    assert.deepEqual(parseList(await observer.run('getEphemerals /ephs')), ['/ephs/theirs']);
    // The prefix is a plain string prefix, and no argument means every path.
    assert.deepEqual(parseList(await cli.run('getEphemerals /ephs/mine-')), ['/ephs/mine-0000000001']);
    assert.ok(parseList(await cli.run('getEphemerals')).includes('/ephs/mine1'));
    assert.deepEqual(parseList(await cli.run('getEphemerals /nothing-here')), []);
  });

  it('enforces ACLs, digest auth, ip auth and the super user; whoami reflects auth', async () => {
    const alice = digestOf('alice', 'pw');
    const session = await ZkCli.open(server, 'acl');
    assert.equal(await session.run('whoami'), 'Auth scheme: User\nip: 127.0.0.1');
    await cli.run('create /acl');
    assert.equal(await cli.run(`create /acl/secret s3 digest:${alice}:cdrwa`), 'Created /acl/secret');
    assert.equal(await session.run('get /acl/secret'), 'Insufficient permission : /acl/secret');
    assert.equal(await session.run('getAcl /acl/secret'), 'Insufficient permission : /acl/secret');
    assert.equal(await session.run('set /acl/secret x'), 'Insufficient permission : /acl/secret');
    await session.run('addauth digest alice:wrong');
    assert.equal(await session.run('get /acl/secret'), 'Insufficient permission : /acl/secret');
    await session.run('addauth digest alice:pw');
    assert.equal(await session.run('get /acl/secret'), 's3');
    assert.equal(await session.run('getAcl /acl/secret'), `'digest,'${alice}\n: cdrwa`);
    const who = (await session.run('whoami')).split('\n');
    assert.equal(who[0], 'Auth scheme: User');
    // Both addauth calls added an id (digest ids are user:hash, so the wrong password gave a
    // second, useless id); whoami shows only the user part of each.
    assert.deepEqual(who.slice(1).sort(), ['digest: alice', 'digest: alice', 'ip: 127.0.0.1']);

    // World read-only: reads work, writes are denied; setAcl needs ADMIN.
    await cli.run('create /acl/ro r world:anyone:r');
    assert.equal(await session.run('get /acl/ro'), 'r');
    assert.equal(await session.run('set /acl/ro w'), 'Insufficient permission : /acl/ro');
    assert.equal(await session.run('setAcl /acl/ro world:anyone:cdrwa'), 'Insufficient permission : /acl/ro');
    assert.equal(await session.run('create /acl/ro/child'), 'Insufficient permission : /acl/ro/child');

    // setAcl with versions: aclVersion moves, a stale version is refused.
    await cli.run('create /acl/v');
    const s1 = parseStat(await cli.run('setAcl -s -v 0 /acl/v world:anyone:cdra'));
    assert.equal(s1.aclVersion, 1n);
    assert.equal(await cli.run('setAcl -v 0 /acl/v world:anyone:cdrwa'), 'version No is not valid : /acl/v');
    const withStat = await cli.run('getAcl -s /acl/v');
    assert.ok(withStat.startsWith("'world,'anyone\n: cdra\n"), withStat);
    assert.equal(parseStat(withStat).aclVersion, 1n);
    assert.equal(await cli.run('set /acl/v x'), 'Insufficient permission : /acl/v');

    // ip scheme: loopback allowed, another address denied.
    await cli.run('create /acl/ip d ip:127.0.0.1:r');
    assert.equal(await session.run('get /acl/ip'), 'd');
    assert.equal(await session.run('set /acl/ip e'), 'Insufficient permission : /acl/ip');
    await cli.run('create /acl/far d ip:10.9.8.7:cdrwa');
    assert.equal(await session.run('get /acl/far'), 'Insufficient permission : /acl/far');

    // The super digest from the server config bypasses every ACL.
    const root = await ZkCli.open(server, 'super');
    await root.run(`addauth digest ${superUser.user}:${superUser.password}`);
    assert.match(await root.run('whoami'), /digest: super/);
    assert.equal(await root.run('get /acl/far'), 'd');
    assert.equal(await root.run('set /acl/v y'), '');
    assert.equal(await root.run('deleteall /acl'), '');
    assert.equal(await cli.run('stat /acl'), 'Node does not exist: /acl');
  });

  it('gets AuthFailed for an unknown auth scheme', async () => {
    const session = await ZkCli.open(server, 'authfail');
    session.process.send('addauth nosuchscheme whatever');
    await waitFor('an AuthFailed session event', () => session.events().some((event) => event.state === 'AuthFailed' && event.type === 'None'),
      15_000, () => session.process.output);
  });

  it('syncs', async () => {
    await observer.run('create /synced v');
    assert.equal(await cli.run('sync /synced'), 'Sync is OK');
    assert.equal(await cli.run('get /synced'), 'v');
  });

  // What "once" can mean here: a standard watch is dropped by the client as well once it has
  // fired, so a duplicate notification from the server would be swallowed by zkCli. What is
  // checked is that each registration is reported once and that later changes are not
  // reported without a new registration. Exact counts from the server are checked with the
  // persistent watches below, which the client never drops.
  it('fires one-shot data, child and exists watches once per registration', async () => {
    await cli.run('create /watch d0');
    assert.equal(await cli.run('get -w /watch'), 'd0');
    assert.deepEqual(parseList(await cli.run('ls -w /watch')), []);
    assert.equal(await cli.run('stat -w /watch/later'), 'Node does not exist: /watch/later');
    await observer.run('set /watch d1');
    await cli.waitForEvent('NodeDataChanged', '/watch');
    await observer.run('set /watch d2');
    await observer.run('create /watch/later');
    await cli.waitForEvent('NodeCreated', '/watch/later');
    await cli.waitForEvent('NodeChildrenChanged', '/watch');
    await observer.run('create /watch/more');
    // Marker: a fresh watch fired after everything above; notifications arrive in order.
    await cli.run('stat -w /watch-marker');
    await observer.run('create /watch-marker');
    await cli.waitForEvent('NodeCreated', '/watch-marker');
    assert.deepEqual(cli.eventsFor('/watch').map((event) => event.type), ['NodeDataChanged', 'NodeChildrenChanged']);
    assert.deepEqual(cli.eventsFor('/watch/later').map((event) => event.type), ['NodeCreated']);
    assert.ok(cli.events().every((event) => event.state === 'SyncConnected'));

    // Deleting a watched node fires NodeDeleted to data watches.
    await cli.run('get -w /watch/later');
    await cli.run('stat -w /watch/more');
    await observer.run('delete /watch/later');
    await observer.run('delete /watch/more');
    await cli.waitForEvent('NodeDeleted', '/watch/later');
    await cli.waitForEvent('NodeDeleted', '/watch/more');
  });

  it('keeps persistent and persistent-recursive watches (addWatch) until removed', async () => {
    await cli.run('create /pw');
    await cli.run('create /pw/a');
    await cli.run('create /rw');
    assert.equal(await cli.run('addWatch -m PERSISTENT /pw'), '');
    // The mode must be explicit: zkCli 3.8.0 keeps the last -m in its reused command object,
    // so a bare `addWatch` after `-m PERSISTENT` is PERSISTENT too, whatever its help says.
    assert.equal(await cli.run('addWatch -m PERSISTENT_RECURSIVE /rw'), '');
    await observer.run('set /pw 1');
    await observer.run('set /pw 2');
    await observer.run('create /pw/b');
    await observer.run('create /pw/a/deep');
    await observer.run('set /pw/a x');
    await observer.run('create /rw/a');
    await observer.run('create /rw/a/b');
    await observer.run('set /rw/a/b 1');
    await observer.run('set /rw/a/b 2');
    await observer.run('delete /rw/a/b');
    await observer.run('set /rw r');
    await cli.run('stat -w /pw-marker');
    await observer.run('create /pw-marker');
    await cli.waitForEvent('NodeCreated', '/pw-marker');
    await cli.waitForEvent('NodeDataChanged', '/rw');
    // PERSISTENT: data and child events on the node itself, every time; nothing below.
    assert.deepEqual(cli.eventsFor('/pw').map((event) => event.type), ['NodeDataChanged', 'NodeDataChanged', 'NodeChildrenChanged']);
    assert.deepEqual(cli.eventsFor('/pw/a'), []);
    assert.deepEqual(cli.eventsFor('/pw/a/deep'), []);
    // PERSISTENT_RECURSIVE: created/changed/deleted for every node in the subtree, no child events.
    assert.deepEqual(cli.eventsFor('/rw/a').map((event) => event.type), ['NodeCreated']);
    assert.deepEqual(cli.eventsFor('/rw/a/b').map((event) => event.type), ['NodeCreated', 'NodeDataChanged', 'NodeDataChanged', 'NodeDeleted']);
    assert.deepEqual(cli.eventsFor('/rw').map((event) => event.type), ['NodeDataChanged']);

    // removewatches ends a persistent watch; later changes are not reported.
    assert.equal(await cli.run('removewatches /pw'), '');
    await cli.waitForEvent('PersistentWatchRemoved', '/pw');
    await observer.run('set /pw 3');
    await cli.run('stat -w /pw-marker2');
    await observer.run('create /pw-marker2');
    await cli.waitForEvent('NodeCreated', '/pw-marker2');
    assert.deepEqual(cli.eventsFor('/pw').map((event) => event.type), ['NodeDataChanged', 'NodeDataChanged', 'NodeChildrenChanged', 'PersistentWatchRemoved']);
  });

  it('maintains quota stats under /zookeeper/quota', async () => {
    await cli.run('create /quota');
    await cli.run('create /quota/a 12345');
    const set = await cli.run('setquota -n 5 /quota');
    assert.doesNotMatch(set, /exception|error/i);
    assert.match(await cli.run('listquota /quota'), /Output stat for \/quota count=2,bytes=5/);
    await observer.run('create /quota/b 1');
    assert.match(await cli.run('listquota /quota'), /Output stat for \/quota count=3,bytes=6/);
    assert.equal(await cli.run('get /zookeeper/quota/quota/zookeeper_stats'), 'count=3,bytes=6');
  });

  it('removes a frozen session\'s ephemerals on expiry and reports Expired when it wakes', async () => {
    const victim = await ZkCli.open(server, 'victim', ['-timeout', '2000']);
    await victim.run('create /expiry');
    assert.equal(await victim.run('create -e /expiry/e'), 'Created /expiry/e');
    const owner = parseStat(await observer.run('stat -w /expiry/e')).ephemeralOwner;
    assert.notEqual(owner, 0n);
    victim.process.signal('SIGSTOP');
    await observer.waitForEvent('NodeDeleted', '/expiry/e', 1, 20_000);
    assert.equal(await observer.run('stat /expiry/e'), 'Node does not exist: /expiry/e');
    victim.process.signal('SIGCONT');
    await waitFor('victim to report Expired', () => victim.events().some((event) => event.state === 'Expired'), 20_000, () => victim.process.output);
  });

  it('deletes a closed session\'s ephemerals at once', async () => {
    const shortLived = await ZkCli.open(server, 'closer');
    await shortLived.run('create /closing');
    await shortLived.run('create -e /closing/e');
    await observer.run('stat -w /closing/e');
    shortLived.process.send('quit');
    await shortLived.process.waitForExit(20_000);
    await observer.waitForEvent('NodeDeleted', '/closing/e');
    assert.deepEqual(parseList(await observer.run('ls /closing')), []);
  });
});
