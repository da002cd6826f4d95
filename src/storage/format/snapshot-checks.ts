/**
 * The file-wide checks of a snapshot (snapshot.ts has the grammar): the Adler-32 before each
 * seal and the sum of the node records' hashes, computed from the bytes alone, without parsing
 * nodes into anything. What storage/file/snapshot-load.ts runs on a worker thread while the
 * main thread parses the same bytes (deserializeSnapshotDeferred), so this module imports
 * nothing of the tree. Pure: no I/O.
 */
import { decodeUtf8, JuteError, JuteReader } from '../../jute/archive.js';
import { readRecord } from '../../jute/schema.js';
import * as R from '../../jute/records.js';
import { Adler32 } from './adler32.js';
import { DigestSum, recordDigest, recordDigestOfPath, STAT_PERSISTED_BYTES } from './digest.js';

/** A seal: long Adler-32, ustring "/". */
export const SEAL_BYTES = 8 + 4 + 1;
/** A session entry: long id, int timeout. */
export const SESSION_BYTES = 12;
/** A node record after its data: long aclId, StatPersisted. */
export const NODE_TAIL_BYTES = 8 + STAT_PERSISTED_BYTES;
const utf8 = new TextEncoder();

/**
 * The checks of a snapshot file that need every byte but no parsed node (snapshotChecks): the
 * Adler-32 before each seal and the nodes' digest. Computed apart from the parse, e.g. on a
 * worker thread while this one parses (deserializeSnapshotDeferred); plain data, so they can be
 * posted between threads.
 */
export interface SnapshotChecks {
  /** The length of the bytes they were computed over. */
  readonly length: number;
  /** Where the node records end (past their closing "/"). */
  readonly nodesEnd: number;
  /** [offset, Adler-32 of the bytes before it] for each seal found. */
  readonly sealSums: readonly (readonly [number, number])[];
  /** The wrapping sum of the node records' hashes (recordDigest; /zookeeper/* count 0), a signed long. */
  readonly nodesDigest: bigint;
}

/** isAsciiBytes four bytes per read: every path is checked, and byte loads cost more than a DataView's. */
export function isAsciiRange(view: DataView, start: number, end: number): boolean {
  let seen = 0;
  let at = start;
  for (; at + 4 <= end; at += 4) seen |= view.getInt32(at);
  for (; at < end; at++) seen |= view.getUint8(at);
  return (seen & 0x80808080) === 0;
}

export function shortRead(what: string, count: number, at: number, end: number): JuteError {
  return new JuteError(`short read: ${what} needs ${count} bytes at offset ${at}, ${end - at} left`);
}

/**
 * The checks of a snapshot file (SnapshotChecks), straight from its bytes: a walk over the
 * records that reads lengths and hashes ranges, making no node, string or bigint per record.
 * What a worker thread runs while another parses the same bytes. Throws JuteError on a file
 * whose structure it cannot follow (the parse reports such a file its own way).
 */
export function snapshotChecks(bytes: Uint8Array): SnapshotChecks {
  const reader = new JuteReader(bytes);
  readRecord(reader, R.FileHeader);
  const sessionCount = reader.readVectorCount(SESSION_BYTES);
  for (let index = 0; index < sessionCount; index++) {
    reader.readLong();
    reader.readInt();
  }
  const aclCount = reader.readVectorCount(12);
  for (let index = 0; index < aclCount; index++) {
    reader.readLong();
    const count = reader.readVectorCount(16);
    for (let entry = 0; entry < count; entry++) readRecord(reader, R.ACL);
  }
  const sum = new DigestSum();
  const nodesEnd = hashNodes(bytes, reader.position, sum);
  // The seals: after the nodes, then after the digest section and 3.9's lastProcessedZxid section if present.
  const sealSums: [number, number][] = [];
  const running = new Adler32();
  let summed = 0;
  const sectionBytes = [8 + 4 + 8, 8];
  for (let at = nodesEnd, section = 0; at + SEAL_BYTES <= bytes.length; at += SEAL_BYTES + sectionBytes[section++]!) {
    running.update(bytes, summed, at);
    summed = at;
    sealSums.push([at, running.value]);
    if (section === sectionBytes.length) break;
  }
  return { length: bytes.length, nodesEnd, sealSums, nodesDigest: sum.value };
}

const ZOOKEEPER_SUBTREE_BYTES = new TextEncoder().encode('/zookeeper/');

/** The node records from `at` hashed into `sum` (as parseNodes does); returns the offset past their closing "/". */
function hashNodes(bytes: Uint8Array, start: number, sum: DigestSum): number {
  const end = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reserved = ZOOKEEPER_SUBTREE_BYTES;
  let at = start;
  for (;;) {
    if (at + 4 > end) throw shortRead('int', 4, at, end);
    const pathLength = Math.max(0, view.getInt32(at));
    const pathStart = at + 4;
    const pathEnd = pathStart + pathLength;
    if (pathEnd + 4 > end) throw shortRead('ustring', pathLength, pathStart, end);
    if (pathLength === 1 && bytes[pathStart] === 0x2f) return pathEnd;
    const dataStart = pathEnd + 4;
    const dataEnd = dataStart + Math.max(0, view.getInt32(pathEnd));
    const statStart = dataEnd + 8;
    at = statStart + STAT_PERSISTED_BYTES;
    if (at > end) throw shortRead('aclId and StatPersisted', NODE_TAIL_BYTES, dataEnd, end);
    let underReserved = pathLength >= reserved.length;
    for (let index = 0; underReserved && index < reserved.length; index++) underReserved = bytes[pathStart + index] === reserved[index];
    if (underReserved) continue;
    sum.add(isAsciiRange(view, pathStart, pathEnd) ? recordDigest(view, pathStart, pathEnd, dataStart, dataEnd, statStart)
      : recordDigestOfPath(utf8.encode(decodeUtf8(bytes, pathStart, pathEnd)), view, dataStart, dataEnd, statStart));
  }
}

