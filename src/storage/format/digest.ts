/**
 * ZooKeeper's data tree digest (DigestCalculator, digest version 2; NodeHashMapImpl/AdHash):
 * every node hashes to CRC-32(path bytes ‖ data ‖ 60 stat bytes) and the tree digest is the
 * 64-bit wrapping sum of the node hashes. ZooKeeper writes it after every txn in the log
 * (TxnDigest{version, treeDigest}) and at the end of a snapshot, and compares it on replay.
 *
 * Rules carried over (facts, checked against the LIVE 3.8.0 captures in the tests):
 * - the root hashes under the path "" (ZooKeeper's internal name; "/" is an alias);
 * - nodes under "/zookeeper/" hash to 0 (quota nodes are updated locally), "/zookeeper" itself counts;
 * - stat bytes, big-endian: czxid, mzxid, pzxid, ctime, mtime (longs), version, cversion,
 *   aversion (ints), ephemeralOwner (long) — the stored (persisted) cversion, not the client one;
 * - path bytes are Java's String.getBytes(), i.e. the JVM's default charset: UTF-8 on every
 *   JVM since 18 and on 17 with a UTF-8 locale (non-ASCII paths may differ on other locales).
 *
 * Not here: incremental maintenance (a server wanting per-txn digests keeps a running sum,
 * subtracting a node's hash before a change and adding it after, as NodeHashMapImpl does).
 * Pure: no I/O.
 */
import type { DataNode } from '../../tree/data-tree.js';
import { isAscii } from '../../util/ascii.js';
import { Crc32, crc32Final, crc32Update, crc32UpdateView, CRC32_INITIAL } from './crc32.js';

export const DIGEST_VERSION = 2;

const utf8 = new TextEncoder();
const STAT_BYTES = 60;
const ZOOKEEPER_NODE_SUBTREE = '/zookeeper/';
const ZOOKEEPER_NODE = '/zookeeper';

/** The fields of a node that its digest covers. */
export type DigestedNode = Pick<DataNode, 'data' | 'czxid' | 'mzxid' | 'pzxid' | 'ctime' | 'mtime' | 'version' | 'cversion' | 'aversion' | 'ephemeralOwner'>;

// Scratch space reused by every call: nodeDigest runs for every node of every snapshot.
const stat = new Uint8Array(STAT_BYTES);
const statView = new DataView(stat.buffer);
const crc = new Crc32();

/** One node's hash, 0 ≤ hash < 2^32; `path` may be '/' or '' for the root. */
export function nodeDigest(path: string, node: DigestedNode): number {
  if (path.startsWith(ZOOKEEPER_NODE_SUBTREE)) return 0;
  // setBigInt64 wraps modulo 2^64 by itself, so no BigInt.asIntN (and no bigint made) per field.
  statView.setBigInt64(0, node.czxid);
  statView.setBigInt64(8, node.mzxid);
  statView.setBigInt64(16, node.pzxid);
  statView.setBigInt64(24, node.ctime);
  statView.setBigInt64(32, node.mtime);
  statView.setInt32(40, node.version);
  statView.setInt32(44, node.cversion);
  statView.setInt32(48, node.aversion);
  statView.setBigInt64(52, node.ephemeralOwner);
  const name = path === '/' ? '' : path;
  crc.reset();
  if (isAscii(name)) crc.updateAscii(name);
  else crc.update(utf8.encode(name));
  // Latin-1 chars are the bytes themselves.
  if (node.data !== null) crc.updateAscii(node.data);
  return crc.update(stat).value;
}

/** Bytes of a jute StatPersisted: czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, pzxid. */
export const STAT_PERSISTED_BYTES = 60;
/** Where the fields a digest takes out of StatPersisted order lie in it: pzxid comes last there. */
const CTIME_AT = 16;
const PZXID_AT = 52;

/** Whether a node at `path` is hashed at all: those under /zookeeper/ count as 0. */
export function isDigested(path: string): boolean {
  return !path.startsWith(ZOOKEEPER_NODE_SUBTREE);
}

/** isDigested for a node whose parent's path is `dir` ('' for the root): under /zookeeper/ means a child of /zookeeper or below. */
export function isDigestedChildOf(dir: string): boolean {
  return !(dir.startsWith(ZOOKEEPER_NODE) && (dir.length === ZOOKEEPER_NODE.length || dir.charCodeAt(ZOOKEEPER_NODE.length) === 0x2f));
}

/**
 * The hash of a node straight from its serialized bytes (a snapshot's node record, read through
 * `view`): the path bytes `[pathStart, pathEnd)` (UTF-8; empty for the root), the data
 * `[dataStart, dataEnd)` and the StatPersisted at `statStart`, whose fields are in the digest's
 * order but for pzxid: czxid+mzxid, then pzxid, then ctime…ephemeralOwner, three ranges and no
 * encoding. Equals nodeDigest of the node those bytes decode to when the path bytes are what its
 * path encodes to (always for ASCII); the caller rules out /zookeeper/* (isDigested).
 */
export function recordDigest(view: DataView, pathStart: number, pathEnd: number, dataStart: number, dataEnd: number, statStart: number): number {
  return statDigest(crc32UpdateView(crc32UpdateView(CRC32_INITIAL, view, pathStart, pathEnd), view, dataStart, dataEnd), view, statStart);
}

/** recordDigest with the path given as its own bytes (a non-ASCII path, as the caller encoded it). */
export function recordDigestOfPath(path: Uint8Array, view: DataView, dataStart: number, dataEnd: number, statStart: number): number {
  return statDigest(crc32UpdateView(crc32Update(CRC32_INITIAL, path, 0, path.length), view, dataStart, dataEnd), view, statStart);
}

function statDigest(register: number, view: DataView, statStart: number): number {
  let c = crc32UpdateView(register, view, statStart, statStart + CTIME_AT);
  c = crc32UpdateView(c, view, statStart + PZXID_AT, statStart + STAT_PERSISTED_BYTES);
  c = crc32UpdateView(c, view, statStart + CTIME_AT, statStart + PZXID_AT);
  return crc32Final(c);
}

/**
 * The wrapping 64-bit sum of node hashes. Hashes are below 2^32, so 2^20 of them add up exactly
 * in a double; only then is the partial sum folded into a bigint. A bigint add per node would
 * allocate twice per node, a million times on a large tree's load.
 */
export class DigestSum {
  private folded = 0n;
  private partial = 0;
  private count = 0;

  add(hash: number): void {
    this.partial += hash;
    if (++this.count === 1 << 20) this.fold();
  }

  /** Adds a sum of hashes made elsewhere (another DigestSum's value). */
  addLong(value: bigint): void {
    this.folded += value;
  }

  /** The sum so far as a signed Java long. */
  get value(): bigint {
    this.fold();
    return BigInt.asIntN(64, this.folded);
  }

  private fold(): void {
    this.folded += BigInt(this.partial);
    this.partial = 0;
    this.count = 0;
  }
}

/** The whole tree's digest as a signed Java long (the sum wraps at 64 bits like AdHash). */
export function treeDigest(nodes: ReadonlyMap<string, DigestedNode>): bigint {
  const sum = new DigestSum();
  for (const [path, node] of nodes) sum.add(nodeDigest(path, node));
  return sum.value;
}
