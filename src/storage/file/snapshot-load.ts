/**
 * Loads a snapshot file on two threads: the bytes are read into shared memory, a worker thread
 * computes the file's checksums and the nodes' digest (snapshotChecks) while this thread parses
 * the same bytes into a tree (deserializeSnapshotDeferred), then the parse is finished with the
 * worker's results. The same result and the same SnapshotError as deserializeSnapshot of the
 * file's bytes: a worker that fails, or cannot be started, leaves the checks to this thread.
 * Small files are loaded on this thread alone (a worker's start costs more than it saves).
 * Not here: choosing which snapshot (recover.ts).
 */
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import {
  deserializeSnapshot, deserializeSnapshotDeferred, type DeserializedSnapshot, type DeserializeOptions, type SnapshotChecks,
} from '../format/snapshot.js';

/** Below this size (about 150k nodes of 100 bytes) a snapshot loads on the calling thread only: starting the worker would take about as long as the checks. */
export const WORKER_MIN_BYTES = 32 * 1024 * 1024;

const WORKER_URL = new URL('./snapshot-checks-worker.js', import.meta.url);

export interface LoadSnapshotOptions extends DeserializeOptions {
  /** Whether large files use a worker thread for the checks. Default true. */
  readonly worker?: boolean;
}

/** deserializeSnapshot of the file at `path`, with its checks on a worker thread when it is large. */
export async function loadSnapshotFile(path: string, options: LoadSnapshotOptions = {}): Promise<DeserializedSnapshot> {
  const handle = await open(path, 'r');
  let bytes: Uint8Array;
  try {
    const { size } = await handle.stat();
    const useWorker = (options.worker ?? true) && size >= WORKER_MIN_BYTES;
    bytes = new Uint8Array(useWorker ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(bytes, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    // A file that shrank while read (it should not: snapshots are written once) is what was read.
    if (read < size) bytes = bytes.slice(0, read);
  } finally {
    await handle.close();
  }
  if (!(bytes.buffer instanceof SharedArrayBuffer)) return deserializeSnapshot(bytes, options);
  return loadShared(bytes, options, checksOnWorker(bytes));
}

/** Checks being computed elsewhere: their result (undefined when they could not be), and a way to stop. */
export interface PendingChecks {
  readonly result: Promise<SnapshotChecks | undefined>;
  cancel(): void;
}

/** Parses `bytes` here while `checks` (for the same bytes) are computed elsewhere; exported for tests. */
export async function loadShared(bytes: Uint8Array, options: DeserializeOptions, checks: PendingChecks): Promise<DeserializedSnapshot> {
  let pending;
  try {
    pending = deserializeSnapshotDeferred(bytes, options);
  } catch (error) {
    // The file is refused whatever the checks would say.
    checks.cancel();
    throw error;
  }
  return pending.finish(await checks.result);
}

/**
 * snapshotChecks of `bytes` (in a SharedArrayBuffer) on a worker thread. Resolves undefined,
 * never rejects, when the worker cannot run or fails: the caller then checks on its own thread.
 */
export function checksOnWorker(bytes: Uint8Array): PendingChecks {
  let worker: Worker | undefined;
  let settle: (checks: SnapshotChecks | undefined) => void = () => {};
  const result = new Promise<SnapshotChecks | undefined>((resolve) => {
    let settled = false;
    settle = (checks) => {
      if (settled) return;
      settled = true;
      resolve(checks);
      void worker?.terminate();
    };
    try {
      worker = new Worker(WORKER_URL, { workerData: { buffer: bytes.buffer, byteOffset: bytes.byteOffset, byteLength: bytes.byteLength } });
    } catch {
      settle(undefined);
      return;
    }
    worker.once('message', (message: { checks?: SnapshotChecks }) => settle(message.checks));
    worker.once('error', () => settle(undefined));
    worker.once('exit', () => settle(undefined));
  });
  return { result, cancel: () => settle(undefined) };
}
