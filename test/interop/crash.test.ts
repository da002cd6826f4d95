/**
 * Crash tests with real processes: concurrent writers against a zkts process that is killed
 * with SIGKILL at a random moment, restarted on the same data directory, and checked:
 * - every write acknowledged before the kill is there, with its data (nothing acked is lost);
 * - what is there of each session's writes is a prefix of what it sent (FIFO order kept, no
 *   hole left by a lost write followed by a kept one);
 * - a multi is all there or not at all (nothing half applied).
 * Snapshots run during the writes (snapCount is small), so kills also land mid-snapshot.
 * A second test damages the log tail at random offsets between runs: the server starts, says
 * what it cut, and holds exactly the txns before the damage.
 *
 * Bounded: ZKTS_CRASH_CYCLES cycles (default 50), each a second or so. Seed: ZKTS_CRASH_SEED.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { multiOp, WireClient, WireError } from '../support/wire-client.js';
import { ZktsProcess } from '../support/zkts-process.js';
import { scanLog } from '../../src/storage/format/txn-log.js';
import { parseLogName } from '../../src/storage/format/file-names.js';
import { ErrorCode } from '../../src/protocol/codes.js';

const cycles = Number(process.env['ZKTS_CRASH_CYCLES'] ?? 50);
const seed = Number(process.env['ZKTS_CRASH_SEED'] ?? Date.now() % 1_000_000);
const writersPerCycle = 4;
const inFlightPerWriter = 8;

/** xorshift32: a reproducible stream from the printed seed. */
function prng(start: number): () => number {
  let state = (start >>> 0) || 0x9e3779b9;
  return () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

const utf8 = new TextEncoder();
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());

interface Op {
  readonly paths: readonly string[];
  readonly data: string;
  acked: boolean;
}

/** One writer: ops in order, pipelined, until the connection drops. */
async function runWriter(client: WireClient, base: string, writer: number, random: () => number, ops: Op[]): Promise<void> {
  let next = 0;
  const issue = async (): Promise<void> => {
    for (;;) {
      const k = next++;
      const data = `w${writer}-${k}-${'x'.repeat(Math.floor(random() * 200))}`;
      const multi = random() < 0.3;
      const paths = multi ? [`${base}/w${writer}-${k}`, `${base}/w${writer}-${k}-pair`] : [`${base}/w${writer}-${k}`];
      const op: Op = { paths, data, acked: false };
      ops[k] = op;
      try {
        const reply = multi
          ? await client.multi(paths.map((path) => multiOp.create(path, utf8.encode(data))))
          : await client.create(paths[0]!, utf8.encode(data));
        if (reply.err !== ErrorCode.OK) throw new Error(`write ${paths[0]} failed with ${reply.err}`);
        op.acked = true;
      } catch (error) {
        if (error instanceof WireError) return; // the server went away: outcome unknown
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlightPerWriter }, issue));
}

async function connectTo(server: ZktsProcess): Promise<WireClient> {
  return WireClient.connect({ host: '127.0.0.1', port: server.port, timeOutMs: 30_000 });
}

/** Every znode under `base` with its data. */
async function contents(client: WireClient, base: string): Promise<Map<string, string>> {
  const children = await client.getChildren(base);
  assert.equal(children.err, 0, `getChildren ${base}`);
  const out = new Map<string, string>();
  const names = (children.body as { children: string[] }).children;
  const replies = await Promise.all(names.map((name) => client.getData(`${base}/${name}`)));
  names.forEach((name, index) => {
    const reply = replies[index]!;
    assert.equal(reply.err, 0, `getData ${base}/${name}`);
    out.set(`${base}/${name}`, text((reply.body as { data: Uint8Array | null }).data));
  });
  return out;
}

/** The checks of one cycle's writes against what the restarted server holds. */
function checkCycle(writers: readonly Op[][], present: ReadonlyMap<string, string>, context: string): { acked: number; kept: number } {
  let acked = 0;
  let kept = 0;
  for (const [writer, ops] of writers.entries()) {
    let prefixEnded = -1;
    ops.forEach((op, k) => {
      const there = op.paths.map((path) => present.has(path));
      assert.ok(there.every((value) => value === there[0]), `${context}: multi ${op.paths.join(' + ')} half applied: ${there}`);
      if (op.acked) {
        acked++;
        assert.ok(there[0], `${context}: acknowledged write ${op.paths[0]} is lost`);
      }
      if (there[0]) {
        kept++;
        for (const path of op.paths) assert.equal(present.get(path), op.data, `${context}: ${path} has the wrong data`);
        assert.equal(prefixEnded, -1, `${context}: writer ${writer} op ${k} is there but op ${prefixEnded} before it is not`);
      } else if (prefixEnded === -1) {
        prefixEnded = k;
      }
    });
  }
  const expectedNames = new Set(writers.flatMap((ops) => ops.flatMap((op) => op.paths)));
  for (const path of present.keys()) assert.ok(expectedNames.has(path), `${context}: ${path} was never written`);
  return { acked, kept };
}

test(`crash: ${cycles} kill -9 cycles under concurrent writers lose no acknowledged write and apply nothing by halves`, { timeout: 15 * 60_000 }, async (t) => {
  const random = prng(seed);
  t.diagnostic(`seed ${seed} (replay with ZKTS_CRASH_SEED=${seed})`);
  const server = await ZktsProcess.create({ snapCount: '200', preAllocSize: '64' });
  const history: { base: string; writers: Op[][] }[] = [];
  let totalAcked = 0;
  let totalKept = 0;
  try {
    for (let cycle = 0; cycle < cycles; cycle++) {
      await server.start();
      const client = await connectTo(server);
      // What every earlier cycle left must still be exactly there.
      for (const past of history) checkCycle(past.writers, await contents(client, past.base), `cycle ${cycle}, checking ${past.base} (seed ${seed})`);
      const base = `/crash-${cycle}`;
      assert.equal((await client.create(base, null)).err, 0);
      await client.close();

      const writers: Op[][] = Array.from({ length: writersPerCycle }, () => []);
      const sessions = await Promise.all(writers.map(() => connectTo(server)));
      const running = sessions.map((session, index) => runWriter(session, base, index, random, writers[index]!));
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(random() * 500)));
      await server.kill9();
      await Promise.all(running);
      await Promise.all(sessions.map((session) => session.destroy()));
      history.push({ base, writers });
    }
    await server.start();
    const client = await connectTo(server);
    for (const past of history) {
      const counts = checkCycle(past.writers, await contents(client, past.base), `final check of ${past.base} (seed ${seed})`);
      totalAcked += counts.acked;
      totalKept += counts.kept;
    }
    await client.close();
    t.diagnostic(`${cycles} crashes: ${totalAcked} acknowledged writes all present, ${totalKept - totalAcked} unacknowledged ones also kept, ${history.reduce((n, h) => n + h.writers.reduce((m, ops) => m + ops.length, 0), 0)} sent`);
    assert.ok(totalAcked > cycles * 10, `too few writes were acknowledged (${totalAcked}) for the test to mean much`);
  } catch (error) {
    t.diagnostic(server.output.slice(-4000));
    throw error;
  } finally {
    await server.remove();
  }
});

/** The newest log file and the creates it holds, record by record. */
function newestLog(dataDir: string): { path: string; records: { offset: number; end: number; paths: string[] }[] } {
  const dir = join(dataDir, 'version-2');
  const logs = readdirSync(dir).flatMap((name) => {
    const parsed = parseLogName(name);
    return parsed === undefined ? [] : [{ name, zxid: parsed.zxid }];
  }).sort((a, b) => (a.zxid < b.zxid ? -1 : 1));
  const path = join(dir, logs[logs.length - 1]!.name);
  const scan = scanLog(new Uint8Array(readFileSync(path)));
  const records = scan.entries.map(({ entry, offset, end }) => {
    const txns = entry.txn.type === 'multi' ? entry.txn.txns : [entry.txn];
    return { offset, end, paths: txns.flatMap((txn) => ('path' in txn && txn.type.startsWith('create') ? [txn.path] : [])) };
  });
  return { path, records };
}

test('torn writes: a log tail cut or damaged at random offsets is reported and cut, and exactly the txns before it remain', { timeout: 5 * 60_000 }, async (t) => {
  const random = prng(seed + 1);
  t.diagnostic(`seed ${seed + 1}`);
  const rounds = Math.max(5, Math.floor(cycles / 3));
  const server = await ZktsProcess.create({ snapCount: '100000', preAllocSize: '64' });
  try {
    for (let round = 0; round < rounds; round++) {
      await server.start();
      const client = await connectTo(server);
      const base = `/torn-${round}`;
      assert.equal((await client.create(base, null)).err, 0);
      const writes = 20 + Math.floor(random() * 40);
      await Promise.all(Array.from({ length: writes }, (_, k) => client.create(`${base}/n${k}`, utf8.encode(`v${k}`))));
      await client.close();
      await server.kill9();

      // Damage one of the last records of the newest log: cut inside it, or flip a byte in it.
      const log = newestLog(server.dataDir);
      const victimIndex = log.records.length - 1 - Math.floor(random() * Math.min(5, log.records.length - 1));
      const victim = log.records[victimIndex]!;
      const bytes = readFileSync(log.path);
      let damaged: Buffer;
      let what: string;
      if (random() < 0.5) {
        const cut = victim.offset + 5 + Math.floor(random() * (victim.end - victim.offset - 5));
        damaged = bytes.subarray(0, cut);
        what = `cut at ${cut}`;
      } else {
        damaged = Buffer.from(bytes.subarray(0, victim.end));
        const at = victim.offset + 12 + Math.floor(random() * (victim.end - victim.offset - 13));
        damaged[at] = damaged[at]! ^ (1 + Math.floor(random() * 255));
        what = `byte ${at} changed`;
      }
      writeFileSync(log.path, damaged);

      const before = server.output.length;
      await server.start();
      const startLog = server.output.slice(before);
      assert.match(startLog, new RegExp(`torn tail truncated at offset ${victim.offset} of ${log.path.replace(/[.]/g, '\\.')}`), `round ${round} (${what}): the cut is reported`);
      const check = await connectTo(server);
      const expected = new Set(log.records.slice(0, victimIndex).flatMap((record) => record.paths).filter((path) => path.startsWith(`${base}/`)));
      const present = new Set((await contents(check, base)).keys());
      assert.deepEqual([...present].sort(), [...expected].sort(), `round ${round} (${what}, seed ${seed + 1})`);
      await check.close();
      await server.stop();
    }
  } catch (error) {
    t.diagnostic(server.output.slice(-4000));
    throw error;
  } finally {
    await server.remove();
  }
});

test('sessions survive a kill -9: a client back within its timeout keeps its session and ephemerals; one that stays away loses them', { timeout: 60_000 }, async () => {
  // Logs in their own directory, as with dataLogDir on another disk.
  const server = await ZktsProcess.create({ tickTime: '500', dataLogDir: '' });
  try {
    await server.start();
    const stays = await WireClient.connect({ host: '127.0.0.1', port: server.port, timeOutMs: 8000 });
    const leaves = await WireClient.connect({ host: '127.0.0.1', port: server.port, timeOutMs: 2000 });
    assert.equal((await stays.create('/mine', utf8.encode('a'), undefined, 1)).err, 0);
    assert.equal((await leaves.create('/gone', utf8.encode('b'), undefined, 1)).err, 0);
    await server.kill9();
    await Promise.all([stays.destroy(), leaves.destroy()]);

    await server.start();
    const back = await stays.reconnect({ host: '127.0.0.1', port: server.port, timeOutMs: 8000 });
    assert.equal(back.sessionId, stays.sessionId);
    const mine = await back.exists('/mine');
    assert.equal(mine.err, 0);
    assert.equal((mine.body as { stat: { ephemeralOwner: bigint } }).stat.ephemeralOwner, stays.sessionId);
    // The other session's timeout (2 s) runs from the restart; it is never renewed.
    const deadline = Date.now() + 10_000;
    while ((await back.exists('/gone')).err === 0) {
      assert.ok(Date.now() < deadline, '/gone outlived its session');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await assert.rejects(leaves.reconnect({ host: '127.0.0.1', port: server.port }), (error: unknown) => error instanceof WireError && error.code === ErrorCode.SESSIONEXPIRED);
    assert.equal((await back.exists('/mine')).err, 0);
    await back.close();
    // Snapshots in dataDir, logs in dataLogDir, nothing of one in the other's place.
    const snapNames = readdirSync(join(server.dataDir, 'version-2'));
    const logNames = readdirSync(join(server.dataLogDir, 'version-2'));
    assert.notEqual(server.dataLogDir, server.dataDir);
    assert.ok(snapNames.length > 0 && snapNames.every((name) => name.startsWith('snapshot.')), snapNames.join(' '));
    assert.ok(logNames.length > 0 && logNames.every((name) => name.startsWith('log.')), logNames.join(' '));
  } finally {
    await server.remove();
  }
});

test('autopurge: at start the server keeps the newest snapRetainCount snapshots and the logs they need, and still recovers', { timeout: 60_000 }, async () => {
  const server = await ZktsProcess.create({ snapCount: '10', preAllocSize: '64' });
  try {
    await server.start();
    const client = await connectTo(server);
    // One at a time: a snapshot still running when the next is due is skipped, as in ZooKeeper.
    for (let k = 0; k < 150; k++) await client.create(`/p${k}`, utf8.encode(`v${k}`));
    await client.close();
    await server.stop();
    const names = () => readdirSync(join(server.dataDir, 'version-2')).sort();
    const snapshotsBefore = names().filter((name) => name.startsWith('snapshot.'));
    assert.ok(snapshotsBefore.length > 5, `${snapshotsBefore.length} snapshots to purge from`);

    server.configure({ 'autopurge.purgeInterval': '1', 'autopurge.snapRetainCount': '3' });
    await server.start();
    const deadline = Date.now() + 10_000;
    while (!server.output.includes('Purge task completed.')) {
      assert.ok(Date.now() < deadline, 'the purge task did not run at start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const snapshotsAfter = names().filter((name) => name.startsWith('snapshot.'));
    assert.equal(snapshotsAfter.length, 3, snapshotsAfter.join(' '));
    await server.kill9();
    await server.start();
    const check = await connectTo(server);
    const children = (await check.getChildren('/')).body as { children: string[] };
    assert.equal(children.children.filter((name) => name.startsWith('p')).length, 150);
    await check.close();
  } finally {
    await server.remove();
  }
});
