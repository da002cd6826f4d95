/**
 * A jute record as Java's generated Record.toString() prints it (ToStringOutputArchive), the
 * text ZooKeeper's TxnLogToolkit shows for most txns. The format, observed and checked against
 * ZooKeeper 3.8's tools in test/interop/storage-format.test.ts:
 *
 *   record    = field ("," field)* "\n"          -- a top-level record ends with a newline
 *   nested    = "s{" field ("," field)* "}"      -- a record inside a record or vector
 *   vector    = "v{" element ("," element)* "}"
 *   int, long = decimal; boolean = "T" | "F"
 *   ustring   = "'" text, with \0 \n \r , } % written as %00 %0A %0D %2C %7D %25
 *   buffer    = "" when empty or null, else "#" and Integer.toHexString of each (signed) byte:
 *               no padding, so 0x05 is "5" and 0x80 is "ffffff80"
 *
 * Not here: the binary encoding (schema.ts). Pure.
 */
import type { FieldType, Fields, RecordOf, RecordSchema } from './schema.js';

function escapeString(text: string): string {
  let out = "'";
  for (const ch of text) {
    switch (ch) {
      case '\0': out += '%00'; break;
      case '\n': out += '%0A'; break;
      case '\r': out += '%0D'; break;
      case ',': out += '%2C'; break;
      case '}': out += '%7D'; break;
      case '%': out += '%25'; break;
      default: out += ch;
    }
  }
  return out;
}

function escapeBuffer(bytes: Uint8Array | null): string {
  if (bytes === null || bytes.length === 0) return '';
  let out = '#';
  for (const byte of bytes) out += (byte < 0x80 ? byte : (byte - 0x100) >>> 0).toString(16);
  return out;
}

function valueText(type: FieldType, value: unknown): string {
  switch (type) {
    case 'int':
    case 'long':
      return String(value);
    case 'boolean':
      return value === true ? 'T' : 'F';
    case 'ustring':
      return escapeString(value as string);
    case 'buffer':
      return escapeBuffer((value ?? null) as Uint8Array | null);
  }
  if ('vector' in type) return `v{${(value as unknown[]).map((element) => valueText(type.vector, element)).join(',')}}`;
  return `s{${fieldsText(type, value as RecordOf<Fields>)}}`;
}

/** A record's fields as Record.toString() prints them, without its closing newline. */
export function fieldsText<F extends Fields>(schema: RecordSchema<F>, value: RecordOf<F>): string {
  const fields = value as Record<string, unknown>;
  return schema.fields.map(([name, type]) => valueText(type, fields[name])).join(',');
}

/** Record.toString(): the fields, then a newline. */
export function recordText<F extends Fields>(schema: RecordSchema<F>, value: RecordOf<F>): string {
  return `${fieldsText(schema, value)}\n`;
}

/**
 * java.util.List.toString() of records: "[" + each record's toString() joined by ", " + "]".
 * `newlines: false` leaves out each record's closing newline, for one-line output.
 */
export function recordListText<F extends Fields>(schema: RecordSchema<F>, values: readonly RecordOf<F>[], newlines = true): string {
  return `[${values.map((value) => (newlines ? recordText(schema, value) : fieldsText(schema, value))).join(', ')}]`;
}
