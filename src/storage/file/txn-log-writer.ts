/**
 * The write-ahead log on disk: appends txns to ZooKeeper-format log files (storage/format) with
 * group commit. `append` only queues; one flush at a time writes everything queued as one
 * write and one fdatasync, then reports the last zxid it covered as durable. Txns that arrive
 * while a flush is in flight wait for the next one, so N concurrent writers cost about one
 * fsync per flush, not one each (ZooKeeper's SyncRequestProcessor batching). A flush starts
 * after the current turn of the event loop, so requests read together share it. The fdatasync
 * runs on libuv's thread pool, so the event loop keeps serving reads and pings during it, except
 * for a small flush on a disk that syncs in under 2 ms, where waiting on the loop is
 * quicker than the hop to the pool and back.
 *
 * Files: `log.<hex zxid of its first txn>` in the given version-2 directory, header first,
 * grown in `preAllocBytes` steps (sparse zeros, as FilePadding does) so a reader stops at the
 * zero padding. `roll()` makes the next txn start a new file (after a snapshot, like rollLog).
 * A new file's directory entry is fsynced before any txn in it is reported durable.
 *
 * Invariants: durable zxids are reported in increasing order, each only after the bytes that
 * hold it are on disk (or written, with forceSync off); a write error stops the writer and is
 * reported once through `onError`: nothing after it is ever reported durable.
 */
import { fdatasyncSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatLogName } from '../format/file-names.js';
import { JuteWriter } from '../../jute/archive.js';
import { appendLogEntry, encodeLogHeader, fileSizeWithPadding } from '../format/txn-log.js';
import type { LogEntry } from '../format/txn-codec.js';
import { fsyncDirectory } from './fs-util.js';

export interface TxnLogWriterOptions {
  /** The version-2 directory the log files go in (must exist). */
  readonly dir: string;
  /** fdatasync after each batch (forceSync=yes, the default). */
  readonly forceSync: boolean;
  readonly preAllocBytes: number;
  /** Flushes slower than this are reported through `onSlowSync`. */
  readonly fsyncWarningThresholdMs: number;
  /** Most bytes written by one flush; more waits for the next (bounds a flush's latency). */
  readonly batchBytesMax?: number;
  /**
   * A flush of at most `inlineSyncBytesMax` bytes (default 4 KiB) whose previous fdatasync took
   * under `inlineSyncMsMax` ms (default 2: a stall on the scale of one young-generation GC
   * pause) runs its fdatasync on the event loop (see flushOnce).
   * 0 turns that off: every fdatasync goes to the thread pool.
   */
  readonly inlineSyncMsMax?: number;
  readonly inlineSyncBytesMax?: number;
}

export interface TxnLogWriterHandlers {
  onDurable(zxid: bigint): void;
  onError(error: Error): void;
  onSlowSync?(file: string, durationMs: number, bytes: number): void;
}

interface Segment {
  readonly bytes: Uint8Array;
  readonly firstZxid: bigint;
  readonly lastZxid: bigint;
  /** Which file generation the txns belong in: roll() starts the next one. */
  readonly generation: number;
}

interface OpenFile {
  readonly name: string;
  readonly handle: FileHandle;
  readonly generation: number;
  position: number;
  size: number;
}

const BATCH_BYTES_MAX_DEFAULT = 8 * 1024 * 1024;
/** Batches up to this size are written with a synchronous pwrite (into the page cache). */
const SYNC_WRITE_BYTES_MAX = 1024 * 1024;
const INLINE_SYNC_MS_MAX_DEFAULT = 2;
const INLINE_SYNC_BYTES_MAX_DEFAULT = 4 * 1024;

export class TxnLogWriter {
  private pending: Segment[] = [];
  private generation = 0;
  private file: OpenFile | undefined;
  private flushing = false;
  private flushScheduled = false;
  /** How long the last fdatasync took, wherever it ran. */
  private lastSyncMs = 0;
  private failed: Error | undefined;
  private idleWaiters: (() => void)[] = [];
  private bytesSinceRollCount = 0;
  private readonly encoder = new JuteWriter(64 * 1024);
  private txnsSinceRollCount = 0;
  /** Flushes done and txns they carried: how well group commit batches. */
  readonly stats = { flushes: 0, txns: 0, bytes: 0, syncMsTotal: 0, syncMsMax: 0, inlineSyncs: 0 };

  constructor(private readonly options: TxnLogWriterOptions, private readonly handlers: TxnLogWriterHandlers) {}

  /** Bytes and txns appended since the last roll (what the snapshot policy counts). */
  get bytesSinceRoll(): number {
    return this.bytesSinceRollCount;
  }

  get txnsSinceRoll(): number {
    return this.txnsSinceRollCount;
  }

  get currentFile(): string | undefined {
    return this.file?.name;
  }

  /** Queues txns (in zxid order, after everything queued before) and starts a flush if idle. */
  append(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    if (this.failed !== undefined) throw this.failed;
    const writer = this.encoder;
    writer.reset();
    for (const entry of entries) appendLogEntry(writer, entry);
    const bytes = writer.toBytes();
    this.pending.push({
      bytes, firstZxid: entries[0]!.header.zxid, lastZxid: entries[entries.length - 1]!.header.zxid, generation: this.generation,
    });
    this.bytesSinceRollCount += bytes.length;
    this.txnsSinceRollCount += entries.length;
    this.scheduleFlush();
  }

  /**
   * Flushes start once this turn of the event loop has read what the sockets had: the server
   * appends per request, and the requests that arrived together then share one flush.
   */
  private scheduleFlush(): void {
    if (this.flushing || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.flushing && this.pending.length > 0) void this.flushLoop();
    });
  }

  /** The next txn appended goes to a new log file. */
  roll(): void {
    this.generation++;
    this.bytesSinceRollCount = 0;
    this.txnsSinceRollCount = 0;
  }

  /** Resolves once everything appended so far is durable (or the writer has failed). */
  idle(): Promise<void> {
    if (!this.flushing && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.idle();
    const file = this.file;
    this.file = undefined;
    await file?.handle.close();
  }

  private async flushLoop(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0 && this.failed === undefined) await this.flushOnce();
    } catch (error) {
      this.failed = error instanceof Error ? error : new Error(String(error));
      this.pending = [];
      this.handlers.onError(this.failed);
    } finally {
      this.flushing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async flushOnce(): Promise<void> {
    const generation = this.pending[0]!.generation;
    const batchBytesMax = this.options.batchBytesMax ?? BATCH_BYTES_MAX_DEFAULT;
    let count = 0;
    let bytes = 0;
    while (count < this.pending.length && this.pending[count]!.generation === generation && (count === 0 || bytes < batchBytesMax)) {
      bytes += this.pending[count]!.bytes.length;
      count++;
    }
    const batch = this.pending.splice(0, count);
    let file = this.file;
    if (file === undefined || file.generation !== generation) file = await this.openFile(batch[0]!.firstZxid, generation);
    const buffer = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((segment) => segment.bytes));
    const size = fileSizeWithPadding(file.position + buffer.length, file.size, this.options.preAllocBytes);
    if (size !== file.size) {
      await file.handle.truncate(size);
      file.size = size;
    }
    // A batch of modest size is copied into the page cache right here, which takes microseconds
    // and spares a round trip through the thread pool; only the fdatasync, the part that waits
    // for the disk, runs off the event loop.
    if (buffer.length <= SYNC_WRITE_BYTES_MAX) writeFullySync(file.handle.fd, buffer, file.position);
    else await writeFully(file.handle, buffer, file.position);
    file.position += buffer.length;
    if (this.options.forceSync) {
      const started = performance.now();
      // A small flush on a fast disk waits less by calling fdatasync right here than by the
      // round trip through the thread pool (measured: ~0.17 vs ~0.27 ms per fsync on the
      // team's VM), and the event loop is blocked no longer than the last fsync took. A large
      // batch means a busy server, which is better off serving reads during the fsync; a slow
      // fsync sends the next one to the thread pool again.
      const inline = buffer.length <= (this.options.inlineSyncBytesMax ?? INLINE_SYNC_BYTES_MAX_DEFAULT)
        && this.lastSyncMs < (this.options.inlineSyncMsMax ?? INLINE_SYNC_MS_MAX_DEFAULT);
      if (inline) {
        fdatasyncSync(file.handle.fd);
        this.stats.inlineSyncs++;
      } else {
        await file.handle.datasync();
      }
      const tookMs = performance.now() - started;
      this.lastSyncMs = tookMs;
      this.stats.syncMsTotal += tookMs;
      this.stats.syncMsMax = Math.max(this.stats.syncMsMax, tookMs);
      if (tookMs > this.options.fsyncWarningThresholdMs) this.handlers.onSlowSync?.(file.name, tookMs, buffer.length);
    }
    this.stats.flushes++;
    this.stats.txns += batch.length;
    this.stats.bytes += buffer.length;
    this.handlers.onDurable(batch[batch.length - 1]!.lastZxid);
  }

  private async openFile(firstZxid: bigint, generation: number): Promise<OpenFile> {
    const previous = this.file;
    this.file = undefined;
    await previous?.handle.close();
    const name = formatLogName(firstZxid);
    // 'wx': a log file is never reopened for appending, as ZooKeeper never does either.
    const handle = await open(join(this.options.dir, name), 'wx');
    try {
      const header = encodeLogHeader();
      const size = fileSizeWithPadding(header.length, 0, this.options.preAllocBytes);
      await writeFully(handle, header, 0);
      if (size > header.length) await handle.truncate(size);
      if (this.options.forceSync) {
        await handle.datasync();
        await fsyncDirectory(this.options.dir);
      }
      const file: OpenFile = { name, handle, generation, position: header.length, size: Math.max(size, header.length) };
      this.file = file;
      return file;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
}

function writeFullySync(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    const written = writeSync(fd, bytes, done, bytes.length - done, position + done);
    if (written <= 0) throw new Error(`short write: ${done} of ${bytes.length} bytes`);
    done += written;
  }
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`short write: ${done} of ${bytes.length} bytes`);
    done += bytesWritten;
  }
}
