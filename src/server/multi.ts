/**
 * The multi/multiRead wire layout (MultiOperationRecord, MultiResponse): a stream of
 * `MultiHeader{type, done, err}` each followed by its op's record, ended by a header with
 * done=true. Not jute records themselves, so they are coded here.
 */
import { OpCode, createModeOf } from '../protocol/codes.js';
import { JuteError, JuteReader, JuteWriter } from '../jute/archive.js';
import * as R from '../jute/records.js';
import { readRecord, writeRecord, type Rec } from '../jute/schema.js';

export type MultiOp =
  | { readonly type: 1 | 15 | 19; readonly request: Rec<typeof R.CreateRequest>; readonly unprocessable?: string }
  | { readonly type: 21; readonly request: Rec<typeof R.CreateTTLRequest> }
  | { readonly type: 2; readonly request: Rec<typeof R.DeleteRequest> }
  | { readonly type: 20; readonly request: { readonly path: string } }
  | { readonly type: 5; readonly request: Rec<typeof R.SetDataRequest> }
  | { readonly type: 7; readonly request: Rec<typeof R.SetACLRequest> }
  | { readonly type: 13; readonly request: Rec<typeof R.CheckVersionRequest> }
  | { readonly type: 4; readonly request: Rec<typeof R.GetDataRequest> }
  | { readonly type: 8; readonly request: Rec<typeof R.GetChildrenRequest> };

/** Thrown for a multi whose stream cannot be read or holds an op of the wrong kind (MarshallingError). */
export class MultiDecodeError extends JuteError {}

export function decodeMultiOps(body: Uint8Array, kind: 'write' | 'read'): MultiOp[] {
  const reader = new JuteReader(body);
  const ops: MultiOp[] = [];
  for (;;) {
    const header = readRecord(reader, R.MultiHeader);
    if (header.done) break;
    const op = readOp(reader, header.type);
    const isRead = op.type === OpCode.getData || op.type === OpCode.getChildren;
    if (isRead !== (kind === 'read')) throw new MultiDecodeError(`op ${header.type} not allowed in ${kind === 'read' ? 'multiRead' : 'multi'}`);
    ops.push(op);
  }
  return ops;
}

/**
 * Inside a multi, ZooKeeper rebuilds each create with Op.create(path, data, acl, flags[, ttl]),
 * so the flags, not the op code, decide its kind: container flags make a createContainer, TTL
 * flags a createTTL, anything else a plain create (unknown flags then fail BadArguments in prep) —
 * which is why a create2 inside a multi answers with a plain create result.
 */
function createOp(request: Rec<typeof R.CreateTTLRequest>): MultiOp {
  const mode = createModeOf(request.flags);
  const { path, data, acl, flags } = request;
  if (mode === undefined) return { type: OpCode.create, request: { path, data, acl, flags } };
  if (mode.ttl) return { type: OpCode.createTTL, request: { path, data, acl, flags, ttl: request.ttl } };
  return { type: mode.container ? OpCode.createContainer : OpCode.create, request: { path, data, acl, flags } };
}

function readOp(reader: JuteReader, type: number): MultiOp {
  switch (type) {
    case OpCode.create: case OpCode.create2: case OpCode.createContainer: {
      const request = readRecord(reader, R.CreateRequest);
      // A create without a ttl field cannot make a TTL node; ZooKeeper fails the whole multi
      // with MarshallingError when it reaches this op (not if an earlier op already failed).
      if (createModeOf(request.flags)?.ttl === true) return { type: OpCode.create, request, unprocessable: `TTL flags ${request.flags} without a ttl` };
      return createOp({ ...request, ttl: -1n });
    }
    case OpCode.createTTL: return createOp(readRecord(reader, R.CreateTTLRequest));
    case OpCode.delete: return { type, request: readRecord(reader, R.DeleteRequest) };
    case OpCode.setData: return { type, request: readRecord(reader, R.SetDataRequest) };
    case OpCode.check: return { type, request: readRecord(reader, R.CheckVersionRequest) };
    case OpCode.getData: return { type, request: readRecord(reader, R.GetDataRequest) };
    case OpCode.getChildren: return { type, request: readRecord(reader, R.GetChildrenRequest) };
    default: throw new MultiDecodeError(`invalid type ${type} in multi`);
  }
}

export type MultiResult =
  | { readonly type: 1; readonly path: string }
  | { readonly type: 15; readonly path: string; readonly stat: Rec<typeof R.Stat> }
  | { readonly type: 2 | 13 }
  | { readonly type: 5; readonly stat: Rec<typeof R.Stat> }
  | { readonly type: 4; readonly data: string | null; readonly stat: Rec<typeof R.Stat> }
  | { readonly type: 8; readonly children: string[] }
  | { readonly type: -1; readonly err: number };

/** GetDataResponse with the data as the tree keeps it (a Latin-1 string, DataNode.data). */
export function writeGetDataResponse(writer: JuteWriter, data: string | null, stat: Rec<typeof R.Stat>): void {
  writer.writeLatin1Buffer(data);
  writeRecord(writer, R.Stat, stat);
}

export function encodeMultiResults(writer: JuteWriter, results: readonly MultiResult[]): void {
  for (const result of results) {
    writeRecord(writer, R.MultiHeader, { type: result.type, done: false, err: result.type === -1 ? result.err : 0 });
    switch (result.type) {
      case 1: writeRecord(writer, R.CreateResponse, { path: result.path }); break;
      case 15: writeRecord(writer, R.Create2Response, { path: result.path, stat: result.stat }); break;
      case 2: case 13: break;
      case 5: writeRecord(writer, R.SetDataResponse, { stat: result.stat }); break;
      case 4: writeGetDataResponse(writer, result.data, result.stat); break;
      case 8: writeRecord(writer, R.GetChildrenResponse, { children: result.children }); break;
      case -1: writeRecord(writer, R.ErrorResponse, { err: result.err }); break;
    }
  }
  writeRecord(writer, R.MultiHeader, { type: -1, done: true, err: -1 });
}
