/**
 * The data tree: znodes by path, their Stat, ACLs, children, the session→ephemerals index, the
 * container/TTL candidate sets, and the data and child watch managers. It applies transactions
 * (already validated by the request pipeline) and reports which watch events they fire.
 *
 * Nodes are kept as a trie: each node holds its children by name, and a path is found by walking
 * from the root. One map keyed by full paths (as ZooKeeper keeps them) costs a path string and a
 * large-map entry per node, and large-map operations dominated loading a million nodes; small
 * per-parent maps are cheaper to fill, to search and to hold.
 *
 * Deliberately not here: validation, permissions, sessions, networking, persistence, and the
 * point-in-time view snapshots walk (point-in-time-view.ts), which the tree tells of changes.
 * Invariants (checked by `invariants()`): the node count matches the trie; every ephemeral is
 * indexed under its owner and every indexed path exists; ACL use counts match.
 * Applying a txn is idempotent enough for fuzzy-snapshot replay, as in ZooKeeper's DataTree:
 * a create of an existing node or a delete of a missing one reports an error and changes nothing.
 */
import { ErrorCode, EventType, type EventTypeValue, Perms } from '../protocol/codes.js';
import type { ACLT, StatT } from '../jute/records.js';
import { WatchManager, type WatcherId } from './watch-manager.js';
import { Quotas } from './quotas.js';
import { AclCache } from './acl-cache.js';
import { latin1Of } from '../util/latin1.js';
import { childPath } from '../util/path.js';
import { PointInTimeView } from './point-in-time-view.js';
import { CONTAINER_EPHEMERAL_OWNER, ephemeralKindOf, ttlEphemeralOwner, type Txn, type TxnHeader } from './txn.js';

export interface DataNode {
  /**
   * The node's bytes as a Latin-1 string (one char per byte, losslessly: `bytesOfLatin1` gives
   * them back), or null. A string is one heap object holding its bytes; a Uint8Array is a view
   * object of about 100 bytes besides them, and its bytes live outside the heap (in blocks the
   * C allocator does not give back). Encoders write the chars straight into their buffers.
   */
  data: string | null;
  acl: ACLT[];
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: bigint;
  /**
   * The children by name. Leaves (most nodes) share one empty map, NO_CHILDREN, which is never
   * changed: the tree gives a node its own map when the first child arrives. Only the tree
   * changes a node's map.
   */
  children: Map<string, DataNode>;
  /**
   * Snapshot bookkeeping: the number of the last point-in-time view that has passed this node
   * (PointInTimeView), so a change after that needs no copy kept. 0 for none.
   */
  viewMark: number;
}

/** The shared children map of every leaf: empty, and never added to (DataTree checks). */
export const NO_CHILDREN: ReadonlyMap<string, DataNode> = new Map<string, DataNode>();
const noChildren = NO_CHILDREN as Map<string, DataNode>;

export interface WatchEvent {
  readonly watcher: WatcherId;
  readonly type: EventTypeValue;
  readonly path: string;
  readonly zxid: bigint;
  /**
   * The ACL of the node the event is about: a watcher without READ on it is not told
   * (ZooKeeper's fix for CVE-2024-23944, in 3.8.4 and Debian's 3.8.0).
   */
  readonly acl: readonly ACLT[];
}

export type TxnResult =
  | { readonly type: 'create'; readonly err: number; readonly path: string; readonly stat?: StatT; readonly txnType?: CreateTxnType }
  | { readonly type: 'delete' | 'check' | 'session'; readonly err: number }
  | { readonly type: 'setData' | 'setACL'; readonly err: number; readonly stat?: StatT }
  | { readonly type: 'error'; readonly err: number }
  | { readonly type: 'multi'; readonly err: number; readonly results: TxnResult[] };

type CreateTxnType = 'create' | 'create2' | 'createContainer' | 'createTTL';

const RESERVED_PATHS: ReadonlySet<string> = new Set(['/', '/zookeeper', '/zookeeper/config', '/zookeeper/quota']);

export const OPEN_ACL_UNSAFE: ACLT[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
export const READ_ACL_UNSAFE: ACLT[] = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];

export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function childName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

const SLASH = 0x2f;

function newNode(data: string | null, acl: ACLT[], zxid: bigint, timeMs: bigint, ephemeralOwner: bigint): DataNode {
  return {
    data, acl, czxid: zxid, mzxid: zxid, ctime: timeMs, mtime: timeMs, version: 0, cversion: 0, aversion: 0,
    ephemeralOwner, pzxid: zxid, children: noChildren, viewMark: 0,
  };
}

/** What restoreNode remembers between calls ('\0' matches no path). */
function emptyRestoreCache(): { parentPath: string; parent: DataNode | undefined; lastPath: string; last: DataNode | undefined; time: bigint } {
  return { parentPath: '\0', parent: undefined, lastPath: '\0', last: undefined, time: -1n };
}

export class DataTree {
  private readonly root: DataNode;
  private count = 1;
  /** sessionId → paths of its ephemerals (normal ephemerals only). */
  readonly ephemerals = new Map<bigint, Set<string>>();
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  readonly dataWatches = new WatchManager();
  readonly childWatches = new WatchManager();
  readonly quotas = new Quotas(this);
  readonly acls = new AclCache();
  /** The zxid of the last txn applied. */
  lastProcessedZxid = 0n;
  private approximateDataBytes = 0;
  private view: PointInTimeView | undefined;
  private viewsOpened = 0;
  /** Reserved nodes already restored during a load (restoreNode), to catch duplicates. */
  private readonly restored = new Set<string>();
  /**
   * The parent of the node restored last, and that node, with their paths: a snapshot lists
   * siblings together and a parent just before its first child, so most restores find their
   * parent here without walking from the root.
   */
  /** The directory (a node with its path) that the last lookup went through, for `lookup`. */
  private readonly lastDir: { path: string; node: DataNode | undefined } = { path: '', node: undefined };
  private restoreCache = emptyRestoreCache();

  constructor() {
    this.root = newNode('', this.acls.acquire(OPEN_ACL_UNSAFE), 0n, 0n, 0n);
    // The reserved subtree every ZooKeeper server has (ZooDefs.ZOOKEEPER_NODE_SUBTREE).
    // In the order a fresh ZooKeeper's snapshot lists them, so an empty zkts snapshot is byte-identical.
    for (const [path, acl] of [['/zookeeper', OPEN_ACL_UNSAFE], ['/zookeeper/config', READ_ACL_UNSAFE], ['/zookeeper/quota', OPEN_ACL_UNSAFE]] as const) {
      this.addChild(this.get(parentPath(path))!, childName(path), newNode('', this.acls.acquire(acl), 0n, 0n, 0n));
      this.count++;
    }
    // ZooKeeper sets the config node's ACL with version -1 (DataTree.addConfigNode), and shows it.
    this.get('/zookeeper/config')!.aversion = -1;
  }

  /** ZooKeeper also knows the root as "" (its internal name), so reads of "" see the root. */
  get(path: string): DataNode | undefined {
    return path === '' ? this.root : this.lookup(path, path.length);
  }

  /**
   * The node at `path.slice(0, end)` (`end` at the end of the path or at one of its slashes),
   * found without slicing out that prefix. A path that does not start with '/', or that has an
   * empty component, names no node.
   */
  private lookup(path: string, end: number): DataNode | undefined {
    if (path.charCodeAt(0) !== SLASH || end === 0) return undefined;
    if (end === 1) return this.root;
    // Requests come in runs on one directory (a queue, a lock, a service's instances): a path
    // in the directory looked up last skips the walk down to it.
    const dir = this.lastDir;
    // ... and a create looks up the new node's parent, that directory itself.
    if (dir.node !== undefined && dir.path.length === end && path.startsWith(dir.path)) return dir.node;
    const last = path.lastIndexOf('/', end - 1);
    if (last > 0 && dir.node !== undefined && dir.path.length === last && path.startsWith(dir.path)) {
      return last + 1 === end ? undefined : dir.node.children.get(path.slice(last + 1, end));
    }
    let node = this.root;
    let start = 1;
    for (;;) {
      let slash = path.indexOf('/', start);
      if (slash < 0 || slash > end) slash = end;
      if (slash === end && start > 1) {
        dir.path = path.slice(0, start - 1);
        dir.node = node;
      }
      const next = node.children.get(path.slice(start, slash));
      if (next === undefined || slash === end) return next;
      node = next;
      start = slash + 1;
    }
  }

  /** The parent of the node at `path` (not the root), or undefined. */
  private parentOf(path: string): DataNode | undefined {
    const slash = path.lastIndexOf('/');
    return slash === 0 ? (path.length > 1 && path.charCodeAt(0) === SLASH ? this.root : undefined) : slash < 0 ? undefined : this.lookup(path, slash);
  }

  /**
   * Every node by path, as a read-only map. Lookups walk the trie; iteration walks it depth
   * first, root first, children in the order their parent holds them. For tools and tests:
   * the server's paths use `get`.
   */
  get nodes(): ReadonlyMap<string, DataNode> {
    return new NodesByPath(this, this.root);
  }

  get nodeCount(): number {
    return this.count;
  }

  get approximateDataSize(): number {
    return this.approximateDataBytes;
  }

  /**
   * The Stat clients see. The stored cversion counts child creates (it numbers sequential
   * nodes); clients see the count of child changes, creates plus deletes, which is
   * 2·creates − live children (DataNode.copyStat). Containers and TTL nodes report
   * ephemeralOwner 0 (DataNode.getClientEphemeralOwner).
   */
  statOf(node: DataNode): StatT {
    const kind = ephemeralKindOf(node.ephemeralOwner);
    return {
      czxid: node.czxid, mzxid: node.mzxid, ctime: node.ctime, mtime: node.mtime, version: node.version,
      cversion: (node.cversion * 2 - node.children.size) | 0, aversion: node.aversion,
      ephemeralOwner: kind === 'normal' ? node.ephemeralOwner : 0n,
      dataLength: node.data?.length ?? 0, numChildren: node.children.size, pzxid: node.pzxid,
    };
  }

  ephemeralsOf(sessionId: bigint): ReadonlySet<string> {
    return this.ephemerals.get(sessionId) ?? new Set();
  }

  /** All descendants of `path` (not counting itself), as getAllChildrenNumber reports. */
  countDescendants(path: string): number {
    const node = this.get(path === '' ? '/' : path);
    if (node === undefined) return 0;
    let count = 0;
    const stack = [node];
    while (stack.length > 0) {
      const at = stack.pop()!;
      count += at.children.size;
      for (const child of at.children.values()) if (child.children.size > 0) stack.push(child);
    }
    return count;
  }

  /**
   * Applies one txn. `prepared` says the txn comes from this server's own prep stage, which
   * checked it against every txn before it (ChangeRecords): a create's name is then known to be
   * free, and the parent's children map (often the largest map there is) is probed once, not
   * twice. Replayed txns are not prepared: over a fuzzy snapshot a create may meet its node.
   */
  applyTxn(header: TxnHeader, txn: Txn, prepared = false): { result: TxnResult; events: WatchEvent[] } {
    const events: WatchEvent[] = [];
    const result = this.apply(header, txn, events, prepared);
    if (header.zxid > this.lastProcessedZxid) this.lastProcessedZxid = header.zxid;
    return { result, events };
  }

  private apply(header: TxnHeader, txn: Txn, events: WatchEvent[], prepared: boolean): TxnResult {
    switch (txn.type) {
      case 'create':
      case 'create2':
        return this.createNode(header, txn.type, txn.path, txn.data, txn.acl, txn.ephemeral ? header.clientId : 0n, txn.parentCVersion, events, prepared);
      case 'createContainer':
        return this.createNode(header, txn.type, txn.path, txn.data, txn.acl, CONTAINER_EPHEMERAL_OWNER, txn.parentCVersion, events, prepared);
      case 'createTTL':
        return this.createNode(header, txn.type, txn.path, txn.data, txn.acl, ttlEphemeralOwner(txn.ttl), txn.parentCVersion, events, prepared);
      case 'delete':
      case 'deleteContainer':
        return { type: 'delete', err: this.deleteNode(txn.path, header.zxid, events) };
      case 'setData': {
        const node = this.get(txn.path);
        if (node === undefined) return { type: 'setData', err: ErrorCode.NONODE };
        this.willChangeNode(node);
        this.approximateDataBytes += (txn.data?.length ?? 0) - (node.data?.length ?? 0);
        this.quotas.onSetData(txn.path, (txn.data?.length ?? 0) - (node.data?.length ?? 0));
        node.data = latin1Of(txn.data);
        node.version = txn.version;
        node.mzxid = header.zxid;
        node.mtime = header.timeMs;
        this.fire(this.dataWatches.trigger(txn.path, EventType.NodeDataChanged), EventType.NodeDataChanged, txn.path, header.zxid, node.acl, events);
        return { type: 'setData', err: ErrorCode.OK, stat: this.statOf(node) };
      }
      case 'setACL': {
        const node = this.get(txn.path);
        if (node === undefined) return { type: 'setACL', err: ErrorCode.NONODE };
        this.willChangeNode(node);
        this.replaceAcl(node, txn.acl);
        node.aversion = txn.version;
        return { type: 'setACL', err: ErrorCode.OK, stat: this.statOf(node) };
      }
      case 'check':
        return { type: 'check', err: ErrorCode.OK };
      case 'createSession':
        return { type: 'session', err: ErrorCode.OK };
      case 'closeSession': {
        // Like ZooKeeper (killSession): the listed paths in their order (watchers see events in
        // it), then whatever else the session still owns.
        const owned = new Set([...txn.paths2Delete, ...this.ephemeralsOf(header.clientId)]);
        for (const path of owned) this.deleteNode(path, header.zxid, events);
        this.ephemerals.delete(header.clientId);
        return { type: 'session', err: ErrorCode.OK };
      }
      case 'error':
        return { type: 'error', err: txn.err };
      case 'multi': {
        // A multi with an error txn applies nothing: ops before the failure report OK, the
        // failure its code, later ops RUNTIMEINCONSISTENCY (DataTree.processTxn, multi case).
        const failed = txn.txns.some((sub) => sub.type === 'error');
        let postFailure = false;
        const results = txn.txns.map((sub): TxnResult => {
          if (sub.type === 'error') {
            postFailure = true;
            return { type: 'error', err: sub.err };
          }
          if (failed) return { type: 'error', err: postFailure ? ErrorCode.RUNTIMEINCONSISTENCY : ErrorCode.OK };
          return this.apply(header, sub, events, prepared);
        });
        return { type: 'multi', err: ErrorCode.OK, results };
      }
    }
  }

  private createNode(header: TxnHeader, txnType: CreateTxnType, path: string, data: Uint8Array | null, acl: ACLT[], ephemeralOwner: bigint,
    parentCVersion: number, events: WatchEvent[], prepared: boolean): TxnResult & { type: 'create' } {
    const parent = this.parentOf(path);
    if (parent === undefined) return { type: 'create', err: ErrorCode.NONODE, path, txnType };
    const name = childName(path);
    if (!prepared && parent.children.has(name)) return { type: 'create', err: ErrorCode.NODEEXISTS, path, txnType };
    this.willChangeNode(parent);
    // As in DataTree.createNode: cversion only moves forward, so replaying an older txn cannot rewind it.
    let cversion = parentCVersion;
    if (cversion === -1) cversion = parent.cversion + 1;
    if (cversion > parent.cversion) {
      parent.cversion = cversion;
      parent.pzxid = header.zxid;
    }
    const node = newNode(latin1Of(data), this.acls.acquire(acl), header.zxid, header.timeMs, ephemeralOwner);
    this.addChild(parent, name, node);
    this.count++;
    this.approximateDataBytes += path.length + (data?.length ?? 0);
    this.quotas.onCreate(path, data?.length ?? 0);
    this.indexOwner(path, ephemeralOwner);
    const parentName = parentPath(path);
    this.fire(this.dataWatches.trigger(path, EventType.NodeCreated), EventType.NodeCreated, path, header.zxid, acl, events);
    this.fire(this.childWatches.trigger(parentName, EventType.NodeChildrenChanged), EventType.NodeChildrenChanged, parentName, header.zxid, parent.acl, events);
    // Only create2-style answers carry a stat (a plain create's, in a multi too, is the path alone).
    return { type: 'create', err: ErrorCode.OK, path, stat: txnType === 'create' ? undefined : this.statOf(node), txnType };
  }

  private deleteNode(path: string, zxid: bigint, events: WatchEvent[]): number {
    const parent = this.parentOf(path);
    const name = childName(path);
    const node = parent?.children.get(name);
    if (node === undefined || parent === undefined) return ErrorCode.NONODE;
    const parentName = parentPath(path);
    this.willChangeNode(parent);
    this.view?.removing(parent, name, node);
    if (parent.children.size === 1) parent.children = noChildren;
    else parent.children.delete(name);
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    this.count--;
    if (this.lastDir.node === node) this.lastDir.node = undefined;
    this.forget(path, node);
    // Only replaying txns over a fuzzy snapshot deletes a node that still has children; they go
    // with it (ZooKeeper would leave them in its path map, unreachable from the root).
    if (node.children.size > 0) {
      this.lastDir.node = undefined;
      this.forgetSubtree(path, node);
    }
    const notified = this.dataWatches.trigger(path, EventType.NodeDeleted);
    this.fire(notified, EventType.NodeDeleted, path, zxid, node.acl, events);
    this.fire(this.childWatches.trigger(path, EventType.NodeDeleted, notified), EventType.NodeDeleted, path, zxid, node.acl, events);
    this.fire(this.childWatches.trigger(parentName, EventType.NodeChildrenChanged), EventType.NodeChildrenChanged, parentName, zxid, parent.acl, events);
    return ErrorCode.OK;
  }

  /** Takes a node that has left the trie out of the counts and indexes. */
  private forget(path: string, node: DataNode): void {
    this.acls.release(node.acl);
    this.approximateDataBytes -= path.length + (node.data?.length ?? 0);
    this.quotas.onDelete(path, node.data?.length ?? 0);
    switch (ephemeralKindOf(node.ephemeralOwner)) {
      case 'normal': {
        const owned = this.ephemerals.get(node.ephemeralOwner);
        owned?.delete(path);
        if (owned?.size === 0) this.ephemerals.delete(node.ephemeralOwner);
        break;
      }
      case 'container': this.containers.delete(path); break;
      case 'ttl': this.ttls.delete(path); break;
      case 'void': break;
    }
  }

  private forgetSubtree(path: string, node: DataNode): void {
    for (const [name, child] of node.children) {
      const at = childPath(path, name);
      this.count--;
      this.forget(at, child);
      if (child.children.size > 0) this.forgetSubtree(at, child);
    }
  }

  private fire(watchers: Iterable<WatcherId>, type: EventTypeValue, path: string, zxid: bigint, acl: readonly ACLT[], events: WatchEvent[]): void {
    for (const watcher of watchers) events.push({ watcher, type, path, zxid, acl });
  }

  /** Files a new node under its owner: the session's ephemerals, or the container/TTL sets. */
  private indexOwner(path: string, owner: bigint): void {
    switch (ephemeralKindOf(owner)) {
      case 'normal': {
        let owned = this.ephemerals.get(owner);
        if (owned === undefined) this.ephemerals.set(owner, (owned = new Set()));
        owned.add(path);
        break;
      }
      case 'container': this.containers.add(path); break;
      case 'ttl': this.ttls.add(path); break;
      case 'void': break;
    }
  }

  /** Adds `node` as the parent's child `name`, which the caller has checked (or prep has) is free. */
  private addChild(parent: DataNode, name: string, node: DataNode): void {
    if (parent.children === noChildren) {
      parent.children = new Map([[name, node]]);
      return;
    }
    const size = parent.children.size;
    parent.children.set(name, node);
    // A prepared create over an existing node would mean prep and the tree disagree: stop
    // rather than serve a tree that lost a node (the log still holds every txn).
    if (parent.children.size === size) throw new Error(`invariant: a create replaced the existing child ${name}`);
  }

  /**
   * Puts a node back as a snapshot stored it (loading only): `stat` and all, parents before
   * children, no watches fired, no cversion moved. Quota stats are left for `quotas.rebuild()`
   * once every node is in, as ZooKeeper's setupQuota recounts them after loading. A node the
   * tree starts with (root, /zookeeper…) gets the stored state; any other existing node, or a
   * missing parent, is an error (the message says which).
   */
  restoreNode(path: string, data: string | null, acl: readonly ACLT[], stat: Omit<DataNode, 'data' | 'acl' | 'children' | 'viewMark'>): void {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    const parent = this.restoredParent(path, slash);
    let node = path === '/' ? this.root : parent?.children.get(name);
    if (node !== undefined) {
      if (!RESERVED_PATHS.has(path) || this.restored.has(path)) throw new Error(`${path} is stored twice`);
      this.restored.add(path);
      this.approximateDataBytes += (data?.length ?? 0) - (node.data?.length ?? 0);
      node.data = data;
      this.replaceAcl(node, acl);
    } else {
      if (parent === undefined) throw new Error(`${path} comes before its parent ${parentPath(path)}`);
      node = newNode(data, this.acls.acquire(acl), 0n, 0n, stat.ephemeralOwner === 0n ? 0n : stat.ephemeralOwner);
      this.addChild(parent, name, node);
      this.count++;
      this.approximateDataBytes += path.length + (data?.length ?? 0);
      this.indexOwner(path, stat.ephemeralOwner);
    }
    const cache = this.restoreCache;
    cache.lastPath = path;
    cache.last = node;
    // Each bigint read from a file is an object of its own; a node never changed since its
    // create has equal zxids and equal times, and sharing one object for them (as a create
    // does) leaves two per node instead of five for the collector to trace.
    node.czxid = stat.czxid;
    node.mzxid = stat.mzxid === stat.czxid ? stat.czxid : stat.mzxid;
    node.pzxid = stat.pzxid === stat.czxid ? stat.czxid : stat.pzxid === stat.mzxid ? node.mzxid : stat.pzxid;
    // Nodes loaded together were mostly created in the same millisecond as their neighbours.
    const ctime = stat.ctime === cache.time ? cache.time : (cache.time = stat.ctime);
    node.ctime = ctime;
    node.mtime = stat.mtime === ctime ? ctime : stat.mtime;
    node.version = stat.version;
    node.cversion = stat.cversion;
    node.aversion = stat.aversion;
    if (node.ephemeralOwner !== stat.ephemeralOwner) throw new Error(`${path} is stored with owner ${stat.ephemeralOwner}, but the tree has it with ${node.ephemeralOwner}`);
  }

  /** The parent of `path` (its last slash at `slash`) for restoreNode: the cached one when it fits. */
  private restoredParent(path: string, slash: number): DataNode | undefined {
    if (slash <= 0) return slash === 0 && path.length > 1 ? this.root : undefined;
    const cache = this.restoreCache;
    if (cache.parentPath.length === slash && path.startsWith(cache.parentPath)) return cache.parent;
    // Descending: the node restored last is the parent of this one.
    const parent = cache.lastPath.length === slash && path.startsWith(cache.lastPath) ? cache.last : this.lookup(path, slash);
    cache.parentPath = path.slice(0, slash);
    cache.parent = parent;
    return parent;
  }

  /** Ends loading: forgets which reserved nodes were restored, and recounts the quotas. */
  finishRestore(): void {
    this.restored.clear();
    this.restoreCache = emptyRestoreCache();
    this.quotas.rebuild();
  }

  /** Gives `node` (a node of this tree) the interned copy of `acl`. */
  replaceAcl(node: DataNode, acl: readonly ACLT[]): void {
    const previous = node.acl;
    node.acl = this.acls.acquire(acl);
    this.acls.release(previous);
  }

  /**
   * Call before changing the node at `path` outside applyTxn, so an open point-in-time view
   * keeps seeing its state as it was. Creating a node needs no call (its parent changes,
   * though): a view skips nodes created after it was opened.
   */
  willChange(path: string): void {
    if (this.view === undefined) return;
    const node = this.get(path);
    if (node !== undefined) this.view.changing(node);
  }

  private willChangeNode(node: DataNode): void {
    this.view?.changing(node);
  }

  /**
   * Opens a view of the tree frozen at this moment, which stays valid while txns go on being
   * applied: before the tree changes a node the view has not passed yet, the view keeps a copy
   * of it as it was (copy on write), and a deleted node it has not passed yet is kept with its
   * parent. A snapshot can then be written a slice at a time between txns and still hold one
   * consistent state, the one at `view.lastProcessedZxid`; the cost is a copy of each node
   * changed ahead of the walk while the view is open. One view at a time; close it when done.
   */
  openView(): PointInTimeView {
    if (this.view !== undefined) throw new Error('DataTree: a point-in-time view is already open');
    const view = new PointInTimeView(this.root, ++this.viewsOpened, this.lastProcessedZxid, this.count, this.acls.entries(), () => {
      if (this.view === view) this.view = undefined;
    });
    this.view = view;
    return view;
  }

  /** Drops every watch of a closed connection. */
  removeWatcher(watcher: WatcherId): void {
    this.dataWatches.removeWatcher(watcher);
    this.childWatches.removeWatcher(watcher);
  }

  get watchCount(): number {
    return this.dataWatches.watchCount + this.childWatches.watchCount;
  }

  invariants(): void {
    let count = 0;
    const uses = new Map<readonly ACLT[], number>();
    for (const [path, node] of this.nodes) {
      count++;
      uses.set(node.acl, (uses.get(node.acl) ?? 0) + 1);
      if (node.children.size === 0 && node.children !== noChildren) throw new Error(`invariant: ${path} has an empty children map of its own`);
      if (ephemeralKindOf(node.ephemeralOwner) === 'normal' && !this.ephemerals.get(node.ephemeralOwner)?.has(path)) {
        throw new Error(`invariant: ephemeral ${path} not indexed under its owner`);
      }
    }
    if (count !== this.count) throw new Error(`invariant: ${count} nodes in the trie, ${this.count} counted`);
    for (const [owner, paths] of this.ephemerals) {
      for (const path of paths) if (this.get(path)?.ephemeralOwner !== owner) throw new Error(`invariant: ${path} is indexed under a session that does not own it`);
    }
    if (NO_CHILDREN.size !== 0) throw new Error('invariant: the shared empty children map has members');
    if (uses.size !== this.acls.size) throw new Error(`invariant: ${this.acls.size} interned ACLs, ${uses.size} in use`);
    for (const [acl, uses_] of uses) {
      if (this.acls.countOf(acl) !== uses_) throw new Error(`invariant: an ACL used by ${uses_} nodes is counted ${this.acls.countOf(acl)} times`);
    }
  }
}

/** A tree's nodes as a read-only map by path (DataTree.nodes). */
class NodesByPath implements ReadonlyMap<string, DataNode> {
  constructor(private readonly tree: DataTree, private readonly root: DataNode) {}

  get size(): number {
    return this.tree.nodeCount;
  }

  get(path: string): DataNode | undefined {
    // Unlike DataTree.get, a map of paths has no "" key.
    return path === '' ? undefined : this.tree.get(path);
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  *entries(): MapIterator<[string, DataNode]> {
    yield ['/', this.root];
    const stack: [string, DataNode][] = [];
    const push = (path: string, node: DataNode) => {
      const children = [...node.children];
      for (let index = children.length - 1; index >= 0; index--) stack.push([childPath(path, children[index]![0]), children[index]![1]]);
    };
    push('/', this.root);
    while (stack.length > 0) {
      const entry = stack.pop()!;
      yield entry;
      push(entry[0], entry[1]);
    }
  }

  *keys(): MapIterator<string> {
    for (const [path] of this.entries()) yield path;
  }

  *values(): MapIterator<DataNode> {
    for (const [, node] of this.entries()) yield node;
  }

  [Symbol.iterator](): MapIterator<[string, DataNode]> {
    return this.entries();
  }

  forEach(callback: (value: DataNode, key: string, map: ReadonlyMap<string, DataNode>) => void): void {
    for (const [path, node] of this.entries()) callback(node, path, this);
  }
}
