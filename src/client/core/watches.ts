/**
 * Client-side watch bookkeeping (what ZooKeeper's ZKWatchManager does): which listeners wait on
 * which path for which kind of watch, which of them an incoming notification fires, and what to
 * re-register with SetWatches/SetWatches2 after a reconnect.
 *
 * Kinds and what fires them (ZooKeeper programmer's guide, "Semantics of Watches"):
 * - data   (set by getData, or exists on an existing node): NodeDataChanged, NodeDeleted
 * - exist  (set by exists on a missing node): NodeCreated, NodeDataChanged, NodeDeleted
 * - child  (set by getChildren): NodeChildrenChanged, NodeDeleted
 * - persistent (addWatch mode 0): every event on the path, never removed by firing
 * - persistentRecursive (addWatch mode 1): every event on the path or below it except
 *   NodeChildrenChanged (ZOOKEEPER-4475), never removed by firing
 * One-shot kinds are removed when they fire; a listener registered under several kinds on the
 * same path is called once per event (ZooKeeper collects watchers in a set).
 *
 * Paths here are CLIENT paths (chroot stripped); the SetWatches encoder adds the chroot.
 * Not here: any I/O, and no calling of listeners (they are opaque values of type W returned to
 * the caller). Invariant: no path maps to an empty listener set.
 */
import { JuteWriter } from '../../jute/archive.js';
import { frame } from '../../jute/frame-decoder.js';
import { RequestHeader, SetWatches, SetWatches2 } from '../../jute/records.js';
import { writeRecord } from '../../jute/schema.js';
import { EventType, OpCode, Xid } from '../../protocol/codes.js';
import type { Chroot } from './paths.js';

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';
export const watchKinds: readonly WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];

export type WatchEventType =
  | 'NodeCreated'
  | 'NodeDeleted'
  | 'NodeDataChanged'
  | 'NodeChildrenChanged'
  | 'DataWatchRemoved'
  | 'ChildWatchRemoved'
  | 'PersistentWatchRemoved';

export interface WatchEvent {
  readonly type: WatchEventType;
  /** Client path (chroot stripped). */
  readonly path: string;
  /** Zxid of the change: ZooKeeper 3.9 sends it; 3.8 sends -1, and local events carry -1. */
  readonly zxid: bigint;
}

const eventTypeNames = new Map<number, WatchEventType>([
  [EventType.NodeCreated, 'NodeCreated'],
  [EventType.NodeDeleted, 'NodeDeleted'],
  [EventType.NodeDataChanged, 'NodeDataChanged'],
  [EventType.NodeChildrenChanged, 'NodeChildrenChanged'],
  [EventType.DataWatchRemoved, 'DataWatchRemoved'],
  [EventType.ChildWatchRemoved, 'ChildWatchRemoved'],
  [EventType.PersistentWatchRemoved, 'PersistentWatchRemoved'],
]);

export function eventTypeName(type: number): WatchEventType | undefined {
  return eventTypeNames.get(type);
}

/** Which one-shot kinds an event type fires and consumes. */
function oneShotKindsFor(type: WatchEventType): readonly WatchKind[] {
  switch (type) {
    case 'NodeCreated':
    case 'NodeDataChanged':
      return ['data', 'exist'];
    case 'NodeChildrenChanged':
      return ['child'];
    case 'NodeDeleted':
      return ['data', 'exist', 'child'];
    case 'DataWatchRemoved':
    case 'ChildWatchRemoved':
    case 'PersistentWatchRemoved':
      return [];
  }
}

function parentOf(path: string): string | undefined {
  if (path === '/') return undefined;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export class WatchRegistry<W> {
  private readonly byKind = new Map<WatchKind, Map<string, Set<W>>>(watchKinds.map((kind) => [kind, new Map()]));

  add(kind: WatchKind, path: string, listener: W): void {
    const table = this.byKind.get(kind)!;
    let set = table.get(path);
    if (set === undefined) {
      set = new Set();
      table.set(path, set);
    }
    set.add(listener);
  }

  /** Removes one listener, or all when `listener` is undefined; returns what was removed. */
  remove(kind: WatchKind, path: string, listener?: W): W[] {
    const table = this.byKind.get(kind)!;
    const set = table.get(path);
    if (set === undefined) return [];
    if (listener === undefined) {
      table.delete(path);
      return [...set];
    }
    if (!set.delete(listener)) return [];
    if (set.size === 0) table.delete(path);
    return [listener];
  }

  has(kind: WatchKind, path: string, listener?: W): boolean {
    const set = this.byKind.get(kind)!.get(path);
    if (set === undefined) return false;
    return listener === undefined ? true : set.has(listener);
  }

  /** The listeners of the given kinds on exactly this path, each once. */
  listeners(path: string, kinds: readonly WatchKind[]): W[] {
    const out = new Set<W>();
    for (const kind of kinds) for (const listener of this.byKind.get(kind)!.get(path) ?? []) out.add(listener);
    return [...out];
  }

  /** True when any listener of any kind waits on exactly this path. */
  hasAnyOn(path: string): boolean {
    return watchKinds.some((kind) => this.byKind.get(kind)!.has(path));
  }

  paths(kind: WatchKind): string[] {
    return [...this.byKind.get(kind)!.keys()];
  }

  get size(): number {
    let total = 0;
    for (const table of this.byKind.values()) for (const set of table.values()) total += set.size;
    return total;
  }

  /** Every listener of every kind, each once; the registry is emptied (session end). */
  drain(): W[] {
    const out = new Set<W>();
    for (const table of this.byKind.values()) {
      for (const set of table.values()) for (const listener of set) out.add(listener);
      table.clear();
    }
    return [...out];
  }

  /**
   * The listeners a server notification fires, each once, removing the one-shot ones.
   * Persistent watches match the path itself; recursive ones the path and every ancestor.
   */
  materialize(type: WatchEventType, path: string): W[] {
    const out = new Set<W>();
    for (const kind of oneShotKindsFor(type)) {
      for (const listener of this.remove(kind, path)) out.add(listener);
    }
    const persistent = this.byKind.get('persistent')!.get(path);
    if (persistent !== undefined) for (const listener of persistent) out.add(listener);
    if (type !== 'NodeChildrenChanged') {
      const recursive = this.byKind.get('persistentRecursive')!;
      for (let at: string | undefined = path; at !== undefined; at = parentOf(at)) {
        const set = recursive.get(at);
        if (set !== undefined) for (const listener of set) out.add(listener);
      }
    }
    return [...out];
  }

  /**
   * The SetWatches (or, when persistent watches exist, SetWatches2) frames that re-register
   * every watch after a reconnect, split so that no frame exceeds `batchBytesMax` (ZooKeeper's
   * client uses 128 KB, SET_WATCHES_MAX_LENGTH, so a session with many watches never sends a frame
   * the server rejects as too large). Each frame is complete: length prefix, header xid -8, record.
   */
  setWatchesFrames(relativeZxid: bigint, chroot: Chroot, batchBytesMax: number): Uint8Array[] {
    const persistentUsed = this.byKind.get('persistent')!.size > 0 || this.byKind.get('persistentRecursive')!.size > 0;
    const order: readonly WatchKind[] = persistentUsed ? watchKinds : ['data', 'exist', 'child'];
    const fixedBytes = 4 + 8 + 8 + order.length * 4; // frame length + header + relativeZxid + vector counts
    const frames: Uint8Array[] = [];
    let batch = new Map<WatchKind, string[]>(order.map((kind) => [kind, []]));
    let batchBytes = fixedBytes;
    let batchCount = 0;
    const flush = () => {
      if (batchCount === 0) return;
      frames.push(encodeSetWatches(relativeZxid, persistentUsed, batch));
      batch = new Map(order.map((kind) => [kind, []]));
      batchBytes = fixedBytes;
      batchCount = 0;
    };
    for (const kind of order) {
      for (const clientPath of this.byKind.get(kind)!.keys()) {
        const serverPath = chroot.toServer(clientPath);
        const pathBytes = 4 + utf8Length(serverPath);
        if (batchCount > 0 && batchBytes + pathBytes > batchBytesMax) flush();
        batch.get(kind)!.push(serverPath);
        batchBytes += pathBytes;
        batchCount++;
      }
    }
    flush();
    return frames;
  }
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}

function encodeSetWatches(relativeZxid: bigint, version2: boolean, batch: Map<WatchKind, string[]>): Uint8Array {
  const writer = new JuteWriter();
  const dataWatches = batch.get('data')!;
  const existWatches = batch.get('exist')!;
  const childWatches = batch.get('child')!;
  if (version2) {
    writeRecord(writer, RequestHeader, { xid: Xid.setWatches, type: OpCode.setWatches2 });
    writeRecord(writer, SetWatches2, {
      relativeZxid, dataWatches, existWatches, childWatches,
      persistentWatches: batch.get('persistent')!,
      persistentRecursiveWatches: batch.get('persistentRecursive')!,
    });
  } else {
    writeRecord(writer, RequestHeader, { xid: Xid.setWatches, type: OpCode.setWatches });
    writeRecord(writer, SetWatches, { relativeZxid, dataWatches, existWatches, childWatches });
  }
  return frame(writer.toBytes());
}
