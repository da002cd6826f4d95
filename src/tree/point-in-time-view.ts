/**
 * Point-in-time views of a DataTree, for snapshots written a slice at a time while txns go on
 * (DataTree.openView): the view and its depth-first walk.
 *
 * Not here: the tree itself (data-tree.ts), which tells an open view before it changes or deletes
 * a node; the snapshot format (storage/format/snapshot-writer.ts), which reads the walk.
 */
import type { ACLT } from '../jute/records.js';
import { childPath } from '../util/path.js';
import type { DataNode } from './data-tree.js';

/**
 * A walk over a tree's nodes, parents first: `next()` moves to the next node and returns false
 * once there is none; `node` and its place then describe it. A cursor rather than an iterator, so
 * a million nodes cost no result object each. The place is `dir` (the parent's path, '' for the
 * root) and `name` ('' for the root); `path` joins them, made only when read: a writer that
 * writes the two parts saves building (and V8 flattening) a path string per node.
 */
export interface NodeWalk {
  next(): boolean;
  readonly node: DataNode;
  readonly dir: string;
  readonly name: string;
  readonly path: string;
}

interface WalkFrame {
  readonly path: string;
  /** The live node: its children map is walked, and nodes deleted under it are kept by it. */
  readonly node: DataNode;
  /** The live children still to walk, then (undefined) those deleted since opening. */
  live: Iterator<[string, DataNode]> | undefined;
  removedAt: number;
}

/**
 * The tree as it was when the view was opened (DataTree.openView), walked depth first
 * (`walk()`). The walk reads the live tree, skipping nodes created since opening (their czxid
 * is later than the view's zxid); the tree tells the view before it changes or deletes a node,
 * and the view keeps what it will need of those it has not passed yet: a copy of a changed
 * node's state, and a deleted node under its parent (walked after the parent's live children).
 * Every node the walk passes is marked with the view's number, so changes behind the walk cost
 * nothing. Children maps are never copied: copying a parent with a million children would stall
 * the server.
 */
export class PointInTimeView {
  /** Copies of nodes as they were before their first change since opening, until passed. */
  private readonly kept = new Map<DataNode, DataNode>();
  /** Children deleted since opening, before the walk passed them, by their (live) parent. */
  private readonly removed = new Map<DataNode, [string, DataNode][]>();
  private keptTotal = 0;
  private closed = false;
  private walking = false;

  constructor(private readonly root: DataNode, private readonly mark: number, readonly lastProcessedZxid: bigint,
    /** Nodes in the tree at opening. */
    readonly nodeCount: number,
    /** The interned ACL arrays in use when the view was opened: every node the view shows has one of them. */
    readonly acls: readonly (readonly ACLT[])[], private readonly onClose: () => void) {}

  /** Copies and deleted nodes kept so far (how much the view costs). */
  get keptCount(): number {
    return this.keptTotal;
  }

  /** Called by the tree before it changes `node`'s data, ACL or stat. */
  changing(node: DataNode): void {
    if (node.viewMark === this.mark || node.czxid > this.lastProcessedZxid || this.kept.has(node)) return;
    this.kept.set(node, { ...node });
    this.keptTotal++;
  }

  /** Called by the tree before it deletes `node`, its parent's child `name`. */
  removing(parent: DataNode, name: string, node: DataNode): void {
    if (node.viewMark === this.mark || node.czxid > this.lastProcessedZxid) return;
    let list = this.removed.get(parent);
    if (list === undefined) this.removed.set(parent, (list = []));
    list.push([name, node]);
    this.keptTotal++;
  }

  /**
   * The view's nodes, parents first: the root, then depth first, children in the order their
   * parent's map holds them (those deleted since opening last). One walk per view.
   */
  walk(): NodeWalk {
    if (this.walking) throw new Error('PointInTimeView: walked twice');
    this.walking = true;
    return new ViewWalk(this, this.root);
  }

  /** For ViewWalk: a closed view is not read any more. */
  checkOpen(): void {
    if (this.closed) throw new Error('PointInTimeView: read after close');
  }

  /** For ViewWalk: whether the walk shows `child` (it existed at opening and is not passed). */
  shows(child: DataNode): boolean {
    this.checkOpen();
    return child.czxid <= this.lastProcessedZxid && child.viewMark !== this.mark;
  }

  /** For ViewWalk: marks `node` passed and returns its state at opening. */
  passing(node: DataNode): DataNode {
    node.viewMark = this.mark;
    const copy = this.kept.get(node);
    if (copy === undefined) return node;
    this.kept.delete(node);
    return copy;
  }

  /**
   * For ViewWalk: a frame walking the live children of `node`, then those deleted under it since
   * opening; none for a node without either (most of them). A node without live children cannot
   * lose one it had at opening later, so a leaf needs no frame that waits for deletions.
   */
  frame(node: DataNode, dir: string, name: string): WalkFrame | undefined {
    const live = node.children.size > 0 ? node.children.entries() : undefined;
    if (live === undefined && (this.removed.size === 0 || !this.removed.has(node))) return undefined;
    // The path only for a node with children: leaves (most nodes) never need it joined.
    return { path: childPath(dir, name), node, live, removedAt: 0 };
  }

  /** For ViewWalk: the frame's next child, live ones first, or undefined once there is none. */
  nextChild(frame: WalkFrame): [string, DataNode] | undefined {
    if (frame.live !== undefined) {
      const step = frame.live.next();
      if (step.done !== true) return step.value;
      frame.live = undefined;
    }
    return this.nextRemoved(frame);
  }

  /** The frame's next deleted child (the list grows while the walk goes on), or undefined once done. */
  private nextRemoved(frame: WalkFrame): [string, DataNode] | undefined {
    const removed = this.removed.get(frame.node);
    if (removed === undefined) return undefined;
    if (frame.removedAt < removed.length) return removed[frame.removedAt++];
    this.removed.delete(frame.node);
    return undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.kept.clear();
    this.removed.clear();
    this.onClose();
  }
}

/** PointInTimeView's walk: depth first over the live children maps, with the view's corrections. */
class ViewWalk implements NodeWalk {
  node: DataNode;
  dir = '';
  name = '';
  private started = false;
  private readonly stack: WalkFrame[] = [];
  private joined: string | undefined;

  constructor(private readonly view: PointInTimeView, private readonly root: DataNode) {
    this.node = root;
  }

  get path(): string {
    return this.joined ??= childPath(this.dir, this.name);
  }

  next(): boolean {
    const view = this.view;
    const stack = this.stack;
    if (!this.started) {
      this.started = true;
      view.checkOpen();
      this.node = view.passing(this.root);
      const frame = view.frame(this.root, '', '');
      if (frame !== undefined) stack.push(frame);
      return true;
    }
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const entry = view.nextChild(frame);
      if (entry === undefined) {
        stack.pop();
        continue;
      }
      const name = entry[0];
      const child = entry[1];
      if (!view.shows(child)) continue;
      this.dir = frame.path;
      this.name = name;
      this.joined = undefined;
      this.node = view.passing(child);
      const next = view.frame(child, frame.path, name);
      if (next !== undefined) stack.push(next);
      return true;
    }
    return false;
  }
}
