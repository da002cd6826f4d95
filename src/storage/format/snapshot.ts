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
 * written parents first, in the view's listing order (the tree's insertion order) or else
 * depth-first with children in the order their parent holds them; ZooKeeper itself uses HashSet
 * order, and any parents-first order reads back (DataTree.deserialize needs each parent first). The digest section is ZooKeeper's "empty digest"
 * (zxid 0, digest 0) for a tree at zxid 0, as a fresh ZooKeeper writes it, else the tree digest
 * at `lastZxid` (digest.ts), which ZooKeeper compares with its own on load.
 * A snapshot is valid only if it ends with a seal: the last 5 bytes are int 1 and '/'
 * (SnapStream.isValidCheckedStream); a cut-off snapshot is an incomplete write, not corruption.
 * A node may name an ACL id the table lacks: ZooKeeper writes the table before the nodes, so an
 * ACL list made while the (fuzzy) snapshot was written is missing. readSnapshot reports such a
 * node with `acl` undefined; deserializeSnapshot resolves it from the txns to be replayed.
 *
 * Loading rebuilds the tree through DataTree.applyTxn (one create per node, parents first, then
 * the stored Stat and ACL put back), so every index the tree derives — ephemerals by session,
 * containers, TTL nodes, quota stats, approximate data size — is built by the tree's own code.
 * Not here: files, compression (.gz/.snappy snapshots are not read), choosing which snapshot.
 * Pure: no I/O.
 */
import { JuteError, JuteReader, JuteWriter } from '../../jute/archive.js';
import { readRecord, writeRecord, type Rec } from '../../jute/schema.js';
import * as R from '../../jute/records.js';
import type { ACLT } from '../../jute/records.js';
import { Perms } from '../../protocol/codes.js';
import { DataTree, type DataNode, type NodeWalk } from '../../tree/data-tree.js';
import type { Txn } from '../../tree/txn.js';
import { Adler32 } from './adler32.js';
import { DIGEST_VERSION, DigestSum, nodeDigest, treeDigest } from './digest.js';

export const SNAP_MAGIC = 0x5a4b534e;
export const SNAP_VERSION = 2;
export const SNAP_DBID = -1n;
export const OPEN_ACL_UNSAFE_ID = -1n;
const SEAL_PATH = '/';
const SEAL_BYTES = 8 + 4 + 1;
const SESSION_BYTES = 12;

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

// --- writing ---------------------------------------------------------------------------------

/** The tree as the serializer needs it; a DataTree is one. */
export interface SnapshotSource {
  readonly nodes: ReadonlyMap<string, DataNode>;
  readonly lastProcessedZxid: bigint;
}

/** What the serializer reads: the nodes as of one zxid, parents first (a DataTree's PointInTimeView). */
export interface SnapshotTreeView {
  walk(): NodeWalk;
}

export interface SerializeOptions {
  /** Write the 3.7+ digest section (zookeeper.digest.enabled, the default). Default true. */
  readonly digest?: boolean;
}

function isOpenAclUnsafe(acl: readonly ACLT[]): boolean {
  return acl.length === 1 && acl[0]!.perms === Perms.ALL && acl[0]!.id.scheme === 'world' && acl[0]!.id.id === 'anyone';
}

function aclKey(acl: readonly ACLT[]): string {
  return JSON.stringify(acl.map((entry) => [entry.perms, entry.id.scheme, entry.id.id]));
}

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/**
 * Depth first over nodes by path, from the root, children in their parent's map order; each
 * node with its ACL mapped by `canonical`.
 */
function pathWalk(nodes: ReadonlyMap<string, DataNode>, canonical: (acl: readonly ACLT[]) => readonly ACLT[]): NodeWalk {
  const stack = ['/'];
  const cursor = {
    path: '/',
    node: undefined as unknown as DataNode,
    next(): boolean {
      const path = stack.pop();
      if (path === undefined) return false;
      const node = nodes.get(path);
      if (node === undefined) throw new Error(`snapshot: ${path} is listed as a child but is not in the tree`);
      cursor.path = path;
      cursor.node = { ...node, acl: canonical(node.acl) as ACLT[] };
      const names = [...node.children.keys()];
      for (let index = names.length - 1; index >= 0; index--) stack.push(childPath(path, names[index]!));
      return true;
    },
  };
  return cursor;
}

/**
 * Writes a snapshot a slice at a time, so a server can write one between requests: `next()`
 * returns the file's next bytes (about `sliceBytes` of them, always whole nodes) and undefined
 * once the final seal is out. The view must stay fixed while the serializer runs (a
 * PointInTimeView does), and every node's ACL must be one of `acls` or OPEN_ACL_UNSAFE.
 *
 * Nodes go in the view's walk order: depth first from the root, children in the order their
 * parent's map holds them. Any parents-first order reads back (ZooKeeper itself writes HashSet
 * order), and not sorting keeps a parent with a million children from costing one long pause.
 * The digest section is computed
 * over the nodes as they are written, so it describes exactly the state at `zxid`.
 */
export class SnapshotSerializer {
  private readonly aclIds = new Map<readonly ACLT[], bigint>();
  private readonly checksum = new Adler32();
  private readonly walk: NodeWalk;
  private readonly writer = new JuteWriter(64 * 1024);
  private readonly digest = new DigestSum();
  private state: 'header' | 'nodes' | 'done' = 'header';
  private nodesWritten = 0;

  constructor(view: SnapshotTreeView, private readonly sessions: readonly SnapshotSession[],
    readonly zxid: bigint, acls: readonly (readonly ACLT[])[], private readonly options: SerializeOptions = {}) {
    this.walk = view.walk();
    let next = 1n;
    for (const acl of acls) if (!isOpenAclUnsafe(acl)) this.aclIds.set(acl, next++);
  }

  get nodeCount(): number {
    return this.nodesWritten;
  }

  next(sliceBytes = 1 << 20): Uint8Array | undefined {
    const w = this.writer;
    w.reset();
    this.checkedBytes = 0;
    switch (this.state) {
      case 'done':
        return undefined;
      case 'header':
        this.writeHead(w);
        this.state = 'nodes';
        break;
      case 'nodes': {
        const walk = this.walk;
        let more = true;
        while (w.length < sliceBytes) {
          if (!walk.next()) {
            more = false;
            break;
          }
          this.writeNode(w, walk.path, walk.node);
        }
        if (!more) {
          w.writeUstring(SEAL_PATH);
          this.writeSeal(w);
          if (this.options.digest ?? true) {
            w.writeLong(this.zxid);
            w.writeInt(DIGEST_VERSION);
            // A fresh tree's digest section is all zeros, as a new ZooKeeper writes it.
            w.writeLong(this.zxid === 0n ? 0n : this.digest.value);
            this.writeSeal(w);
          }
          this.state = 'done';
        }
        break;
      }
    }
    this.catchUp(w);
    return w.toBytes();
  }

  /** Bytes of the current slice already in the running checksum. */
  private checkedBytes = 0;

  private catchUp(w: JuteWriter): void {
    this.checksum.update(w.peek(), this.checkedBytes, w.length);
    this.checkedBytes = w.length;
  }

  private writeHead(w: JuteWriter): void {
    writeRecord(w, R.FileHeader, { magic: SNAP_MAGIC, version: SNAP_VERSION, dbid: SNAP_DBID });
    w.writeInt(this.sessions.length);
    for (const session of this.sessions) {
      w.writeLong(session.sessionId);
      w.writeInt(session.timeoutMs);
    }
    w.writeInt(this.aclIds.size);
    for (const [acl, id] of this.aclIds) {
      w.writeLong(id);
      w.writeInt(acl.length);
      for (const entry of acl) writeRecord(w, R.ACL, entry);
    }
  }

  private aclIdOf(path: string, acl: readonly ACLT[]): bigint {
    const id = this.aclIds.get(acl);
    if (id !== undefined) return id;
    if (isOpenAclUnsafe(acl)) return OPEN_ACL_UNSAFE_ID;
    throw new Error(`snapshot: the ACL of ${path} is not in the snapshot's ACL table`);
  }

  private writeNode(w: JuteWriter, path: string, node: DataNode): void {
    w.writeUstring(path === '/' ? '' : path);
    w.writeLatin1Buffer(node.data);
    w.writeLong(this.aclIdOf(path, node.acl));
    writeRecord(w, R.StatPersisted, {
      czxid: node.czxid, mzxid: node.mzxid, ctime: node.ctime, mtime: node.mtime, version: node.version,
      cversion: node.cversion, aversion: node.aversion, ephemeralOwner: node.ephemeralOwner, pzxid: node.pzxid,
    });
    if (this.options.digest ?? true) this.digest.add(nodeDigest(path, node));
    this.nodesWritten++;
  }

  /** A seal: the Adler-32 of every byte before it, then "/" (SnapStream.sealStream); later seals cover it too. */
  private writeSeal(w: JuteWriter): void {
    this.catchUp(w);
    w.writeLong(BigInt(this.checksum.value));
    w.writeUstring(SEAL_PATH);
  }
}

/**
 * A whole snapshot of `tree` and the live sessions at once, named by the caller
 * `snapshot.<lastZxid hex>`. `lastZxid` defaults to the tree's last applied zxid.
 */
export function serializeSnapshot(tree: SnapshotSource, sessions: readonly SnapshotSession[], lastZxid = tree.lastProcessedZxid,
  options: SerializeOptions = {}): Uint8Array {
  const acls = new Map<string, readonly ACLT[]>();
  for (const node of tree.nodes.values()) {
    const key = aclKey(node.acl);
    if (!acls.has(key)) acls.set(key, node.acl);
  }
  // Nodes built outside a DataTree need not share ACL arrays: map each to its first equal one.
  const canonical = (acl: readonly ACLT[]) => acls.get(aclKey(acl))!;
  const view: SnapshotTreeView = { walk: () => pathWalk(tree.nodes, canonical) };
  const serializer = new SnapshotSerializer(view, sessions, lastZxid, [...acls.values()], options);
  const parts: Uint8Array[] = [];
  for (let part = serializer.next(); part !== undefined; part = serializer.next()) parts.push(part.slice());
  if (serializer.nodeCount !== tree.nodes.size) throw new Error(`snapshot: ${tree.nodes.size - serializer.nodeCount} nodes are not reachable from the root`);
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// --- reading ---------------------------------------------------------------------------------

/** SnapStream.isValidCheckedStream: at least 10 bytes, ending with a seal's int 1 and '/'. */
export function endsWithSeal(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const tail = bytes.length - 5;
  return bytes[tail] === 0 && bytes[tail + 1] === 0 && bytes[tail + 2] === 0 && bytes[tail + 3] === 1 && bytes[tail + 4] === 0x2f;
}

/** A running Adler-32 over the file, so each seal costs only the bytes since the last one. */
class SealChecker {
  private readonly sum = new Adler32();
  private checked = 0;
  constructor(private readonly bytes: Uint8Array) {}
  upTo(position: number): bigint {
    this.sum.update(this.bytes, this.checked, position);
    this.checked = position;
    return BigInt(this.sum.value);
  }
}

function checkSeal(seals: SealChecker, reader: JuteReader, what: string): void {
  const expected = seals.upTo(reader.position);
  const stored = reader.readLong();
  const path = reader.readUstring();
  if (stored !== expected) {
    throw new SnapshotError('corrupt', `snapshot ${what}: checksum mismatch (stored 0x${BigInt.asUintN(64, stored).toString(16)}, computed 0x${expected.toString(16)})`);
  }
  if (path !== SEAL_PATH) throw new SnapshotError('corrupt', `snapshot ${what}: seal ends with ${JSON.stringify(path)} instead of "/"`);
}

/** Parses a snapshot file into what it stores, checking magic, version and every seal. */
export function readSnapshot(bytes: Uint8Array): SnapshotContents {
  if (!endsWithSeal(bytes)) throw new SnapshotError('incomplete', `snapshot of ${bytes.length} bytes does not end with a seal: an incomplete write`);
  try {
    return parse(bytes);
  } catch (error) {
    if (error instanceof JuteError) throw new SnapshotError('corrupt', `snapshot: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Receives each node as it is read, instead of collecting them in `nodes` (which stays empty). */
type NodeSink = (path: string, data: Uint8Array | null, aclId: bigint, acl: ACLT[] | undefined, stat: StatPersistedT) => void;

function parse(bytes: Uint8Array, sink?: NodeSink): SnapshotContents {
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

  const nodes: SnapshotNode[] = [];
  const open = openAclUnsafe();
  for (let path = reader.readUstring(); path !== SEAL_PATH; path = reader.readUstring()) {
    const raw = reader.readBuffer();
    // A copy, so no node keeps the whole file alive.
    const data = raw === null ? null : raw.slice();
    const aclId = reader.readLong();
    const stat = readRecord(reader, R.StatPersisted);
    const acl = aclId === OPEN_ACL_UNSAFE_ID ? open : acls.get(aclId);
    if (sink !== undefined) sink(path, data, aclId, acl, stat);
    else nodes.push({ path, data, aclId, acl, stat });
  }
  const seals = new SealChecker(bytes);
  checkSeal(seals, reader, 'nodes');

  let digest: ZxidDigest | undefined;
  let lastProcessedZxid: bigint | undefined;
  if (reader.remaining > 0) {
    digest = { zxid: reader.readLong(), digestVersion: reader.readInt(), digest: reader.readLong() };
    checkSeal(seals, reader, 'digest');
  }
  if (reader.remaining > 0) {
    lastProcessedZxid = reader.readLong();
    checkSeal(seals, reader, 'lastProcessedZxid');
  }
  if (reader.remaining > 0) throw new SnapshotError('corrupt', `snapshot: ${reader.remaining} unknown bytes after the last section`);
  return {
    header, sessions, acls, nodes,
    ...(digest === undefined ? {} : { digest }),
    ...(lastProcessedZxid === undefined ? {} : { lastProcessedZxid }),
  };
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
 * nodes is built). Throws SnapshotError.
 */
export function deserializeSnapshot(bytes: Uint8Array, options: DeserializeOptions = {}): DeserializedSnapshot {
  if (!endsWithSeal(bytes)) throw new SnapshotError('incomplete', `snapshot of ${bytes.length} bytes does not end with a seal: an incomplete write`);
  const tree = new DataTree();
  // Nodes whose ACL id the table lacks (a fuzzy snapshot): placed with OPEN_ACL_UNSAFE for now.
  const unresolved: { path: string; aclId: bigint }[] = [];
  let first = true;
  const place: NodeSink = (stored, data, aclId, acl, stat) => {
    const path = stored === '' ? '/' : stored;
    if (first && path !== '/') throw new SnapshotError('invalid-tree', 'snapshot: the first node is not the root ("")');
    first = false;
    if (path !== '/' && (!path.startsWith('/') || path.endsWith('/'))) throw new SnapshotError('invalid-tree', `snapshot: bad path ${JSON.stringify(stored)}`);
    if (acl === undefined) unresolved.push({ path, aclId });
    try {
      // StatPersisted has exactly the fields restoreNode takes; no copy per node.
      tree.restoreNode(path, data, acl ?? OPEN_ACL, stat);
    } catch (error) {
      throw new SnapshotError('invalid-tree', `snapshot: cannot place ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  let contents: SnapshotContents;
  try {
    contents = parse(bytes, place);
  } catch (error) {
    if (error instanceof JuteError) throw new SnapshotError('corrupt', `snapshot: ${error.message}`, { cause: error });
    throw error;
  }
  if (first) throw new SnapshotError('invalid-tree', 'snapshot: the first node is not the root ("")');
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
    digestCheck = stored.digest === treeDigest(tree.nodes) ? 'match' : 'mismatch';
  }
  return { tree, sessions: contents.sessions, contents, digestCheck };
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

