/**
 * Iteration orders of java.util.HashSet and HashMap, for the places where ZooKeeper's output
 * order is whatever its hash tables iterate in and we want to print or delete in the same order:
 * a closing session's ephemerals (watchers see the NodeDeleted events in that order), and the
 * children and sessions that SnapshotFormatter lists.
 *
 * A HashMap iterates bucket by bucket, insertion order within a bucket (resizes keep it); a key's
 * bucket is (h ^ h >>> 16) & (capacity - 1) with h = key.hashCode(). The table starts at the
 * constructor's capacity (16 by default; DataNode makes its children set with 8) and doubles
 * whenever the size passes 3/4 of it; it never shrinks. Not modelled: removals (they leave the
 * capacity where it was, so callers pass what they know) and buckets of 8+ colliding keys, which
 * HashMap turns into trees.
 */

/** String.hashCode(): 31-based over the UTF-16 code units, wrapping at 32 bits. */
export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** Long.hashCode(): the high and low 32 bits xor-ed. */
export function javaLongHash(value: bigint): number {
  const bits = BigInt.asUintN(64, value);
  return Number(BigInt.asIntN(32, (bits ^ (bits >> 32n)) & 0xffffffffn));
}

function tableSizeFor(wanted: number): number {
  let capacity = 1;
  while (capacity < wanted) capacity *= 2;
  return capacity;
}

/** The table size after adding `count` keys one by one to a new table of `initialCapacity`. */
function capacityAfterInserts(count: number, initialCapacity: number): number {
  let capacity = tableSizeFor(initialCapacity);
  while (count > capacity * 0.75) capacity *= 2;
  return capacity;
}

function iterationOrder<T>(items: readonly T[], hashOf: (item: T) => number, capacity: number): T[] {
  const bucketOf = (item: T) => {
    const h = hashOf(item);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return items
    .map((item, index) => ({ item, index, bucket: bucketOf(item) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map(({ item }) => item);
}

/** `items` (distinct), added one by one to `new HashSet<String>(initialCapacity)`, in its iteration order. */
export function javaHashSetOrder(items: readonly string[], initialCapacity = 16): string[] {
  return iterationOrder(items, javaStringHash, capacityAfterInserts(items.length, initialCapacity));
}

/** Distinct long keys put one by one into `new HashMap<Long, V>(initialCapacity)`, in its iteration order. */
export function javaHashMapLongKeyOrder(keys: readonly bigint[], initialCapacity = 16): bigint[] {
  return iterationOrder(keys, javaLongHash, capacityAfterInserts(keys.length, initialCapacity));
}

/**
 * `items`, added one by one to a new HashSet<String>, in the order its clone() iterates:
 * clone() re-inserts into a table of tableSizeFor(size / 0.75 + 1), which for small sets is
 * smaller than 16 — so the order changes. (The session's set is what
 * PrepRequestProcessor lists into a CloseSessionTxn.)
 */
export function javaHashSetCloneOrder(items: readonly string[]): string[] {
  if (items.length === 0) return [];
  const original = javaHashSetOrder(items);
  return iterationOrder(original, javaStringHash, tableSizeFor(Math.floor(Math.fround(items.length / 0.75) + 1)));
}
