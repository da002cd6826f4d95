/**
 * One descriptor per client operation: how to write its request record, how to read its reply
 * body, and which watch a successful (or NONODE) reply registers. The connection core treats
 * these as opaque; the public API builds them. Also the client side of the multi/multiRead wire
 * layout (facts §1.10): encode a stream of `MultiHeader` + op records, decode the result stream.
 *
 * Paths: builders take CLIENT paths, validate them (PathUtils rules) and add the chroot; readers
 * strip it from returned paths. Builders throw BadArgumentsError for invalid input, before anything
 * is sent. Not here: I/O, xids, timing. Invariant: a descriptor's `read` sees exactly the bytes
 * after the ReplyHeader of a reply whose err was 0 (or NONODE for `nullOnNoNode`).
 */
import type { JuteReader, JuteWriter } from '../../jute/archive.js';
import * as R from '../../jute/records.js';
import { readRecord, writeRecord, type Rec } from '../../jute/schema.js';
import { AddWatchMode, CreateFlag, ErrorCode, OpCode, Perms, WatcherType } from '../../protocol/codes.js';
import { BadArgumentsError, errorFromCode, RuntimeInconsistencyError, type ZooKeeperError } from './errors.js';
import { validatePath, type Chroot } from './paths.js';
import type { WatchKind } from './watches.js';

export interface Id { readonly scheme: string; readonly id: string }
export interface ACL { readonly perms: number; readonly id: Id }

/** A znode's Stat. Zxids and the session id are 64-bit and stay bigint; times are epoch ms. */
export interface Stat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
  readonly pzxid: bigint;
}

export interface ClientInfo { readonly authScheme: string; readonly user: string }

export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }]);
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }]);
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }]);

export const CreateMode = {
  persistent: CreateFlag.PERSISTENT,
  ephemeral: CreateFlag.EPHEMERAL,
  persistentSequential: CreateFlag.PERSISTENT_SEQUENTIAL,
  ephemeralSequential: CreateFlag.EPHEMERAL_SEQUENTIAL,
  container: CreateFlag.CONTAINER,
  persistentWithTtl: CreateFlag.PERSISTENT_WITH_TTL,
  persistentSequentialWithTtl: CreateFlag.PERSISTENT_SEQUENTIAL_WITH_TTL,
} as const;
export type CreateModeName = keyof typeof CreateMode;

export type Data = Uint8Array | string | null | undefined;

export interface CreateOptions {
  readonly mode?: CreateModeName;
  readonly acl?: readonly ACL[];
  /** Required for (and only allowed with) the *WithTtl modes. */
  readonly ttlMs?: number;
}

/** What a successful or NONODE reply registers, and for whom. */
export interface WatchRegistration<W> {
  readonly listener: W;
  readonly path: string;
  readonly onOk?: WatchKind;
  readonly onNoNode?: WatchKind;
}

export interface Operation<T, W = never> {
  readonly opCode: number;
  /** Client path, for error messages and error.path. */
  readonly path?: string;
  readonly write: (writer: JuteWriter) => void;
  readonly read: (reader: JuteReader) => T;
  /** exists(): a NONODE reply resolves with null instead of failing. */
  readonly nullOnNoNode?: boolean;
  readonly watch?: WatchRegistration<W>;
}

const utf8 = new TextEncoder();

export function toBytes(data: Data): Uint8Array | null {
  if (data === undefined || data === null) return null;
  if (typeof data === 'string') return utf8.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new BadArgumentsError('data must be a Uint8Array, a string, null or undefined');
}

export function statFromWire(stat: Rec<typeof R.Stat>): Stat {
  return {
    czxid: stat.czxid,
    mzxid: stat.mzxid,
    ctime: Number(stat.ctime),
    mtime: Number(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: stat.ephemeralOwner,
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
    pzxid: stat.pzxid,
  };
}

function checkVersion(version: number): number {
  if (!Number.isInteger(version) || version < -1 || version > 0x7fffffff) throw new BadArgumentsError(`bad version ${version}`);
  return version;
}

function aclToWire(acl: readonly ACL[] | undefined): Rec<typeof R.ACL>[] {
  const list = acl ?? OPEN_ACL_UNSAFE;
  if (!Array.isArray(list) || list.length === 0) throw new BadArgumentsError('acl must be a non-empty array');
  return list.map((entry) => ({ perms: entry.perms, id: { scheme: entry.id.scheme, id: entry.id.id } }));
}

// ---- create ------------------------------------------------------------------------------

export interface CreateWire {
  readonly opCode: number;
  readonly request: Rec<typeof R.CreateTTLRequest>;
}

/** Validates a create and picks the op code ZooKeeper's client would (facts §1.9). */
export function createWire(chroot: Chroot, path: string, data: Data, options: CreateOptions, withStat: boolean): CreateWire {
  const modeName = options.mode ?? 'persistent';
  const flags = CreateMode[modeName];
  if (flags === undefined) throw new BadArgumentsError(`unknown create mode '${String(modeName)}'`);
  const sequential = flags === CreateFlag.PERSISTENT_SEQUENTIAL || flags === CreateFlag.EPHEMERAL_SEQUENTIAL || flags === CreateFlag.PERSISTENT_SEQUENTIAL_WITH_TTL;
  validatePath(path, sequential);
  const ttl = flags === CreateFlag.PERSISTENT_WITH_TTL || flags === CreateFlag.PERSISTENT_SEQUENTIAL_WITH_TTL;
  if (ttl) {
    if (options.ttlMs === undefined || !Number.isInteger(options.ttlMs) || options.ttlMs <= 0) {
      throw new BadArgumentsError(`mode ${modeName} needs a positive integer ttlMs`);
    }
  } else if (options.ttlMs !== undefined) {
    throw new BadArgumentsError(`ttlMs is only allowed with a *WithTtl mode, not ${modeName}`);
  }
  const request = {
    path: chroot.toServer(path),
    data: toBytes(data),
    acl: aclToWire(options.acl),
    flags,
    ttl: ttl ? BigInt(options.ttlMs!) : -1n,
  };
  const opCode = ttl ? OpCode.createTTL : flags === CreateFlag.CONTAINER ? OpCode.createContainer : withStat ? OpCode.create2 : OpCode.create;
  return { opCode, request };
}

export interface Created { readonly path: string; readonly stat: Stat }

export function createOp(chroot: Chroot, path: string, data: Data, options: CreateOptions): Operation<Created | { path: string }> {
  return createOperation(chroot, path, data, options, false);
}

export function create2Op(chroot: Chroot, path: string, data: Data, options: CreateOptions): Operation<Created> {
  return createOperation(chroot, path, data, options, true) as Operation<Created>;
}

function createOperation(chroot: Chroot, path: string, data: Data, options: CreateOptions, withStat: boolean): Operation<Created | { path: string }> {
  const wire = createWire(chroot, path, data, options, withStat);
  return {
    opCode: wire.opCode,
    path,
    write: (writer) => {
      if (wire.opCode === OpCode.createTTL) writeRecord(writer, R.CreateTTLRequest, wire.request);
      else {
        const { ttl: _ttl, ...plain } = wire.request;
        writeRecord(writer, R.CreateRequest, plain);
      }
    },
    read: (reader) => {
      if (wire.opCode === OpCode.create) return { path: chroot.toClient(readRecord(reader, R.CreateResponse).path) };
      const response = readRecord(reader, R.Create2Response);
      return { path: chroot.toClient(response.path), stat: statFromWire(response.stat) };
    },
  };
}

// ---- simple ops --------------------------------------------------------------------------

function pathOp<T>(
  chroot: Chroot, opCode: number, path: string,
  write: (writer: JuteWriter, serverPath: string) => void, read: (reader: JuteReader) => T,
): Operation<T> {
  validatePath(path, false);
  const serverPath = chroot.toServer(path);
  return { opCode, path, write: (writer) => write(writer, serverPath), read };
}

const nothing = (): void => undefined;

export function deleteOp(chroot: Chroot, path: string, version: number): Operation<void> {
  checkVersion(version);
  return pathOp(chroot, OpCode.delete, path, (w, p) => writeRecord(w, R.DeleteRequest, { path: p, version }), nothing);
}

export function existsOp<W>(chroot: Chroot, path: string, listener: W | undefined): Operation<Stat | null, W> {
  const op = pathOp(chroot, OpCode.exists, path,
    (w, p) => writeRecord(w, R.ExistsRequest, { path: p, watch: listener !== undefined }),
    (r): Stat | null => statFromWire(readRecord(r, R.ExistsResponse).stat));
  return {
    ...op,
    nullOnNoNode: true,
    ...(listener !== undefined ? { watch: { listener, path, onOk: 'data', onNoNode: 'exist' } } : {}),
  };
}

/**
 * `dataIsNull` keeps ZooKeeper's distinction between a node created without data (null, which
 * zkCli prints as "null") and one holding zero bytes; `data` is empty in both cases.
 */
export interface DataAndStat { readonly data: Uint8Array; readonly dataIsNull: boolean; readonly stat: Stat }
const empty = new Uint8Array(0);

export function getDataOp<W>(chroot: Chroot, path: string, listener: W | undefined): Operation<DataAndStat, W> {
  const op = pathOp(chroot, OpCode.getData, path,
    (w, p) => writeRecord(w, R.GetDataRequest, { path: p, watch: listener !== undefined }),
    (r) => {
      const response = readRecord(r, R.GetDataResponse);
      return { data: response.data ?? empty, dataIsNull: response.data === null, stat: statFromWire(response.stat) };
    });
  return { ...op, ...(listener !== undefined ? { watch: { listener, path, onOk: 'data' } } : {}) };
}

export function setDataOp(chroot: Chroot, path: string, data: Data, version: number): Operation<Stat> {
  checkVersion(version);
  const bytes = toBytes(data);
  return pathOp(chroot, OpCode.setData, path,
    (w, p) => writeRecord(w, R.SetDataRequest, { path: p, data: bytes, version }),
    (r) => statFromWire(readRecord(r, R.SetDataResponse).stat));
}

export interface ChildrenAndStat { readonly children: string[]; readonly stat: Stat }

export function getChildrenOp<W>(chroot: Chroot, path: string, listener: W | undefined): Operation<string[], W> {
  const op = pathOp(chroot, OpCode.getChildren, path,
    (w, p) => writeRecord(w, R.GetChildrenRequest, { path: p, watch: listener !== undefined }),
    (r) => readRecord(r, R.GetChildrenResponse).children);
  return { ...op, ...(listener !== undefined ? { watch: { listener, path, onOk: 'child' } } : {}) };
}

export function getChildren2Op<W>(chroot: Chroot, path: string, listener: W | undefined): Operation<ChildrenAndStat, W> {
  const op = pathOp(chroot, OpCode.getChildren2, path,
    (w, p) => writeRecord(w, R.GetChildren2Request, { path: p, watch: listener !== undefined }),
    (r) => {
      const response = readRecord(r, R.GetChildren2Response);
      return { children: response.children, stat: statFromWire(response.stat) };
    });
  return { ...op, ...(listener !== undefined ? { watch: { listener, path, onOk: 'child' } } : {}) };
}

export interface ACLAndStat { readonly acl: ACL[]; readonly stat: Stat }

export function getACLOp(chroot: Chroot, path: string): Operation<ACLAndStat> {
  return pathOp(chroot, OpCode.getACL, path,
    (w, p) => writeRecord(w, R.GetACLRequest, { path: p }),
    (r) => {
      const response = readRecord(r, R.GetACLResponse);
      return { acl: response.acl, stat: statFromWire(response.stat) };
    });
}

export function setACLOp(chroot: Chroot, path: string, acl: readonly ACL[], version: number): Operation<Stat> {
  checkVersion(version);
  const wireAcl = aclToWire(acl);
  return pathOp(chroot, OpCode.setACL, path,
    (w, p) => writeRecord(w, R.SetACLRequest, { path: p, acl: wireAcl, version }),
    (r) => statFromWire(readRecord(r, R.SetACLResponse).stat));
}

export function syncOp(chroot: Chroot, path: string): Operation<string> {
  return pathOp(chroot, OpCode.sync, path,
    (w, p) => writeRecord(w, R.SyncRequest, { path: p }),
    (r) => chroot.toClient(readRecord(r, R.SyncResponse).path));
}

export function getAllChildrenNumberOp(chroot: Chroot, path: string): Operation<number> {
  return pathOp(chroot, OpCode.getAllChildrenNumber, path,
    (w, p) => writeRecord(w, R.GetAllChildrenNumberRequest, { path: p }),
    (r) => readRecord(r, R.GetAllChildrenNumberResponse).totalNumber);
}

/**
 * getEphemerals: ZooKeeper matches `prefixPath` as a plain string prefix of the server path
 * (so '/a' also matches '/ab'); with a chroot the prefix is taken inside it.
 */
export function getEphemeralsOp(chroot: Chroot, prefix: string): Operation<string[]> {
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) throw new BadArgumentsError(`invalid prefix '${String(prefix)}'`);
  const serverPrefix = chroot.toServer(prefix);
  return {
    opCode: OpCode.getEphemerals,
    path: prefix,
    write: (w) => writeRecord(w, R.GetEphemeralsRequest, { prefixPath: serverPrefix }),
    read: (r) => readRecord(r, R.GetEphemeralsResponse).ephemerals.map((p) => chroot.toClient(p)),
  };
}

export function whoAmIOp(): Operation<ClientInfo[]> {
  return { opCode: OpCode.whoAmI, write: nothing, read: (r) => readRecord(r, R.WhoAmIResponse).clientInfo };
}

/** addWatch modes: the node only, or the node and its whole subtree. */
export type AddWatchModeName = 'persistent' | 'persistentRecursive';

export function addWatchOp<W>(chroot: Chroot, path: string, mode: AddWatchModeName, listener: W): Operation<void, W> {
  const modeValue = AddWatchMode[mode];
  if (modeValue === undefined) throw new BadArgumentsError(`unknown addWatch mode '${String(mode)}'`);
  const op = pathOp(chroot, OpCode.addWatch, path, (w, p) => writeRecord(w, R.AddWatchRequest, { path: p, mode: modeValue }), nothing);
  // The reply body is an ErrorResponse{err=0} (facts §1.5, addWatch); nothing in it to read.
  return { ...op, watch: { listener, path, onOk: mode } };
}

export type WatcherTypeName = 'children' | 'data' | 'any' | 'persistent' | 'persistentRecursive';
export const watcherTypeCodes: Readonly<Record<WatcherTypeName, number>> = {
  children: WatcherType.Children,
  data: WatcherType.Data,
  any: WatcherType.Any,
  persistent: WatcherType.Persistent,
  persistentRecursive: WatcherType.PersistentRecursive,
};

export function removeWatchesOp(chroot: Chroot, path: string, type: WatcherTypeName): Operation<void> {
  const code = watcherTypeCodes[type];
  if (code === undefined) throw new BadArgumentsError(`unknown watcher type '${String(type)}'`);
  return pathOp(chroot, OpCode.removeWatches, path, (w, p) => writeRecord(w, R.RemoveWatchesRequest, { path: p, type: code }), nothing);
}

export function closeSessionOp(): Operation<void> {
  return { opCode: OpCode.closeSession, write: nothing, read: nothing };
}

// ---- multi -------------------------------------------------------------------------------

export type MultiOp =
  | { readonly type: 'create'; readonly path: string; readonly data?: Data; readonly options?: CreateOptions }
  | { readonly type: 'delete'; readonly path: string; readonly version?: number }
  | { readonly type: 'setData'; readonly path: string; readonly data: Data; readonly version?: number }
  | { readonly type: 'check'; readonly path: string; readonly version: number };

export type MultiResult =
  | { readonly type: 'create'; readonly path: string; readonly stat?: Stat }
  | { readonly type: 'delete' }
  | { readonly type: 'setData'; readonly stat: Stat }
  | { readonly type: 'check' };

export type MultiReadOp =
  | { readonly type: 'getData'; readonly path: string }
  | { readonly type: 'getChildren'; readonly path: string };

export type MultiReadResult =
  | { readonly type: 'getData'; readonly data: Uint8Array; readonly stat: Stat }
  | { readonly type: 'getChildren'; readonly children: string[] }
  | { readonly type: 'error'; readonly error: ZooKeeperError };

type EncodedOp = { readonly opCode: number; readonly path: string; readonly write: (writer: JuteWriter) => void };

function encodeMultiOp(chroot: Chroot, op: MultiOp): EncodedOp {
  switch (op.type) {
    case 'create': {
      // Like ZooKeeper's Op.create: containers and TTL nodes use their own op codes, anything
      // else a plain create (whose result carries no Stat).
      const wire = createWire(chroot, op.path, op.data, op.options ?? {}, false);
      return {
        opCode: wire.opCode,
        path: op.path,
        write: (w) => {
          if (wire.opCode === OpCode.createTTL) writeRecord(w, R.CreateTTLRequest, wire.request);
          else {
            const { ttl: _ttl, ...plain } = wire.request;
            writeRecord(w, R.CreateRequest, plain);
          }
        },
      };
    }
    case 'delete': {
      const version = checkVersion(op.version ?? -1);
      validatePath(op.path, false);
      const path = chroot.toServer(op.path);
      return { opCode: OpCode.delete, path: op.path, write: (w) => writeRecord(w, R.DeleteRequest, { path, version }) };
    }
    case 'setData': {
      const version = checkVersion(op.version ?? -1);
      validatePath(op.path, false);
      const path = chroot.toServer(op.path);
      const data = toBytes(op.data);
      return { opCode: OpCode.setData, path: op.path, write: (w) => writeRecord(w, R.SetDataRequest, { path, data, version }) };
    }
    case 'check': {
      const version = checkVersion(op.version);
      validatePath(op.path, false);
      const path = chroot.toServer(op.path);
      return { opCode: OpCode.check, path: op.path, write: (w) => writeRecord(w, R.CheckVersionRequest, { path, version }) };
    }
    default:
      throw new BadArgumentsError(`unknown multi op type '${String((op as { type: unknown }).type)}'`);
  }
}

function writeMulti(writer: JuteWriter, ops: readonly EncodedOp[]): void {
  for (const op of ops) {
    writeRecord(writer, R.MultiHeader, { type: op.opCode, done: false, err: -1 });
    op.write(writer);
  }
  writeRecord(writer, R.MultiHeader, { type: -1, done: true, err: -1 });
}

interface RawResult {
  /** The result's op type; -1 for an error result (whose err may still be 0, see multiOp). */
  readonly opCode: number;
  readonly err: number;
  readonly path?: string;
  readonly stat?: Stat;
  readonly data?: Uint8Array;
  readonly children?: string[];
}

function readMultiResults(reader: JuteReader, chroot: Chroot): RawResult[] {
  const results: RawResult[] = [];
  for (;;) {
    const header = readRecord(reader, R.MultiHeader);
    if (header.done) return results;
    switch (header.type) {
      case OpCode.create:
        results.push({ opCode: header.type, err: 0, path: chroot.toClient(readRecord(reader, R.CreateResponse).path) });
        break;
      case OpCode.create2: case OpCode.createContainer: case OpCode.createTTL: {
        const response = readRecord(reader, R.Create2Response);
        results.push({ opCode: header.type, err: 0, path: chroot.toClient(response.path), stat: statFromWire(response.stat) });
        break;
      }
      case OpCode.delete: case OpCode.check:
        results.push({ opCode: header.type, err: 0 });
        break;
      case OpCode.setData:
        results.push({ opCode: header.type, err: 0, stat: statFromWire(readRecord(reader, R.SetDataResponse).stat) });
        break;
      case OpCode.getData: {
        const response = readRecord(reader, R.GetDataResponse);
        results.push({ opCode: header.type, err: 0, data: response.data ?? empty, stat: statFromWire(response.stat) });
        break;
      }
      case OpCode.getChildren:
        results.push({ opCode: header.type, err: 0, children: readRecord(reader, R.GetChildrenResponse).children });
        break;
      case OpCode.error:
        results.push({ opCode: -1, err: readRecord(reader, R.ErrorResponse).err });
        break;
      default:
        throw new RangeError(`unexpected op type ${header.type} in multi response`);
    }
  }
}

/**
 * multi: all-or-nothing. On failure ZooKeeper answers every op with an error result: 0 for ops
 * before the failing one, the failing op's code, then RUNTIMEINCONSISTENCY (-2) for the rest
 * (facts §1.10). The operation then fails with the first failing op's typed error, whose
 * `multi` field lists every op's code and error.
 */
export function multiOp(chroot: Chroot, ops: readonly MultiOp[]): Operation<MultiResult[]> {
  if (!Array.isArray(ops)) throw new BadArgumentsError('multi needs an array of ops');
  const encoded = ops.map((op) => encodeMultiOp(chroot, op));
  return {
    opCode: OpCode.multi,
    write: (w) => writeMulti(w, encoded),
    read: (r) => {
      const raw = readMultiResults(r, chroot);
      if (raw.length !== ops.length) throw new RangeError(`multi answered ${raw.length} results for ${ops.length} ops`);
      const failedOpIndex = raw.findIndex((result) => result.err !== 0);
      if (failedOpIndex !== -1) throw multiFailure(raw.map((result) => result.err), encoded);
      return raw.map((result, index): MultiResult => {
        const op = ops[index]!;
        switch (op.type) {
          case 'create': return result.stat !== undefined ? { type: 'create', path: result.path!, stat: result.stat } : { type: 'create', path: result.path! };
          case 'delete': return { type: 'delete' };
          case 'setData': return { type: 'setData', stat: result.stat! };
          case 'check': return { type: 'check' };
          default: throw new RangeError('unreachable: op types were validated when encoding');
        }
      });
    },
  };
}

function multiFailure(opCodes: number[], ops: readonly EncodedOp[]): ZooKeeperError {
  const failedOpIndex = opCodes.findIndex((code) => code !== 0 && code !== ErrorCode.RUNTIMEINCONSISTENCY);
  const index = failedOpIndex === -1 ? opCodes.findIndex((code) => code !== 0) : failedOpIndex;
  const opErrors = opCodes.map((code, i) => (code === 0 ? undefined : errorFromCode(code, { path: ops[i]!.path })));
  const error = opErrors[index] ?? new RuntimeInconsistencyError('multi failed');
  error.multi = { failedOpIndex: index, opCodes, opErrors };
  return error;
}

/** multiRead: every op answers independently; failures are values, not a rejection. */
export function multiReadOp(chroot: Chroot, ops: readonly MultiReadOp[]): Operation<MultiReadResult[]> {
  if (!Array.isArray(ops)) throw new BadArgumentsError('multiRead needs an array of ops');
  const encoded: EncodedOp[] = ops.map((op) => {
    validatePath(op.path, false);
    const path = chroot.toServer(op.path);
    switch (op.type) {
      case 'getData': return { opCode: OpCode.getData, path: op.path, write: (w) => writeRecord(w, R.GetDataRequest, { path, watch: false }) };
      case 'getChildren': return { opCode: OpCode.getChildren, path: op.path, write: (w) => writeRecord(w, R.GetChildrenRequest, { path, watch: false }) };
      default: throw new BadArgumentsError(`unknown multiRead op type '${String((op as { type: unknown }).type)}'`);
    }
  });
  return {
    opCode: OpCode.multiRead,
    write: (w) => writeMulti(w, encoded),
    read: (r) => {
      const raw = readMultiResults(r, chroot);
      if (raw.length !== ops.length) throw new RangeError(`multiRead answered ${raw.length} results for ${ops.length} ops`);
      return raw.map((result, index): MultiReadResult => {
        if (result.opCode === -1) return { type: 'error', error: errorFromCode(result.err, { path: ops[index]!.path }) };
        if (result.children !== undefined) return { type: 'getChildren', children: result.children };
        return { type: 'getData', data: result.data ?? empty, stat: result.stat! };
      });
    },
  };
}
