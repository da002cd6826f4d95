/**
 * Writes a snapshot file without stopping the server: it opens a point-in-time view of the tree
 * (DataTree.openView), then serializes it a slice at a time, awaiting each slice's write, so the
 * event loop applies txns and answers clients between slices. The file is written as
 * `tmp.snapshot.<zxid>` (a name ZooKeeper and our recovery ignore), fsynced, then renamed to
 * `snapshot.<zxid>` and the directory fsynced: a crash leaves either no snapshot or a whole one.
 *
 * The view makes the snapshot exact at its zxid (a consistent, not fuzzy, image), which is
 * stronger than ZooKeeper needs: recovery replays the logs after the zxid either way.
 * Not here: when to snapshot (snapshot-policy.ts) or which files to keep (retention).
 */
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DataTree } from '../../tree/data-tree.js';
import { formatSnapshotName } from '../format/file-names.js';
import { type SnapshotSession } from '../format/snapshot.js';
import { SnapshotSerializer } from '../format/snapshot-writer.js';
import { fsyncDirectory } from './fs-util.js';

export interface SnapshotWritten {
  readonly file: string;
  readonly zxid: bigint;
  readonly bytes: number;
  readonly nodes: number;
  readonly durationMs: number;
  /** The longest a single slice kept the event loop busy. */
  readonly sliceMsMax: number;
  /** Nodes changed while the snapshot ran, whose old state the view had to keep. */
  readonly keptNodes: number;
}

export interface SnapshotOptions {
  /** The version-2 directory (must exist). */
  readonly dir: string;
  readonly fsync: boolean;
  /** The most bytes serialized per slice, between which the event loop runs. Default 256 KiB. */
  readonly sliceBytes?: number;
}

export const TMP_SNAPSHOT_PREFIX = 'tmp.';

/**
 * How long one slice may keep the event loop: slices shrink (down to SLICE_BYTES_MIN) after one
 * that took longer, and grow back (up to `sliceBytes`) after quick ones. A fixed size is wrong at
 * the start: the serializer's code runs unoptimised until V8 has seen it work for a while, and
 * its first 256 KiB slice took about 100 ms on a million-node tree, against 2–3 ms later.
 */
const SLICE_MS_TARGET = 4;
const SLICE_BYTES_MIN = 4 * 1024;

export async function writeSnapshot(tree: DataTree, sessions: readonly SnapshotSession[], options: SnapshotOptions): Promise<SnapshotWritten> {
  const started = performance.now();
  const view = tree.openView();
  const name = formatSnapshotName(view.lastProcessedZxid);
  const tmp = join(options.dir, `${TMP_SNAPSHOT_PREFIX}${name}`);
  let bytes = 0;
  let sliceMsMax = 0;
  let keptNodes = 0;
  const serializer = new SnapshotSerializer(view, sessions, view.lastProcessedZxid, view.acls);
  try {
    const handle = await open(tmp, 'w');
    try {
      const sliceBytesMax = options.sliceBytes ?? 256 * 1024;
      let sliceBytes = Math.min(sliceBytesMax, SLICE_BYTES_MIN);
      for (;;) {
        const sliceStarted = performance.now();
        // The serializer's own buffer: this slice is written (and awaited) before the next is asked for.
        const slice = serializer.nextView(sliceBytes);
        const sliceMs = performance.now() - sliceStarted;
        sliceMsMax = Math.max(sliceMsMax, sliceMs);
        if (sliceMs > SLICE_MS_TARGET) sliceBytes = Math.max(SLICE_BYTES_MIN, sliceBytes >> 1);
        else if (sliceMs < SLICE_MS_TARGET / 2) sliceBytes = Math.min(sliceBytesMax, sliceBytes * 2);
        if (slice === undefined) break;
        await handle.write(slice, 0, slice.length, bytes);
        bytes += slice.length;
      }
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    keptNodes = view.keptCount;
    view.close();
    await rename(tmp, join(options.dir, name));
    if (options.fsync) await fsyncDirectory(options.dir);
  } catch (error) {
    view.close();
    await rm(tmp, { force: true });
    throw error;
  }
  return { file: name, zxid: serializer.zxid, bytes, nodes: serializer.nodeCount, durationMs: performance.now() - started, sliceMsMax, keptNodes };
}
