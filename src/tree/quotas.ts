/**
 * Quota bookkeeping (ZooKeeper's Quotas/StatsTrack): a subtree `/p` has a quota when
 * `/zookeeper/quota/p/zookeeper_limits` exists; the tree then keeps
 * `/zookeeper/quota/p/zookeeper_stats` holding `count=<nodes>,bytes=<data bytes>` of the subtree,
 * updated in place (no version bump) on every create, delete and setData below `/p`.
 * Limits are only advisory unless enforceQuota is set, as in ZooKeeper.
 *
 * Enforcement (QUOTAEXCEEDED) is prep's, asking exceedsHardLimit, and only with
 * zookeeper.enforceQuota, which ZooKeeper leaves off by default.
 */
import type { DataNode } from './data-tree.js';

export const QUOTA_ROOT = '/zookeeper/quota';
export const LIMIT_NODE = 'zookeeper_limits';
export const STAT_NODE = 'zookeeper_stats';
/** Every quota node is below this (a constant: every create asks). */
const QUOTA_PREFIX = `${QUOTA_ROOT}/`;

/** The zookeeper_limits or zookeeper_stats node of the quota on `root`. */
function quotaNodePath(root: string, name: typeof LIMIT_NODE | typeof STAT_NODE): string {
  return `${QUOTA_ROOT}${root === '/' ? '' : root}/${name}`;
}

/** A zookeeper_stats node's data (StatsTrack's text for a count and a byte total). */
export function statsText(count: number, bytes: number): string {
  return `count=${count},bytes=${bytes}`;
}

/** A zookeeper_limits node's limits; -1 is unset. */
export interface QuotaLimits {
  /** setquota -n: soft limit on the number of nodes. */
  readonly count: number;
  /** -b: soft limit on data bytes. */
  readonly bytes: number;
  /** -N */
  readonly countHardLimit: number;
  /** -B */
  readonly byteHardLimit: number;
}

export const NO_LIMITS: QuotaLimits = { count: -1, bytes: -1, countHardLimit: -1, byteHardLimit: -1 };

/**
 * StatsTrack(String): every `key=value` pair, split at ',' and ';', that parses; what is missing
 * stays -1. Reads stats and limits alike, 3.8.0's `bytes=-1=;byteHardLimit=…` included.
 */
export function parseLimits(text: string | null): QuotaLimits {
  const found: Record<string, number> = {};
  for (const pair of (text ?? '').split(/[,;]/)) {
    const [key, value] = pair.split('=');
    if (key !== undefined && value !== undefined && /^-?\d+$/.test(value)) found[key] = Number(value);
  }
  return {
    count: found['count'] ?? -1, bytes: found['bytes'] ?? -1,
    countHardLimit: found['countHardLimit'] ?? -1, byteHardLimit: found['byteHardLimit'] ?? -1,
  };
}

/** StatsTrack.toString for limits as zkCli 3.8.0 writes them: all four fields, with its `=;`. */
export function formatLimits(limits: QuotaLimits): string {
  return `count=${limits.count},bytes=${limits.bytes}=;byteHardLimit=${limits.byteHardLimit};countHardLimit=${limits.countHardLimit}`;
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

  /**
   * ZooKeeperServer.checkQuota with zookeeper.enforceQuota: would adding `countDiff` nodes and
   * `bytesDiff` data bytes below `path` pass a hard limit of the deepest quota over it? Soft
   * limits only ever warn. Counts come from the applied tree's stats, as ZooKeeper's do (so
   * writes still in flight are not counted yet), and /zookeeper's own quota is never enforced.
   */
  exceedsHardLimit(path: string, bytesDiff: number, countDiff: number): boolean {
    const root = this.rootOf(path);
    if (root === undefined || root === '/zookeeper') return false;
    const limitsNode = this.tree.get(quotaNodePath(root, LIMIT_NODE));
    if (limitsNode === undefined) return false;
    const limits = parseLimits(limitsNode.data);
    const checkCount = countDiff !== 0 && (limits.count > -1 || limits.countHardLimit > -1);
    const checkBytes = bytesDiff !== 0 && (limits.bytes > -1 || limits.byteHardLimit > -1);
    if (!checkCount && !checkBytes) return false;
    const statsNode = this.tree.get(quotaNodePath(root, STAT_NODE));
    if (statsNode === undefined) return false;
    const used = parseLimits(statsNode.data);
    if (checkCount && limits.countHardLimit > -1 && used.count + countDiff > limits.countHardLimit) return true;
    return checkBytes && limits.byteHardLimit > -1 && used.bytes + bytesDiff > limits.byteHardLimit;
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
    const statsPath = quotaNodePath(root, STAT_NODE);
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
    const statsPath = quotaNodePath(root, STAT_NODE);
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
