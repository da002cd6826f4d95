/**
 * The order in which ZooKeeper deletes a closing session's ephemerals, because watchers see the
 * NodeDeleted events in it. DataTree keeps each session's ephemerals in a java.util.HashSet;
 * PrepRequestProcessor takes a clone() of it and lists it into the CloseSessionTxn.
 *
 * A HashSet iterates bucket by bucket, insertion order within a bucket (resizes keep it); a
 * String's bucket is (h ^ h >>> 16) & (capacity - 1) with h = String.hashCode(). The session's
 * set starts at capacity 16 and doubles past 3/4 full; clone() re-inserts into a table of
 * tableSizeFor(size / 0.75 + 1), which for small sets is smaller than 16 — so the order changes.
 */

export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

function tableSizeFor(wanted: number): number {
  let capacity = 1;
  while (capacity < wanted) capacity *= 2;
  return capacity;
}

function iterationOrder(items: readonly string[], capacity: number): string[] {
  const bucketOf = (text: string) => {
    const h = javaStringHash(text);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return items
    .map((item, index) => ({ item, index, bucket: bucketOf(item) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map(({ item }) => item);
}

/** `items`, added one by one to a new HashSet<String>, in the order its clone() iterates. */
export function javaHashSetCloneOrder(items: readonly string[]): string[] {
  if (items.length === 0) return [];
  let capacity = 16;
  while (items.length > capacity * 0.75) capacity *= 2;
  const original = iterationOrder(items, capacity);
  return iterationOrder(original, tableSizeFor(Math.floor(Math.fround(items.length / 0.75) + 1)));
}
