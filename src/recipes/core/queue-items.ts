/**
 * Names and order of distributed-queue items, PURE (ZooKeeper's "Queues" and "Priority Queues"
 * recipes): an item is a persistent sequential child `qn-<ppp>-` of the queue node, where <ppp>
 * is its priority as three digits (lower first, like UNIX nice) and the server appends the
 * sequence. Items are taken in (priority, sequence) order, so equal priorities are FIFO.
 * Producers create items under a protected name (`_c_<guid>-qn-…`, see names.ts), so a put whose
 * reply is lost is found again rather than enqueued twice.
 *
 * Not here: the queue's I/O (queue.ts). Invariant: `sortItems` returns only names `itemBase`
 * parses, each once.
 */
import { sortSequential, type SequentialNode } from './names.js';

export const priorityMin = 0;
export const priorityMax = 999;
const priorityDigits = 3;
const itemPattern = /^qn-(\d{3})-$/;

export interface QueueItem extends SequentialNode {
  readonly priority: number;
}

/** The base name to create for an item of `priority`. */
export function itemBase(priority: number): string {
  if (!Number.isInteger(priority) || priority < priorityMin || priority > priorityMax) {
    throw new RangeError(`priority must be an integer in [${priorityMin}, ${priorityMax}], got ${priority}`);
  }
  return `qn-${String(priority).padStart(priorityDigits, '0')}-`;
}

/** The queue's items among `children`, in the order they are to be taken. */
export function sortItems(children: readonly string[]): QueueItem[] {
  const items: QueueItem[] = [];
  for (const node of sortSequential(children)) {
    const match = itemPattern.exec(node.base);
    if (match !== null) items.push({ ...node, priority: Number(match[1]) });
  }
  return items.sort((a, b) => a.priority - b.priority || a.sequence - b.sequence);
}
