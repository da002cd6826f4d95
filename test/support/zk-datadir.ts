/**
 * A real Apache ZooKeeper 3.8 data directory, for storage compatibility tests: starts ZooKeeper
 * with a small snapCount (so it rolls many txn logs and writes many fuzzy snapshots), drives it
 * through every kind of znode and txn a server logs, records what a client then sees — every
 * node's path, data, ACL and Stat, and the sessions still open — and kills ZooKeeper with
 * SIGKILL (or stops it). What is left on disk is what a crashed ZooKeeper leaves.
 *
 * What the history holds, by txn type:
 * - createSession / closeSession: six sessions; one closes owning ephemerals (its closeSession
 *   lists paths2Delete), one closes owning none, zkCli's closes on `quit`; three stay open, two
 *   of them owning ephemerals (one made inside a multi). The open ones are checked against
 *   ZooKeeper's own session list (the `dump` four-letter word);
 * - create, create2 (sequential and not), createContainer, createTTL (plain and sequential),
 *   in nested, non-ASCII (Latin, Greek, CJK; emoji in data), empty-data, null-data, binary and
 *   200 KiB nodes;
 * - setData (with and without a version), setACL (world, digest, ip, ip/net, auth-expanded,
 *   several distinct lists sharing nodes), delete, delete-and-re-create;
 * - deleteContainer by ZooKeeper's own reaper: an emptied container and an expired TTL node;
 * - error txns (failed create, setData, delete) and multis, one applied and one failed;
 * - quota via the real zkCli `setquota` on two subtrees (nodes under /zookeeper/quota, a soft
 *   count and a hard byte limit), with changes below them after it.
 *
 * The order of operations is fixed and every wait is bounded; where ZooKeeper rolls logs and
 * when its snapshots run is its own (snapCount/2 + random), so tests must hold for any split.
 * Not a test: it asserts only that each step did what ZooKeeper 3.8 is known to do.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import type { ACLT, StatT } from '../../src/jute/records.js';
import { ErrorCode, Perms } from '../../src/protocol/codes.js';
import { startApacheZooKeeper, startZkts } from './servers.js';
import { multiOp, openAcl, WireClient, type Reply } from './wire-client.js';

/** With Netty's codec and resolver, which zookeeper.jar's manifest leaves out (the Netty client socket, TLS, needs them). */
export const zooKeeperClassPath = '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar';

/** One znode as a client sees it at the end of the history. */
export interface ExpectedZnode {
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly ACLT[];
  readonly stat: StatT;
}

export interface ExpectedSession {
  readonly sessionId: bigint;
  readonly timeOutMs: number;
}

export interface ZooKeeperDataDir {
  /** ZooKeeper's dataDir (dataLogDir is the same); the files are in `versionDir`. */
  readonly dataDir: string;
  readonly versionDir: string;
  /** Every znode, keyed by path ("/" for the root), as read back from ZooKeeper before the kill. */
  readonly nodes: ReadonlyMap<string, ExpectedZnode>;
  /** The sessions open when ZooKeeper died. */
  readonly sessions: readonly ExpectedSession[];
  /** The last zxid ZooKeeper had processed. */
  readonly lastZxid: bigint;
  /** ZooKeeper's console output, for failure messages. */
  readonly zooKeeperOutput: string;
  /** The file names in versionDir. */
  files(): string[];
  /** Deletes the directory. */
  remove(): void;
}

export interface DataDirOptions {
  /** zookeeper.snapCount: a snapshot and a new log every snapCount/2..snapCount txns. Default 20. */
  readonly snapCount?: number;
  /** 'kill' (SIGKILL, a crash) or 'stop' (SIGTERM). Default 'kill'. */
  readonly shutdown?: 'kill' | 'stop';
  /** Which server writes the directory: Apache ZooKeeper (default) or zkts, same history. */
  readonly server?: 'zookeeper' | 'zkts';
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/** ZooKeeper's digest id: user:base64(sha1("user:password")). */
export function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

/** The super user the fixture's server is configured with (superDigest), to read every node back. */
export const SUPER_PASSWORD = 'super-secret';
const u1 = { user: 'u1', password: 'p1' };

/** Deterministic bytes covering every byte value (for the binary and large nodes). */
function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

function expectOk<T>(reply: Reply<T>, what: string): Reply<T> {
  if (reply.err !== ErrorCode.OK) throw new Error(`fixture: ${what} failed with ${reply.err}`);
  return reply;
}

function expectErr(reply: Reply<unknown>, err: number, what: string): void {
  if (reply.err !== err) throw new Error(`fixture: ${what} answered ${reply.err}, expected ${err}`);
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`fixture: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs a ZooKeeper class (a tool, or zkCli's main) in UTC and en_US, with `input` on stdin and
 * `properties` as -D system properties; bounded by `timeoutMs` (then killed). Rejects on a
 * non-zero exit, with the output.
 */
export function runZooKeeperClass(mainClass: string, args: readonly string[],
  options: { input?: string; timeoutMs?: number; properties?: Readonly<Record<string, string>> } = {}): Promise<{ stdout: string; stderr: string }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const properties = Object.entries(options.properties ?? {}).map(([key, value]) => `-D${key}=${value}`);
  return new Promise((resolve, reject) => {
    const child = spawn('java', [
      '-Xmx256m', '-XX:TieredStopAtLevel=1', '-Duser.timezone=UTC', '-Duser.language=en', '-Duser.country=US', ...properties, '-cp', zooKeeperClassPath, mainClass, ...args,
    ], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => { /* it may exit before reading everything */ });
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      if (code === 0) resolve(out);
      else reject(new Error(`${mainClass} ${args.join(' ')}: exit ${code ?? signal}${signal === 'SIGKILL' ? ` (killed after ${timeoutMs} ms)` : ''}\n${out.stdout}${out.stderr}`));
    });
  });
}

/** A four-letter word's answer (bounded). */
export function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port }, () => socket.end(word));
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`${word}: no answer within 5 s`)));
    socket.on('data', (chunk: Buffer) => { answer += chunk.toString('utf8'); });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** The session ids in `dump`'s "SessionTracker dump" part: ZooKeeper's own list of live sessions. */
function sessionsInDump(dump: string): bigint[] {
  const tracker = dump.slice(0, dump.indexOf('ephemeral nodes dump:'));
  return [...tracker.matchAll(/^\t(0x[0-9a-f]+)$/gm)].map((match) => BigInt(match[1]!));
}

/** Every znode from "/" down, as `zk` can read it (getData, getACL, getChildren). */
export async function readTree(zk: WireClient): Promise<Map<string, ExpectedZnode>> {
  const nodes = new Map<string, ExpectedZnode>();
  const stack = ['/'];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const data = expectOk(await zk.getData(path), `getData ${path}`).body!;
    const acl = expectOk(await zk.getACL(path), `getACL ${path}`).body!;
    nodes.set(path, { path, data: data.data, acl: acl.acl, stat: data.stat });
    const children = expectOk(await zk.getChildren(path), `getChildren ${path}`).body!.children;
    for (const child of children) stack.push(path === '/' ? `/${child}` : `${path}/${child}`);
  }
  return nodes;
}

export async function generateZooKeeperDataDir(options: DataDirOptions = {}): Promise<ZooKeeperDataDir> {
  const superDigest = digestId('super', SUPER_PASSWORD);
  const server = await (options.server === 'zkts' ? startZkts : startApacheZooKeeper)({
    keepDataDir: true,
    // System properties by their full names (servers.ts passes them as -D too); preAllocSize is
    // in KiB: small, so the many logs are not 64 MiB each.
    config: {
      'zookeeper.snapCount': String(options.snapCount ?? 20),
      'zookeeper.preAllocSize': '64',
      'zookeeper.extendedTypesEnabled': 'true',
      'znode.container.checkIntervalMs': '200',
      'zookeeper.DigestAuthenticationProvider.superDigest': superDigest,
    },
  });
  const clients: WireClient[] = [];
  try {
    const connect = async (timeOutMs = 40_000) => {
      const client = await WireClient.connect({ host: server.host, port: server.port, timeOutMs });
      clients.push(client);
      return client;
    };
    const auth = async (zk: WireClient, user: string, password: string) => expectOk(await zk.auth('digest', `${user}:${password}`), `auth ${user}`);

    // s1 does most of the work; as super it can read every node back at the end.
    const s1 = await connect();
    await auth(s1, 'super', SUPER_PASSWORD);
    await auth(s1, u1.user, u1.password);
    const create = async (path: string, data: Uint8Array | null, acl: ACLT[] = openAcl, flags = 0) =>
      expectOk(await s1.create(path, data, acl, flags), `create ${path}`).body!.path;

    await create('/app', utf8('application root'));
    await create('/app/config', utf8('{"version":0}'));
    for (let version = 1; version <= 3; version++) expectOk(await s1.setData('/app/config', utf8(`{"version":${version}}`), version - 1), 'setData /app/config');
    expectErr(await s1.setData('/app/config', utf8('stale'), 0), ErrorCode.BADVERSION, 'setData with a stale version');
    expectErr(await s1.create('/app/config', null), ErrorCode.NODEEXISTS, 'create of an existing node');

    for (const path of ['/app/nested', '/app/nested/deep', '/app/nested/deep/er', '/app/nested/deep/er/leaf']) await create(path, utf8(path.slice(path.lastIndexOf('/') + 1)));
    expectErr(await s1.delete('/app/nested'), ErrorCode.NOTEMPTY, 'delete of a node with children');

    await create('/app/seq', null);
    const items: string[] = [];
    for (let i = 0; i < 5; i++) items.push(await create('/app/seq/item-', utf8(`item ${i}`), openAcl, 2));
    expectOk(await s1.delete(items[1]!), 'delete a sequential node');
    expectOk(await s1.delete(items[3]!, 0), 'delete a sequential node with its version');

    await create('/app/ünïcødé', utf8('ü'));
    await create('/app/ünïcødé/日本語', utf8('日本語のデータ'));
    // ZooKeeper refuses paths with surrogates (PathUtils: U+D800–U+F8FF), so the emoji goes in data.
    await create('/app/Ωμέγα', utf8('😀'));
    await create('/app/€uro "quoted"', utf8('€'));
    expectOk(await s1.create2('/app/create2', utf8('create2')), 'create2');
    await create('/app/empty', new Uint8Array(0));
    await create('/app/null', null);
    await create('/app/binary', Uint8Array.from({ length: 256 }, (_, i) => i));
    await create('/app/large', patternBytes(200 * 1024, 7));

    const worldRead: ACLT[] = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];
    const digestAll: ACLT[] = [{ perms: Perms.ALL, id: { scheme: 'digest', id: digestId(u1.user, u1.password) } }, ...worldRead];
    const ipOnly: ACLT[] = [{ perms: Perms.ALL, id: { scheme: 'ip', id: '127.0.0.1' } }];
    const ipNet: ACLT[] = [{ perms: Perms.READ | Perms.WRITE, id: { scheme: 'ip', id: '10.0.0.0/8' } }, { perms: Perms.ADMIN, id: { scheme: 'digest', id: digestId(u1.user, u1.password) } }];
    await create('/app/acl', null);
    await create('/app/acl/world-read', utf8('r'), worldRead);
    await create('/app/acl/digest', utf8('d'), digestAll);
    await create('/app/acl/digest-too', utf8('d2'), digestAll);
    await create('/app/acl/ip', utf8('ip'), ipOnly);
    await create('/app/acl/ip-net', utf8('net'), ipNet);
    await create('/app/acl/auth', utf8('auth'), [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }]);
    expectOk(await s1.setACL('/app/acl/world-read', [{ perms: Perms.READ | Perms.WRITE, id: { scheme: 'world', id: 'anyone' } }], 0), 'setACL');
    expectOk(await s1.setACL('/app/acl/world-read', digestAll, 1), 'setACL again');
    expectOk(await s1.setACL('/app/seq', ipOnly), 'setACL without a version');

    // Containers: one with children, one never used, and one the reaper deletes (deleteContainer).
    expectOk(await s1.createContainer('/app/cont', utf8('container')), 'createContainer');
    await create('/app/cont/c1', utf8('c1'));
    await create('/app/cont/c2', null);
    expectOk(await s1.createContainer('/app/cont-unused', null), 'createContainer');
    expectOk(await s1.createContainer('/app/doomed', null), 'createContainer');
    await create('/app/doomed/x', null);
    expectOk(await s1.delete('/app/doomed/x'), 'empty the doomed container');
    await until('the container reaper to delete /app/doomed', async () => (await s1.exists('/app/doomed')).err === ErrorCode.NONODE, 15_000);

    // TTL nodes: two that live an hour, one that expires at once and is reaped.
    const hourMs = 3_600_000n;
    expectOk(await s1.createTTL('/app/ttl', utf8('ttl'), openAcl, 5, hourMs), 'createTTL');
    expectOk(await s1.createTTL('/app/ttl-seq-', utf8('ttl seq'), digestAll, 6, hourMs), 'createTTL sequential');
    expectOk(await s1.createTTL('/app/ttl-short', null, openAcl, 5, 1n), 'createTTL short');
    await until('the TTL reaper to delete /app/ttl-short', async () => (await s1.exists('/app/ttl-short')).err === ErrorCode.NONODE, 15_000);

    // Quota, set by ZooKeeper's own zkCli as an operator would, then changes below it.
    await create('/app/quota', utf8('quota root'));
    await create('/app/quota/a', utf8('aaaa'));
    await create('/app/quota/b', utf8('bb'));
    // zkCli takes one limit per setquota: a soft count here, a hard byte limit on another subtree.
    // Its commands go in on stdin and end with quit, which closes its session (run with the
    // command as arguments, zkCli exits without closing it and the session lingers to expiry).
    await runZooKeeperClass('org.apache.zookeeper.ZooKeeperMain', ['-server', `127.0.0.1:${server.port}`], {
      input: 'setquota -n 10 /app/quota\nsetquota -B 4096 /app/nested\nquit\n',
    });
    for (const path of ['/app/quota', '/app/nested']) {
      expectOk(await s1.exists(`/zookeeper/quota${path}/zookeeper_stats`), `zkCli setquota ${path}`);
    }
    await create('/app/quota/c', utf8('c after the quota'));
    expectOk(await s1.setData('/app/quota/a', utf8('a')), 'setData under the quota');
    expectOk(await s1.delete('/app/quota/b'), 'delete under the quota');

    // Multis: one applied (every sub-op kind), one failed (its txn holds error sub-txns).
    await create('/app/locks', null);
    const applied = expectOk(await s1.multi([
      multiOp.create('/app/multi', utf8('m')),
      multiOp.create2('/app/multi/seq-', utf8('s'), openAcl, 2),
      multiOp.createContainer('/app/multi-cont', utf8('mc')),
      multiOp.createTTL('/app/multi-ttl', utf8('mt'), openAcl, 5, hourMs),
      multiOp.setData('/app/config', utf8('{"version":4}'), 3),
      multiOp.check('/app/config', 4),
      multiOp.delete('/app/nested/deep/er/leaf'),
    ]), 'multi');
    if (applied.body!.some((result) => result.err !== ErrorCode.OK)) throw new Error('fixture: multi did not apply');
    const failed = expectOk(await s1.multi([multiOp.create('/app/never', null), multiOp.check('/app/config', 99), multiOp.delete('/app/empty')]), 'failed multi');
    if (!failed.body!.some((result) => result.err === ErrorCode.BADVERSION)) throw new Error('fixture: multi did not fail');

    // Sessions: s2 and s4 stay open owning ephemerals, s3 closes with ephemerals, s5 closes without.
    const s2 = await connect(30_000);
    expectOk(await s2.create('/app/eph-s2', utf8('s2'), openAcl, 1), 'ephemeral');
    expectOk(await s2.create('/app/locks/lock-', null, openAcl, 3), 'ephemeral sequential');
    expectOk(await s2.create('/app/locks/lock-', null, openAcl, 3), 'ephemeral sequential');
    const s3 = await connect(20_000);
    expectOk(await s3.create('/app/eph-s3', utf8('s3'), openAcl, 1), 'ephemeral');
    expectOk(await s3.create('/app/locks/lock-', null, openAcl, 3), 'ephemeral sequential');
    await s3.close();
    const s4 = await connect(36_000);
    expectOk(await s4.multi([multiOp.create('/app/eph-s4', utf8('s4'), openAcl, 1), multiOp.setData('/app/eph-s2', utf8('touched by s4'))]), 'ephemeral in a multi');
    const s5 = await connect();
    await s5.close();

    // Delete and re-create (a new czxid for the same path); a burst of small writes so the
    // history spans many log files and snapshots.
    await create('/app/tmp', utf8('first'));
    expectOk(await s1.setData('/app/tmp', utf8('first, changed')), 'setData');
    expectOk(await s1.delete('/app/tmp'), 'delete');
    await create('/app/tmp', utf8('second'));
    await create('/app/bulk', null);
    for (let i = 0; i < 60; i++) {
      await create(`/app/bulk/n${i}`, utf8(`n${i}`));
      if (i % 3 === 0) expectOk(await s1.setData(`/app/bulk/n${i}`, utf8(`n${i}+`)), 'setData');
      if (i % 7 === 0) expectOk(await s1.delete(`/app/bulk/n${i}`), 'delete');
    }

    // Read everything back; keep the open sessions alive while doing it.
    for (const live of [s2, s4]) expectOk(await live.ping(), 'ping');
    const nodes = await readTree(s1);
    const lastZxid = s1.lastZxid;
    const sessions = [s1, s2, s4].map((client) => ({ sessionId: client.sessionId, timeOutMs: client.timeOutMs }));
    const dump = await fourLetterWord(server.port, 'dump');
    const live = sessionsInDump(dump).sort();
    if (live.join() !== sessions.map((session) => session.sessionId).sort().join()) throw new Error(`fixture: ZooKeeper's sessions differ from ours:\n${dump}`);

    await server.stop(options.shutdown === 'stop' ? 'SIGTERM' : 'SIGKILL');
    const versionDir = join(server.dataDir, 'version-2');
    return {
      dataDir: server.dataDir,
      versionDir,
      nodes,
      sessions,
      lastZxid,
      zooKeeperOutput: server.output(),
      files: () => readdirSync(versionDir).sort(),
      remove: () => rmSync(server.baseDir, { recursive: true, force: true }),
    };
  } catch (error) {
    await server.stop('SIGKILL');
    rmSync(server.baseDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\nZooKeeper output:\n${server.output()}`, { cause: error });
  } finally {
    for (const client of clients) await client.destroy();
  }
}
