/**
 * Precomputed request frames: a request is encoded once with the jute codec, and each send
 * copies those bytes and patches only the xid and the fixed-width decimal digits in its path
 * (a key number, a tree position). That keeps the bench's cost per op at a memcpy and a few
 * byte stores, so what it measures is the server.
 *
 * Not here: sockets. Invariant: a patched frame is byte-for-byte what encoding the request
 * with that xid and those digits would give (the unit tests decode it to check).
 */
import { JuteWriter } from '../../jute/archive.js';
import { RequestHeader } from '../../jute/records.js';
import { writeRecord, type Fields, type RecordOf, type RecordSchema } from '../../jute/schema.js';

/** Frame length (4) + RequestHeader xid (4) and type (4) + the path's ustring length (4). */
const pathStartOffset = 16;
const xidOffset = 4;

/** A run of decimal digits inside the path: its character offset and width. */
export interface DigitField {
  readonly at: number;
  readonly width: number;
}

const utf8 = new TextEncoder();

export class RequestTemplate {
  private constructor(
    /** One whole frame, length prefix included. */
    readonly bytes: Uint8Array,
    /** Byte offsets of the digit fields inside `bytes`. */
    private readonly fieldOffsets: readonly number[],
    private readonly fieldWidths: readonly number[],
  ) {}

  /**
   * Encodes `body` (a record whose first field is its ustring `path`) as op `opCode`; `fields`
   * locate the digit runs of `body.path` that sends will patch.
   */
  static forPath<F extends Fields>(opCode: number, schema: RecordSchema<F>, body: RecordOf<F>, fields: readonly DigitField[] = []): RequestTemplate {
    const first = schema.fields[0];
    if (first === undefined || first[0] !== 'path' || first[1] !== 'ustring') throw new RangeError(`${schema.name} does not start with a ustring path`);
    const path = (body as Record<string, unknown>)['path'] as string;
    const offsets = fields.map((field) => {
      if (field.at < 0 || field.at + field.width > path.length) throw new RangeError(`digit field ${field.at}+${field.width} outside '${path}'`);
      return pathStartOffset + utf8.encode(path.slice(0, field.at)).length;
    });
    return new RequestTemplate(encodeFrame(opCode, 0, (writer) => writeRecord(writer, schema, body)), offsets, fields.map((field) => field.width));
  }

  /** A request with no body (closeSession, ping). */
  static bodiless(opCode: number): RequestTemplate {
    return new RequestTemplate(encodeFrame(opCode, 0, () => {}), [], []);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Copies the frame to `target` at `at` with `xid` in its header. */
  writeTo(target: Uint8Array, at: number, xid: number): void {
    target.set(this.bytes, at);
    const o = at + xidOffset;
    target[o] = xid >>> 24;
    target[o + 1] = (xid >>> 16) & 0xff;
    target[o + 2] = (xid >>> 8) & 0xff;
    target[o + 3] = xid & 0xff;
  }

  /** Sets digit field `field` of the frame copied to `target` at `at` to `value`, zero-padded. */
  setDigits(target: Uint8Array, at: number, field: number, value: number): void {
    const width = this.fieldWidths[field]!;
    const start = at + this.fieldOffsets[field]!;
    let rest = value;
    for (let i = width - 1; i >= 0; i--) {
      target[start + i] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    if (rest !== 0 || value < 0) throw new RangeError(`${value} does not fit in ${width} digits`);
  }
}

/** A framed request: length prefix, RequestHeader { xid, type }, then whatever `body` writes. */
export function encodeFrame(opCode: number, xid: number, body: (writer: JuteWriter) => void): Uint8Array {
  const writer = new JuteWriter();
  writer.writeInt(0);
  writeRecord(writer, RequestHeader, { xid, type: opCode });
  body(writer);
  writer.patchInt(0, writer.length - 4);
  return writer.toBytes();
}
