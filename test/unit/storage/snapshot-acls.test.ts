/**
 * A fuzzy snapshot whose nodes name ACL ids its ACL table lacks (ZooKeeper writes the table
 * before the nodes, so an ACL list made meanwhile is missing; seen in real 3.8 snapshots):
 * readSnapshot reads it, and deserializeSnapshot resolves the ids from the later txns the way
 * ZooKeeper's ACL cache hands them out again on replay — or refuses when they cannot be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JuteWriter } from '../../../src/jute/archive.js';
import { writeRecord } from '../../../src/jute/schema.js';
import * as R from '../../../src/jute/records.js';
import type { ACLT } from '../../../src/jute/records.js';
import { Adler32 } from '../../../src/storage/format/adler32.js';
import { deserializeSnapshot, readSnapshot, SnapshotError } from '../../../src/storage/format/snapshot.js';
import type { Txn } from '../../../src/tree/txn.js';
import { OPEN, READ_AND_DIGEST } from './fixtures.js';

const READ: ACLT[] = [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }];
const IP: ACLT[] = [{ perms: 31, id: { scheme: 'ip', id: '127.0.0.1' } }];
const stat = (zxid: bigint) => ({ czxid: zxid, mzxid: zxid, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: zxid });

/** Snapshot bytes straight from the grammar in snapshot.ts, with whatever ACL table we choose. */
function snapshotBytes(table: [bigint, ACLT[]][], nodes: [string, bigint][]): Uint8Array {
  const writer = new JuteWriter();
  writeRecord(writer, R.FileHeader, { magic: 0x5a4b534e, version: 2, dbid: -1n });
  writer.writeInt(0);
  writer.writeInt(table.length);
  for (const [id, acl] of table) {
    writer.writeLong(id);
    writer.writeInt(acl.length);
    for (const entry of acl) writeRecord(writer, R.ACL, entry);
  }
  for (const [path, aclId] of [['', -1n], ['/zookeeper', -1n], ['/zookeeper/quota', -1n], ...nodes] as [string, bigint][]) {
    writer.writeUstring(path);
    writer.writeBuffer(null);
    writer.writeLong(aclId);
    writeRecord(writer, R.StatPersisted, stat(5n));
  }
  writer.writeUstring('/');
  const body = writer.toBytes();
  const seal = new JuteWriter();
  seal.writeLong(BigInt(new Adler32().update(body).value));
  seal.writeUstring('/');
  return new Uint8Array([...body, ...seal.toBytes()]);
}

const create = (path: string, acl: ACLT[]): Txn => ({ type: 'create', path, data: null, acl, ephemeral: false, parentCVersion: -1 });

test('ids missing from the table read as unresolved and resolve from later txns in ZooKeeper\'s order', () => {
  // The table has 1 and 2; /c (id 4) and /b (id 3) were made while the nodes were written.
  const bytes = snapshotBytes([[1n, READ], [2n, READ_AND_DIGEST]], [['/a', 2n], ['/b', 3n], ['/c', 4n]]);
  const contents = readSnapshot(bytes);
  assert.deepEqual(contents.nodes.map((node) => [node.path, node.acl === undefined]), [['', false], ['/zookeeper', false], ['/zookeeper/quota', false], ['/a', false], ['/b', true], ['/c', true]]);
  assert.throws(() => deserializeSnapshot(bytes), (error: unknown) => error instanceof SnapshotError && error.code === 'invalid-tree' && /\/b refers to ACL 3/.test(error.message));

  // Known lists (READ, OPEN_ACL_UNSAFE) take no new id; the first new list is 3, the next 4.
  const later: Txn[] = [
    { type: 'setACL', path: '/a', acl: READ, version: 1 },
    create('/b', IP),
    { type: 'multi', txns: [create('/x', OPEN), { type: 'check', path: '/a', version: 1 }, create('/c', [...IP, ...READ])] },
  ];
  const loaded = deserializeSnapshot(bytes, { laterTxns: later });
  assert.deepEqual(loaded.tree.nodes.get('/b')!.acl, IP);
  assert.deepEqual(loaded.tree.nodes.get('/c')!.acl, [...IP, ...READ]);
  assert.deepEqual(loaded.tree.nodes.get('/a')!.acl, READ_AND_DIGEST);
});
