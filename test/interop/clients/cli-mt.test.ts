/**
 * Interop: cli_mt, the sample shell of ZooKeeper's C client (multi-threaded build, 3.8.0),
 * against the server under test. The C client is a separate implementation of the protocol
 * from the Java one, with its own handshake, ping and watch code.
 *
 * cli_mt is asynchronous: it sends a request and prints the result from its completion
 * thread. Requests and completions are FIFO per session, so after each command the helper
 * sends `delete <marker>` for a path that never exists and waits for "<marker>: rc = ...":
 * everything printed before that belongs to the command. Its `get`, `ls`, `ls2` and `exists`
 * always set a watch; watch events are printed by the same completion thread.
 *
 * cli_mt can only create nodes with data "new" and an open ACL, so ACL-protected nodes for the
 * NoAuth checks are made with a one-shot zkCli.sh (skipped if that is missing). Its session
 * timeout is fixed at 30 s, so this file caps maxSessionTimeout at 3 s for the expiry test.
 *
 * Skipped only when cli_mt is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../support/servers.js';
import { digestOf, InteractiveProcess, runToCompletion, serverOptions, startTarget, stopAllProcesses, waitFor } from './support.js';

const cliMtPath = '/usr/lib/zookeeper/bin/cli_mt';
const zkCliPath = '/usr/share/zookeeper/bin/zkCli.sh';
const installed = existsSync(cliMtPath);
const zkCliInstalled = existsSync(zkCliPath);

interface CEvent {
  readonly type: string;
  readonly state: string;
  readonly path: string | undefined;
}

interface CStat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly version: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
}

class CliMt {
  private markers = 0;

  private constructor(readonly process: InteractiveProcess, readonly name: string, readonly sessionId: bigint) {}

  static async open(server: RunningServer, name: string): Promise<CliMt> {
    const proc = new InteractiveProcess(cliMtPath, [server.connectString]);
    try {
      const match = await proc.waitForMatch(/Got a new session id: 0x([0-9a-f]+)\n/, 0, 15_000);
      return new CliMt(proc, name, BigInt(`0x${match[1]}`));
    } catch (error) {
      await proc.stop();
      throw error;
    }
  }

  /** Sends one command and returns everything printed until it completed. */
  async run(command: string, timeoutMs = 10_000): Promise<string> {
    const marker = `/cli-mt-marker-${this.name}-${++this.markers}`;
    const from = this.process.mark;
    this.process.send(command);
    this.process.send(`delete ${marker}`);
    const end = await this.process.waitForMatch(new RegExp(`${marker}: rc = -?\\d+\\n`), from, timeoutMs);
    return this.process.output.slice(from, from + end.index);
  }

  events(): CEvent[] {
    const found: CEvent[] = [];
    for (const match of this.process.output.matchAll(/Watcher (\w+) state = (\w+)(?: for path (\S+))?\n/g)) {
      found.push({ type: match[1]!, state: match[2]!, path: match[3] });
    }
    return found;
  }

  eventsFor(path: string): string[] {
    return this.events().filter((event) => event.path === path).map((event) => event.type);
  }

  waitForEvent(type: string, path: string, count = 1, timeoutMs = 15_000): Promise<true> {
    return waitFor(
      `${this.name}: ${count} × ${type} ${path}`,
      () => this.events().filter((event) => event.type === type && event.path === path).length >= count,
      timeoutMs,
      () => this.process.output.slice(-3000),
    );
  }
}

/** The rc printed by a completion for `label` (e.g. "[/x]: rc = 0" or "/x: rc = -101"). */
function rcOf(output: string, label: string): number {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(?:^|\\n)(?:\\[${escaped}\\]|${escaped}): rc = (-?\\d+)`).exec(output);
  assert.ok(match, `no rc for ${label} in:\n${output}`);
  return Number(match[1]);
}

function createdName(output: string): string {
  const match = /\tname = (\S+)\n/.exec(output);
  assert.ok(match, `no created name in:\n${output}`);
  return match[1]!;
}

function parseStat(output: string): CStat {
  const czxid = /\tczxid=([0-9a-f]+)\n/.exec(output);
  const mzxid = /\tmzxid=([0-9a-f]+)\n/.exec(output);
  const versions = /\tversion=([0-9a-f]+)\taversion=([0-9a-f]+)\n/.exec(output);
  const owner = /\tephemeralOwner = ([0-9a-f]+)\n/.exec(output);
  assert.ok(czxid && mzxid && versions && owner, `no stat in:\n${output}`);
  return {
    czxid: BigInt(`0x${czxid[1]}`),
    mzxid: BigInt(`0x${mzxid[1]}`),
    version: Number.parseInt(versions[1]!, 16),
    aversion: Number.parseInt(versions[2]!, 16),
    ephemeralOwner: BigInt(`0x${owner[1]}`),
  };
}

/** The data a `get` printed: " value_len = N\n<bytes>\nStat:". */
function getValue(output: string): string {
  const match = / value_len = (\d+)\n([\s\S]*?)\nStat:\n/.exec(output);
  assert.ok(match, `no value in:\n${output}`);
  assert.equal(Buffer.byteLength(match[2]!), Number(match[1]));
  return match[2]!;
}

/** Children printed by ls/ls2, one per tab-indented line, sorted (the server's order is unspecified). */
function children(output: string, path: string): string[] {
  const start = output.indexOf(`${path}: rc = 0\n`);
  assert.ok(start >= 0, `no listing for ${path} in:\n${output}`);
  const lines = output.slice(start).split('\n').slice(1);
  const names: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('\t') || line.includes('=')) break;
    names.push(line.slice(1));
  }
  return names.sort();
}

describe('cli_mt (C client 3.8)', { skip: installed ? false : `${cliMtPath} is not installed`, timeout: 120_000 }, () => {
  let server: RunningServer;
  let cli: CliMt;
  let other: CliMt;

  before(async () => {
    server = await startTarget(serverOptions({ maxSessionTimeout: '3000' }));
    [cli, other] = await Promise.all([CliMt.open(server, 'main'), CliMt.open(server, 'other')]);
  });

  after(async () => {
    await stopAllProcesses();
    await server?.stop();
  });

  it('creates persistent, sequential, ephemeral, container and TTL nodes', async () => {
    assert.equal(rcOf(await cli.run('create /modes'), '/modes'), 0);
    assert.equal(createdName(await cli.run('create /modes/p')), '/modes/p');
    assert.equal(createdName(await cli.run('create +s /modes/s-')), '/modes/s-0000000001');
    assert.equal(createdName(await cli.run('create +s /modes/s-')), '/modes/s-0000000002');
    const eph = await cli.run('create2 +e /modes/e');
    assert.equal(createdName(eph), '/modes/e');
    assert.equal(parseStat(eph).ephemeralOwner, cli.sessionId);
    const ephSeq = await cli.run('create2 +es /modes/es-');
    assert.equal(createdName(ephSeq), '/modes/es-0000000004');
    assert.equal(parseStat(ephSeq).ephemeralOwner, cli.sessionId);
    const container = await cli.run('create2 +c /modes/c');
    assert.equal(createdName(container), '/modes/c');
    assert.equal(parseStat(container).ephemeralOwner, 0n);
    const ttl = await cli.run('create2 +t=60000 /modes/t');
    assert.equal(createdName(ttl), '/modes/t');
    assert.equal(parseStat(ttl).ephemeralOwner, 0n);
    assert.equal(createdName(await cli.run('create +st=60000 /modes/ts-')), '/modes/ts-0000000007');
    const plain = parseStat(await cli.run('create2 /modes/two'));
    assert.equal(plain.version, 0);
    assert.equal(plain.czxid, plain.mzxid);
    assert.deepEqual(children(await other.run('ls /modes'), '/modes'),
      ['c', 'e', 'es-0000000004', 'p', 's-0000000001', 's-0000000002', 't', 'ts-0000000007', 'two']);
  });

  it('reads and writes data and stats', async () => {
    await cli.run('create /data');
    const first = await cli.run('get /data');
    assert.equal(rcOf(first, '/data'), 0);
    assert.equal(getValue(first), 'new');
    const s0 = parseStat(first);
    const set = await cli.run('set /data hello world');
    assert.equal(rcOf(set, '/data'), 0);
    const s1 = parseStat(set);
    assert.equal(s1.version, s0.version + 1);
    assert.equal(s1.czxid, s0.czxid);
    assert.ok(s1.mzxid > s0.mzxid);
    const second = await other.run('get /data');
    assert.equal(getValue(second), 'hello world');
    assert.deepEqual(parseStat(second), s1);
    assert.equal(rcOf(await cli.run('delete /data'), '/data'), 0);
    assert.equal(rcOf(await cli.run('get /data'), '/data'), -101);
  });

  it('lists children with ls and ls2', async () => {
    await cli.run('create /kids');
    for (const name of ['b', 'a', 'c']) await cli.run(`create /kids/${name}`);
    assert.deepEqual(children(await cli.run('ls /kids'), '/kids'), ['a', 'b', 'c']);
    const ls2 = await cli.run('ls2 /kids');
    assert.deepEqual(children(ls2, '/kids'), ['a', 'b', 'c']);
    assert.equal(parseStat(ls2).version, 0);
    assert.deepEqual(children(await cli.run('ls /kids/a'), '/kids/a'), []);
  });

  it('reports error codes: NodeExists, NoNode, NotEmpty, NoChildrenForEphemerals', async () => {
    await cli.run('create /errs');
    await cli.run('create /errs/child');
    await cli.run('create +e /errs/eph');
    assert.equal(rcOf(await cli.run('create /errs'), '/errs'), -110);
    assert.equal(rcOf(await cli.run('create /errs/none/x'), '/errs/none/x'), -101);
    assert.equal(rcOf(await cli.run('create /errs/eph/x'), '/errs/eph/x'), -108);
    assert.equal(rcOf(await cli.run('delete /errs'), '/errs'), -111);
    assert.equal(rcOf(await cli.run('delete /errs/none'), '/errs/none'), -101);
    assert.equal(rcOf(await cli.run('set /errs/none x'), '/errs/none'), -101);
    assert.equal(rcOf(await cli.run('ls /errs/none'), '/errs/none'), -101);
    assert.equal(rcOf(await cli.run('ls2 /errs/none'), '/errs/none'), -101);
    // exists is synchronous in cli_mt: it prints only failures.
    assert.match(await cli.run('exists /errs/none'), /Error -101 for \/errs\/none\n/);
    assert.doesNotMatch(await cli.run('exists /errs/child'), /Error/);
  });

  it('syncs and reads the config node', async () => {
    const sync = await cli.run('sync /');
    assert.equal(rcOf(sync, '/'), 0);
    assert.equal(createdName(sync), '/');
    const config = await cli.run('config');
    assert.equal(rcOf(config, '/zookeeper/config'), 0);
    assert.equal(getValue(config), '', 'a standalone server has an empty /zookeeper/config');
  });

  // As with every client here, cli_mt drops a one-shot watcher once it fires, so "once" means
  // once per registration as seen by the client (see zkcli.test.ts for exact server counts).
  it('fires one-shot data, child and exists watches once per registration, and its own change event before the reply', async () => {
    await cli.run('create /w');
    await cli.run('get /w');
    await cli.run('ls /w');
    await cli.run('exists /w/later');
    await other.run('set /w one');
    await cli.waitForEvent('CHANGED_EVENT', '/w');
    await other.run('set /w two');
    await other.run('create /w/later');
    await cli.waitForEvent('CREATED_EVENT', '/w/later');
    await cli.waitForEvent('CHILD_EVENT', '/w');
    await other.run('create /w/more');
    // Marker: an event triggered after all of the above; events arrive in order.
    await cli.run('wexists /w-marker');
    await other.run('create /w-marker');
    await cli.waitForEvent('CREATED_EVENT', '/w-marker');
    assert.deepEqual(cli.eventsFor('/w'), ['CHANGED_EVENT', 'CHILD_EVENT']);
    assert.deepEqual(cli.eventsFor('/w/later'), ['CREATED_EVENT']);
    assert.ok(cli.events().filter((event) => event.path !== undefined).every((event) => event.state === 'CONNECTED_STATE'));

    // A watch on a node deleted by another session fires DELETED_EVENT.
    await cli.run('get /w/later');
    await other.run('delete /w/later');
    await cli.waitForEvent('DELETED_EVENT', '/w/later');

    // The session's own write: the notification is delivered before the write's reply.
    await cli.run('get /w/more');
    const own = await cli.run('set /w/more mine');
    const eventAt = own.indexOf('Watcher CHANGED_EVENT state = CONNECTED_STATE for path /w/more');
    const replyAt = own.indexOf('/w/more: rc = 0 Stat:');
    assert.ok(eventAt >= 0 && replyAt > eventAt, `event must precede the reply:\n${own}`);
  });

  it('is denied without auth (NoAuth) and allowed after digest addauth', { skip: zkCliInstalled ? false : 'zkCli.sh is needed to create ACL-protected nodes' }, async () => {
    await cli.run('create /acl');
    const made = await runToCompletion(zkCliPath, ['-server', server.connectString, 'create', '/acl/secret', 'hidden', `digest:${digestOf('carol', 'pw')}:cdrwa`], { timeoutMs: 30_000 });
    assert.match(made.stdout + made.stderr, /Created \/acl\/secret/);
    const session = await CliMt.open(server, 'acl');
    assert.equal(rcOf(await session.run('get /acl/secret'), '/acl/secret'), -102);
    assert.equal(rcOf(await session.run('set /acl/secret x'), '/acl/secret'), -102);
    assert.equal(rcOf(await session.run('create /acl/secret/c'), '/acl/secret/c'), -102);
    assert.equal(rcOf(await session.run('ls /acl/secret'), '/acl/secret'), -102);
    await session.run('addauth digest carol:pw');
    const allowed = await session.run('get /acl/secret');
    assert.equal(rcOf(allowed, '/acl/secret'), 0);
    assert.equal(getValue(allowed), 'hidden');
    assert.equal(rcOf(await session.run('create /acl/secret/c'), '/acl/secret/c'), 0);
    // The first session never authenticated.
    assert.equal(rcOf(await cli.run('get /acl/secret'), '/acl/secret'), -102);
  });

  it('reports AUTH_FAILED for an unknown auth scheme and shuts down', async () => {
    const session = await CliMt.open(server, 'authfail');
    session.process.send('addauth nosuchscheme whatever');
    await session.process.waitForMatch(/Watcher SESSION_EVENT state = AUTH_FAILED_STATE\n/);
    await session.process.waitForMatch(/Authentication failure\. Shutting down\.\.\.\n/);
  });

  it('deletes the ephemerals of a frozen session on expiry; the client learns it expired', async () => {
    const victim = await CliMt.open(server, 'victim');
    await victim.run('create /expiry');
    const eph = await victim.run('create2 +e /expiry/e');
    assert.equal(parseStat(eph).ephemeralOwner, victim.sessionId);
    await other.run('get /expiry/e');
    victim.process.signal('SIGSTOP');
    await other.waitForEvent('DELETED_EVENT', '/expiry/e', 1, 20_000);
    assert.equal(rcOf(await other.run('get /expiry/e'), '/expiry/e'), -101);
    victim.process.signal('SIGCONT');
    await victim.process.waitForMatch(/Watcher SESSION_EVENT state = EXPIRED_SESSION_STATE\n/, 0, 20_000);
    await victim.process.waitForMatch(/Session expired\. Shutting down\.\.\.\n/, 0, 5_000);
  });

  it('deletes a closed session\'s ephemerals', async () => {
    const closer = await CliMt.open(server, 'closer');
    await closer.run('create /closing');
    await closer.run('create +e /closing/e');
    await other.run('get /closing/e');
    closer.process.send('quit');
    await closer.process.waitForMatch(/Quitting\.\.\.\n/);
    await closer.process.waitForExit(10_000);
    await other.waitForEvent('DELETED_EVENT', '/closing/e');
    assert.deepEqual(children(await other.run('ls /closing'), '/closing'), []);
  });
});
