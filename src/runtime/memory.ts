/**
 * Giving memory back after recovery. Loading a large data dir reads whole snapshot and log files
 * and decodes them, and most of that is garbage once the tree is built; but V8 keeps the pages
 * (and the file buffers they reference) until its next full collection, which an idle server
 * may not run for hours, so the process would go on holding hundreds of MB it does not use.
 * One full collection before the server starts serving returns them; no client waits on it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Below this much heap plus buffers, a collection would not give back enough to be worth it. */
export const RECLAIM_BYTES_MIN = 256 * 1024 * 1024;

let collect: (() => void) | undefined;

/** A full, compacting collection when the heap and buffers hold at least `minBytes`; its time in ms, or undefined if skipped. */
export function reclaimAfterLoad(minBytes = RECLAIM_BYTES_MIN): number | undefined {
  const usage = process.memoryUsage();
  if (usage.heapTotal + usage.arrayBuffers < minBytes) return undefined;
  if (collect === undefined) {
    // The collector is reachable from scripts only with --expose-gc; a context made after
    // setting it has the global, and the flag changes nothing else.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  const started = performance.now();
  collect();
  return performance.now() - started;
}
