/**
 * Shared fixtures for the storage format tests: the LIVE ZooKeeper 3.8.0 captures (xxd hex
 * dumps) as bytes, a log entry of every txn type, and a tree built by applying them.
 * Not a test itself.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ACLT } from '../../../src/jute/records.js';
import { DataTree } from '../../../src/tree/data-tree.js';
import type { LogEntry } from '../../../src/storage/format/txn-codec.js';
import { bytesOfLatin1 } from '../../../src/util/latin1.js';

export const capturesDir = '/work/shared/reference/zk380-captures';
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Bytes of an `xxd` dump: "offset: 16 bytes in groups of 2  ascii" per line. */
export function fromXxd(text: string): Uint8Array {
  const chunks: Buffer[] = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{8}): ((?:[0-9a-f]{2,4} ?){1,8})/.exec(line);
    if (match === null) continue;
    chunks.push(Buffer.from(match[2]!.replace(/\s+/g, ''), 'hex'));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function capture(name: string): Uint8Array {
  return fromXxd(readFileSync(join(capturesDir, name), 'utf8'));
}

export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
export const text = (value: string) => new TextEncoder().encode(value);

export const OPEN: ACLT[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
export const READ_AND_DIGEST: ACLT[] = [
  { perms: 1, id: { scheme: 'world', id: 'anyone' } },
  { perms: 31, id: { scheme: 'digest', id: 'u:NFh2WJVYnRGp6NVMDyNcMgcwFl4=' } },
];

export const sessionA = 0x1000abcn;
export const sessionB = 0x2000abcn;
const header = (zxid: bigint, clientId = sessionA) => ({ clientId, cxid: Number(zxid), zxid, timeMs: 1_700_000_000_000n + zxid });

/** One entry of every txn type ZooKeeper logs, in an order a server could have produced them. */
export function sampleEntries(): LogEntry[] {
  return [
    { header: header(1n), type: -10, txn: { type: 'createSession', timeOut: 30000 } },
    { header: header(2n, sessionB), type: -10, txn: { type: 'createSession', timeOut: 30000 } },
    { header: header(3n), type: 1, txn: { type: 'create', path: '/a', data: text('hello'), acl: OPEN, ephemeral: false, parentCVersion: 1 } },
    { header: header(4n), type: 15, txn: { type: 'create2', path: '/a/eph', data: null, acl: OPEN, ephemeral: true, parentCVersion: 1 } },
    { header: header(5n, sessionB), type: 1, txn: { type: 'create', path: '/e', data: text('b'), acl: OPEN, ephemeral: true, parentCVersion: 2 } },
    { header: header(6n), type: 19, txn: { type: 'createContainer', path: '/c', data: text('x'), acl: OPEN, parentCVersion: 3 } },
    { header: header(7n), type: 21, txn: { type: 'createTTL', path: '/ttl', data: text('y'), acl: OPEN, parentCVersion: 4, ttl: 500_000n } },
    { header: header(8n), type: 1, txn: { type: 'create', path: '/c/child', data: new Uint8Array(0), acl: OPEN, ephemeral: false, parentCVersion: 1 } },
    { header: header(9n), type: 5, txn: { type: 'setData', path: '/a', data: text('v2'), version: 1 } },
    { header: header(10n), type: 7, txn: { type: 'setACL', path: '/a', acl: READ_AND_DIGEST, version: 1 } },
    {
      header: header(11n), type: 14, txn: {
        type: 'multi', txns: [
          { type: 'check', path: '/a', version: 1 },
          { type: 'create', path: '/m', data: text('m'), acl: OPEN, ephemeral: false, parentCVersion: 5 },
          // A create2 op inside a multi is logged as a create (ZooKeeper cannot replay a create2 sub-txn).
          { type: 'create', path: '/m/seq0000000000', data: text('s'), acl: OPEN, ephemeral: false, parentCVersion: 1 },
          { type: 'setData', path: '/m', data: text('m2'), version: 1 },
          { type: 'delete', path: '/ttl' },
        ],
      },
    },
    { header: header(12n), type: 14, txn: { type: 'multi', txns: [{ type: 'error', err: 0 }, { type: 'error', err: -101 }, { type: 'error', err: -2 }] } },
    { header: header(13n), type: -1, txn: { type: 'error', err: -110 } },
    { header: header(14n), type: 2, txn: { type: 'delete', path: '/c/child' } },
    { header: header(15n), type: 20, txn: { type: 'deleteContainer', path: '/c' } },
    { header: header(16n), type: -11, txn: { type: 'closeSession', paths2Delete: ['/a/eph'] } },
  ];
}

/** A fresh tree with `entries` applied. */
export function treeOf(entries: readonly LogEntry[]): DataTree {
  const tree = new DataTree();
  for (const entry of entries) tree.applyTxn(entry.header, entry.txn);
  return tree;
}

/** Every stored field of every node, for deep comparison of two trees. */
export function treeShape(tree: DataTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, node] of [...tree.nodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // viewMark is snapshot bookkeeping, not state.
    const { viewMark: _mark, ...state } = node;
    out[path] = { ...state, data: node.data === null ? null : hex(bytesOfLatin1(node.data)), children: [...node.children.keys()].sort() };
  }
  return out;
}

/** RFC 1950 straight from the definition, reducing after every byte. */
export function naiveAdler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}
