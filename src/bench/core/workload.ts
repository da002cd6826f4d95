/**
 * Workload scheduling for the bench, all deterministic so two runs against two servers send
 * the same requests in the same order: which op comes next in a read/write mix, which key a
 * session touches next, the names of keys and of sequential znodes, and the shape of the tree
 * that load mode builds.
 *
 * Not here: sockets or time. Invariants: a mix with ratio r gives floor-or-ceil(n*r) reads in
 * any n consecutive picks; every tree node's parent comes in an earlier level.
 */

/** Key znodes are `k` and 7 decimal digits, fixed width so a request frame can be patched in place. */
export const keyDigits = 7;
/** ZooKeeper appends the parent's cversion as %010d to a sequential znode's name. */
export const sequentialDigits = 10;

export function keyName(index: number): string {
  return `k${String(index).padStart(keyDigits, '0')}`;
}

export function sequentialName(prefix: string, sequence: number): string {
  return `${prefix}${String(sequence).padStart(sequentialDigits, '0')}`;
}

/**
 * Reads and writes interleaved evenly at a fixed ratio (error diffusion, not a coin): with 0.9,
 * every ten picks hold nine reads. `phase` in [0, 1) staggers sessions so that their writes do
 * not all fall on the same pick.
 */
export class ReadWriteMix {
  private credit: number;

  constructor(private readonly readRatio: number, phase = 0) {
    if (!(readRatio >= 0 && readRatio <= 1)) throw new RangeError(`read ratio must be in [0, 1], not ${readRatio}`);
    this.credit = phase - Math.floor(phase);
  }

  /** True for a read. */
  nextIsRead(): boolean {
    this.credit += this.readRatio;
    // A tiny tolerance so that ratios like 0.9 stay exact after many additions.
    if (this.credit >= 1 - 1e-9) {
      this.credit -= 1;
      return true;
    }
    return false;
  }
}

/** Round-robin over `keys` keys from a per-session starting point. */
export class KeyCycle {
  private next: number;

  constructor(private readonly keys: number, start: number) {
    this.next = ((start % keys) + keys) % keys;
  }

  take(): number {
    const key = this.next;
    this.next = key + 1 === this.keys ? 0 : key + 1;
    return key;
  }
}

/** Where session `index` of `sessions` starts in a key space, so sessions start spread out. */
export function keyStart(index: number, sessions: number, keys: number): number {
  return Math.floor((index * keys) / sessions);
}

/**
 * The tree of load mode: `levels[l-1]` znodes at depth l below the root, every level but the
 * last full (fanout^l nodes), the last holding the rest. Node i of level l is named by the l
 * base-`fanout` digits of i, most significant first, each segment `n` plus `segmentDigits`
 * decimal digits: with fanout 32, node 1000 of level 3 is `<root>/n00/n31/n08`.
 */
export interface TreeShape {
  readonly fanout: number;
  readonly segmentDigits: number;
  readonly levels: readonly number[];
}

/** The smallest fanout (>= 2) whose `depth` levels hold `znodes` nodes. */
export function treeShape(znodes: number, depth: number): TreeShape {
  if (!Number.isInteger(znodes) || znodes < 1 || !Number.isInteger(depth) || depth < 1) throw new RangeError(`treeShape(${znodes}, ${depth})`);
  const capacity = (fanout: number) => {
    let total = 0;
    for (let level = 1, width = fanout; level <= depth; level++, width *= fanout) total += width;
    return total;
  };
  let fanout = Math.max(2, Math.floor(znodes ** (1 / depth)));
  while (capacity(fanout) < znodes) fanout++;
  const levels: number[] = [];
  let left = znodes;
  for (let level = 1, width = fanout; level <= depth && left > 0; level++, width *= fanout) {
    const count = Math.min(width, left);
    levels.push(count);
    left -= count;
  }
  return { fanout, segmentDigits: String(fanout - 1).length, levels };
}

/** The base-fanout digits of node `index` at depth `level`, most significant first. */
export function treeDigits(shape: TreeShape, level: number, index: number): number[] {
  const digits = new Array<number>(level);
  let rest = index;
  for (let i = level - 1; i >= 0; i--) {
    digits[i] = rest % shape.fanout;
    rest = Math.floor(rest / shape.fanout);
  }
  return digits;
}

export function treePath(root: string, shape: TreeShape, level: number, index: number): string {
  return root + treeDigits(shape, level, index).map((digit) => `/n${String(digit).padStart(shape.segmentDigits, '0')}`).join('');
}

/** Where the digits of each segment of a level's paths are (for a request template to patch). */
export function treePathDigitFields(root: string, shape: TreeShape, level: number): { at: number; width: number }[] {
  const segment = shape.segmentDigits + 2;
  return Array.from({ length: level }, (_, k) => ({ at: root.length + 2 + k * segment, width: shape.segmentDigits }));
}
