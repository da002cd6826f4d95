/**
 * ZooKeeper's transaction log file, version 2 (FileTxnLog), as pure encode and scan functions.
 * Grammar (all integers big-endian, as jute writes them):
 *
 *   txnLog   = FileHeader{int magic = 0x5A4B4C47 "ZKLG"; int version = 2; long dbid = 0}
 *              record* padding
 *   record   = long  checksum   -- Adler-32 of txnEntry, so the high 32 bits are 0
 *              int   length     -- bytes in txnEntry, > 0
 *              bytes txnEntry   -- txn-codec.ts
 *              byte  0x42       -- 'B', end of record
 *   padding  = zero bytes to the end of the file (the file is preallocated in steps of
 *              zookeeper.preAllocSize, 64 MiB by default; see fileSizeWithPadding)
 *
 * ZooKeeper reads until a record with length 0 (the padding) or a read past the end, treats a
 * missing 0x42 as a partial last txn, and fails on a checksum mismatch ("CRC check failed").
 * scanLog reports where and why it stopped, so the caller can tell a crash's torn tail
 * (truncate) from corruption followed by valid records (refuse to start): see LogEnd.
 * Not here: files, fsync, preallocation writes (storage/file). Pure: no I/O.
 */
import { JuteWriter } from '../../jute/archive.js';
import { adler32 } from './adler32.js';
import { decodeTxnEntry, TxnCodecError, TxnEntryReader, writeTxnEntry, type LogEntry } from './txn-codec.js';

export const TXNLOG_MAGIC = 0x5a4b4c47;
export const TXNLOG_VERSION = 2;
export const TXNLOG_DBID = 0n;
export const LOG_HEADER_BYTES = 16;
/** checksum (8) + length (4) before the entry, 0x42 after it. */
export const RECORD_OVERHEAD_BYTES = 13;
export const END_OF_RECORD = 0x42;
/** The smallest txnEntry: a TxnHeader (8 + 4 + 8 + 8 + 4 bytes). */
export const TXN_ENTRY_BYTES_MIN = 32;
/** ZooKeeper's default preallocation step, zookeeper.preAllocSize = 65536 KB. */
export const PREALLOC_BYTES_DEFAULT = 64 * 1024 * 1024;

export function encodeLogHeader(): Uint8Array {
  const writer = new JuteWriter(LOG_HEADER_BYTES);
  writer.writeInt(TXNLOG_MAGIC);
  writer.writeInt(TXNLOG_VERSION);
  writer.writeLong(TXNLOG_DBID);
  return writer.toBytes();
}

/** One log record: checksum, length, the txn entry, 0x42 (FileTxnLog.append + Util.writeTxnBytes). */
export function encodeLogEntry(entry: LogEntry): Uint8Array {
  const writer = new JuteWriter(256);
  appendLogEntry(writer, entry);
  return writer.toBytes();
}

const END_OF_RECORD_BYTES = new Uint8Array([END_OF_RECORD]);

/**
 * Appends one log record to `writer` (which may already hold records): a batch of txns is
 * encoded into one reused buffer, without a buffer per txn.
 */
export function appendLogEntry(writer: JuteWriter, entry: LogEntry): void {
  const start = writer.length;
  writer.writeLong(0n);
  writer.writeInt(0);
  writeTxnEntry(writer, entry);
  writer.writeRaw(END_OF_RECORD_BYTES);
  const length = writer.length - start - RECORD_OVERHEAD_BYTES;
  // The writer's own view covers its whole buffer, from offset 0 as peek() does.
  const bytes = writer.peek();
  const view = writer.dataView;
  view.setUint32(start, 0);
  view.setUint32(start + 4, adler32(bytes, start + 12, start + 12 + length, view));
  view.setInt32(start + 8, length);
}

/**
 * The file size after writing up to `position` (FilePadding.calculateFileSizeWithPadding): once
 * the write position comes within 4 KiB of the end, the file grows by another `preAllocBytes`.
 */
export function fileSizeWithPadding(position: number, fileSize: number, preAllocBytes = PREALLOC_BYTES_DEFAULT): number {
  if (preAllocBytes > 0 && position + 4096 >= fileSize) {
    if (position > fileSize) {
      const size = position + preAllocBytes;
      return size - (size % preAllocBytes);
    }
    return fileSize + preAllocBytes;
  }
  return fileSize;
}

export interface ScannedEntry {
  readonly entry: LogEntry;
  /** Where the record starts (its checksum) and where the next one starts. */
  readonly offset: number;
  readonly end: number;
}

/**
 * Why the scan stopped, at `offset` (a record boundary: where the next record would go).
 * - clean: the end of the file or the zero padding — append here.
 * - torn: a record cut short (short read, missing 0x42, or a length that runs past the end) with
 *   nothing valid after it: what a crash during a write leaves. Truncate to `offset`.
 * - corrupt: a record whose checksum does not match, or a torn-looking record followed by a valid
 *   one. `validEntriesAfter` says whether a valid record follows (then `nextValidOffset` is
 *   where): if one does, acknowledged txns may be lost, refuse to start; if none does, it is
 *   a torn write whose pages reached the disk out of order (see recoveryAction).
 * - unsupported: a record whose checksum matches but which this code cannot read (an unknown
 *   txn type), or a file version it does not know.
 */
export type LogEnd =
  | { readonly kind: 'clean' | 'torn' | 'unsupported'; readonly offset: number; readonly reason: string }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly reason: string; readonly validEntriesAfter: boolean; readonly nextValidOffset?: number };

export interface LogScan {
  readonly header?: { readonly magic: number; readonly version: number; readonly dbid: bigint };
  readonly entries: ScannedEntry[];
  readonly end: LogEnd;
}

function allZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let at = start; at < end; at++) if (bytes[at] !== 0) return false;
  return true;
}

/** A record at `at` that is complete, marked, checksummed and long enough to hold a TxnHeader. */
function validRecordAt(bytes: Uint8Array, view: DataView, at: number): boolean {
  if (at + RECORD_OVERHEAD_BYTES + TXN_ENTRY_BYTES_MIN > bytes.length) return false;
  const length = view.getInt32(at + 8);
  if (length < TXN_ENTRY_BYTES_MIN || at + RECORD_OVERHEAD_BYTES + length > bytes.length) return false;
  if (bytes[at + 12 + length] !== END_OF_RECORD || view.getUint32(at) !== 0) return false;
  return view.getUint32(at + 4) === adler32(bytes, at + 12, at + 12 + length);
}

/** The first offset after `from` where a valid record starts, if any. */
export function findValidRecord(bytes: Uint8Array, from: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = from; at + RECORD_OVERHEAD_BYTES + TXN_ENTRY_BYTES_MIN <= bytes.length; at++) {
    if (validRecordAt(bytes, view, at)) return at;
  }
  return undefined;
}

/**
 * How far the records of a log reach in `bytes`, the first bytes of the file, walking only their
 * lengths: a reader reads until it has all of them, then scanLog judges them.
 * - padding: a zero record head starts at `offset`; scanLog stops there and reads nothing after
 *   it, unless a record before it fails its checksum (then scanLog looks on for valid records).
 * - short: the record at `offset` (or the file header) needs the first `bytesNeeded` bytes.
 * - damaged: a bad file header, record head or end byte at `offset`: scanLog will look for
 *   valid records in the rest of the file, so all of it is needed.
 */
export type RecordsReach =
  | { readonly kind: 'padding'; readonly offset: number }
  | { readonly kind: 'damaged'; readonly offset: number }
  | { readonly kind: 'short'; readonly offset: number; readonly bytesNeeded: number };

export function recordsReach(bytes: Uint8Array): RecordsReach {
  if (bytes.length < LOG_HEADER_BYTES) return { kind: 'short', offset: 0, bytesNeeded: LOG_HEADER_BYTES };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getInt32(0) !== TXNLOG_MAGIC || view.getInt32(4) !== TXNLOG_VERSION) return { kind: 'damaged', offset: 0 };
  let at = LOG_HEADER_BYTES;
  for (;;) {
    if (at + 12 > bytes.length) return { kind: 'short', offset: at, bytesNeeded: at + 12 };
    const length = view.getInt32(at + 8);
    if (length === 0) return allZero(bytes, at, at + 12) ? { kind: 'padding', offset: at } : { kind: 'damaged', offset: at };
    if (length < 0) return { kind: 'damaged', offset: at };
    const end = at + RECORD_OVERHEAD_BYTES + length;
    if (end > bytes.length) return { kind: 'short', offset: at, bytesNeeded: end };
    if (bytes[end - 1] !== END_OF_RECORD) return { kind: 'damaged', offset: at };
    at = end;
  }
}

/** Receives each valid record of a log, in file order: the entry, where its record starts and ends. */
export type LogEntryVisitor = (entry: LogEntry, offset: number, end: number) => void;

/**
 * Reads a whole txn log file. `fileName` only labels the reasons. Never throws on bad bytes:
 * every way a file can end is an `end` value.
 */
export function scanLog(bytes: Uint8Array, fileName = 'txn log'): LogScan {
  const entries: ScannedEntry[] = [];
  const { header, end } = readLog(bytes, fileName, (entry, offset, next) => {
    entries.push({ entry, offset, end: next });
  });
  return header === undefined ? { entries, end } : { header, entries, end };
}

/**
 * scanLog without the list: each entry goes to `visit` as soon as it is read, so a caller that
 * is done with an entry once it has seen it (recovery's replay) leaves it to the young
 * generation instead of holding a whole file's worth. The entries and the end are scanLog's;
 * an exception from `visit` ends the read and propagates.
 */
export function readLog(bytes: Uint8Array, fileName: string, visit: LogEntryVisitor): Omit<LogScan, 'entries'> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < LOG_HEADER_BYTES || allZero(bytes, 0, LOG_HEADER_BYTES)) {
    if (allZero(bytes, 0, bytes.length)) {
      return { end: { kind: 'torn', offset: 0, reason: `${fileName}: no file header (${bytes.length} bytes, all zero)` } };
    }
    if (bytes.length < LOG_HEADER_BYTES) {
      return { end: { kind: 'torn', offset: 0, reason: `${fileName}: file header cut short at ${bytes.length} of ${LOG_HEADER_BYTES} bytes` } };
    }
  }
  const header = { magic: view.getInt32(0), version: view.getInt32(4), dbid: view.getBigInt64(8) };
  if (header.magic !== TXNLOG_MAGIC) {
    const next = findValidRecord(bytes, LOG_HEADER_BYTES);
    return { end: { kind: 'corrupt', offset: 0, reason: `${fileName}: bad magic 0x${(header.magic >>> 0).toString(16)}, expected 0x${TXNLOG_MAGIC.toString(16)} ("ZKLG")`, ...after(next) } };
  }
  if (header.version !== TXNLOG_VERSION) {
    return { header, end: { kind: 'unsupported', offset: 0, reason: `${fileName}: txn log version ${header.version}, only ${TXNLOG_VERSION} is known` } };
  }

  const reader = new TxnEntryReader(bytes);
  let at = LOG_HEADER_BYTES;
  // Built only for a reason: a string per record was a measurable part of a replay.
  const where = (offset: number) => `${fileName} at offset ${offset}`;
  for (;;) {
    const left = bytes.length - at;
    if (left === 0) return { header, end: { kind: 'clean', offset: at, reason: `${fileName}: end of file` } };
    if (left < 12 || view.getInt32(at + 8) === 0) {
      const headEnd = Math.min(bytes.length, at + 12);
      if (allZero(bytes, at, headEnd)) return { header, end: { kind: 'clean', offset: at, reason: `${where(at)}: zero padding` } };
      const why = left < 12 ? `record head cut short (${left} of 12 bytes)` : 'zero length after a non-zero checksum';
      return { header, end: torn(bytes, at, `${where(at)}: ${why}`) };
    }
    const length = view.getInt32(at + 8);
    if (length < 0) return { header, end: torn(bytes, at, `${where(at)}: negative length ${length}`) };
    if (left < RECORD_OVERHEAD_BYTES + length) {
      return { header, end: torn(bytes, at, `${where(at)}: record of ${length} bytes runs past the end of the file (${left - 12} bytes left)`) };
    }
    const entryStart = at + 12;
    const entryEnd = entryStart + length;
    if (bytes[entryEnd] !== END_OF_RECORD) {
      return { header, end: torn(bytes, at, `${where(at)}: missing end-of-record byte 0x42 (found 0x${bytes[entryEnd]!.toString(16)})`) };
    }
    // The stored checksum is a long whose high half is 0: compared as two ints, without a bigint.
    const computed = adler32(bytes, entryStart, entryEnd);
    if (view.getUint32(at) !== 0 || view.getUint32(at + 4) !== computed) {
      const stored = view.getBigUint64(at);
      return { header, end: corrupt(bytes, at, `${where(at)}: checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`) };
    }
    let entry = reader.read(entryStart, entryEnd);
    if (entry === undefined) {
      try {
        entry = decodeTxnEntry(bytes.subarray(entryStart, entryEnd), where(at));
      } catch (error) {
        if (!(error instanceof TxnCodecError)) throw error;
        if (error.code === 'unsupported') return { header, end: { kind: 'unsupported', offset: at, reason: error.message } };
        // Intact bytes we cannot read: a format we do not know, not crash damage.
        return { header, end: { kind: 'unsupported', offset: at, reason: `checksum matches but the entry does not parse: ${error.message}` } };
      }
    }
    const end = entryEnd + 1;
    visit(entry, at, end);
    at = end;
  }
}

function after(next: number | undefined): { validEntriesAfter: boolean; nextValidOffset?: number } {
  return next === undefined ? { validEntriesAfter: false } : { validEntriesAfter: true, nextValidOffset: next };
}

/** A torn-looking record is a torn tail only if nothing valid follows it. */
function torn(bytes: Uint8Array, at: number, reason: string): LogEnd {
  const next = findValidRecord(bytes, at + 1);
  if (next === undefined) return { kind: 'torn', offset: at, reason };
  return { kind: 'corrupt', offset: at, reason: `${reason}, followed by a valid record at offset ${next}`, validEntriesAfter: true, nextValidOffset: next };
}

function corrupt(bytes: Uint8Array, at: number, reason: string): LogEnd {
  const next = findValidRecord(bytes, at + 1);
  return { kind: 'corrupt', offset: at, reason: next === undefined ? reason : `${reason}, followed by a valid record at offset ${next}`, ...after(next) };
}

/**
 * What a server should do with a log that ended this way: keep appending after a clean end;
 * cut off a damaged tail — torn, or failing its checksum — when nothing valid follows it, since
 * a write interrupted by a crash can leave either (pages reach the disk in any order) and no
 * txn in it was acknowledged; refuse to start when valid records follow the damage (cutting
 * would drop acknowledged txns) or when the file holds something this code does not know.
 * ZooKeeper itself refuses any checksum mismatch ("CRC check failed"), even in the last record.
 */
export function recoveryAction(end: LogEnd): 'append' | 'truncate' | 'refuse' {
  switch (end.kind) {
    case 'clean': return 'append';
    case 'torn': return 'truncate';
    case 'corrupt': return end.validEntriesAfter ? 'refuse' : 'truncate';
    case 'unsupported': return 'refuse';
  }
}
