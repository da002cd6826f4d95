/**
 * The data tree: znodes by path, their Stat, ACLs, children, the session→ephemerals index, the
 * container/TTL candidate sets, and the data and child watch managers. It applies transactions
 * (already validated by the request pipeline) and reports which watch events they fire.
 *
 * Deliberately not here: validation, permissions, sessions, networking, persistence.
 * Invariants (checked by `invariants()`): every non-root node's parent exists and lists it;
 * numChildren equals the children set size; every ephemeral is indexed under its owner.
 * Applying a txn is idempotent enough for fuzzy-snapshot replay, as in ZooKeeper's DataTree:
 * a create of an existing node or a delete of a missing one reports an error and changes nothing.
 */
import { ErrorCode, EventType, type EventTypeValue, Perms } from '../protocol/codes.js';
import type { ACLT, StatT } from '../jute/records.js';
import { WatchManager, type WatcherId } from './watch-manager.js';
import { Quotas } from './quotas.js';
import { AclCache } from './acl-cache.js';
import { ByteSlab } from '../util/byte-slab.js';
import { CONTAINER_EPHEMERAL_OWNER, ephemeralKindOf, ttlEphemeralOwner, type Txn, type TxnHeader } from './txn.js';

export interface DataNode {
  data: Uint8Array | null;
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
   * The children's names. Leaves (most nodes) share one empty set, NO_CHILDREN, which is never
   * changed: the tree gives a node its own set when the first child arrives. Only the tree
   * changes a node's set.
   */
  children: Set<string>;
}

/** The shared children set of every leaf: empty, and never added to (DataTree checks). */
export const NO_CHILDREN: ReadonlySet<string> = new Set<string>();
const noChildren = NO_CHILDREN as Set<string>;

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

function newNode(data: Uint8Array | null, acl: ACLT[], zxid: bigint, timeMs: bigint, ephemeralOwner: bigint): DataNode {
  return {
    data, acl, czxid: zxid, mzxid: zxid, ctime: timeMs, mtime: timeMs, version: 0, cversion: 0, aversion: 0,
    ephemeralOwner, pzxid: zxid, children: noChildren,
  };
}

export class DataTree {
  readonly nodes = new Map<string, DataNode>();
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
  /** Reserved nodes already restored during a load (restoreNode), to catch duplicates. */
  private readonly restored = new Set<string>();
  /** Set while a data dir is loaded (startLoading): node data is copied out of the file bytes. */
  private slab: ByteSlab | undefined;
  /**
   * Whether `nodes`' insertion order lists every parent before its children. It does while no
   * node has been deleted with children left (only replaying txns over a fuzzy snapshot can do
   * that): a node goes in only while its parent's entry exists, and that entry can leave only
   * after the node has. A snapshot then walks the map in order instead of looking up every path.
   */
  private insertionOrderParentsFirst = true;

  constructor() {
    const root = newNode(new Uint8Array(0), this.acls.acquire(OPEN_ACL_UNSAFE), 0n, 0n, 0n);
    this.nodes.set('/', root);
    // The reserved subtree every ZooKeeper server has (ZooDefs.ZOOKEEPER_NODE_SUBTREE).
    // In the order a fresh ZooKeeper's snapshot lists them, so an empty zkts snapshot is byte-identical.
    for (const [path, acl] of [['/zookeeper', OPEN_ACL_UNSAFE], ['/zookeeper/config', READ_ACL_UNSAFE], ['/zookeeper/quota', OPEN_ACL_UNSAFE]] as const) {
      this.nodes.set(path, newNode(new Uint8Array(0), this.acls.acquire(acl), 0n, 0n, 0n));
      this.addChild(this.nodes.get(parentPath(path))!, childName(path));
    }
    // ZooKeeper sets the config node's ACL with version -1 (DataTree.addConfigNode), and shows it.
    this.nodes.get('/zookeeper/config')!.aversion = -1;
  }

  /** ZooKeeper also knows the root as "" (its internal name), so reads of "" see the root. */
  get(path: string): DataNode | undefined {
    return this.nodes.get(path === '' ? '/' : path);
  }

  get nodeCount(): number {
    return this.nodes.size;
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
    const node = this.nodes.get(path);
    if (node === undefined) return 0;
    let count = 0;
    const stack = [path];
    while (stack.length > 0) {
      const at = stack.pop()!;
      const children = this.nodes.get(at)?.children;
      if (children === undefined) continue;
      for (const child of children) {
        count++;
        stack.push(at === '/' ? `/${child}` : `${at}/${child}`);
      }
    }
    return count;
  }

  applyTxn(header: TxnHeader, txn: Txn): { result: TxnResult; events: WatchEvent[] } {
    const events: WatchEvent[] = [];
    const result = this.apply(header, txn, events);
    if (header.zxid > this.lastProcessedZxid) this.lastProcessedZxid = header.zxid;
    return { result, events };
  }

  private apply(header: TxnHeader, txn: Txn, events: WatchEvent[]): TxnResult {
    switch (txn.type) {
      case 'create':
      case 'create2':
        return this.createNode(header, txn.type, txn.path, txn.data, txn.acl, txn.ephemeral ? header.clientId : 0n, txn.parentCVersion, events);
      case 'createContainer':
        return this.createNode(header, txn.type, txn.path, txn.data, txn.acl, CONTAINER_EPHEMERAL_OWNER, txn.parentCVersion, events);
      case 'createTTL':
        return this.createNode(header, txn.type, txn.path, txn.data, txn.acl, ttlEphemeralOwner(txn.ttl), txn.parentCVersion, events);
      case 'delete':
      case 'deleteContainer':
        return { type: 'delete', err: this.deleteNode(txn.path, header.zxid, events) };
      case 'setData': {
        const node = this.nodes.get(txn.path);
        if (node === undefined) return { type: 'setData', err: ErrorCode.NONODE };
        this.willChange(txn.path);
        this.approximateDataBytes += (txn.data?.length ?? 0) - (node.data?.length ?? 0);
        this.quotas.onSetData(txn.path, (txn.data?.length ?? 0) - (node.data?.length ?? 0));
        node.data = this.loaded(txn.data);
        node.version = txn.version;
        node.mzxid = header.zxid;
        node.mtime = header.timeMs;
        this.fire(this.dataWatches.trigger(txn.path, EventType.NodeDataChanged), EventType.NodeDataChanged, txn.path, header.zxid, node.acl, events);
        return { type: 'setData', err: ErrorCode.OK, stat: this.statOf(node) };
      }
      case 'setACL': {
        const node = this.nodes.get(txn.path);
        if (node === undefined) return { type: 'setACL', err: ErrorCode.NONODE };
        this.willChange(txn.path);
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
          return this.apply(header, sub, events);
        });
        return { type: 'multi', err: ErrorCode.OK, results };
      }
    }
  }

  private createNode(header: TxnHeader, txnType: CreateTxnType, path: string, data: Uint8Array | null, acl: ACLT[], ephemeralOwner: bigint,
    parentCVersion: number, events: WatchEvent[]): TxnResult & { type: 'create' } {
    const parentName = parentPath(path);
    const parent = this.nodes.get(parentName);
    if (parent === undefined) return { type: 'create', err: ErrorCode.NONODE, path, txnType };
    // Only the parent changes for a view (the new path is not among its nodes), and it must be
    // kept before the child is added; a create that finds the name taken changes nothing.
    this.willChange(parentName);
    // Adding is also the existence check: one operation on what may be a very large set.
    if (!this.addChild(parent, childName(path))) return { type: 'create', err: ErrorCode.NODEEXISTS, path, txnType };
    // As in DataTree.createNode: cversion only moves forward, so replaying an older txn cannot rewind it.
    let cversion = parentCVersion;
    if (cversion === -1) cversion = parent.cversion + 1;
    if (cversion > parent.cversion) {
      parent.cversion = cversion;
      parent.pzxid = header.zxid;
    }
    const node = newNode(this.loaded(data), this.acls.acquire(acl), header.zxid, header.timeMs, ephemeralOwner);
    this.nodes.set(path, node);
    this.approximateDataBytes += path.length + (data?.length ?? 0);
    this.quotas.onCreate(path, data?.length ?? 0);
    this.indexOwner(path, ephemeralOwner);
    this.fire(this.dataWatches.trigger(path, EventType.NodeCreated), EventType.NodeCreated, path, header.zxid, acl, events);
    this.fire(this.childWatches.trigger(parentName, EventType.NodeChildrenChanged), EventType.NodeChildrenChanged, parentName, header.zxid, parent.acl, events);
    return { type: 'create', err: ErrorCode.OK, path, stat: this.statOf(node), txnType };
  }

  private deleteNode(path: string, zxid: bigint, events: WatchEvent[]): number {
    const node = this.nodes.get(path);
    const parentName = parentPath(path);
    const parent = this.nodes.get(parentName);
    if (node === undefined || parent === undefined) return ErrorCode.NONODE;
    if (node.children.size > 0) this.insertionOrderParentsFirst = false;
    this.willChange(parentName);
    this.willChange(path);
    if (parent.children.size === 1 && parent.children.has(childName(path))) parent.children = noChildren;
    else parent.children.delete(childName(path));
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    this.nodes.delete(path);
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
    const notified = this.dataWatches.trigger(path, EventType.NodeDeleted);
    this.fire(notified, EventType.NodeDeleted, path, zxid, node.acl, events);
    this.fire(this.childWatches.trigger(path, EventType.NodeDeleted, notified), EventType.NodeDeleted, path, zxid, node.acl, events);
    this.fire(this.childWatches.trigger(parentName, EventType.NodeChildrenChanged), EventType.NodeChildrenChanged, parentName, zxid, parent.acl, events);
    return ErrorCode.OK;
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

  /** Adds `name` to the parent's children; false if it was there already. */
  private addChild(parent: DataNode, name: string): boolean {
    if (parent.children === noChildren) {
      parent.children = new Set([name]);
      return true;
    }
    const before = parent.children.size;
    parent.children.add(name);
    return parent.children.size !== before;
  }

  /**
   * Puts a node back as a snapshot stored it (loading only): `stat` and all, parents before
   * children, no watches fired, no cversion moved. Quota stats are left for `quotas.rebuild()`
   * once every node is in, as ZooKeeper's setupQuota recounts them after loading. A node the
   * tree starts with (root, /zookeeper…) gets the stored state; any other existing node, or a
   * missing parent, is an error (the message says which).
   */
  restoreNode(path: string, data: Uint8Array | null, acl: readonly ACLT[], stat: Omit<DataNode, 'data' | 'acl' | 'children'>): void {
    data = this.loaded(data);
    let node = this.nodes.get(path);
    if (node !== undefined) {
      if (!RESERVED_PATHS.has(path) || this.restored.has(path)) throw new Error(`${path} is stored twice`);
      this.approximateDataBytes += (data?.length ?? 0) - (node.data?.length ?? 0);
      node.data = data;
      this.replaceAcl(node, acl);
    } else {
      const parent = this.nodes.get(parentPath(path));
      if (parent === undefined) throw new Error(`${path} comes before its parent ${parentPath(path)}`);
      node = newNode(data, this.acls.acquire(acl), 0n, 0n, stat.ephemeralOwner === 0n ? 0n : stat.ephemeralOwner);
      this.addChild(parent, childName(path));
      this.nodes.set(path, node);
      this.approximateDataBytes += path.length + (data?.length ?? 0);
      this.indexOwner(path, stat.ephemeralOwner);
    }
    if (RESERVED_PATHS.has(path)) this.restored.add(path);
    // Each bigint read from a file is an object of its own; a node never changed since its
    // create has equal zxids and equal times, and sharing one object for them (as a create
    // does) leaves two per node instead of five for the collector to trace.
    node.czxid = stat.czxid;
    node.mzxid = stat.mzxid === stat.czxid ? stat.czxid : stat.mzxid;
    node.pzxid = stat.pzxid === stat.czxid ? stat.czxid : stat.pzxid === stat.mzxid ? node.mzxid : stat.pzxid;
    node.ctime = stat.ctime;
    node.mtime = stat.mtime === stat.ctime ? stat.ctime : stat.mtime;
    node.version = stat.version;
    node.cversion = stat.cversion;
    node.aversion = stat.aversion;
    if (node.ephemeralOwner !== stat.ephemeralOwner) throw new Error(`${path} is stored with owner ${stat.ephemeralOwner}, but the tree has it with ${node.ephemeralOwner}`);
  }

  /**
   * While loading a data dir (a snapshot, then the logs after it), node data is copied into
   * shared 256 KiB blocks instead of staying a view into the file's bytes, which would keep a
   * whole snapshot or 64 MiB log file alive; a copy per node would cost an ArrayBuffer each.
   * Not for the write path: a block lives as long as any node data in it.
   */
  startLoading(): void {
    this.slab ??= new ByteSlab(256 * 1024, 4 * 1024);
  }

  finishLoading(): void {
    this.slab = undefined;
  }

  /** Node data as the tree keeps it: copied out of the file bytes while loading (startLoading). */
  private loaded(data: Uint8Array | null): Uint8Array | null {
    return this.slab === undefined || data === null ? data : this.slab.copyOf(data);
  }

  /** Ends loading: forgets which reserved nodes were restored, and recounts the quotas. */
  finishRestore(): void {
    this.restored.clear();
    this.quotas.rebuild();
  }

  /** Gives `node` (a node of this tree) the interned copy of `acl`. */
  replaceAcl(node: DataNode, acl: readonly ACLT[]): void {
    const previous = node.acl;
    node.acl = this.acls.acquire(acl);
    this.acls.release(previous);
  }

  /**
   * Call before changing or deleting the node at `path` outside applyTxn, so an open
   * point-in-time view keeps seeing its state as it was. Creating a node needs no call (its
   * parent changes, though): a view is never asked for a path it did not hold.
   */
  willChange(path: string): void {
    if (this.view === undefined) return;
    const node = this.nodes.get(path);
    if (node !== undefined) this.view.preserve(path, node);
  }

  /**
   * Opens a view of the tree frozen at this moment, which stays valid while txns go on being
   * applied: before the tree changes a node, the view keeps a copy of it as it was (copy on
   * write). A snapshot can then be written a slice at a time between txns and still hold one
   * consistent state, the one at `view.lastProcessedZxid`; the cost is a copy of each node
   * changed while the view is open. One view at a time; close it when done.
   */
  openView(): PointInTimeView {
    if (this.view !== undefined) throw new Error('DataTree: a point-in-time view is already open');
    const view = new PointInTimeView(this.nodes, this.lastProcessedZxid, this.acls.entries(), this.insertionOrderParentsFirst, () => {
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
    for (const [path, node] of this.nodes) {
      if (path !== '/') {
        const parent = this.nodes.get(parentPath(path));
        if (parent === undefined || !parent.children.has(childName(path))) throw new Error(`invariant: ${path} is not listed by its parent`);
      }
      for (const child of node.children) {
        if (!this.nodes.has(path === '/' ? `/${child}` : `${path}/${child}`)) throw new Error(`invariant: ${path} lists missing child ${child}`);
      }
      if (ephemeralKindOf(node.ephemeralOwner) === 'normal' && !this.ephemerals.get(node.ephemeralOwner)?.has(path)) {
        throw new Error(`invariant: ephemeral ${path} not indexed under its owner`);
      }
    }
    if (NO_CHILDREN.size !== 0) throw new Error('invariant: the shared empty children set has members');
    const uses = new Map<readonly ACLT[], number>();
    for (const node of this.nodes.values()) uses.set(node.acl, (uses.get(node.acl) ?? 0) + 1);
    if (uses.size !== this.acls.size) throw new Error(`invariant: ${this.acls.size} interned ACLs, ${uses.size} in use`);
    for (const [acl, count] of uses) {
      if (this.acls.countOf(acl) !== count) throw new Error(`invariant: an ACL used by ${count} nodes is counted ${this.acls.countOf(acl)} times`);
    }
  }
}

/** A view's nodes as a list, every parent before its children (PointInTimeView.listing). */
export interface NodeListing {
  readonly length: number;
  pathAt(index: number): string;
  nodeAt(index: number): DataNode;
}

/**
 * The tree as it was when the view was opened (DataTree.openView). Reads fall through to the
 * live tree for nodes that have not changed since, and to the kept copies for those that have.
 */
export class PointInTimeView {
  /**
   * Copies of nodes as they were before their first change since opening. Paths created since
   * are not recorded (that would cost a large map's insert per create during a snapshot): see
   * `get`. A node created and then changed since opening gets a copy too, which nothing reads.
   */
  private readonly kept = new Map<string, DataNode>();
  private closed = false;
  /** The paths at opening in the tree's insertion order, and the node objects then at them. */
  private readonly paths: string[];
  private readonly nodesAtOpen: DataNode[];
  /**
   * Every node of the view, parents first, when the tree vouched for its insertion order: a
   * snapshot walks this list rather than finding each child by a path built from its parent's
   * (two lookups in a large map and a new string per node). Copying the two arrays at opening
   * costs about 25 ms per million nodes (spreading the map's keys and values is the fastest
   * way measured; a for-of over its entries makes an array per entry and is several times slower).
   */
  readonly listing: NodeListing | undefined;

  constructor(private readonly live: ReadonlyMap<string, DataNode>, readonly lastProcessedZxid: bigint,
    /** The interned ACL arrays in use when the view was opened: every node the view shows has one of them. */
    readonly acls: readonly (readonly ACLT[])[], insertionOrderParentsFirst: boolean, private readonly onClose: () => void) {
    const paths = insertionOrderParentsFirst ? [...live.keys()] : [];
    const nodesAtOpen = insertionOrderParentsFirst ? [...live.values()] : [];
    this.paths = paths;
    this.nodesAtOpen = nodesAtOpen;
    if (!insertionOrderParentsFirst) return;
    this.listing = {
      length: paths.length,
      pathAt: (index) => paths[index]!,
      nodeAt: (index) => {
        if (this.closed) throw new Error('PointInTimeView: read after close');
        // A node changed since opening has its old state kept; one that was not is as it was.
        return this.kept.get(paths[index]!) ?? nodesAtOpen[index]!;
      },
    };
  }

  /**
   * The node at `path` as it was at opening, for a path the view holds: the root, and every
   * child listed by a node the view returned (their children sets are as at opening too, when
   * the view has no listing; with one, walk the listing instead). A path first created since
   * opening reads as the live node, so do not ask for one.
   */
  get(path: string): DataNode | undefined {
    if (this.closed) throw new Error('PointInTimeView: read after close');
    return this.kept.get(path) ?? this.live.get(path);
  }

  /** Copies kept so far (how much the view costs). */
  get keptCount(): number {
    return this.kept.size;
  }

  /**
   * Keeps a copy of `node` (live at `path`, about to change) unless one is kept already. With a
   * listing, the copy shares the live children set instead of copying it: nothing reads a
   * view's children then (the listing replaces the walk from the root), and copying the set of
   * a parent with a million children would stall the server for a fraction of a second.
   */
  preserve(path: string, node: DataNode): void {
    if (this.kept.has(path)) return;
    const children = node.children === NO_CHILDREN || this.listing !== undefined ? node.children : new Set(node.children);
    this.kept.set(path, { ...node, children });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.kept.clear();
    this.paths.length = 0;
    this.nodesAtOpen.length = 0;
    this.onClose();
  }
}
