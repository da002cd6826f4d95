/**
 * Storage compatibility with Apache ZooKeeper 3.8, both ways, on real files:
 * (a) every txn log and snapshot a real ZooKeeper wrote (test/support/zk-datadir.ts: many log
 *     rolls and fuzzy snapshots, every txn type, killed with SIGKILL) reads with scanLog and
 *     readSnapshot; their zxids are contiguous and end at the last zxid ZooKeeper served;
 * (b) loading any of its snapshots and replaying the later txns in zxid order with
 *     DataTree.applyTxn gives exactly the tree ZooKeeper served (paths, data, ACLs, Stats), the
 *     sessions it had open, and ZooKeeper's tree digest after every txn once the snapshot's
 *     fuzzy window is behind;
 * (c) ZooKeeper's TxnLogToolkit and SnapshotFormatter read a log and a snapshot written by our
 *     encoders and print the same as our log-dump and snapshot-dump, and a ZooKeeper started on
 *     them serves the tree we built;
 * (d) our log-dump and snapshot-dump print what ZooKeeper's tools print for ZooKeeper's files;
 * and purge: planPurge and `zkts purge` delete exactly what ZooKeeper's PurgeTxnLog deletes.
 * Skipped when ZooKeeper is not installed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ACLT } from '../../src/jute/records.js';
import { treeDigest } from '../../src/storage/format/digest.js';
import { formatLogName, formatSnapshotName, parseLogName, parseSnapshotName } from '../../src/storage/format/file-names.js';
import { txnOpName } from '../../src/storage/format/log-dump.js';
import { planPurge } from '../../src/storage/format/retention.js';
import { deserializeSnapshot, readSnapshot } from '../../src/storage/format/snapshot.js';
import { serializeSnapshot } from '../../src/storage/format/snapshot-writer.js';
import { TXN_OP_CODE, type LogEntry } from '../../src/storage/format/txn-codec.js';
import { encodeLogEntry, encodeLogHeader, scanLog } from '../../src/storage/format/txn-log.js';
import { DataTree } from '../../src/tree/data-tree.js';
import { apacheZooKeeperAvailable, startApacheZooKeeper, startZkts, zktsMain } from '../support/servers.js';
import { WireClient } from '../support/wire-client.js';
import { digestId, generateZooKeeperDataDir, readTree, runZooKeeperClass, type ZooKeeperDataDir } from '../support/zk-datadir.js';
import { sampleEntries, sessionA, sessionB } from '../unit/storage/fixtures.js';
import { bytesOfLatin1 } from '../../src/util/latin1.js';

const run = promisify(execFile);
const skip = apacheZooKeeperAvailable() ? false : 'Apache ZooKeeper is not installed';

const TXN_LOG_TOOLKIT = 'org.apache.zookeeper.server.persistence.TxnLogToolkit';
const SNAPSHOT_FORMATTER = 'org.apache.zookeeper.server.SnapshotFormatter';

/** `zkts <args>` in UTC (ZooKeeper's tools run in UTC too); the exit code is returned, not thrown. */
async function zkts(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [zktsMain, ...args], { timeout: 30_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const bytesOf = (path: string) => new Uint8Array(readFileSync(path));

interface LoadedLogs {
  /** Every txn of every log, in zxid order. */
  readonly entries: LogEntry[];
  readonly logNames: string[];
  readonly snapshotNames: string[];
}

function loadLogs(dir: string): LoadedLogs {
  const names = readdirSync(dir);
  const logNames = names.filter((name) => parseLogName(name) !== undefined).sort((a, b) => Number(parseLogName(a)!.zxid - parseLogName(b)!.zxid));
  const snapshotNames = names.filter((name) => parseSnapshotName(name) !== undefined).sort((a, b) => Number(parseSnapshotName(a)!.zxid - parseSnapshotName(b)!.zxid));
  const entries: LogEntry[] = [];
  for (const name of logNames) {
    const scan = scanLog(bytesOf(join(dir, name)), name);
    assert.equal(scan.end.kind, 'clean', `${name}: ${scan.end.reason}`);
    assert.ok(scan.entries.length > 0, `${name} holds txns`);
    assert.equal(scan.entries[0]!.entry.header.zxid, parseLogName(name)!.zxid, `${name} is named after its first txn`);
    entries.push(...scan.entries.map((scanned) => scanned.entry));
  }
  return { entries, logNames, snapshotNames };
}

/**
 * Recovery as ZooKeeper does it (FileTxnSnapLog.restore), in its simplest form: the snapshot
 * (with the later txns to resolve ACL ids a fuzzy snapshot's table lacks), then every txn after
 * its zxid; createSession and closeSession also change the session table.
 * `digestsChecked` counts txns whose TxnDigest was compared: those after the zxid of the
 * snapshot's digest section, taken once the nodes were written. Up to it, the fuzzy snapshot
 * may already hold later changes — including those of the one txn being applied when the
 * digest was taken, which is why the comparison starts one txn later.
 */
function replay(snapshot: Uint8Array, snapshotZxid: bigint, entries: readonly LogEntry[]): { tree: DataTree; sessions: Map<bigint, number>; digestsChecked: number } {
  const later = entries.filter((entry) => entry.header.zxid > snapshotZxid);
  const loaded = deserializeSnapshot(snapshot, { zxid: snapshotZxid, laterTxns: later.map((entry) => entry.txn) });
  const sessions = new Map(loaded.sessions.map((session) => [session.sessionId, session.timeoutMs]));
  const exactFrom = loaded.contents.digest?.zxid ?? snapshotZxid;
  let digestsChecked = 0;
  for (const entry of later) {
    if (entry.txn.type === 'createSession') sessions.set(entry.header.clientId, entry.txn.timeOut);
    if (entry.txn.type === 'closeSession') sessions.delete(entry.header.clientId);
    loaded.tree.applyTxn(entry.header, entry.txn);
    if (entry.digest !== undefined && entry.header.zxid > exactFrom) {
      assert.equal(treeDigest(loaded.tree.nodes), entry.digest.treeDigest,
        `tree digest after zxid 0x${entry.header.zxid.toString(16)} (snapshot 0x${snapshotZxid.toString(16)}, its digest at 0x${exactFrom.toString(16)})`);
      digestsChecked++;
    }
  }
  loaded.tree.invariants();
  return { tree: loaded.tree, sessions, digestsChecked };
}

const hex = (data: Uint8Array | null) => (data === null ? null : Buffer.from(data).toString('hex'));

type ExpectedNodes = ZooKeeperDataDir['nodes'];

function assertSameTree(tree: DataTree, expected: ExpectedNodes, label: string): void {
  const missing = [...expected.keys()].filter((path) => !tree.nodes.has(path));
  const extra = [...tree.nodes.keys()].filter((path) => !expected.has(path));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${label}: the same paths`);
  for (const [path, want] of expected) {
    const node = tree.nodes.get(path)!;
    assert.deepEqual(
      { data: hex(node.data === null ? null : bytesOfLatin1(node.data)), acl: node.acl, stat: tree.statOf(node) },
      { data: hex(want.data), acl: want.acl as ACLT[], stat: want.stat },
      `${label}: ${path}`,
    );
  }
}


/** A txn line of TxnLogToolkit's output starts with its SHORT/LONG date in UTC. */
const TXN_LINE_START = /^(?=\d{1,2}\/\d{1,2}\/\d{2}, \d{1,2}:\d{2}:\d{2} [AP]M UTC session 0x)/m;

/**
 * A txn log dump split into its header line, one text per txn (a create spans two lines) and
 * the trailer: the records of the two tools are compared one by one.
 */
function dumpRecords(text: string): { head: string; txns: string[]; tail: string } {
  const [head, ...txns] = text.split(TXN_LINE_START);
  const last = txns.pop();
  if (last === undefined) return { head: head!, txns, tail: '' };
  const eof = last.lastIndexOf('EOF reached');
  return eof < 0 ? { head: head!, txns: [...txns, last], tail: '' } : { head: head!, txns: [...txns, last.slice(0, eof)], tail: last.slice(eof) };
}

/**
 * Our log-dump against TxnLogToolkit's for the same file: the same header, trailer and text per
 * txn — except multis, where ZooKeeper prints raw record bytes: there the line up to "multi "
 * must match and ZooKeeper's text must name our sub-ops in order.
 */
function assertSameLogDump(ours: string, theirs: string, entries: readonly LogEntry[], label: string): void {
  const a = dumpRecords(ours);
  const b = dumpRecords(theirs);
  assert.equal(a.head, b.head, `${label}: header`);
  assert.equal(a.tail, b.tail, `${label}: trailer`);
  assert.equal(a.txns.length, entries.length, `${label}: our txn count`);
  assert.equal(b.txns.length, entries.length, `${label}: ZooKeeper's txn count`);
  entries.forEach((entry, index) => {
    const where = `${label}, zxid 0x${entry.header.zxid.toString(16)}`;
    if (entry.txn.type !== 'multi') {
      assert.equal(a.txns[index], b.txns[index], where);
      return;
    }
    const prefix = a.txns[index]!.slice(0, a.txns[index]!.indexOf(' multi ') + 7);
    assert.ok(b.txns[index]!.startsWith(prefix), `${where}: ${JSON.stringify(b.txns[index]!.slice(0, 120))} starts with ${JSON.stringify(prefix)}`);
    let at = prefix.length;
    for (const sub of entry.txn.txns) {
      const name = `${txnOpName(TXN_OP_CODE[sub.type])}:`;
      const found = b.txns[index]!.indexOf(name, at);
      assert.ok(found >= at, `${where}: ZooKeeper names ${name}`);
      at = found + name.length;
    }
  });
}

const withoutTimestamp = (json: string) => json.replace(/"timestamp":\d+/, '"timestamp":0');

describe('a data directory written by Apache ZooKeeper 3.8', { skip }, () => {
  let fixture: ZooKeeperDataDir;
  let logs: LoadedLogs;
  before(async () => {
    fixture = await generateZooKeeperDataDir();
    logs = loadLogs(fixture.versionDir);
  });
  after(() => fixture?.remove());

  it('(a) every log and snapshot reads; zxids run without a gap to the last one served', () => {
    assert.ok(logs.logNames.length >= 5, `several log files: ${logs.logNames.join(' ')}`);
    assert.ok(logs.snapshotNames.length >= 5, `several snapshots: ${logs.snapshotNames.join(' ')}`);
    logs.entries.forEach((entry, index) => assert.equal(entry.header.zxid, BigInt(index + 1), 'contiguous zxids from 1'));
    assert.equal(logs.entries.at(-1)!.header.zxid, fixture.lastZxid);
    const types = new Set(logs.entries.flatMap((entry) => [entry.txn.type, ...(entry.txn.type === 'multi' ? entry.txn.txns.map((sub) => `multi/${sub.type}`) : [])]));
    for (const type of ['createSession', 'closeSession', 'create', 'create2', 'createContainer', 'createTTL', 'delete', 'deleteContainer', 'setData', 'setACL', 'error', 'multi', 'multi/check', 'multi/error']) {
      assert.ok(types.has(type), `the history has a ${type} txn`);
    }
    for (const name of logs.snapshotNames) {
      const contents = readSnapshot(bytesOf(join(fixture.versionDir, name)));
      assert.equal(contents.header.version, 2);
      assert.ok(contents.nodes.length >= 4, `${name} holds the root and /zookeeper`);
    }
  });

  it('(b) any snapshot plus the later txns gives the tree, sessions and digests ZooKeeper had', () => {
    let digestsChecked = 0;
    for (const name of logs.snapshotNames) {
      const zxid = parseSnapshotName(name)!.zxid;
      const result = replay(bytesOf(join(fixture.versionDir, name)), zxid, logs.entries);
      assertSameTree(result.tree, fixture.nodes, `from ${name}`);
      assert.deepEqual(result.sessions, new Map(fixture.sessions.map((session) => [session.sessionId, session.timeOutMs])), `sessions from ${name}`);
      assert.equal(result.tree.lastProcessedZxid, fixture.lastZxid);
      digestsChecked += result.digestsChecked;
    }
    assert.ok(digestsChecked > logs.entries.length, `digests compared after ${digestsChecked} txns`);
  });
  it('(d) log-dump and snapshot-dump print what TxnLogToolkit and SnapshotFormatter print', async () => {
    for (const name of logs.logNames) {
      const path = join(fixture.versionDir, name);
      const ours = await zkts(['log-dump', path]);
      assert.equal(ours.code, 0, ours.stderr);
      const theirs = await runZooKeeperClass(TXN_LOG_TOOLKIT, [path]);
      const entries = scanLog(bytesOf(path), name).entries.map((scanned) => scanned.entry);
      assertSameLogDump(ours.stdout, theirs.stdout, entries, name);
    }
    // A crash in the middle of a write: the tail is reported with its offset, the rest printed.
    const lastLog = join(fixture.versionDir, logs.logNames.at(-1)!);
    const scanned = scanLog(bytesOf(lastLog)).entries;
    const cut = join(fixture.dataDir, 'torn.log');
    writeFileSync(cut, bytesOf(lastLog).subarray(0, scanned.at(-1)!.end - 2));
    const torn = await zkts(['log-dump', cut]);
    assert.equal(torn.code, 1);
    assert.match(torn.stderr, new RegExp(`^zkts log-dump: torn tail: ${cut} at offset ${scanned.at(-1)!.offset}: .*; ${scanned.length - 1} txns before it`));
    assert.equal(dumpRecords(torn.stdout).txns.length, scanned.length - 1);
    for (const [index, name] of logs.snapshotNames.entries()) {
      const path = join(fixture.versionDir, name);
      // Every snapshot plain; the first and last also with -d and -json (a JVM start each).
      const modes = index === 0 || index === logs.snapshotNames.length - 1 ? [[], ['-d'], ['-json']] : [[]];
      for (const mode of modes) {
        const ours = await zkts(['snapshot-dump', ...mode, path]);
        assert.equal(ours.code, 0, ours.stderr);
        const theirs = await runZooKeeperClass(SNAPSHOT_FORMATTER, [...mode, path]);
        assert.equal(withoutTimestamp(ours.stdout), withoutTimestamp(theirs.stdout), `${name} ${mode.join(' ')}`);
      }
    }
  });

  it('purge deletes what ZooKeeper\'s PurgeTxnLog deletes, in one directory or two, by count or by zoo.cfg', async () => {
    const work = mkdtempSync(join(tmpdir(), 'zkts-purge-'));
    try {
      // One directory, with the strays ZooKeeper also judges by name.
      const layout = (root: string, separate: boolean) => {
        const snapDir = join(root, 'data', 'version-2');
        const logDir = join(root, separate ? 'logs' : 'data', 'version-2');
        mkdirSync(snapDir, { recursive: true });
        mkdirSync(logDir, { recursive: true });
        for (const name of fixture.files()) cpSync(join(fixture.versionDir, name), join(name.startsWith('log.') ? logDir : snapDir, name));
        for (const stray of ['log.tmp', 'log.1.fixed']) writeFileSync(join(logDir, stray), '');
        for (const stray of ['snapshot.x', 'myid']) writeFileSync(join(snapDir, stray), '');
        return { dataDir: join(root, 'data'), dataLogDir: join(root, separate ? 'logs' : 'data'), snapDir, logDir };
      };
      const listing = (dirs: { snapDir: string; logDir: string }) => [...new Set([...readdirSync(dirs.snapDir), ...readdirSync(dirs.logDir)])].sort();
      for (const [separate, count] of [[false, 3], [true, 3], [false, 5]] as const) {
        const theirs = layout(join(work, `zk-${separate}-${count}`), separate);
        const ours = layout(join(work, `zkts-${separate}-${count}`), separate);
        const before = { snapshotDirFiles: readdirSync(ours.snapDir), logDirFiles: readdirSync(ours.logDir) };
        await runZooKeeperClass('org.apache.zookeeper.server.PurgeTxnLog', separate ? [theirs.dataLogDir, theirs.dataDir, '-n', String(count)] : [theirs.dataDir, '-n', String(count)]);
        const result = await zkts(['purge', ours.dataDir, ...(separate ? [ours.dataLogDir] : []), '-n', String(count)]);
        assert.equal(result.code, 0, result.stderr);
        const label = `${separate ? 'two directories' : 'one directory'}, -n ${count}`;
        assert.deepEqual(listing(ours), listing(theirs), label);
        const plan = planPurge({ ...before, snapRetainCount: count });
        const deleted = [...plan.deleteFromLogDir, ...plan.deleteFromSnapshotDir];
        assert.ok(deleted.length > 0, `${label}: something to delete`);
        assert.deepEqual(result.stdout.trim().split('\n').map((line) => line.replace(/^Removing file: .*\t/, '')).sort(),
          deleted.map((name) => join(plan.deleteFromLogDir.includes(name) ? ours.logDir : ours.snapDir, name)).sort(), `${label}: one line per file`);
        assert.match(result.stdout, /^Removing file: [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M\t/);
      }
      // --config takes both directories and, without -n, autopurge.snapRetainCount.
      const theirs = layout(join(work, 'zk-config'), true);
      const ours = layout(join(work, 'zkts-config'), true);
      const config = join(work, 'zoo.cfg');
      writeFileSync(config, `tickTime=2000\ndataDir=${ours.dataDir}\ndataLogDir=${ours.dataLogDir}\nclientPort=2181\nautopurge.snapRetainCount=4\n`);
      await runZooKeeperClass('org.apache.zookeeper.server.PurgeTxnLog', [theirs.dataLogDir, theirs.dataDir, '-n', '4']);
      const dryRun = await zkts(['purge', '--config', config, '--dry-run']);
      assert.match(dryRun.stdout, /^Would remove file: /);
      assert.notDeepEqual(listing(ours), listing(theirs), 'a dry run removes nothing');
      const result = await zkts(['purge', '--config', config]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(listing(ours), listing(theirs), '--config');
      const refused = await zkts(['purge', ours.dataDir, '-n', '2']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /count should be greater than or equal to 3/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

/** The sample txns (every type), each with the tree digest after it, as ZooKeeper logs them. */
function digestedSampleEntries(): LogEntry[] {
  const tree = new DataTree();
  return sampleEntries().map((entry) => {
    tree.applyTxn(entry.header, entry.txn);
    return { ...entry, digest: { version: 2, treeDigest: treeDigest(tree.nodes) } };
  });
}

function treeAfter(entries: readonly LogEntry[], count: number): DataTree {
  const tree = new DataTree();
  for (const entry of entries.slice(0, count)) tree.applyTxn(entry.header, entry.txn);
  return tree;
}

function writeLog(path: string, entries: readonly LogEntry[]): void {
  writeFileSync(path, Buffer.concat([encodeLogHeader(), ...entries.map(encodeLogEntry)]));
}

/** Every node of `tree` as a client would read it, for comparison with what ZooKeeper serves. */
function clientView(tree: DataTree): ExpectedNodes {
  return new Map([...tree.nodes].map(([path, node]) => [path, { path, data: node.data === null ? null : bytesOfLatin1(node.data), acl: node.acl, stat: tree.statOf(node) }]));
}

describe('files written by our encoders, read by Apache ZooKeeper 3.8', { skip }, () => {
  let dir: string;
  const entries = digestedSampleEntries();
  const snapshotAt = 8;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zkts-written-'));
    mkdirSync(join(dir, 'data', 'version-2'), { recursive: true });
    const versionDir = join(dir, 'data', 'version-2');
    writeLog(join(versionDir, formatLogName(1n)), entries);
    writeFileSync(join(versionDir, formatSnapshotName(0n)), serializeSnapshot(new DataTree(), []));
    // A snapshot in the middle: ZooKeeper must load it and replay the rest of log.1 on top.
    const middle = treeAfter(entries, snapshotAt);
    writeFileSync(join(versionDir, formatSnapshotName(BigInt(snapshotAt))),
      serializeSnapshot(middle, [{ sessionId: sessionA, timeoutMs: 30000 }, { sessionId: sessionB, timeoutMs: 30000 }]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('(c) TxnLogToolkit and SnapshotFormatter read them and print what log-dump and snapshot-dump print', async () => {
    const versionDir = join(dir, 'data', 'version-2');
    const logPath = join(versionDir, formatLogName(1n));
    const theirs = await runZooKeeperClass(TXN_LOG_TOOLKIT, [logPath]);
    assert.equal(theirs.stderr.includes('CRC ERROR'), false);
    assert.match(theirs.stdout, new RegExp(`EOF reached after ${entries.length} txns.\n$`));
    const ours = await zkts(['log-dump', logPath]);
    assertSameLogDump(ours.stdout, theirs.stdout, entries, 'our log.1');
    for (const name of [formatSnapshotName(0n), formatSnapshotName(BigInt(snapshotAt))]) {
      for (const mode of [[], ['-d'], ['-json']]) {
        const path = join(versionDir, name);
        const zk = await runZooKeeperClass(SNAPSHOT_FORMATTER, [...mode, path]);
        const mine = await zkts(['snapshot-dump', ...mode, path]);
        assert.equal(withoutTimestamp(mine.stdout), withoutTimestamp(zk.stdout), `our ${name} ${mode.join(' ')}`);
      }
    }
    const middle = (await runZooKeeperClass(SNAPSHOT_FORMATTER, [join(versionDir, formatSnapshotName(BigInt(snapshotAt)))])).stdout;
    assert.match(middle, new RegExp(`^ZNode Details \\(count=${treeAfter(entries, snapshotAt).nodes.size + 1}\\):`));
    assert.match(middle, new RegExp(`Session Details \\(sid, timeout, ephemeralCount\\):\n(0x0+${sessionA.toString(16)}, 30000, 1\n0x0+${sessionB.toString(16)}, 30000, 1|0x0+${sessionB.toString(16)}, 30000, 1\n0x0+${sessionA.toString(16)}, 30000, 1)\n`));
  });

  it('(c) quota stats a fuzzy snapshot stored stale: SnapshotFormatter and a restarted ZooKeeper show the recount, and so do we', async () => {
    // Quotas on /q (its stats behind the subtree) and on /gone (subtree deleted), and a limits
    // node without stats. (A quota on / is not possible: ZooKeeper fails to load it.)
    const tree = new DataTree();
    const paths = ['/q', '/q/a', '/q/b', '/q/b/c', '/zookeeper/quota/q', '/zookeeper/quota/q/zookeeper_limits', '/zookeeper/quota/q/zookeeper_stats',
      '/zookeeper/quota/gone', '/zookeeper/quota/gone/zookeeper_limits', '/zookeeper/quota/gone/zookeeper_stats',
      '/zookeeper/quota/nostats', '/zookeeper/quota/nostats/zookeeper_limits'];
    paths.forEach((path, index) => {
      const zxid = BigInt(index + 1);
      const data = path.endsWith('_limits') ? 'count=10,bytes=-1' : path.endsWith('_stats') ? 'count=1,bytes=0' : `data of ${path}`;
      tree.applyTxn({ clientId: sessionA, cxid: index, zxid, timeMs: 1_700_000_000_000n + zxid },
        { type: 'create', path, data: bytesOfLatin1(data), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], ephemeral: false, parentCVersion: 1 });
    });
    for (const path of paths.filter((each) => each.endsWith('_stats'))) tree.nodes.get(path)!.data = 'count=1,bytes=0';
    const work = mkdtempSync(join(tmpdir(), 'zkts-quota-'));
    try {
      const versionDir = join(work, 'data', 'version-2');
      mkdirSync(versionDir, { recursive: true });
      const path = join(versionDir, formatSnapshotName(tree.lastProcessedZxid));
      writeFileSync(path, serializeSnapshot(tree, []));
      for (const mode of [[], ['-d'], ['-json']]) {
        const zk = await runZooKeeperClass(SNAPSHOT_FORMATTER, [...mode, path]);
        const mine = await zkts(['snapshot-dump', ...mode, path]);
        assert.equal(withoutTimestamp(mine.stdout), withoutTimestamp(zk.stdout), `stale quota stats ${mode.join(' ')}`);
      }
      // /q, /q/a, /q/b, /q/b/c and their data ("data of /q" and so on); /gone has nothing left.
      const recounts = [`count=4,bytes=${['/q', '/q/a', '/q/b', '/q/b/c'].reduce((sum, each) => sum + `data of ${each}`.length, 0)}`, 'count=0,bytes=0'];
      const shown = (await zkts(['snapshot-dump', '-d', path])).stdout;
      assert.match(shown, new RegExp(`/zookeeper/quota/q/zookeeper_stats\n(?:  .*\n)*?  data = ${Buffer.from(recounts[0]!).toString('base64')}\n`), 'the recount, not the stored data');
      const stats = ['/zookeeper/quota/q/zookeeper_stats', '/zookeeper/quota/gone/zookeeper_stats'];
      let copies = 0;
      const served = async (start: typeof startApacheZooKeeper) => {
        const copy = join(work, `served-${copies++}`);
        cpSync(join(work, 'data'), copy, { recursive: true });
        const server = await start({ dataDir: copy });
        try {
          const zk = await WireClient.connect({ host: server.host, port: server.port, timeOutMs: 10_000 });
          const texts = [];
          for (const each of stats) texts.push(new TextDecoder().decode((await zk.getData(each)).body!.data!));
          await zk.destroy();
          return texts;
        } finally {
          await server.stop();
        }
      };
      assert.deepEqual(await served(startApacheZooKeeper), recounts, 'what ZooKeeper serves after loading');
      assert.deepEqual(await served(startZkts), recounts, 'what zkts serves after loading');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('(c) a ZooKeeper started on them serves the tree we built, with no digest mismatch', async () => {
    const dataDir = join(dir, 'data');
    // As super, getACL shows digest ids unmasked.
    const server = await startApacheZooKeeper({
      dataDir,
      config: { 'zookeeper.extendedTypesEnabled': 'true', 'zookeeper.DigestAuthenticationProvider.superDigest': digestId('super', 'reader') },
    });
    let served: ExpectedNodes;
    let mntr: string;
    try {
      const zk = await WireClient.connect({ host: server.host, port: server.port, timeOutMs: 10_000 });
      assert.equal((await zk.auth('digest', 'super:reader')).err, 0);
      served = await readTree(zk);
      await zk.destroy();
      mntr = await new Promise<string>((resolve, reject) => {
        let answer = '';
        const socket = connectTcp({ host: server.host, port: server.port }, () => socket.end('mntr'));
        socket.setTimeout(5000, () => socket.destroy(new Error('mntr: no answer')));
        socket.on('data', (chunk: Buffer) => { answer += chunk.toString(); });
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    } finally {
      await server.stop();
    }
    const expected = treeAfter(entries, entries.length);
    assertSameTree(expected, served, 'ZooKeeper on our files');
    assert.match(mntr, /^zk_digest_mismatches_count\t0$/m, 'ZooKeeper compared our TxnDigests and found them equal');
    // On start ZooKeeper snapshots what it loaded: read its snapshot back with ours.
    const own = readdirSync(join(dataDir, 'version-2')).filter((name) => parseSnapshotName(name)?.zxid === expected.lastProcessedZxid);
    assert.deepEqual(own, [formatSnapshotName(expected.lastProcessedZxid)], 'ZooKeeper wrote a snapshot at the last zxid');
    const reloaded = deserializeSnapshot(bytesOf(join(dataDir, 'version-2', own[0]!)), { zxid: expected.lastProcessedZxid });
    assert.equal(reloaded.digestCheck, 'match');
    assertSameTree(reloaded.tree, clientView(expected), 'our reading of the snapshot ZooKeeper wrote from our files');
    assert.deepEqual(reloaded.sessions.map((session) => session.sessionId), [sessionB]);
  });
});
