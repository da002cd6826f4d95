/**
 * Quota bookkeeping (ZooKeeper's Quotas/StatsTrack): a subtree `/p` has a quota when
 * `/zookeeper/quota/p/zookeeper_limits` exists; the tree then keeps
 * `/zookeeper/quota/p/zookeeper_stats` holding `count=<nodes>,bytes=<data bytes>` of the subtree,
 * updated in place (no version bump) on every create, delete and setData below `/p`.
 * Limits are only advisory here, as they are in ZooKeeper unless enforceQuota is set.
 *
 * Not here: enforcement (QUOTAEXCEEDED) — ZooKeeper defaults to not enforcing.
 */
import type { DataNode } from './data-tree.js';

export const QUOTA_ROOT = '/zookeeper/quota';
export const LIMIT_NODE = 'zookeeper_limits';
export const STAT_NODE = 'zookeeper_stats';
/** Every quota node is below this (a constant: every create asks). */
const QUOTA_PREFIX = `${QUOTA_ROOT}/`;

/** A zookeeper_stats node's data (StatsTrack's text for a count and a byte total). */
export function statsText(count: number, bytes: number): string {
  return `count=${count},bytes=${bytes}`;
}

interface TreeView {
  get(path: string): DataNode | undefined;
  /** Before a stats node's data is replaced in place (keeps point-in-time views right). */
  willChange(path: string): void;
}

export class Quotas {
  private readonly roots = new Set<string>();

  constructor(private readonly tree: TreeView) {}

  /** A node was created at `path` with `dataBytes` of data. */
  onCreate(path: string, dataBytes: number): void {
    const special = this.quotaNodeOf(path);
    if (special?.name === LIMIT_NODE) {
      this.roots.add(special.root);
    } else if (special?.name === STAT_NODE) {
      this.recount(special.root);
    } else {
      this.adjust(path, 1, dataBytes);
    }
  }

  onDelete(path: string, dataBytes: number): void {
    const special = this.quotaNodeOf(path);
    if (special?.name === LIMIT_NODE) this.roots.delete(special.root);
    else if (special === undefined) this.adjust(path, -1, -dataBytes);
  }

  onSetData(path: string, deltaBytes: number): void {
    if (this.quotaNodeOf(path) === undefined) this.adjust(path, 0, deltaBytes);
  }

  /**
   * After a load: find every quota (a zookeeper_limits node) and recount its subtree into its
   * zookeeper_stats node, as ZooKeeper's DataTree.setupQuota does after deserializing.
   */
  rebuild(): void {
    this.roots.clear();
    const stack = [QUOTA_ROOT];
    const found: string[] = [];
    while (stack.length > 0) {
      const at = stack.pop()!;
      const node = this.tree.get(at);
      if (node === undefined) continue;
      for (const child of node.children.keys()) {
        const path = `${at}/${child}`;
        if (child === LIMIT_NODE) found.push(at.slice(QUOTA_ROOT.length) || '/');
        else stack.push(path);
      }
    }
    for (const root of found) {
      this.roots.add(root);
      this.recount(root);
    }
  }

  private quotaNodeOf(path: string): { root: string; name: string } | undefined {
    if (!path.startsWith(QUOTA_PREFIX)) return undefined;
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    if (name !== LIMIT_NODE && name !== STAT_NODE) return undefined;
    return { root: path.slice(QUOTA_ROOT.length, slash) || '/', name };
  }

  /** The deepest quota root at or above `path`. */
  private rootOf(path: string): string | undefined {
    if (this.roots.size === 0 || path.startsWith(QUOTA_PREFIX)) return undefined;
    for (let at = path; ; at = at.slice(0, Math.max(1, at.lastIndexOf('/')))) {
      if (this.roots.has(at)) return at;
      if (at === '/') return undefined;
    }
  }

  private adjust(path: string, countDelta: number, bytesDelta: number): void {
    const root = this.rootOf(path);
    if (root === undefined) return;
    const statsPath = `${QUOTA_ROOT}${root === '/' ? '' : root}/${STAT_NODE}`;
    const stats = this.tree.get(statsPath);
    if (stats === undefined) return;
    this.tree.willChange(statsPath);
    // The stats text is ASCII, so its Latin-1 form (DataNode.data) reads as it is.
    const text = stats.data ?? '';
    const count = Number(/count=(-?\d+)/.exec(text)?.[1] ?? 0) + countDelta;
    const bytes = Number(/bytes=(-?\d+)/.exec(text)?.[1] ?? 0) + bytesDelta;
    stats.data = statsText(count, bytes);
  }

  private recount(root: string): void {
    const statsPath = `${QUOTA_ROOT}${root === '/' ? '' : root}/${STAT_NODE}`;
    const stats = this.tree.get(statsPath);
    if (stats === undefined) return;
    this.tree.willChange(statsPath);
    let count = 0;
    let bytes = 0;
    const stack = [root];
    while (stack.length > 0) {
      const at = stack.pop()!;
      const node = this.tree.get(at);
      if (node === undefined) continue;
      count++;
      bytes += node.data?.length ?? 0;
      for (const child of node.children.keys()) stack.push(at === '/' ? `/${child}` : `${at}/${child}`);
    }
    stats.data = statsText(count, bytes);
  }
}
