/**
 * Worker thread body for snapshot-load.ts: computes snapshotChecks of the file bytes it is
 * handed (a SharedArrayBuffer, so nothing is copied) and posts them back, or posts the error.
 * Runs while the main thread parses the same bytes; nothing else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { snapshotChecks } from '../format/snapshot-checks.js';

const { buffer, byteOffset, byteLength } = workerData as { buffer: SharedArrayBuffer; byteOffset: number; byteLength: number };
try {
  parentPort!.postMessage({ checks: snapshotChecks(new Uint8Array(buffer, byteOffset, byteLength)) });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
