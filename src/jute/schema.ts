/**
 * Record schemas: a record is a named list of typed fields, and one generic encoder/decoder walks
 * the list. The TypeScript type of each record is derived from its schema, so the wire layout and
 * the type can never disagree (DESIGN.md §3.10: one schema for wire and disk).
 *
 * Deliberately not here: framing, and the few non-jute layouts (multi streams, the optional
 * trailing readOnly byte of the handshake), which live with the code that needs them.
 */
import { JuteError, JuteReader, JuteWriter } from './archive.js';

export type Primitive = 'int' | 'long' | 'boolean' | 'buffer' | 'ustring';
export interface VectorType { readonly vector: FieldType }
export type FieldType = Primitive | VectorType | RecordSchema<Fields>;
export type Fields = readonly (readonly [string, FieldType])[];

export interface RecordSchema<F extends Fields> {
  readonly name: string;
  readonly fields: F;
}

export type ValueOf<T> = T extends 'int'
  ? number
  : T extends 'long'
    ? bigint
    : T extends 'boolean'
      ? boolean
      : T extends 'buffer'
        ? Uint8Array | null
        : T extends 'ustring'
          ? string
          : T extends { readonly vector: infer E }
            ? ValueOf<E>[]
            : T extends RecordSchema<infer F>
              ? RecordOf<F>
              : never;

export type RecordOf<F extends Fields> = { [K in F[number] as K[0]]: ValueOf<K[1]> };
export type Rec<S> = S extends RecordSchema<infer F> ? RecordOf<F> : never;

export function record<const F extends Fields>(name: string, fields: F): RecordSchema<F> {
  return { name, fields };
}
export function vector<const E extends FieldType>(element: E): { readonly vector: E } {
  return { vector: element };
}

function minBytes(type: FieldType): number {
  if (typeof type === 'string') {
    return type === 'long' ? 8 : type === 'boolean' ? 1 : 4;
  }
  if ('vector' in type) return 4;
  let total = 0;
  for (const [, fieldType] of type.fields) total += minBytes(fieldType);
  return total;
}

/*
 * Each schema is compiled once, on first use, into a reader and a writer specialised to its
 * fields (straight-line code via `new Function`, as protobuf.js does): the request path decodes
 * and encodes records for every packet, and a generic walk over the field list costs a switch
 * and a dynamic property access per field and builds objects of unpredictable shape. The
 * generated code does what the generic walk did, field by field, with the same checks and errors.
 */
type RecordReader = (reader: JuteReader) => Record<string, unknown>;
type RecordWriter = (writer: JuteWriter, value: Record<string, unknown>) => void;

const readers = new WeakMap<RecordSchema<Fields>, RecordReader>();
const writers = new WeakMap<RecordSchema<Fields>, RecordWriter>();

function readVector(reader: JuteReader, element: FieldType): unknown[] {
  const count = reader.readVectorCount(minBytes(element));
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = readValue(reader, element);
  return out;
}

function readValue(reader: JuteReader, type: FieldType): unknown {
  switch (type) {
    case 'int': return reader.readInt();
    case 'long': return reader.readLong();
    case 'boolean': return reader.readBoolean();
    case 'buffer': return reader.readBuffer();
    case 'ustring': return reader.readUstring();
  }
  if ('vector' in type) return readVector(reader, type.vector);
  return readRecord(reader, type);
}

function writeValue(writer: JuteWriter, type: FieldType, value: unknown, where: string): void {
  switch (type) {
    case 'int':
      if (typeof value !== 'number') throw new JuteError(`${where}: expected int`);
      writer.writeInt(value);
      return;
    case 'long':
      if (typeof value !== 'bigint') throw new JuteError(`${where}: expected long (bigint)`);
      writer.writeLong(value);
      return;
    case 'boolean':
      writer.writeBoolean(value === true);
      return;
    case 'buffer':
      writer.writeBuffer((value ?? null) as Uint8Array | null);
      return;
    case 'ustring':
      if (typeof value !== 'string') throw new JuteError(`${where}: expected ustring`);
      writer.writeUstring(value);
      return;
  }
  if ('vector' in type) {
    if (!Array.isArray(value)) throw new JuteError(`${where}: expected vector`);
    writer.writeInt(value.length);
    for (const element of value) writeValue(writer, type.vector, element, where);
    return;
  }
  writeRecord(writer, type, value as RecordOf<Fields>);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function compileReader(schema: RecordSchema<Fields>): RecordReader {
  const parts: string[] = [];
  const nested: FieldType[] = [];
  for (const [name, type] of schema.fields) {
    if (!IDENTIFIER.test(name)) throw new Error(`jute schema ${schema.name}: field name ${name} is not an identifier`);
    let read: string;
    switch (type) {
      case 'int': read = 'r.readInt()'; break;
      case 'long': read = 'r.readLong()'; break;
      case 'boolean': read = 'r.readBoolean()'; break;
      case 'buffer': read = 'r.readBuffer()'; break;
      case 'ustring': read = 'r.readUstring()'; break;
      default:
        nested.push(type);
        read = `value(r, nested[${nested.length - 1}])`;
    }
    parts.push(`${name}: ${read}`);
  }
  // Object literal fields are evaluated in order, so the reads happen in wire order.
  const body = `return function read${schema.name.replace(/\W/g, '')}(r) { return { ${parts.join(', ')} }; };`;
  return new Function('value', 'nested', body)(readValue, nested) as RecordReader;
}

function compileWriter(schema: RecordSchema<Fields>): RecordWriter {
  const lines: string[] = [];
  const nested: FieldType[] = [];
  for (const [name, type] of schema.fields) {
    if (!IDENTIFIER.test(name)) throw new Error(`jute schema ${schema.name}: field name ${name} is not an identifier`);
    const where = JSON.stringify(`${schema.name}.${name}`);
    switch (type) {
      case 'int':
        lines.push(`if (typeof v.${name} !== 'number') throw new JuteError(${where} + ': expected int'); w.writeInt(v.${name});`);
        break;
      case 'long':
        lines.push(`if (typeof v.${name} !== 'bigint') throw new JuteError(${where} + ': expected long (bigint)'); w.writeLong(v.${name});`);
        break;
      case 'boolean':
        lines.push(`w.writeBoolean(v.${name} === true);`);
        break;
      case 'buffer':
        lines.push(`w.writeBuffer(v.${name} ?? null);`);
        break;
      case 'ustring':
        lines.push(`if (typeof v.${name} !== 'string') throw new JuteError(${where} + ': expected ustring'); w.writeUstring(v.${name});`);
        break;
      default:
        nested.push(type);
        lines.push(`value(w, nested[${nested.length - 1}], v.${name}, ${where});`);
    }
  }
  const body = `return function write${schema.name.replace(/\W/g, '')}(w, v) {\n${lines.join('\n')}\n};`;
  return new Function('value', 'nested', 'JuteError', body)(writeValue, nested, JuteError) as RecordWriter;
}

export function readRecord<F extends Fields>(reader: JuteReader, schema: RecordSchema<F>): RecordOf<F> {
  let read = readers.get(schema);
  if (read === undefined) readers.set(schema, (read = compileReader(schema)));
  return read(reader) as RecordOf<F>;
}

export function writeRecord<F extends Fields>(writer: JuteWriter, schema: RecordSchema<F>, value: RecordOf<F>): void {
  let write = writers.get(schema);
  if (write === undefined) writers.set(schema, (write = compileWriter(schema)));
  write(writer, value as Record<string, unknown>);
}

/** Decodes a whole byte array as one record; trailing bytes are an error. */
export function decode<F extends Fields>(schema: RecordSchema<F>, bytes: Uint8Array): RecordOf<F> {
  const reader = new JuteReader(bytes);
  const out = readRecord(reader, schema);
  if (reader.remaining !== 0) throw new JuteError(`${schema.name}: ${reader.remaining} trailing bytes`);
  return out;
}

export function encode<F extends Fields>(schema: RecordSchema<F>, value: RecordOf<F>): Uint8Array {
  const writer = new JuteWriter();
  writeRecord(writer, schema, value);
  return writer.toBytes();
}
