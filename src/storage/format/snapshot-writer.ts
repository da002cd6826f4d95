/**
 * Writing snapshots (the format is described in snapshot.ts): SnapshotSerializer writes one a
 * slice at a time from a point-in-time view, serializeSnapshot a whole one from any tree.
 * Pure: no I/O.
 */
import { JuteWriter } from '../../jute/archive.js';
import { writeRecord } from '../../jute/schema.js';
import * as R from '../../jute/records.js';
import type { ACLT } from '../../jute/records.js';
import { childName, parentPath, type DataNode } from '../../tree/data-tree.js';
import type { NodeWalk } from '../../tree/point-in-time-view.js';
import { childPath } from '../../util/path.js';
import { Adler32 } from './adler32.js';
import { NODE_TAIL_BYTES } from './snapshot-checks.js';
import { DIGEST_VERSION, DigestSum, isDigestedChildOf, recordDigest } from './digest.js';
import {
  aclKey, isOpenAclUnsafe, OPEN_ACL_UNSAFE_ID, SEAL_PATH, SNAP_DBID, SNAP_MAGIC, SNAP_VERSION, type SnapshotSession,
} from './snapshot.js';

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

/**
 * Depth first over nodes by path, from the root, children in their parent's map order; each
 * node with its ACL mapped by `canonical`.
 */
function pathWalk(nodes: ReadonlyMap<string, DataNode>, canonical: (acl: readonly ACLT[]) => readonly ACLT[]): NodeWalk {
  const stack = ['/'];
  const cursor = {
    path: '/',
    dir: '',
    name: '',
    node: undefined as unknown as DataNode,
    next(): boolean {
      const path = stack.pop();
      if (path === undefined) return false;
      const node = nodes.get(path);
      if (node === undefined) throw new Error(`snapshot: ${path} is listed as a child but is not in the tree`);
      cursor.path = path;
      cursor.dir = path === '/' ? '' : parentPath(path);
      cursor.name = path === '/' ? '' : childName(path);
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
  /** Whether the digest section is written (SerializeOptions.digest), so node hashes are summed. */
  private readonly digesting: boolean;
  private nodesWritten = 0;

  constructor(view: SnapshotTreeView, private readonly sessions: readonly SnapshotSession[],
    readonly zxid: bigint, acls: readonly (readonly ACLT[])[], options: SerializeOptions = {}) {
    this.walk = view.walk();
    this.digesting = options.digest ?? true;
    let next = 1n;
    for (const acl of acls) if (!isOpenAclUnsafe(acl)) this.aclIds.set(acl, next++);
  }

  get nodeCount(): number {
    return this.nodesWritten;
  }

  next(sliceBytes = 1 << 20): Uint8Array | undefined {
    return this.nextView(sliceBytes)?.slice();
  }

  /**
   * next() without the copy: the bytes are the serializer's own buffer, valid only until the
   * next call. For a caller that is done with each slice before asking for the next (it writes
   * it to a file and awaits that): a snapshot's worth of copies is one large allocation per
   * slice.
   */
  nextView(sliceBytes = 1 << 20): Uint8Array | undefined {
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
          this.writeNode(w, walk);
        }
        if (!more) {
          w.writeUstring(SEAL_PATH);
          this.writeSeal(w);
          if (this.digesting) {
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
    return w.peek();
  }

  /** Bytes of the current slice already in the running checksum. */
  private checkedBytes = 0;

  private catchUp(w: JuteWriter): void {
    this.checksum.update(w.peek(), this.checkedBytes, w.length, w.dataView);
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

  /** The last ACL looked up and its id: runs of nodes share one ACL array (the tree interns them). */
  private lastAcl: readonly ACLT[] | undefined;
  private lastAclId = OPEN_ACL_UNSAFE_ID;

  private aclIdOf(walk: NodeWalk, acl: readonly ACLT[]): bigint {
    if (acl === this.lastAcl) return this.lastAclId;
    let id = this.aclIds.get(acl);
    if (id === undefined) {
      if (!isOpenAclUnsafe(acl)) throw new Error(`snapshot: the ACL of ${walk.path} is not in the snapshot's ACL table`);
      id = OPEN_ACL_UNSAFE_ID;
    }
    this.lastAcl = acl;
    this.lastAclId = id;
    return id;
  }

  /**
   * One node record: ustring path, buffer data, long aclId, StatPersisted. The stat is written
   * field by field (no record object), and the node's hash is taken from the bytes just
   * written (recordDigest) rather than by encoding the node a second time. The path goes out as
   * its parent's path and its name (the root's as ""), never joined into one string.
   */
  private writeNode(w: JuteWriter, walk: NodeWalk): void {
    const { node, dir, name } = walk;
    const data = node.data;
    const dataLength = data === null ? 0 : data.length;
    // Room for the whole record at once (a UTF-8 path takes at most 3 bytes per UTF-16 unit).
    w.reserve(4 + 3 * (dir.length + 1 + name.length) + 4 + dataLength + NODE_TAIL_BYTES);
    const pathStart = w.length + 4;
    if (dir === '') w.writeUstring('');
    else w.writeUstringPath(dir, name);
    const pathEnd = w.length;
    w.writeLatin1Buffer(data);
    const dataEnd = w.length;
    w.writeLong(this.aclIdOf(walk, node.acl));
    const statStart = w.length;
    w.writeLong(node.czxid);
    w.writeLong(node.mzxid);
    w.writeLong(node.ctime);
    w.writeLong(node.mtime);
    w.writeInt(node.version);
    w.writeInt(node.cversion);
    w.writeInt(node.aversion);
    w.writeLong(node.ephemeralOwner);
    w.writeLong(node.pzxid);
    if (this.digesting && isDigestedChildOf(dir)) this.digest.add(recordDigest(w.dataView, pathStart, pathEnd, dataEnd - dataLength, dataEnd, statStart));
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

