/**
 * Outstanding changes (ZooKeeper's PrepRequestProcessor ChangeRecords): the state of each path as
 * it will be once every txn prepared so far has been applied. Prep validates against this view,
 * so requests can be prepared while earlier txns are still being logged; entries are dropped
 * once the tree has applied their zxid.
 *
 * Invariant: an entry's zxid is the zxid of the txn that produced it; entries leave in zxid order.
 */
import type { ACLT } from '../jute/records.js';
import type { DataTree } from '../tree/data-tree.js';

export interface NodeRecord {
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly childCount: number;
  readonly acl: ACLT[];
}

/**
 * `record` with some fields replaced. Spelled out field by field rather than spread: a spread
 * copy goes through V8's generic object clone, which showed as a visible share of a create's
 * prep, and records built here and in ChangeRecords.get share one shape.
 */
export function withChanges(record: NodeRecord, changes: Partial<NodeRecord>): NodeRecord {
  return {
    version: changes.version ?? record.version, cversion: changes.cversion ?? record.cversion,
    aversion: changes.aversion ?? record.aversion, ephemeralOwner: changes.ephemeralOwner ?? record.ephemeralOwner,
    childCount: changes.childCount ?? record.childCount, acl: changes.acl ?? record.acl,
  };
}

/** A path's pending state: a record, or null for "deleted". */
type Pending = { readonly zxid: bigint; readonly record: NodeRecord | null };

export interface RecordView {
  get(path: string): NodeRecord | undefined;
}

export class ChangeRecords implements RecordView {
  private readonly pending = new Map<string, Pending>();
  /** Committed entries in zxid order, as two parallel arrays (no object per entry). */
  private readonly orderZxids: bigint[] = [];
  private readonly orderPaths: string[] = [];
  private orderHead = 0;

  constructor(private readonly tree: DataTree) {}

  get(path: string): NodeRecord | undefined {
    const entry = this.pending.get(path);
    if (entry !== undefined) return entry.record ?? undefined;
    const node = this.tree.get(path);
    if (node === undefined) return undefined;
    return {
      version: node.version, cversion: node.cversion, aversion: node.aversion,
      ephemeralOwner: node.ephemeralOwner, childCount: node.children.size, acl: node.acl,
    };
  }

  private readonly scratch = new Overlay(this);

  /**
   * A scratch layer for one request (a multi may fail halfway and must leave nothing behind):
   * the same one, emptied, each time, since a request is prepared and committed (or dropped)
   * before the next one asks. Nothing may keep it past that.
   */
  overlay(): Overlay {
    this.scratch.changes.clear();
    return this.scratch;
  }

  commitOverlay(overlay: Overlay, zxid: bigint): void {
    for (const [path, record] of overlay.changes) {
      this.pending.set(path, { zxid, record });
      this.orderZxids.push(zxid);
      this.orderPaths.push(path);
    }
  }

  /** The tree has applied every txn up to `zxid`: its entries are now the tree's own state. */
  applied(zxid: bigint): void {
    const zxids = this.orderZxids;
    const paths = this.orderPaths;
    let head = this.orderHead;
    while (head < zxids.length && zxids[head]! <= zxid) {
      const path = paths[head]!;
      if (this.pending.get(path)?.zxid === zxids[head]) this.pending.delete(path);
      head++;
    }
    // Compact only when the applied prefix is most of the array: amortised O(1) per entry.
    if (head === zxids.length) {
      zxids.length = 0;
      paths.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > zxids.length) {
      zxids.splice(0, head);
      paths.splice(0, head);
      head = 0;
    }
    this.orderHead = head;
  }

  get size(): number {
    return this.pending.size;
  }
}

export class Overlay implements RecordView {
  readonly changes = new Map<string, NodeRecord | null>();

  constructor(private readonly base: RecordView) {}

  get(path: string): NodeRecord | undefined {
    if (this.changes.has(path)) return this.changes.get(path) ?? undefined;
    return this.base.get(path);
  }

  set(path: string, record: NodeRecord | null): void {
    this.changes.set(path, record);
  }
}
