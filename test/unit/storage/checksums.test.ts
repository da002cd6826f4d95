/**
 * Adler-32 and CRC-32 (src/storage/format/adler32.ts, crc32.ts) against published check values
 * and a naive reference, fed in every split; and the tree digest (digest.ts) against the digests
 * a LIVE ZooKeeper 3.8.0 wrote into its txn log (zk380-captures/txnlog_head.hex).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Adler32, adler32 } from '../../../src/storage/format/adler32.js';
import { Crc32, crc32 } from '../../../src/storage/format/crc32.js';
import { DigestSum, nodeDigest, recordDigest, recordDigestOfPath, treeDigest } from '../../../src/storage/format/digest.js';
import { JuteWriter } from '../../../src/jute/archive.js';
import { writeRecord } from '../../../src/jute/schema.js';
import * as R from '../../../src/jute/records.js';
import { scanLog } from '../../../src/storage/format/txn-log.js';
import { DataTree } from '../../../src/tree/data-tree.js';
import { capture, naiveAdler32, text } from './fixtures.js';
import { latin1Of } from '../../../src/util/latin1.js';

test('Adler-32 check values (RFC 1950; java.util.zip.Adler32 of the same bytes)', () => {
  assert.equal(adler32(new Uint8Array(0)), 1);
  assert.equal(adler32(text('Wikipedia')), 0x11e60398);
  assert.equal(adler32(text('123456789')), 0x091e01de);
  // Long runs of 0xff push both sums furthest between reductions.
  const ones = new Uint8Array(100_000).fill(0xff);
  assert.equal(adler32(ones), naiveAdler32(ones));
});

test('Adler-32 is the same whatever the split of its input', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 12_000 }), fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
    const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((x, y) => x - y);
    const running = new Adler32();
    let from = 0;
    for (const point of [...points, bytes.length]) {
      running.update(bytes, from, point);
      from = point;
    }
    assert.equal(running.value, naiveAdler32(bytes));
    assert.equal(adler32(bytes), naiveAdler32(bytes));
  }), { numRuns: 200 });
});

test('CRC-32 check value and incremental updates', () => {
  assert.equal(crc32(text('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  const bytes = text('The quick brown fox jumps over the lazy dog');
  assert.equal(crc32(bytes), 0x414fa339);
  assert.equal(new Crc32().update(bytes, 0, 10).update(bytes, 10).value, 0x414fa339);
});

test('tree digests equal the ones ZooKeeper 3.8.0 logged after its first two txns', () => {
  const log = scanLog(capture('txnlog_head.hex'), 'txnlog_head.hex');
  assert.equal(log.entries.length, 2);
  const tree = new DataTree();
  for (const { entry } of log.entries) {
    tree.applyTxn(entry.header, entry.txn);
    assert.equal(entry.digest?.version, 2);
    assert.equal(treeDigest(tree.nodes), entry.digest?.treeDigest, `digest after zxid ${entry.header.zxid}`);
  }
  assert.equal(log.entries[0]!.entry.digest?.treeDigest, 0x51c6d660n);
  assert.equal(log.entries[1]!.entry.digest?.treeDigest, 0x1353c1c50n);
});

test('digest rules: the root is hashed as "", /zookeeper/* is left out, every stat field counts', () => {
  const tree = new DataTree();
  const root = tree.nodes.get('/')!;
  assert.equal(nodeDigest('/', root), nodeDigest('', root));
  assert.equal(nodeDigest('/zookeeper/quota', tree.nodes.get('/zookeeper/quota')!), 0);
  assert.notEqual(nodeDigest('/zookeeper', tree.nodes.get('/zookeeper')!), 0);
  const base = nodeDigest('/x', root);
  for (const field of ['czxid', 'mzxid', 'pzxid', 'ctime', 'mtime', 'ephemeralOwner'] as const) {
    assert.notEqual(nodeDigest('/x', { ...root, [field]: 1n }), base, field);
  }
  for (const field of ['version', 'cversion', 'aversion'] as const) {
    assert.notEqual(nodeDigest('/x', { ...root, [field]: 1 }), base, field);
  }
  assert.notEqual(nodeDigest('/x', { ...root, data: 'd' }), base, 'data');
  // null and empty data hash alike, as CRC32.update of nothing changes nothing.
  assert.equal(nodeDigest('/x', { ...root, data: null }), nodeDigest('/x', { ...root, data: '' }));
});

test('digest sums stay exact past the 2^53 a double holds', () => {
  // 3·2^20 + 7 hashes of 2^32 − 1 add up to more than 2^53: the sum must fold into a bigint.
  const sum = new DigestSum();
  let expected = 0n;
  for (let i = 0; i < 3 * 2 ** 20 + 7; i++) {
    const hash = i % 3 === 0 ? 0xffffffff : (i * 2654435761) >>> 0;
    sum.add(hash);
    expected += BigInt(hash);
  }
  assert.ok(expected > 2n ** 53n);
  assert.equal(sum.value, BigInt.asIntN(64, expected));
});

test('a node hash from its serialized record bytes equals nodeDigest of the node', () => {
  const long = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
  // Not '/' (the root, hashed as '') nor under /zookeeper/ (hashed as 0): the callers rule those out.
  const nameArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((name) => !name.startsWith('zookeeper/'));
  fc.assert(fc.property(nameArb, fc.option(fc.uint8Array({ maxLength: 70 }), { nil: null }),
    fc.record({ czxid: long, mzxid: long, ctime: long, mtime: long, version: int, cversion: int, aversion: int, ephemeralOwner: long, pzxid: long }),
    fc.nat(7), (name, data, stat, lead) => {
      const path = `/${name}`;
      const writer = new JuteWriter();
      for (let i = 0; i < lead; i++) writer.writeBoolean(true);
      const pathStart = writer.length + 4;
      writer.writeUstring(path);
      const pathEnd = writer.length;
      writer.writeBuffer(data);
      const dataEnd = writer.length;
      writeRecord(writer, R.StatPersisted, stat);
      const bytes = writer.toBytes();
      const view = new DataView(bytes.buffer);
      const expected = nodeDigest(path, { ...stat, data: latin1Of(data) });
      assert.equal(recordDigest(view, pathStart, pathEnd, dataEnd - (data?.length ?? 0), dataEnd, dataEnd), expected);
      assert.equal(recordDigestOfPath(text(path), view, dataEnd - (data?.length ?? 0), dataEnd, dataEnd), expected);
    }), { numRuns: 500 });
});

test('Adler-32 of large inputs in any split, across the 16-byte steps and the reduction blocks', () => {
  const bytes = new Uint8Array(300_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  bytes.fill(0xff, 100_000, 140_000);
  const expected = naiveAdler32(bytes);
  assert.equal(adler32(bytes), expected);
  for (const cuts of [[1, 63, 64, 65, 3791, 3792, 3793, 7584], [17, 100_003, 139_999], [299_999]]) {
    const running = new Adler32();
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      running.update(bytes, from, cut);
      from = cut;
    }
    assert.equal(running.value, expected, cuts.join(','));
  }
  // A view into a larger buffer reads from its own offset.
  const inner = new Uint8Array(bytes.buffer, 5, 200_000);
  assert.equal(adler32(inner), naiveAdler32(inner));
});
