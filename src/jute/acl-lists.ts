/**
 * ACL vectors (`vector<ACL>`) read and written with the previous list remembered. A client
 * sends the same list with nearly every create (OPEN_ACL_UNSAFE, or its one digest list), and
 * the tree keeps one interned copy per distinct list: decoding each request's list into three
 * fresh objects and two strings, and encoding each txn's list field by field, was work thrown
 * away per create. Same bytes give the same (frozen) list back; the same frozen list gives the
 * same bytes back.
 *
 * Lists from here are shared between requests and frozen, so nobody may change them; the
 * results equal what readRecord/writeRecord of `vector(ACL)` give (the tests hold them to it).
 * Not here: what an ACL means (tree/acl.ts), interning for the tree (tree/acl-cache.ts).
 */
import { JuteReader, JuteWriter } from './archive.js';
import { readRecord, writeRecord } from './schema.js';
import * as R from './records.js';

/** The smallest ACL on the wire: int perms and two ustrings' lengths (ACL{perms; Id{scheme; id}}). */
export const ACL_BYTES_MIN = 12;

/** Freezes a decoded list and its entries, for lists shared between readers. */
export function frozenAcl(acl: R.ACLT[]): R.ACLT[] {
  for (const entry of acl) Object.freeze(Object.freeze(entry).id);
  return Object.freeze(acl) as R.ACLT[];
}

export class AclVectorCodec {
  private readBytes = new Uint8Array(0);
  private readList: R.ACLT[] | undefined;
  private writtenList: readonly R.ACLT[] | undefined;
  private writtenBytes = new Uint8Array(0);

  /** Reads one `vector<ACL>` at the reader's position of `bytes` (the array the reader reads). */
  read(reader: JuteReader, bytes: Uint8Array): R.ACLT[] {
    const start = reader.position;
    const last = this.readBytes;
    if (this.readList !== undefined && reader.remaining >= last.length && sameBytes(bytes, start, last)) {
      reader.skip(last.length);
      return this.readList;
    }
    const count = reader.readVectorCount(ACL_BYTES_MIN);
    const acl = new Array<R.ACLT>(count);
    for (let i = 0; i < count; i++) acl[i] = readRecord(reader, R.ACL);
    this.readBytes = bytes.slice(start, reader.position);
    this.readList = frozenAcl(acl);
    return this.readList;
  }

  /** Writes `acl` as a `vector<ACL>`; a frozen list written just before is copied as bytes. */
  write(writer: JuteWriter, acl: readonly R.ACLT[]): void {
    if (acl === this.writtenList) {
      writer.writeRaw(this.writtenBytes);
      return;
    }
    const start = writer.length;
    writer.writeInt(acl.length);
    for (const entry of acl) writeRecord(writer, R.ACL, entry);
    // Only a frozen list is sure to hold the same entries the next time it is seen.
    if (Object.isFrozen(acl) && acl.every((entry) => Object.isFrozen(entry) && Object.isFrozen(entry.id))) {
      this.writtenList = acl;
      this.writtenBytes = writer.peek().slice(start);
    }
  }
}

function sameBytes(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}
