/**
 * A scanned txn log as text: the layout of ZooKeeper's TxnLogToolkit in dump mode (what
 * zkTxnLogToolkit.sh prints), or one JSON object per txn for programs.
 *
 * Text layout (observed from ZooKeeper 3.8's TxnLogToolkit and checked against it in
 * test/interop/storage-format.test.ts):
 *
 *   ZooKeeper Transactional Log File with dbid <dbid> txnlog format version <version>
 *   <M/d/yy, h:mm:ss a z> session 0x<clientId> cxid 0x<cxid> zxid 0x<zxid> <op> <fields>   -- per txn
 *   EOF reached after <n> txns.
 *
 * Hex is Long.toHexString (a negative cxid prints as 16 digits). <op> is Request.op2String of
 * TxnHeader.type ("createTtl", "reconfig"). <fields> for creates is
 * `path,data,[acl, …],ephemeral,parentCVersion` (containers drop `ephemeral`, TTL nodes add
 * `,ttl`), for setData `path,data,version`, with data as UTF-8 text; every other txn prints its
 * jute Record.toString() (jute/text.ts), which ends in a newline — and so does each ACL inside a
 * create's list, so a create spans two lines, exactly as ZooKeeper prints it.
 *
 * One deliberate difference: ZooKeeper prints each op of a multi as its raw record bytes decoded
 * as UTF-8 (length prefixes as control characters); we print each op's fields as its own txn
 * line would show them, newlines left out, `op:fields` joined by ";".
 *
 * How the file ended is reported, not thrown: a clean end prints ZooKeeper's "EOF reached"
 * line; a torn tail, corruption or an unknown txn type becomes `problem`, with the file (as
 * named to scanLog) and offset, after every txn before it has been printed. The TxnDigest ZooKeeper stores after each
 * txn is not shown in text (TxnLogToolkit does not show it either); the JSON form has it.
 * Not here: reading the file (cli/commands/log-dump.ts). Pure.
 */
import * as R from '../../jute/records.js';
import { recordListText, recordText, fieldsText } from '../../jute/text.js';
import { opName } from '../../protocol/codes.js';
import type { Txn } from '../../tree/txn.js';
import { assertNever } from '../../util/assert.js';
import { base64Encode } from '../../util/base64.js';
import { javaLongHex, javaShortLongDateTime, javaUtf8String } from '../../util/java-format.js';
import { TXN_OP_CODE, type LogEntry } from './txn-codec.js';
import type { LogEnd, LogScan } from './txn-log.js';

export interface LogDumpOptions {
  /** IANA zone to print times in (a JVM prints in its default zone). */
  readonly timeZone: string;
}

export interface LogDump {
  /** What goes to stdout. */
  readonly text: string;
  /** Why the file did not end cleanly, for stderr; undefined after a clean end. */
  readonly problem?: string;
}

/** Request.op2String, which TxnLogToolkit prints: the op code's name, but "createTtl". */
export function txnOpName(type: number): string {
  const name = opName(type);
  if (name === undefined) return `unknown ${type}`;
  return name === 'createTTL' ? 'createTtl' : name;
}

const dataText = (data: Uint8Array | null) => (data === null ? '' : javaUtf8String(data));

/** getFormattedTxnStr's text of one txn; `newlines: false` for the ops inside a multi. */
function txnFieldsText(txn: Txn, newlines: boolean): string {
  const record = newlines ? recordText : fieldsText;
  switch (txn.type) {
    case 'create':
    case 'create2':
      return `${txn.path},${dataText(txn.data)},${recordListText(R.ACL, txn.acl, newlines)},${txn.ephemeral},${txn.parentCVersion}`;
    case 'createContainer':
      return `${txn.path},${dataText(txn.data)},${recordListText(R.ACL, txn.acl, newlines)},${txn.parentCVersion}`;
    case 'createTTL':
      return `${txn.path},${dataText(txn.data)},${recordListText(R.ACL, txn.acl, newlines)},${txn.parentCVersion},${txn.ttl}`;
    case 'setData':
      return `${txn.path},${dataText(txn.data)},${txn.version}`;
    case 'delete':
    case 'deleteContainer':
      return record(R.DeleteTxn, { path: txn.path });
    case 'setACL':
      return record(R.SetACLTxn, { path: txn.path, acl: txn.acl, version: txn.version });
    case 'check':
      return record(R.CheckVersionTxn, { path: txn.path, version: txn.version });
    case 'createSession':
      return record(R.CreateSessionTxn, { timeOut: txn.timeOut });
    case 'closeSession':
      return record(R.CloseSessionTxn, { paths2Delete: txn.paths2Delete });
    case 'error':
      return record(R.ErrorTxn, { err: txn.err });
    case 'multi':
      return txn.txns.map((sub) => `${txnOpName(TXN_OP_CODE[sub.type])}:${txnFieldsText(sub, false)}`).join(';');
    default:
      return assertNever(txn);
  }
}

/** One txn as TxnLogToolkit prints it, ending in a newline. */
export function formatTxnLine(entry: LogEntry, timeZone: string): string {
  const { header } = entry;
  const line = `${javaShortLongDateTime(header.timeMs, timeZone)} session 0x${javaLongHex(header.clientId)} cxid 0x${javaLongHex(BigInt(header.cxid))}`
    + ` zxid 0x${javaLongHex(header.zxid)} ${txnOpName(entry.type)} ${txnFieldsText(entry.txn, true)}`;
  return line.endsWith('\n') ? line : `${line}\n`;
}

/** Why a log stopped where it did, for a person: the kind, the reason (file and offset) and what it means. */
export function describeLogEnd(end: LogEnd, txnCount: number): string {
  switch (end.kind) {
    case 'clean':
      return `clean end at offset ${end.offset} after ${txnCount} txns`;
    case 'torn':
      return `torn tail: ${end.reason}; ${txnCount} txns before it (what a crash during a write leaves: recovery truncates the file at offset ${end.offset})`;
    case 'corrupt':
      return `corrupt: ${end.reason}; ${txnCount} txns before it${end.validEntriesAfter ? ' (valid txns follow: acknowledged txns may be lost)' : ''}`;
    case 'unsupported':
      return `unsupported: ${end.reason}; ${txnCount} txns before it`;
    default:
      return assertNever(end);
  }
}

export function formatLogDump(scan: LogScan, options: LogDumpOptions): LogDump {
  let text = '';
  if (scan.header !== undefined) {
    text += `ZooKeeper Transactional Log File with dbid ${scan.header.dbid} txnlog format version ${scan.header.version}\n`;
  }
  for (const { entry } of scan.entries) text += formatTxnLine(entry, options.timeZone);
  if (scan.end.kind === 'clean') return { text: `${text}EOF reached after ${scan.entries.length} txns.\n` };
  return { text, problem: describeLogEnd(scan.end, scan.entries.length) };
}

// --- JSON ------------------------------------------------------------------------------------

const base64 = (data: Uint8Array | null) => (data === null ? null : base64Encode(data));
const hex = (value: bigint) => `0x${javaLongHex(value)}`;
const aclJson = (acl: readonly R.ACLT[]) => acl.map((entry) => ({ perms: entry.perms, scheme: entry.id.scheme, id: entry.id.id }));

/** A txn's fields as plain JSON values: data as base64 (null stays null), longs as decimal strings. */
export function txnJson(txn: Txn): Record<string, unknown> {
  switch (txn.type) {
    case 'create':
    case 'create2':
      return { type: txn.type, path: txn.path, data: base64(txn.data), acl: aclJson(txn.acl), ephemeral: txn.ephemeral, parentCVersion: txn.parentCVersion };
    case 'createContainer':
      return { type: txn.type, path: txn.path, data: base64(txn.data), acl: aclJson(txn.acl), parentCVersion: txn.parentCVersion };
    case 'createTTL':
      return { type: txn.type, path: txn.path, data: base64(txn.data), acl: aclJson(txn.acl), parentCVersion: txn.parentCVersion, ttl: String(txn.ttl) };
    case 'setData':
      return { type: txn.type, path: txn.path, data: base64(txn.data), version: txn.version };
    case 'delete':
    case 'deleteContainer':
      return { type: txn.type, path: txn.path };
    case 'setACL':
      return { type: txn.type, path: txn.path, acl: aclJson(txn.acl), version: txn.version };
    case 'check':
      return { type: txn.type, path: txn.path, version: txn.version };
    case 'createSession':
      return { type: txn.type, timeOut: txn.timeOut };
    case 'closeSession':
      return { type: txn.type, paths2Delete: txn.paths2Delete };
    case 'error':
      return { type: txn.type, err: txn.err };
    case 'multi':
      return { type: txn.type, txns: txn.txns.map(txnJson) };
    default:
      return assertNever(txn);
  }
}

/**
 * One JSON line per txn ({offset, time, timeMs, session, cxid, zxid, op, txn, digest?}), then one
 * line {end, offset, reason, txnCount}. Times are ISO-8601 UTC; 64-bit values are hex strings.
 */
export function formatLogDumpJson(scan: LogScan): LogDump {
  const lines = scan.entries.map(({ entry, offset }) => JSON.stringify({
    offset,
    time: new Date(Number(entry.header.timeMs)).toISOString(),
    timeMs: Number(entry.header.timeMs),
    session: hex(entry.header.clientId),
    cxid: entry.header.cxid,
    zxid: hex(entry.header.zxid),
    op: txnOpName(entry.type),
    txn: txnJson(entry.txn),
    ...(entry.digest === undefined ? {} : { digest: { version: entry.digest.version, treeDigest: hex(entry.digest.treeDigest) } }),
  }));
  const { end } = scan;
  lines.push(JSON.stringify({ end: end.kind, offset: end.offset, reason: end.reason, txnCount: scan.entries.length }));
  const text = `${lines.join('\n')}\n`;
  return end.kind === 'clean' ? { text } : { text, problem: describeLogEnd(end, scan.entries.length) };
}
