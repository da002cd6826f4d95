/**
 * getData keeps ZooKeeper's distinction between null data (a node created without data, which
 * zkCli prints as "null") and zero bytes: the reply's buffer length is -1 for the first and 0
 * for the second (jute `buffer`, facts §1.1). `data` is empty either way.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { JuteReader, JuteWriter } from '../../src/jute/archive.js';
import * as R from '../../src/jute/records.js';
import { writeRecord } from '../../src/jute/schema.js';
import { Chroot } from '../../src/client/core/paths.js';
import * as ops from '../../src/client/core/requests.js';

const stat = {
  czxid: 1n, mzxid: 1n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0,
  ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 1n,
};

function readReply(data: Uint8Array | null) {
  const writer = new JuteWriter();
  writeRecord(writer, R.GetDataResponse, { data, stat });
  return ops.getDataOp(new Chroot(''), '/a', undefined).read(new JuteReader(writer.toBytes()));
}

it('getData reports null data apart from empty data', () => {
  const nullReply = readReply(null);
  assert.equal(nullReply.dataIsNull, true);
  assert.equal(nullReply.data.length, 0);
  const emptyReply = readReply(new Uint8Array(0));
  assert.equal(emptyReply.dataIsNull, false);
  assert.equal(emptyReply.data.length, 0);
  const bytes = readReply(new Uint8Array([104, 105]));
  assert.equal(bytes.dataIsNull, false);
  assert.deepEqual([...bytes.data], [104, 105]);
});
