/**
 * A logged transaction to and from the bytes ZooKeeper stores for it (Util.marshallTxnEntry,
 * read back by SerializeUtils.deserializeTxn). Grammar of one txn entry:
 *
 *   txnEntry  = TxnHeader{long clientId; int cxid; long zxid; long time; int type}
 *               record                       -- chosen by TxnHeader.type, below
 *               [TxnDigest{int version; long treeDigest}]   -- when digests are enabled (3.8 default)
 *   record by type:
 *     create 1, create2 15       CreateTxn{path; data; acl[]; boolean ephemeral; int parentCVersion}
 *                                (logs from before 3.3 hold CreateTxnV0, without parentCVersion:
 *                                 read as parentCVersion -1, "one more than the parent's")
 *     createContainer 19         CreateContainerTxn{path; data; acl[]; int parentCVersion}
 *     createTTL 21               CreateTTLTxn{path; data; acl[]; int parentCVersion; long ttl}
 *     delete 2, deleteContainer 20  DeleteTxn{path}
 *     setData 5, reconfig 16     SetDataTxn{path; data; int version}   (reconfig sets /zookeeper/config)
 *     setACL 7                   SetACLTxn{path; acl[]; int version}
 *     check 13                   CheckVersionTxn{path; int version}   (only inside multi in ZooKeeper)
 *     createSession -10          CreateSessionTxn{int timeOut}
 *     closeSession -11           CloseSessionTxn{paths2Delete[]}, or nothing (zookeeper.closeSessionTxn.enabled=false, old logs)
 *     error -1                   ErrorTxn{int err}
 *     multi 14                   MultiTxn{Txn{int type; buffer data}[]}, each data one record as above;
 *                                sub types: create, createContainer, createTTL, delete,
 *                                deleteContainer, setData, check, error (DataTree.processTxn's list).
 *                                Not create2: ZooKeeper logs a multi's create2 op as a create, and
 *                                its replay stops applying a multi at a create2 sub-txn ("Invalid
 *                                type of op"), so we neither write nor accept one.
 *
 * `type` is kept next to the txn because the header's op code is not always implied by the
 * record (reconfig is a SetDataTxn). A decoded txn's byte arrays are views into the input, not
 * copies: recovery decodes straight out of a whole log file, and the tree keeps node data as
 * strings of its own (DataNode.data), so nothing keeps a view past the replay.
 * A caller that keeps decoded txns longer than their input copies what it keeps.
 * Two decoders: decodeTxnEntry reads one entry through the jute schemas (records.ts), the
 * reference; TxnEntryReader reads a file's worth in place for recovery, gives the same results,
 * and hands anything unusual back to decodeTxnEntry (the tests hold the two to each other).
 * Not here: the log framing (txn-log.ts) or applying txns (tree/data-tree.ts). Pure: no I/O.
 */
import { JuteError, JuteReader, JuteWriter } from '../../jute/archive.js';
import { readRecord, writeRecord } from '../../jute/schema.js';
import * as R from '../../jute/records.js';
import { OpCode } from '../../protocol/codes.js';
import { ACL_BYTES_MIN, AclVectorCodec, frozenAcl } from '../../jute/acl-lists.js';
import type { Txn, TxnHeader, TxnType } from '../../tree/txn.js';

export interface TxnDigestValue {
  readonly version: number;
  readonly treeDigest: bigint;
}

/**
 * One txn as the log holds it. Structurally the server's `LoggedTxn` plus the optional digest,
 * so a LoggedTxn can be passed as is.
 */
export interface LogEntry {
  readonly header: TxnHeader;
  /** TxnHeader.type: the op code of the request that produced the txn, or -1 for an error txn. */
  readonly type: number;
  readonly txn: Txn;
  readonly digest?: TxnDigestValue;
}

export type TxnCodecErrorCode = 'unsupported' | 'malformed' | 'mismatch';

/** A txn that cannot be encoded or decoded; `code` says whether it is unknown or damaged. */
export class TxnCodecError extends Error {
  override readonly name = 'TxnCodecError';
  constructor(readonly code: TxnCodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The op code ZooKeeper writes in TxnHeader.type (and in Txn.type inside a multi) for each txn. */
export const TXN_OP_CODE = {
  create: OpCode.create,
  create2: OpCode.create2,
  createContainer: OpCode.createContainer,
  createTTL: OpCode.createTTL,
  delete: OpCode.delete,
  deleteContainer: OpCode.deleteContainer,
  setData: OpCode.setData,
  setACL: OpCode.setACL,
  check: OpCode.check,
  createSession: OpCode.createSession,
  closeSession: OpCode.closeSession,
  error: OpCode.error,
  multi: OpCode.multi,
} as const satisfies Record<TxnType, number>;

/** Sub-txn types ZooKeeper can replay inside a multi (DataTree.processTxn; create2 is not one). */
const MULTI_SUB_TYPES: ReadonlySet<TxnType> = new Set<TxnType>([
  'create', 'createContainer', 'createTTL', 'delete', 'deleteContainer', 'setData', 'check', 'error',
]);

const TXN_DIGEST_BYTES = 12;

/** Whether a TxnHeader.type may carry this txn (reconfig is the one op code with a foreign record). */
function headerTypeFits(type: number, txn: Txn): boolean {
  return type === TXN_OP_CODE[txn.type] || (type === OpCode.reconfig && txn.type === 'setData');
}

// --- encoding --------------------------------------------------------------------------------

/**
 * Creates are most of a busy log and nearly all carry the same ACL list: CreateTxn is written
 * field by field here, its list through the codec that copies a repeated list's bytes.
 * The codec remembers only frozen lists, so one codec for every writer is safe.
 */
const txnAcls = new AclVectorCodec();

function writeTxnRecord(writer: JuteWriter, txn: Txn): void {
  switch (txn.type) {
    case 'create':
    case 'create2':
      // CreateTxn{ustring path; buffer data; vector<ACL> acl; boolean ephemeral; int parentCVersion}
      writer.writeUstring(txn.path);
      writer.writeBuffer(txn.data);
      txnAcls.write(writer, txn.acl);
      writer.writeBoolean(txn.ephemeral);
      writer.writeInt(txn.parentCVersion);
      return;
    case 'createContainer':
      writeRecord(writer, R.CreateContainerTxn, { path: txn.path, data: txn.data, acl: txn.acl, parentCVersion: txn.parentCVersion });
      return;
    case 'createTTL':
      writeRecord(writer, R.CreateTTLTxn, { path: txn.path, data: txn.data, acl: txn.acl, parentCVersion: txn.parentCVersion, ttl: txn.ttl });
      return;
    case 'delete':
    case 'deleteContainer':
      writeRecord(writer, R.DeleteTxn, { path: txn.path });
      return;
    case 'setData':
      writeRecord(writer, R.SetDataTxn, { path: txn.path, data: txn.data, version: txn.version });
      return;
    case 'setACL':
      writeRecord(writer, R.SetACLTxn, { path: txn.path, acl: txn.acl, version: txn.version });
      return;
    case 'check':
      writeRecord(writer, R.CheckVersionTxn, { path: txn.path, version: txn.version });
      return;
    case 'createSession':
      writeRecord(writer, R.CreateSessionTxn, { timeOut: txn.timeOut });
      return;
    case 'closeSession':
      writeRecord(writer, R.CloseSessionTxn, { paths2Delete: txn.paths2Delete });
      return;
    case 'error':
      writeRecord(writer, R.ErrorTxn, { err: txn.err });
      return;
    case 'multi': {
      const txns = txn.txns.map((sub) => {
        if (!MULTI_SUB_TYPES.has(sub.type)) throw new TxnCodecError('unsupported', `a ${sub.type} txn cannot be part of a multi`);
        const subWriter = new JuteWriter(64);
        writeTxnRecord(subWriter, sub);
        return { type: TXN_OP_CODE[sub.type], data: subWriter.toBytes() };
      });
      writeRecord(writer, R.MultiTxn, { txns });
      return;
    }
  }
}

/** Appends one txn entry (header, record, optional digest) to `writer`. */
export function writeTxnEntry(writer: JuteWriter, entry: LogEntry): void {
  if (!headerTypeFits(entry.type, entry.txn)) {
    throw new TxnCodecError('mismatch', `TxnHeader.type ${entry.type} cannot carry a ${entry.txn.type} txn`);
  }
  const { header } = entry;
  writeRecord(writer, R.TxnHeader, { clientId: header.clientId, cxid: header.cxid, zxid: header.zxid, time: header.timeMs, type: entry.type });
  writeTxnRecord(writer, entry.txn);
  if (entry.digest !== undefined) writeRecord(writer, R.TxnDigest, entry.digest);
}

/** The bytes of one txn entry, exactly as Util.marshallTxnEntry produces them. */
export function encodeTxnEntry(entry: LogEntry): Uint8Array {
  const writer = new JuteWriter(128);
  writeTxnEntry(writer, entry);
  return writer.toBytes();
}

// --- decoding --------------------------------------------------------------------------------

/** Reads the record of a txn of op code `type`; `undefined` if the op code has no txn record. */
function readTxnRecord(reader: JuteReader, type: number, where: string): Txn | undefined {
  switch (type) {
    case OpCode.create:
    case OpCode.create2: {
      const r = readRecord(reader, R.CreateTxn);
      return { type: type === OpCode.create ? 'create' : 'create2', path: r.path, data: r.data, acl: r.acl, ephemeral: r.ephemeral, parentCVersion: r.parentCVersion };
    }
    case OpCode.createContainer: {
      const r = readRecord(reader, R.CreateContainerTxn);
      return { type: 'createContainer', path: r.path, data: r.data, acl: r.acl, parentCVersion: r.parentCVersion };
    }
    case OpCode.createTTL: {
      const r = readRecord(reader, R.CreateTTLTxn);
      return { type: 'createTTL', path: r.path, data: r.data, acl: r.acl, parentCVersion: r.parentCVersion, ttl: r.ttl };
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type: type === OpCode.delete ? 'delete' : 'deleteContainer', path: readRecord(reader, R.DeleteTxn).path };
    case OpCode.setData:
    case OpCode.reconfig: {
      const r = readRecord(reader, R.SetDataTxn);
      return { type: 'setData', path: r.path, data: r.data, version: r.version };
    }
    case OpCode.setACL: {
      const r = readRecord(reader, R.SetACLTxn);
      return { type: 'setACL', path: r.path, acl: r.acl, version: r.version };
    }
    case OpCode.check: {
      const r = readRecord(reader, R.CheckVersionTxn);
      return { type: 'check', path: r.path, version: r.version };
    }
    case OpCode.createSession:
      return { type: 'createSession', timeOut: readRecord(reader, R.CreateSessionTxn).timeOut };
    case OpCode.closeSession:
      return { type: 'closeSession', paths2Delete: readRecord(reader, R.CloseSessionTxn).paths2Delete };
    case OpCode.error:
      return { type: 'error', err: readRecord(reader, R.ErrorTxn).err };
    case OpCode.multi: {
      const txns = readRecord(reader, R.MultiTxn).txns.map((sub, index) => decodeMultiSubTxn(sub.type, sub.data, `${where}, multi op ${index}`));
      return { type: 'multi', txns };
    }
    default:
      return undefined;
  }
}

function decodeMultiSubTxn(type: number, data: Uint8Array | null, where: string): Txn {
  const reader = new JuteReader(data ?? new Uint8Array(0));
  const txn = readTxnRecord(reader, type, where);
  if (txn === undefined || !MULTI_SUB_TYPES.has(txn.type)) {
    throw new TxnCodecError('unsupported', `${where}: op code ${type} is not a txn ZooKeeper replays inside a multi`);
  }
  if (reader.remaining !== 0) throw new TxnCodecError('malformed', `${where}: ${reader.remaining} bytes after the ${txn.type} record`);
  return txn;
}

/** What follows the record: nothing, or exactly one TxnDigest. */
function readDigestTail(reader: JuteReader): TxnDigestValue | undefined {
  if (reader.remaining === 0) return undefined;
  if (reader.remaining !== TXN_DIGEST_BYTES) throw new JuteError(`${reader.remaining} bytes after the txn record, expected 0 or a ${TXN_DIGEST_BYTES}-byte TxnDigest`);
  return readRecord(reader, R.TxnDigest);
}

interface Body {
  readonly txn: Txn;
  readonly digest: TxnDigestValue | undefined;
}

/** The record and digest, read so that together they consume the entry exactly. */
function readBody(bytes: Uint8Array, bodyStart: number, type: number, where: string): Body {
  const reader = new JuteReader(bytes, bodyStart);
  const txn = readTxnRecord(reader, type, where);
  if (txn === undefined) throw new TxnCodecError('unsupported', `${where}: unsupported txn type ${type}`);
  return { txn, digest: readDigestTail(reader) };
}

/** CreateTxnV0 (pre-3.3): as CreateTxn without parentCVersion, replayed with parentCVersion -1. */
function readCreateV0(bytes: Uint8Array, bodyStart: number): Body {
  const reader = new JuteReader(bytes, bodyStart);
  const r = readRecord(reader, R.CreateTxnV0);
  const txn: Txn = { type: 'create', path: r.path, data: r.data, acl: r.acl, ephemeral: r.ephemeral, parentCVersion: -1 };
  return { txn, digest: readDigestTail(reader) };
}

/** A closeSession written without a CloseSessionTxn: the session's ephemerals are found by owner on replay. */
function readCloseWithoutRecord(bytes: Uint8Array, bodyStart: number): Body {
  const reader = new JuteReader(bytes, bodyStart);
  return { txn: { type: 'closeSession', paths2Delete: [] }, digest: readDigestTail(reader) };
}

/**
 * Decodes one txn entry. Throws TxnCodecError: 'unsupported' for an op code that has no txn
 * (e.g. 0, 3, or SetMaxChildren, which has no op code in 3.x), 'malformed' for bytes that do not
 * parse as the record the header announces.
 */
export function decodeTxnEntry(bytes: Uint8Array, where = 'txn entry'): LogEntry {
  let header: R.TxnHeaderT;
  const reader = new JuteReader(bytes);
  try {
    header = readRecord(reader, R.TxnHeader);
  } catch (error) {
    throw new TxnCodecError('malformed', `${where}: short TxnHeader (${bytes.length} bytes)`, { cause: error });
  }
  const at = `${where} (zxid 0x${BigInt.asUintN(64, header.zxid).toString(16)})`;
  const fallbacks: ((bytes: Uint8Array, start: number) => Body)[] = [];
  if (header.type === OpCode.create) fallbacks.push(readCreateV0);
  if (header.type === OpCode.closeSession) fallbacks.push(readCloseWithoutRecord);
  let body: Body | undefined;
  let firstError: unknown;
  for (const read of [(b: Uint8Array, s: number) => readBody(b, s, header.type, at), ...fallbacks]) {
    try {
      body = read(bytes, reader.position);
      break;
    } catch (error) {
      if (error instanceof TxnCodecError && error.code === 'unsupported') throw error;
      if (!(error instanceof JuteError) && !(error instanceof TxnCodecError)) throw error;
      firstError ??= error;
    }
  }
  if (body === undefined) {
    const message = firstError instanceof Error ? firstError.message : String(firstError);
    throw new TxnCodecError('malformed', `${at}: ${message}`, { cause: firstError });
  }
  const entryHeader: TxnHeader = { clientId: header.clientId, cxid: header.cxid, zxid: header.zxid, timeMs: header.time };
  return body.digest === undefined
    ? { header: entryHeader, type: header.type, txn: body.txn }
    : { header: entryHeader, type: header.type, txn: body.txn, digest: body.digest };
}

// --- decoding a log file's entries ------------------------------------------------------------

const TXN_HEADER_BYTES = 32;
/** The smallest Txn inside a MultiTxn: int type and a buffer's length. */
const MULTI_OP_BYTES_MIN = 8;

/** A long field read entry after entry: the same bigint again while its 8 bytes stay the same. */
class RepeatedLong {
  // 0n is the bigint of eight zero bytes, so the initial values are a valid "previous" read.
  private high = 0;
  private low = 0;
  private value = 0n;

  read(view: DataView, at: number): bigint {
    const high = view.getInt32(at);
    const low = view.getInt32(at + 4);
    if (high !== this.high || low !== this.low) {
      this.high = high;
      this.low = low;
      this.value = view.getBigInt64(at);
    }
    return this.value;
  }
}

/**
 * Decodes the entries of one log file for recovery, with the results decodeTxnEntry gives but
 * far less made per entry: replaying a few hundred thousand txns went mostly to garbage (a
 * generic record object per record, then the txn copied out of it, an ACL array per create, a
 * bigint per long). Here a cursor reads the TxnHeader and the record in place, a clientId or
 * time equal to the previous entry's (the same session, a burst of writes within a millisecond)
 * is the same bigint, and an ACL vector whose bytes equal the previous one's is the same frozen
 * array (the tree interns ACLs anyway, AclCache). Strings still go through JuteReader.readUstring.
 * `read` returns undefined for anything it does not decode itself — a damaged entry, a
 * CreateTxnV0, a closeSession without its record, an unknown op code — and the caller hands
 * those to decodeTxnEntry, which gives the result or the typed error: this reader never decides
 * an error on its own.
 */
export class TxnEntryReader {
  private readonly view: DataView;
  private at = 0;
  private end = 0;
  private readonly clientId = new RepeatedLong();
  private readonly time = new RepeatedLong();
  /** Where the last decoded ACL vector's bytes are in `bytes` (empty: none yet), and its array. */
  private aclStart = 0;
  private aclEnd = 0;
  private acl: R.ACLT[] = [];

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The entry in bytes[start, end), or undefined: decode it with decodeTxnEntry instead. */
  read(start: number, end: number): LogEntry | undefined {
    if (end - start < TXN_HEADER_BYTES) return undefined;
    const view = this.view;
    const type = view.getInt32(start + 28);
    this.at = start + TXN_HEADER_BYTES;
    this.end = end;
    let txn: Txn | undefined;
    let digest: TxnDigestValue | undefined;
    try {
      txn = this.readTxnRecord(type);
      if (txn === undefined) return undefined;
      const left = end - this.at;
      if (left === TXN_DIGEST_BYTES) digest = { version: this.int(), treeDigest: this.long() };
      else if (left !== 0) return undefined;
    } catch (error) {
      if (error instanceof JuteError) return undefined;
      throw error;
    }
    const header: TxnHeader = { clientId: this.clientId.read(view, start), cxid: view.getInt32(start + 8), zxid: view.getBigInt64(start + 12), timeMs: this.time.read(view, start + 20) };
    return digest === undefined ? { header, type, txn } : { header, type, txn, digest };
  }

  /** As readTxnRecord, at the cursor; undefined where decodeTxnEntry must decide. */
  private readTxnRecord(type: number): Txn | undefined {
    switch (type) {
      case OpCode.create:
      case OpCode.create2: {
        const path = this.ustring();
        const data = this.buffer();
        const acl = this.aclVector();
        const ephemeral = this.boolean();
        return { type: type === OpCode.create ? 'create' : 'create2', path, data, acl, ephemeral, parentCVersion: this.int() };
      }
      case OpCode.createContainer: {
        const path = this.ustring();
        const data = this.buffer();
        const acl = this.aclVector();
        return { type: 'createContainer', path, data, acl, parentCVersion: this.int() };
      }
      case OpCode.createTTL: {
        const path = this.ustring();
        const data = this.buffer();
        const acl = this.aclVector();
        const parentCVersion = this.int();
        return { type: 'createTTL', path, data, acl, parentCVersion, ttl: this.long() };
      }
      case OpCode.delete:
      case OpCode.deleteContainer:
        return { type: type === OpCode.delete ? 'delete' : 'deleteContainer', path: this.ustring() };
      case OpCode.setData:
      case OpCode.reconfig: {
        const path = this.ustring();
        const data = this.buffer();
        return { type: 'setData', path, data, version: this.int() };
      }
      case OpCode.setACL: {
        const path = this.ustring();
        const acl = this.aclVector();
        return { type: 'setACL', path, acl, version: this.int() };
      }
      case OpCode.check: {
        const path = this.ustring();
        return { type: 'check', path, version: this.int() };
      }
      case OpCode.createSession:
        return { type: 'createSession', timeOut: this.int() };
      case OpCode.closeSession: {
        const paths2Delete = new Array<string>(this.vectorCount(4));
        for (let i = 0; i < paths2Delete.length; i++) paths2Delete[i] = this.ustring();
        return { type: 'closeSession', paths2Delete };
      }
      case OpCode.error:
        return { type: 'error', err: this.int() };
      case OpCode.multi:
        return this.multi();
      default:
        return undefined;
    }
  }

  private multi(): Txn | undefined {
    const txns = new Array<Txn>(this.vectorCount(MULTI_OP_BYTES_MIN));
    for (let i = 0; i < txns.length; i++) {
      const type = this.int();
      const length = this.int();
      const start = this.at;
      const end = length === -1 ? start : start + length;
      if (length < -1 || end > this.end) return undefined;
      const outerEnd = this.end;
      this.end = end;
      const sub = this.readTxnRecord(type);
      if (sub === undefined || !MULTI_SUB_TYPES.has(sub.type) || this.at !== end) return undefined;
      this.end = outerEnd;
      txns[i] = sub;
    }
    return { type: 'multi', txns };
  }

  /** An ACL vector: the previous one's array when its bytes are the same. */
  private aclVector(): R.ACLT[] {
    const start = this.at;
    const end = this.aclVectorEnd(start);
    if (end !== -1 && this.sameBytes(start, end, this.aclStart, this.aclEnd)) {
      this.at = end;
      return this.acl;
    }
    const acl = new Array<R.ACLT>(this.vectorCount(ACL_BYTES_MIN));
    for (let i = 0; i < acl.length; i++) {
      const perms = this.int();
      const scheme = this.ustring();
      acl[i] = { perms, id: { scheme, id: this.ustring() } };
    }
    this.acl = frozenAcl(acl);
    this.aclStart = start;
    this.aclEnd = this.at;
    return this.acl;
  }

  /** Where the ACL vector at `at` ends, walking its lengths only; -1 if it is not a whole one. */
  private aclVectorEnd(at: number): number {
    const { view, end } = this;
    if (at + 4 > end) return -1;
    const count = view.getInt32(at);
    at += 4;
    if (count === -1) return at;
    if (count < 0) return -1;
    for (let i = 0; i < count; i++) {
      at += 4; // perms
      for (let s = 0; s < 2; s++) {
        if (at + 4 > end) return -1;
        const length = view.getInt32(at);
        if (length < -1) return -1;
        at += 4 + (length === -1 ? 0 : length);
      }
      if (at > end) return -1;
    }
    return at;
  }

  private sameBytes(start: number, end: number, otherStart: number, otherEnd: number): boolean {
    if (end - start !== otherEnd - otherStart) return false;
    const bytes = this.bytes;
    for (let i = 0; i < end - start; i++) if (bytes[start + i] !== bytes[otherStart + i]) return false;
    return true;
  }

  // A JuteError thrown below only sends the entry to decodeTxnEntry, whose message is the one shown.
  private need(count: number): void {
    if (this.at + count > this.end) throw new JuteError('short read');
  }

  private int(): number {
    this.need(4);
    const value = this.view.getInt32(this.at);
    this.at += 4;
    return value;
  }

  private long(): bigint {
    this.need(8);
    const value = this.view.getBigInt64(this.at);
    this.at += 8;
    return value;
  }

  private boolean(): boolean {
    this.need(1);
    return this.bytes[this.at++] !== 0;
  }

  /** As JuteReader.readBuffer: a view into the file's bytes. */
  private buffer(): Uint8Array | null {
    const length = this.int();
    if (length === -1) return null;
    if (length < -1) throw new JuteError('negative buffer length');
    this.need(length);
    const start = this.at;
    this.at += length;
    return this.bytes.subarray(start, this.at);
  }

  /** JuteReader.readUstring itself, at the cursor. */
  private ustring(): string {
    const reader = new JuteReader(this.bytes, this.at, this.end);
    const value = reader.readUstring();
    this.at = reader.position;
    return value;
  }

  private vectorCount(minElementBytes: number): number {
    const count = this.int();
    if (count === -1) return 0;
    if (count < -1 || count * minElementBytes > this.end - this.at) throw new JuteError('vector count does not fit');
    return count;
  }
}
