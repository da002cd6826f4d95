/**
 * ZooKeeper's snapshot file, version 2 (FileSnap, SnapStream in its default "checked" mode,
 * SerializeUtils.serializeSnapshot, DataTree.serialize, ReferenceCountedACLCache.serialize).
 * Grammar (big-endian jute):
 *
 *   snapshot  = FileHeader{int magic = 0x5A4B534E "ZKSN"; int version = 2; long dbid = -1}
 *               int sessionCount; {long sessionId; int timeoutMs}*
 *               int aclCount; {long aclId; vector<ACL> acl}*       -- aclId ≥ 1
 *               {ustring path; buffer data; long aclId; StatPersisted}*   -- parents first
 *               ustring "/"                                       -- end of nodes
 *               seal                                              -- covers everything before it
 *               [long zxid; int digestVersion; long digest; seal]  -- 3.7+ with digests enabled
 *               [long lastProcessedZxid; seal]                    -- 3.9 (read, never written)
 *   seal      = long adler32; ustring "/"   -- Adler-32 of all the file's bytes before the seal
 *
 * The root is written with path "" and its children as "/a"; aclId -1 means OPEN_ACL_UNSAFE and
 * is never in the ACL table. ZooKeeper gives -1 only to the nodes it creates itself (root,
 * /zookeeper, /zookeeper/quota); we give it to every node whose ACL is exactly OPEN_ACL_UNSAFE,
 * which ZooKeeper reads back as the same ACL (ReferenceCountedACLCache.convertLong). Nodes are
 * written depth first, children in the order their parent holds them; ZooKeeper itself uses
 * HashSet order, and any parents-first order reads back (DataTree.deserialize needs each parent
 * first). The digest section is ZooKeeper's "empty digest"
 * (zxid 0, digest 0) for a tree at zxid 0, as a fresh ZooKeeper writes it, else the tree digest
 * at `lastZxid` (digest.ts), which ZooKeeper compares with its own on load.
 * A snapshot is valid only if it ends with a seal: the last 5 bytes are int 1 and '/'
 * (SnapStream.isValidCheckedStream); a cut-off snapshot is an incomplete write, not corruption.
 * A node may name an ACL id the table lacks: ZooKeeper writes the table before the nodes, so an
 * ACL list made while the (fuzzy) snapshot was written is missing. readSnapshot reports such a
 * node with `acl` undefined; deserializeSnapshot resolves it from the txns to be replayed.
 *
 * Loading rebuilds the tree through DataTree.restoreNode (parents first, the stored Stat and
 * ACL put back), so every index the tree derives — ephemerals by session, containers, TTL
 * nodes, quota stats, approximate data size — is built by the tree's own code. The node records
 * are read straight from the bytes (parseNodes: about a million of them for a large tree, so no
 * object, view or bigint is made that a node does not keep), node data is copied out of the
 * file once, and the digest check sums node hashes taken from the record bytes. The file-wide
 * checks (seals, digest) can also be computed apart from the parse (snapshotChecks,
 * deserializeSnapshotDeferred), which storage/file/snapshot-load.ts does on a worker thread.
 * Not here: writing (snapshot-writer.ts), files, compression (.gz/.snappy snapshots are not
 * read), choosing which snapshot.
 * Pure: no I/O.
 */
import { decodeAscii, decodeUtf8, JuteError, JuteReader } from '../../jute/archive.js';
import { readRecord, type Rec } from '../../jute/schema.js';
import * as R from '../../jute/records.js';
import type { ACLT } from '../../jute/records.js';
import { Perms } from '../../protocol/codes.js';
import { DataTree } from '../../tree/data-tree.js';
import type { Txn } from '../../tree/txn.js';
import { Adler32 } from './adler32.js';
import { isAsciiRange, NODE_TAIL_BYTES, SEAL_BYTES, SESSION_BYTES, shortRead, type SnapshotChecks } from './snapshot-checks.js';
import { latin1Of } from '../../util/latin1.js';
import { DIGEST_VERSION, DigestSum, isDigested, nodeDigest, recordDigest, recordDigestOfPath, STAT_PERSISTED_BYTES, treeDigest } from './digest.js';

export const SNAP_MAGIC = 0x5a4b534e;
export const SNAP_VERSION = 2;
export const SNAP_DBID = -1n;
export const OPEN_ACL_UNSAFE_ID = -1n;
export { snapshotChecks, type SnapshotChecks } from './snapshot-checks.js';
export const SEAL_PATH = '/';

export interface SnapshotSession {
  readonly sessionId: bigint;
  readonly timeoutMs: number;
}

export interface ZxidDigest {
  readonly zxid: bigint;
  readonly digestVersion: number;
  readonly digest: bigint;
}

export type StatPersistedT = Rec<typeof R.StatPersisted>;

/** One node as stored: ZooKeeper's path ("" for the root), data, ACL (resolved) and StatPersisted. */
export interface SnapshotNode {
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly aclId: bigint;
  /**
   * The ACL `aclId` stands for; undefined when the file's ACL table lacks it. A fuzzy snapshot
   * can do that: ZooKeeper writes its ACL table before the nodes, so a node created or
   * setACL'd meanwhile with a new ACL list names an id the table does not hold (observed on
   * 3.8). ZooKeeper loads it anyway and the replayed txn re-creates the id: see
   * DeserializeOptions.laterTxns.
   */
  readonly acl: ACLT[] | undefined;
  readonly stat: StatPersistedT;
}

/** A snapshot file's contents, as stored (readSnapshot). */
export interface SnapshotContents {
  readonly header: { readonly magic: number; readonly version: number; readonly dbid: bigint };
  readonly sessions: SnapshotSession[];
  readonly acls: ReadonlyMap<bigint, ACLT[]>;
  readonly nodes: SnapshotNode[];
  readonly digest?: ZxidDigest;
  /** ZooKeeper 3.9's optional section. */
  readonly lastProcessedZxid?: bigint;
}

export type SnapshotErrorCode = 'incomplete' | 'corrupt' | 'unsupported' | 'invalid-tree';

/**
 * A snapshot that cannot be loaded. 'incomplete': cut off (no final seal) — ZooKeeper skips such
 * files and falls back to an older snapshot; 'corrupt': bad magic, checksum or structure;
 * 'unsupported': another version; 'invalid-tree' (when building a tree): a node without its
 * parent, a duplicate node, or an ACL id neither the table nor the later txns account for.
 */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(readonly code: SnapshotErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isOpenAclUnsafe(acl: readonly ACLT[]): boolean {
  return acl.length === 1 && acl[0]!.perms === Perms.ALL && acl[0]!.id.scheme === 'world' && acl[0]!.id.id === 'anyone';
}

export function aclKey(acl: readonly ACLT[]): string {
  return JSON.stringify(acl.map((entry) => [entry.perms, entry.id.scheme, entry.id.id]));
}

// --- reading ---------------------------------------------------------------------------------

/** SnapStream.isValidCheckedStream: at least 10 bytes, ending with a seal's int 1 and '/'. */
export function endsWithSeal(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const tail = bytes.length - 5;
  return bytes[tail] === 0 && bytes[tail + 1] === 0 && bytes[tail + 2] === 0 && bytes[tail + 3] === 1 && bytes[tail + 4] === 0x2f;
}

/** A seal as read: the Adler-32 it stores of the file's bytes before `at`, and the section it closes. */
interface SealRead {
  readonly at: number;
  readonly stored: bigint;
  readonly what: string;
}

function readSeal(reader: JuteReader, what: string): SealRead {
  const at = reader.position;
  const stored = reader.readLong();
  const path = reader.readUstring();
  if (path !== SEAL_PATH) throw new SnapshotError('corrupt', `snapshot ${what}: seal ends with ${JSON.stringify(path)} instead of "/"`);
  return { at, stored, what };
}

/**
 * Compares each seal with the Adler-32 of the bytes before it: taken from `sums` (by offset,
 * computed elsewhere: snapshotChecks) when it has the offset, else computed here, one running
 * sum for all seals.
 */
function verifySeals(bytes: Uint8Array, seals: readonly SealRead[], sums?: ReadonlyMap<number, number>): void {
  const running = new Adler32();
  let summed = 0;
  for (const { at, stored, what } of seals) {
    let expected = sums?.get(at);
    if (expected === undefined) {
      if (summed > at) {
        running.reset();
        summed = 0;
      }
      running.update(bytes, summed, at);
      summed = at;
      expected = running.value;
    }
    if (stored !== BigInt(expected)) {
      throw new SnapshotError('corrupt', `snapshot ${what}: checksum mismatch (stored 0x${BigInt.asUintN(64, stored).toString(16)}, computed 0x${expected.toString(16)})`);
    }
  }
}

/** Parses a snapshot file into what it stores, checking magic, version and every seal. */
export function readSnapshot(bytes: Uint8Array): SnapshotContents {
  if (!endsWithSeal(bytes)) throw new SnapshotError('incomplete', `snapshot of ${bytes.length} bytes does not end with a seal: an incomplete write`);
  const nodes: SnapshotNode[] = [];
  try {
    const parsed = parse(bytes, (path, dataStart, dataLength, aclId, acl, stat) => {
      // A copy, so no node keeps the whole file alive.
      const data = dataLength === -1 ? null : bytes.slice(dataStart, dataStart + dataLength);
      nodes.push({ path, data, aclId, acl, stat: { ...stat } });
    }, nodes);
    verifySeals(bytes, parsed.seals);
    return parsed.contents;
  } catch (error) {
    if (error instanceof JuteError) throw new SnapshotError('corrupt', `snapshot: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Receives each node as it is read. `stat` is one scratch object reused for every node: valid
 * during the call only (DataTree.restoreNode copies its fields out).
 */
type NodeSink = (path: string, dataStart: number, dataLength: number, aclId: bigint, acl: ACLT[] | undefined, stat: StatPersistedT) => void;

/** The nodes' hashes, summed while parsing (recordDigest), for the digest check on load. */
interface ParseDigest {
  readonly sum: DigestSum;
}

/** A parsed file whose seals are still to be verified (verifySeals). */
interface Parsed {
  readonly contents: SnapshotContents;
  readonly seals: readonly SealRead[];
  /** Offset just past the node records' closing "/". */
  readonly nodesEnd: number;
}

/** Reads the whole file's structure; the seals' checksums are left to verifySeals. */
function parse(bytes: Uint8Array, sink: NodeSink, nodes: SnapshotNode[] = [], digest?: ParseDigest): Parsed {
  const reader = new JuteReader(bytes);
  const header = readRecord(reader, R.FileHeader);
  if (header.magic !== SNAP_MAGIC) {
    throw new SnapshotError('corrupt', `snapshot: bad magic 0x${(header.magic >>> 0).toString(16)}, expected 0x${SNAP_MAGIC.toString(16)} ("ZKSN")`);
  }
  if (header.version !== SNAP_VERSION) throw new SnapshotError('unsupported', `snapshot version ${header.version}, only ${SNAP_VERSION} is known`);

  const sessionCount = reader.readVectorCount(SESSION_BYTES);
  const sessions: SnapshotSession[] = [];
  for (let index = 0; index < sessionCount; index++) sessions.push({ sessionId: reader.readLong(), timeoutMs: reader.readInt() });

  const aclCount = reader.readVectorCount(12);
  const acls = new Map<bigint, ACLT[]>();
  for (let index = 0; index < aclCount; index++) {
    const id = reader.readLong();
    const count = reader.readInt();
    // ReferenceCountedACLCache.deserialize refuses a null vector ("missing acls").
    if (count < 0) throw new SnapshotError('corrupt', `snapshot: ACL ${id} has no ACL vector (count ${count})`);
    if (count * 16 > reader.remaining) throw new SnapshotError('corrupt', `snapshot: ACL ${id} claims ${count} entries, more than the file holds`);
    const acl: ACLT[] = [];
    for (let entry = 0; entry < count; entry++) acl.push(readRecord(reader, R.ACL));
    acls.set(id, acl);
  }

  const nodesEnd = parseNodes(bytes, reader.position, acls, sink, digest);
  const tail = new JuteReader(bytes, nodesEnd);
  const seals = [readSeal(tail, 'nodes')];

  let storedDigest: ZxidDigest | undefined;
  let lastProcessedZxid: bigint | undefined;
  if (tail.remaining > 0) {
    storedDigest = { zxid: tail.readLong(), digestVersion: tail.readInt(), digest: tail.readLong() };
    seals.push(readSeal(tail, 'digest'));
  }
  if (tail.remaining > 0) {
    lastProcessedZxid = tail.readLong();
    seals.push(readSeal(tail, 'lastProcessedZxid'));
  }
  if (tail.remaining > 0) throw new SnapshotError('corrupt', `snapshot: ${tail.remaining} unknown bytes after the last section`);
  const contents: SnapshotContents = {
    header, sessions, acls, nodes,
    ...(storedDigest === undefined ? {} : { digest: storedDigest }),
    ...(lastProcessedZxid === undefined ? {} : { lastProcessedZxid }),
  };
  return { contents, seals, nodesEnd };
}

const utf8 = new TextEncoder();

/** StatPersisted as restoreNode takes it; one per parse, refilled for every node. */
class StatScratch {
  czxid = 0n;
  mzxid = 0n;
  ctime = 0n;
  mtime = 0n;
  version = 0;
  cversion = 0;
  aversion = 0;
  ephemeralOwner = 0n;
  pzxid = 0n;
}

/**
 * The node records from `at` up to and including the "/" that ends them, handed to `sink` one
 * by one; returns the offset after that "/". The same grammar JuteReader would read
 * (ustring path; buffer data; long aclId; StatPersisted) and the same errors, read straight
 * from the bytes: a million nodes made a million of each temporary a general reader makes.
 *
 * - Data is handed over as its range in `bytes` (-1 length for null): the sink makes the form
 *   it keeps (the tree, a Latin-1 string; readSnapshot, a copy), and nothing else per node.
 * - Longs are compared as raw 32-bit halves before a bigint is made: mzxid and pzxid equal to
 *   czxid (or pzxid to mzxid), mtime to ctime, and a field equal to the same field of the
 *   previous node (ctime, mtime, ephemeralOwner, aclId) reuse that bigint, and an owner of 0 is
 *   the constant 0n. A node never changed since its create costs one or two new bigints.
 * - With `digest`, each node's hash is taken from the record's bytes (recordDigest).
 */
function parseNodes(bytes: Uint8Array, start: number, acls: ReadonlyMap<bigint, ACLT[]>, sink: NodeSink, digest: ParseDigest | undefined): number {
  const end = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stat = new StatScratch();
  const open = openAclUnsafe();
  const sum = digest?.sum;
  // The previous node's raw halves of each long and the bigint they made: (0, 0) is 0n, and
  // (-1, -1) is the aclId -1n of OPEN_ACL_UNSAFE.
  let aclHigh = -1;
  let aclLow = -1;
  let aclId = OPEN_ACL_UNSAFE_ID;
  let acl: ACLT[] | undefined = open;
  let ctimeHigh = 0;
  let ctimeLow = 0;
  let ctime = 0n;
  let mtimeHigh = 0;
  let mtimeLow = 0;
  let mtime = 0n;
  let ownerHigh = 0;
  let ownerLow = 0;
  let owner = 0n;
  let at = start;
  for (;;) {
    if (at + 4 > end) throw shortRead('int', 4, at, end);
    const pathLength = view.getInt32(at);
    at += 4;
    const pathStart = at;
    let path = '';
    let asciiPath = true;
    if (pathLength !== -1) {
      if (pathLength < -1) throw new JuteError(`negative string length ${pathLength}`);
      if (at + pathLength > end) throw shortRead('ustring', pathLength, at, end);
      at += pathLength;
      if (pathLength === 1 && bytes[pathStart] === 0x2f) return at;
      asciiPath = isAsciiRange(view, pathStart, at);
      path = asciiPath ? decodeAscii(bytes, pathStart, at) : decodeUtf8(bytes, pathStart, at);
    }
    const pathEnd = at;

    if (at + 4 > end) throw shortRead('int', 4, at, end);
    const dataLength = view.getInt32(at);
    at += 4;
    const dataStart = at;
    if (dataLength !== -1) {
      if (dataLength < -1) throw new JuteError(`negative buffer length ${dataLength}`);
      if (at + dataLength > end) throw shortRead('buffer', dataLength, at, end);
      at += dataLength;
    }
    const dataEnd = at;

    if (at + NODE_TAIL_BYTES > end) throw shortRead('aclId and StatPersisted', NODE_TAIL_BYTES, at, end);
    const aclHighNow = view.getInt32(at);
    const aclLowNow = view.getInt32(at + 4);
    if (aclHighNow !== aclHigh || aclLowNow !== aclLow) {
      aclHigh = aclHighNow;
      aclLow = aclLowNow;
      aclId = view.getBigInt64(at);
      acl = aclId === OPEN_ACL_UNSAFE_ID ? open : acls.get(aclId);
    }
    const s = at + 8;
    at = s + STAT_PERSISTED_BYTES;
    // StatPersisted: czxid 0, mzxid 8, ctime 16, mtime 24, version 32, cversion 36,
    // aversion 40, ephemeralOwner 44, pzxid 52.
    const czxidHigh = view.getInt32(s);
    const czxidLow = view.getInt32(s + 4);
    const czxid = view.getBigInt64(s);
    const mzxidHigh = view.getInt32(s + 8);
    const mzxidLow = view.getInt32(s + 12);
    const mzxid = mzxidHigh === czxidHigh && mzxidLow === czxidLow ? czxid : view.getBigInt64(s + 8);
    const ctimeHighNow = view.getInt32(s + 16);
    const ctimeLowNow = view.getInt32(s + 20);
    if (ctimeHighNow !== ctimeHigh || ctimeLowNow !== ctimeLow) {
      ctimeHigh = ctimeHighNow;
      ctimeLow = ctimeLowNow;
      ctime = view.getBigInt64(s + 16);
    }
    const mtimeHighNow = view.getInt32(s + 24);
    const mtimeLowNow = view.getInt32(s + 28);
    let mtimeNow: bigint;
    if (mtimeHighNow === ctimeHigh && mtimeLowNow === ctimeLow) {
      mtimeNow = ctime;
    } else {
      if (mtimeHighNow !== mtimeHigh || mtimeLowNow !== mtimeLow) {
        mtimeHigh = mtimeHighNow;
        mtimeLow = mtimeLowNow;
        mtime = view.getBigInt64(s + 24);
      }
      mtimeNow = mtime;
    }
    const ownerHighNow = view.getInt32(s + 44);
    const ownerLowNow = view.getInt32(s + 48);
    if (ownerHighNow !== ownerHigh || ownerLowNow !== ownerLow) {
      ownerHigh = ownerHighNow;
      ownerLow = ownerLowNow;
      owner = ownerHighNow === 0 && ownerLowNow === 0 ? 0n : view.getBigInt64(s + 44);
    }
    const pzxidHigh = view.getInt32(s + 52);
    const pzxidLow = view.getInt32(s + 56);
    stat.czxid = czxid;
    stat.mzxid = mzxid;
    stat.ctime = ctime;
    stat.mtime = mtimeNow;
    stat.version = view.getInt32(s + 32);
    stat.cversion = view.getInt32(s + 36);
    stat.aversion = view.getInt32(s + 40);
    stat.ephemeralOwner = owner;
    stat.pzxid = pzxidHigh === czxidHigh && pzxidLow === czxidLow ? czxid
      : pzxidHigh === mzxidHigh && pzxidLow === mzxidLow ? mzxid : view.getBigInt64(s + 52);

    if (sum !== undefined && isDigested(path)) {
      // A non-ASCII path hashes as what the loaded string encodes to (invalid UTF-8 in the file
      // was replaced while decoding), as treeDigest of the loaded tree would.
      sum.add(asciiPath ? recordDigest(view, pathStart, pathEnd, dataStart, dataEnd, s)
        : recordDigestOfPath(utf8.encode(path), view, dataStart, dataEnd, s));
    }
    sink(path, dataStart, dataLength, aclId, acl, stat);
  }
}

function openAclUnsafe(): ACLT[] {
  return [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
}

export interface DeserializeOptions {
  /**
   * The snapshot's zxid from its file name (parseSnapshotName), which ZooKeeper takes as the
   * tree's last processed zxid. Without it: the 3.9 section, else the digest's zxid, else 0.
   */
  readonly zxid?: bigint;
  /**
   * The txns recovery will replay on top of this snapshot, in zxid order. Needed only when a
   * node's ACL id is missing from the file's ACL table (SnapshotNode.acl): ZooKeeper's ACL cache
   * (ReferenceCountedACLCache) numbers each new ACL list one past the highest id so far, and
   * its createNode and setACL enter the txn's list into the cache before anything else, so
   * replaying the txns after the snapshot hands out the missing ids again, in the same order.
   * We walk the txns the same way (resolveMissingAcls); an id still missing is an error.
   */
  readonly laterTxns?: Iterable<Txn>;
}

export interface DeserializedSnapshot {
  readonly tree: DataTree;
  readonly sessions: SnapshotSession[];
  readonly contents: SnapshotContents;
  /**
   * The stored digest compared with the loaded tree's, when it was taken at the tree's zxid
   * (DataTree.compareSnapshotDigests; ZooKeeper logs a mismatch and carries on).
   */
  readonly digestCheck: 'match' | 'mismatch' | 'skipped';
}

/**
 * Reads a snapshot into a fresh DataTree, node by node as the file is parsed (no list of all
 * nodes is built). Node data is copied out of the file as it is parsed (parseNodes), so the
 * tree is not put in its loading mode, which would copy each node's data a second time.
 * The digest check sums node hashes taken from the file's bytes while parsing, when the file's
 * tail shows a digest section that will be checked, rather than walking the loaded tree again;
 * the nodes it loads are those bytes (see the sink), so the sum is the loaded tree's digest.
 * Throws SnapshotError.
 */
export function deserializeSnapshot(bytes: Uint8Array, options: DeserializeOptions = {}): DeserializedSnapshot {
  return startDeserializing(bytes, options, true).finish();
}

/** A snapshot parsed into its tree, whose checksums and digest are still to be compared. */
export interface PendingSnapshot {
  /**
   * Completes the load: compares the seals and the digest using `checks` when given (from
   * snapshotChecks of the same bytes), else computes them here. Throws SnapshotError as
   * deserializeSnapshot does. Once only.
   */
  finish(checks?: SnapshotChecks): DeserializedSnapshot;
}

/**
 * deserializeSnapshot in two steps, so the checks can be computed elsewhere meanwhile: this
 * parses the file into a tree, checking its structure (and throwing what deserializeSnapshot
 * would for it), without hashing nodes or summing the file; `finish` does the rest.
 */
export function deserializeSnapshotDeferred(bytes: Uint8Array, options: DeserializeOptions = {}): PendingSnapshot {
  return startDeserializing(bytes, options, false);
}

function startDeserializing(bytes: Uint8Array, options: DeserializeOptions, checkHere: boolean): PendingSnapshot {
  if (!endsWithSeal(bytes)) throw new SnapshotError('incomplete', `snapshot of ${bytes.length} bytes does not end with a seal: an incomplete write`);
  const tree = new DataTree();
  const ahead = checkHere ? digestAhead(bytes) : undefined;
  const digest: ParseDigest | undefined = ahead !== undefined && ahead.digestVersion === DIGEST_VERSION && ahead.zxid > 0n
    && (options.zxid === undefined || options.zxid === ahead.zxid) ? { sum: new DigestSum() } : undefined;
  // Nodes whose ACL id the table lacks (a fuzzy snapshot): placed with OPEN_ACL_UNSAFE for now.
  const unresolved: { path: string; aclId: bigint }[] = [];
  let first = true;
  let zookeeperNodeStored = false;
  const place: NodeSink = (stored, dataStart, dataLength, aclId, acl, stat) => {
    const path = stored === '' ? '/' : stored;
    if (first && path !== '/') throw new SnapshotError('invalid-tree', 'snapshot: the first node is not the root ("")');
    first = false;
    if (path !== '/' && (!path.startsWith('/') || path.endsWith('/'))) throw new SnapshotError('invalid-tree', `snapshot: bad path ${JSON.stringify(stored)}`);
    if (acl === undefined) unresolved.push({ path, aclId });
    if (path === ZOOKEEPER_NODE) zookeeperNodeStored = true;
    try {
      // StatPersisted has exactly the fields restoreNode takes; it copies them out of the scratch object.
      tree.restoreNode(path, dataLength === -1 ? null : latin1Of(bytes, dataStart, dataStart + dataLength), acl ?? OPEN_ACL, stat);
    } catch (error) {
      throw new SnapshotError('invalid-tree', `snapshot: cannot place ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  let parsed: Parsed;
  try {
    parsed = parse(bytes, place, [], digest);
  } catch (error) {
    if (error instanceof JuteError) throw new SnapshotError('corrupt', `snapshot: ${error.message}`, { cause: error });
    throw error;
  }
  if (first) throw new SnapshotError('invalid-tree', 'snapshot: the first node is not the root ("")');
  const { contents, seals, nodesEnd } = parsed;
  let finished = false;

  const finish = (given?: SnapshotChecks): DeserializedSnapshot => {
    if (finished) throw new Error('deserializeSnapshot: finish called twice');
    finished = true;
    // Checks of other bytes (a file that changed, a worker's mistake) are not used.
    const checks = given !== undefined && given.length === bytes.length && given.nodesEnd === nodesEnd ? given : undefined;
    verifySeals(bytes, seals, checks === undefined ? undefined : new Map(checks.sealSums));
    if (unresolved.length > 0) {
      const found = aclsMadeLater(contents.acls, new Set(unresolved.map((node) => node.aclId)), options.laterTxns ?? []);
      for (const { path, aclId } of unresolved) {
        const acl = found.get(aclId);
        if (acl === undefined) throw new SnapshotError('invalid-tree', `snapshot: ${path} refers to ACL ${aclId}, which is neither in the ACL table nor made by a later txn`);
        tree.replaceAcl(tree.get(path)!, acl);
      }
    }
    tree.finishRestore();
    tree.lastProcessedZxid = options.zxid ?? contents.lastProcessedZxid ?? (contents.digest !== undefined && contents.digest.zxid > 0n ? contents.digest.zxid : 0n);
    let digestCheck: DeserializedSnapshot['digestCheck'] = 'skipped';
    const stored = contents.digest;
    if (stored !== undefined && stored.zxid === tree.lastProcessedZxid && stored.zxid > 0n && stored.digestVersion === DIGEST_VERSION) {
      let loaded: bigint;
      if (digest !== undefined || checks !== undefined) {
        const sum = new DigestSum();
        sum.addLong(digest !== undefined ? digest.sum.value : checks!.nodesDigest);
        // The tree starts with the reserved nodes; of those a file may leave out, only /zookeeper hashes to more than 0.
        if (!zookeeperNodeStored) sum.add(nodeDigest(ZOOKEEPER_NODE, tree.get(ZOOKEEPER_NODE)!));
        loaded = sum.value;
      } else {
        loaded = treeDigest(tree.nodes);
      }
      digestCheck = stored.digest === loaded ? 'match' : 'mismatch';
    }
    return { tree, sessions: contents.sessions, contents, digestCheck };
  };
  return { finish };
}

const ZOOKEEPER_NODE = '/zookeeper';

/** Whether a seal's or the nodes' closing ustring "/" (int 1, '/') is at `at`. */
function slashAt(bytes: Uint8Array, at: number): boolean {
  return at >= 0 && bytes[at] === 0 && bytes[at + 1] === 0 && bytes[at + 2] === 0 && bytes[at + 3] === 1 && bytes[at + 4] === 0x2f;
}

/** Bytes of the digest section with its seal, and of the 3.9 lastProcessedZxid section with its seal. */
const DIGEST_SECTION_BYTES = 8 + 4 + 8 + SEAL_BYTES;
const LAST_PROCESSED_SECTION_BYTES = 8 + SEAL_BYTES;

/**
 * The digest section's zxid and version as the end of the file shows them, before the nodes are
 * parsed: whether the load will check the digest, and so should hash the nodes as it goes. Only
 * a hint: parse() reads the real section, and a wrong hint costs time, never a wrong check.
 */
function digestAhead(bytes: Uint8Array): { zxid: bigint; digestVersion: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const after of [0, LAST_PROCESSED_SECTION_BYTES]) {
    const section = bytes.length - after - DIGEST_SECTION_BYTES;
    // Before the section: the nodes' closing "/", then the nodes' seal (long, "/").
    if (slashAt(bytes, section - SEAL_BYTES - 5) && slashAt(bytes, section - 5) && slashAt(bytes, section + DIGEST_SECTION_BYTES - 5)) {
      return { zxid: view.getBigInt64(section), digestVersion: view.getInt32(section + 8) };
    }
  }
  return undefined;
}

const OPEN_ACL = openAclUnsafe();

/** The ACL lists a txn hands to ZooKeeper's ACL cache, in the order it does. */
function* aclListsOf(txn: Txn): Generator<ACLT[]> {
  switch (txn.type) {
    case 'create': case 'create2': case 'createContainer': case 'createTTL': case 'setACL':
      yield txn.acl;
      return;
    case 'multi':
      for (const sub of txn.txns) yield* aclListsOf(sub);
      return;
    default:
      return;
  }
}

/**
 * The stored nodes with every ACL resolved: from the table, else from the ids ZooKeeper's
 * cache would give the new ACL lists of `laterTxns` (one past the table's highest id, in txn
 * order; OPEN_ACL_UNSAFE is always -1 and never numbered). Not modelled: a create whose parent
 * is missing on replay does not reach the cache in ZooKeeper, but is counted here.
 */
export function resolveMissingAcls(contents: SnapshotContents, laterTxns: Iterable<Txn>): (SnapshotNode & { readonly acl: ACLT[] })[] {
  const missing = new Set(contents.nodes.filter((node) => node.acl === undefined).map((node) => node.aclId));
  const found = missing.size > 0 ? aclsMadeLater(contents.acls, missing, laterTxns) : new Map<bigint, ACLT[]>();
  return contents.nodes.map((node) => {
    const acl = node.acl ?? found.get(node.aclId);
    if (acl === undefined) {
      throw new SnapshotError('invalid-tree', `snapshot: ${node.path || '/'} refers to ACL ${node.aclId}, which is neither in the ACL table nor made by a later txn`);
    }
    return { ...node, acl };
  });
}

/** The ACL lists ZooKeeper's cache would number `missing` ids with, replaying `laterTxns`. */
function aclsMadeLater(table: ReadonlyMap<bigint, ACLT[]>, missing: ReadonlySet<bigint>, laterTxns: Iterable<Txn>): Map<bigint, ACLT[]> {
  const found = new Map<bigint, ACLT[]>();
  const known = new Set([...table.values()].map(aclKey));
  let lastId = [...table.keys()].reduce((max, id) => (id > max ? id : max), 0n);
  outer: for (const txn of laterTxns) {
    for (const acl of aclListsOf(txn)) {
      if (isOpenAclUnsafe(acl) || known.has(aclKey(acl))) continue;
      known.add(aclKey(acl));
      lastId++;
      if (missing.has(lastId)) found.set(lastId, acl);
      if (found.size === missing.size) break outer;
    }
  }
  return found;
}
