/**
 * The dump formatters (storage/format/log-dump.ts, snapshot-dump.ts) and the Java printing rules
 * under them (util/java-format.ts, jute/text.ts, util/java-hash-order.ts), on files our encoders
 * write. The expected strings are ZooKeeper 3.8's observed output formats; the interop test
 * (test/interop/storage-format.test.ts) compares whole dumps with ZooKeeper's own tools.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as R from '../../../src/jute/records.js';
import { recordText } from '../../../src/jute/text.js';
import { formatLogDump, formatLogDumpJson, formatTxnLine, txnOpName } from '../../../src/storage/format/log-dump.js';
import { formatSnapshotDump, formatSnapshotJson } from '../../../src/storage/format/snapshot-dump.js';
import { readSnapshot } from '../../../src/storage/format/snapshot.js';
import { serializeSnapshot } from '../../../src/storage/format/snapshot-writer.js';
import { encodeLogEntry, encodeLogHeader, scanLog } from '../../../src/storage/format/txn-log.js';
import { CONTAINER_EPHEMERAL_OWNER } from '../../../src/tree/txn.js';
import { javaDateToString, javaHex016, javaLongHex, javaMediumDateTime, javaShortLongDateTime, javaUtf8String, jacksonQuoteAsString } from '../../../src/util/java-format.js';
import { javaHashMapLongKeyOrder, javaHashSetOrder } from '../../../src/util/java-hash-order.js';
import { OPEN, sampleEntries, sessionA, sessionB, text, treeOf } from './fixtures.js';

function logBytes(entries = sampleEntries()): { bytes: Uint8Array; offsets: number[] } {
  const parts = [encodeLogHeader(), ...entries.map(encodeLogEntry)];
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const part of parts) {
    offsets.push(at);
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, offsets: offsets.slice(1) };
}

test('Java number and date printing', () => {
  assert.equal(javaLongHex(-1n), 'ffffffffffffffff');
  assert.equal(javaLongHex(BigInt(-2)), 'fffffffffffffffe');
  assert.equal(javaHex016(0n), '0x00000000000000');
  assert.equal(javaHex016(0x25n), '0x00000000000025');
  assert.equal(javaHex016(0x10000080ab90000n), '0x10000080ab90000');
  assert.equal(javaHex016(CONTAINER_EPHEMERAL_OWNER), '0x8000000000000000');
  assert.equal(javaDateToString(0n, 'UTC'), 'Thu Jan 01 00:00:00 UTC 1970');
  assert.equal(javaDateToString(1_796_155_683_000n, 'UTC'), 'Tue Dec 01 20:08:03 UTC 2026');
  assert.equal(javaShortLongDateTime(1_796_155_683_000n, 'UTC'), '12/1/26, 8:08:03 PM UTC');
  assert.equal(javaShortLongDateTime(0n, 'UTC'), '1/1/70, 12:00:00 AM UTC');
  assert.equal(javaShortLongDateTime(43_200_000n, 'UTC'), '1/1/70, 12:00:00 PM UTC');
  assert.equal(javaMediumDateTime(1_796_155_683_000n, 'UTC'), 'Dec 1, 2026, 8:08:03 PM');
  assert.equal(javaShortLongDateTime(0n, 'America/New_York'), '12/31/69, 7:00:00 PM EST');
});

test('new String(bytes, UTF_8) replaces malformed input as the JDK does, not as TextDecoder', () => {
  const bytes = (...values: number[]) => Uint8Array.from(values);
  assert.equal(javaUtf8String(text('plain € 日本 😀')), 'plain € 日本 😀');
  // An encoded surrogate is one replacement for all three bytes (WHATWG: three).
  assert.equal(javaUtf8String(bytes(0xed, 0xa0, 0x80, 0x41)), '\ufffdA');
  assert.equal(new TextDecoder().decode(bytes(0xed, 0xa0, 0x80, 0x41)), '\ufffd\ufffd\ufffdA');
  // Cut off by the end of the input: one replacement, and the JDK stops there.
  assert.equal(javaUtf8String(bytes(0x41, 0xed, 0xa0)), 'A\ufffd');
  assert.equal(javaUtf8String(bytes(0xe2, 0x82, 0x41)), '\ufffdA');
  assert.equal(javaUtf8String(bytes(0xf0, 0x9f, 0x98, 0x41)), '\ufffdA');
  assert.equal(javaUtf8String(bytes(0xc0, 0xaf, 0xff)), '\ufffd\ufffd\ufffd');
});

test('jute Record.toString: escapes, unpadded signed byte hex, nested records and vectors', () => {
  assert.equal(recordText(R.SetDataTxn, { path: "/a,b}%\n'", data: Uint8Array.from([0x05, 0x80, 0xff, 0x10]), version: -1 }),
    "'/a%2Cb%7D%25%0A',#5ffffff80ffffffff10,-1\n");
  assert.equal(recordText(R.SetDataTxn, { path: '/e', data: null, version: 0 }), "'/e,,0\n");
  assert.equal(recordText(R.SetACLTxn, { path: '/a', acl: [...OPEN, { perms: 1, id: { scheme: 'ip', id: '10.0.0.0/8' } }], version: 2 }),
    "'/a,v{s{31,s{'world,'anyone}},s{1,s{'ip,'10.0.0.0/8}}},2\n");
  assert.equal(recordText(R.CloseSessionTxn, { paths2Delete: [] }), 'v{}\n');
  assert.equal(recordText(R.CreateTxn, { path: '/t', data: null, acl: [], ephemeral: true, parentCVersion: 3 }), "'/t,,v{},T,3\n");
});

test('a txn line per entry, laid out as TxnLogToolkit prints it', () => {
  const entries = sampleEntries();
  const lines = entries.map((entry) => formatTxnLine(entry, 'UTC'));
  const time = javaShortLongDateTime(entries[0]!.header.timeMs, 'UTC');
  assert.equal(lines[0], `${time} session 0x${sessionA.toString(16)} cxid 0x1 zxid 0x1 createSession 30000\n`);
  assert.match(lines[2]!, /cxid 0x3 zxid 0x3 create \/a,hello,\[31,s\{'world,'anyone\}\n\],false,1\n$/);
  assert.match(lines[3]!, / create2 \/a\/eph,,\[31,s\{'world,'anyone\}\n\],true,1\n$/);
  assert.match(lines[5]!, / createContainer \/c,x,\[31,s\{'world,'anyone\}\n\],3\n$/);
  assert.match(lines[6]!, / createTtl \/ttl,y,\[31,s\{'world,'anyone\}\n\],4,500000\n$/);
  assert.match(lines[8]!, / setData \/a,v2,1\n$/);
  assert.match(lines[9]!, / setACL '\/a,v\{s\{1,s\{'world,'anyone\}\},s\{31,s\{'digest,'u:NFh2WJVYnRGp6NVMDyNcMgcwFl4=\}\}\},1\n$/);
  // Ours, not ZooKeeper's raw record bytes: each op as its own line would read, on one line.
  assert.match(lines[10]!, / multi check:'\/a,1;create:\/m,m,\[31,s\{'world,'anyone\}\],false,5;create:\/m\/seq0000000000,s,\[31,s\{'world,'anyone\}\],false,1;setData:\/m,m2,1;delete:'\/ttl\n$/);
  assert.match(lines[11]!, / multi error:0;error:-101;error:-2\n$/);
  assert.match(lines[12]!, / error -110\n$/);
  assert.match(lines[14]!, / deleteContainer '\/c\n$/);
  assert.match(lines[15]!, / closeSession v\{'\/a\/eph\}\n$/);
  const negative = formatTxnLine({ ...entries[13]!, header: { ...entries[13]!.header, cxid: -2, clientId: sessionB } }, 'UTC');
  assert.match(negative, new RegExp(`session 0x${sessionB.toString(16)} cxid 0xfffffffffffffffe zxid 0xe delete '/c/child\n$`));
  assert.equal(txnOpName(21), 'createTtl');
  assert.equal(txnOpName(999), 'unknown 999');
});

test('log dump: header line, txns, "EOF reached"; a torn or corrupt end is reported with its offset', () => {
  const { bytes, offsets } = logBytes();
  const clean = formatLogDump(scanLog(bytes, 'log.1'), { timeZone: 'UTC' });
  const lines = clean.text.split('\n');
  assert.equal(lines[0], 'ZooKeeper Transactional Log File with dbid 0 txnlog format version 2');
  assert.equal(lines.at(-2), `EOF reached after ${sampleEntries().length} txns.`);
  assert.equal(clean.problem, undefined);

  const last = offsets.at(-1)!;
  const torn = formatLogDump(scanLog(bytes.slice(0, bytes.length - 3), 'dir/log.1'), { timeZone: 'UTC' });
  assert.equal(torn.text.match(/ zxid 0x/g)!.length, sampleEntries().length - 1, 'every whole txn is printed');
  assert.doesNotMatch(torn.text, /EOF reached/);
  assert.match(torn.problem!, new RegExp(`^torn tail: dir/log.1 at offset ${last}: .*; ${sampleEntries().length - 1} txns before it`));

  const damaged = bytes.slice();
  damaged[offsets[4]! + 20]! ^= 0xff;
  const corrupt = formatLogDump(scanLog(damaged, 'log.1'), { timeZone: 'UTC' });
  assert.match(corrupt.problem!, new RegExp(`^corrupt: log.1 at offset ${offsets[4]}: checksum mismatch .*; 4 txns before it \\(valid txns follow`));

  const json = formatLogDumpJson(scanLog(damaged, 'log.1'));
  const records = json.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(records.length, 5);
  assert.deepEqual(records[2], {
    offset: offsets[2], time: new Date(Number(sampleEntries()[2]!.header.timeMs)).toISOString(), timeMs: Number(sampleEntries()[2]!.header.timeMs),
    session: `0x${sessionA.toString(16)}`, cxid: 3, zxid: '0x3', op: 'create',
    txn: { type: 'create', path: '/a', data: Buffer.from('hello').toString('base64'), acl: [{ perms: 31, scheme: 'world', id: 'anyone' }], ephemeral: false, parentCVersion: 1 },
  });
  assert.deepEqual(records[4], { end: 'corrupt', offset: offsets[4], reason: corrupt.problem!.replace(/^corrupt: /, '').replace(/; 4 txns.*$/, ''), txnCount: 4 });
});

test('HashSet and HashMap orders: the children order ZooKeeper 3.8 printed for a real snapshot', () => {
  // Children of "/" in the order ZooKeeper created them, and the order its SnapshotFormatter
  // listed them for that snapshot (observed).
  const created = ['zookeeper', 'a', 'seq-0000000001', 'eph', 'cont', 'ip', ...Array.from({ length: 24 }, (_, i) => `n${i}`)];
  assert.deepEqual(javaHashSetOrder(created, 8), [
    'n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n12', 'n11', 'n14', 'n13', 'n16', 'n15', 'n18', 'n17', 'n19',
    'eph', 'cont', 'a', 'zookeeper', 'ip', 'n21', 'n20', 'n23', 'n22', 'seq-0000000001',
  ]);
  // Long keys hash to hi ^ lo: 17, 1 and 2^32 share bucket 1 of 16, in insertion order; 2 is in bucket 2.
  assert.deepEqual(javaHashMapLongKeyOrder([17n, 2n, 1n, 0x100000000n]), [17n, 1n, 0x100000000n, 2n]);
});

test('snapshot dump: SnapshotFormatter layout, -d, --acls and ncdu JSON', () => {
  const tree = treeOf(sampleEntries());
  const sessions = [{ sessionId: sessionB, timeoutMs: 30000 }, { sessionId: sessionA, timeoutMs: 4000 }];
  const contents = readSnapshot(serializeSnapshot(tree, sessions));
  const dump = formatSnapshotDump(contents, { fileName: 'snapshot.10', timeZone: 'UTC' });
  const lines = dump.split('\n');
  assert.equal(lines[0], `ZNode Details (count=${tree.nodes.size + 1}):`);
  assert.deepEqual(lines.slice(1, 14), [
    '----', '/', '  cZxid = 0x00000000000000', '  ctime = Thu Jan 01 00:00:00 UTC 1970', '  mZxid = 0x00000000000000',
    '  mtime = Thu Jan 01 00:00:00 UTC 1970', `  pZxid = 0x${tree.nodes.get('/')!.pzxid.toString(16).padStart(14, '0')}`,
    `  cversion = ${tree.nodes.get('/')!.cversion}`, '  dataVersion = 0', '  aclVersion = 0', '  ephemeralOwner = 0x00000000000000',
    '  dataLength = 0', '----',
  ]);
  const paths = lines.filter((line) => line.startsWith('/'));
  assert.equal(paths.length, tree.nodes.size);
  const rootChildren = paths.filter((path) => path.lastIndexOf('/') === 0 && path !== '/').map((path) => path.slice(1));
  assert.deepEqual(rootChildren, javaHashSetOrder([...tree.nodes.get('/')!.children.keys()].sort(), 8));
  const eph = lines.indexOf('/e');
  assert.equal(lines[eph + 9], `  ephemeralOwner = 0x${sessionB.toString(16).padStart(14, '0')}`);
  assert.ok(!paths.includes('/c'), 'the deleted container is gone');
  const sessionLines = lines.slice(lines.indexOf('Session Details (sid, timeout, ephemeralCount):') + 1, -3);
  const padded = (id: bigint) => `0x${id.toString(16).padStart(14, '0')}`;
  assert.deepEqual(sessionLines, javaHashMapLongKeyOrder([sessionB, sessionA]).map((id) => (id === sessionB ? `${padded(sessionB)}, 30000, 1` : `${padded(sessionA)}, 4000, 0`)));
  assert.deepEqual(lines.slice(-3), ['----', `Last zxid: 0x${tree.lastProcessedZxid.toString(16)}`, '']);

  const withData = formatSnapshotDump(contents, { fileName: 'snapshot.10', timeZone: 'UTC', data: true }).split('\n');
  assert.equal(withData[withData.indexOf('/a') + 10], `  data = ${Buffer.from('v2').toString('base64')}`);
  const nullData = treeOf([{ header: { clientId: 0n, cxid: 1, zxid: 1n, timeMs: 0n }, type: 1, txn: { type: 'create', path: '/n', data: null, acl: OPEN, ephemeral: false, parentCVersion: -1 } }]);
  const nullLines = formatSnapshotDump(readSnapshot(serializeSnapshot(nullData, [])), { fileName: 'snapshot.1', timeZone: 'UTC', data: true }).split('\n');
  assert.equal(nullLines[nullLines.indexOf('/n') + 10], '  data = ');

  const withAcls = formatSnapshotDump(contents, { fileName: 'snapshot.10', timeZone: 'UTC', acls: true }).split('\n');
  const table = withAcls.slice(withAcls.indexOf('ACL Details (id, nodes, acl):') + 1, -3);
  // Ids are the serializer's to choose; what each id stands for and counts is what matters.
  const digestLine = table.find((line) => line.endsWith(', 1, world:anyone:r,digest:u:NFh2WJVYnRGp6NVMDyNcMgcwFl4=:cdrwa'));
  assert.ok(digestLine !== undefined, table.join('\n'));
  assert.equal(withAcls[withAcls.indexOf('/a') + 10], `  acl = ${digestLine.split(',')[0]}`);
  assert.deepEqual(table.map((line) => line.replace(/^\d+, /, 'N, ')).sort(),
    [`-1, ${tree.nodes.size - 2}, world:anyone:cdrwa`, 'N, 1, world:anyone:r,digest:u:NFh2WJVYnRGp6NVMDyNcMgcwFl4=:cdrwa', 'N, 1, world:anyone:r'].sort());

  const json = formatSnapshotJson(contents, 1234);
  const parsed = JSON.parse(json) as unknown[];
  assert.deepEqual(parsed.slice(0, 3), [1, 0, { progname: 'SnapshotFormatter.java', progver: '0.01', timestamp: 1234 }]);
  const root = parsed[3] as unknown[];
  assert.deepEqual(root[0], { name: '/', asize: 0, dsize: 0, dev: 0, ino: 1001 });
  assert.equal(json.match(/"ino":/g)!.length, tree.nodes.size);
  assert.equal(jacksonQuoteAsString('a"b\\c/d\u0001\n€'), 'a\\"b\\\\c/d\\u0001\\n€');
});

test('snapshot dump: a node whose parent is missing is an error, not a crash', () => {
  const contents = readSnapshot(serializeSnapshot(treeOf(sampleEntries()), []));
  const orphaned = { ...contents, nodes: contents.nodes.filter((node) => node.path !== '/m') };
  assert.throws(() => formatSnapshotDump(orphaned, { fileName: 'snapshot.1', timeZone: 'UTC' }), /\/m\/seq0000000000 comes before its parent \/m/);
});
