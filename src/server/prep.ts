/**
 * The prep stage for writes (ZooKeeper's PrepRequestProcessor): decode the request, validate it
 * against the outstanding view of the tree, check permissions, and produce the txn to log — or
 * an error txn, because in ZooKeeper a failed write still takes a zxid and is logged as `error`.
 *
 * Not here: applying (tree/data-tree.ts), responding (final.ts), sessions' lifetimes.
 * The order of checks follows PrepRequestProcessor so that the same bad request gets the same
 * error code (e.g. InvalidACL before NoNode on create; NoNode before NoAuth before BadVersion).
 */
import { ErrorCode, OpCode, createModeOf, Perms } from '../protocol/codes.js';
import type { ACLT, IdT } from '../jute/records.js';
import * as R from '../jute/records.js';
import { decode, type Rec } from '../jute/schema.js';
import { JuteError, JuteReader } from '../jute/archive.js';
import { AclVectorCodec } from '../jute/acl-lists.js';
import { checkACL, fixupACL, type AclPolicy } from '../tree/acl.js';
import { parentPath } from '../tree/data-tree.js';
import { CONTAINER_EPHEMERAL_OWNER, ephemeralKindOf, ttlEphemeralOwner, TTL_MAX_MS, type Txn } from '../tree/txn.js';
import { isValidPath, pathError } from '../util/path.js';
import { withChanges, type NodeRecord, type Overlay, type RecordView } from './change-records.js';
import { decodeMultiOps, type MultiOp } from './multi.js';

export interface PrepPolicy extends AclPolicy {
  readonly extendedTypesEnabled: boolean;
  readonly reconfigEnabled: boolean;
  /**
   * zookeeper.enforceQuota: whether a create (`dataBytes` of data) or a setData (`dataBytes` of
   * new data) at `path` would pass a hard quota limit; absent when quotas are not enforced.
   */
  readonly quotaExceeded?: (path: string, op: 'create' | 'setData', dataBytes: number) => boolean;
}

export interface PrepRequest {
  readonly type: number;
  readonly body: Uint8Array;
  readonly sessionId: bigint;
  readonly authInfo: readonly IdT[];
}

/** A domain outcome: the request fails with a ZooKeeper error code. */
class KeeperError {
  constructor(readonly code: number) {}
}

const SPECIAL_PATHS = new Set(['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']);

export const WRITE_OPS: ReadonlySet<number> = new Set([
  OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.setData,
  OpCode.setACL, OpCode.check, OpCode.multi, OpCode.reconfig, OpCode.deleteContainer,
]);

/**
 * Prepares a write. Returns the txn (an `error` txn when the request fails) and writes the new
 * outstanding records into `overlay` (left empty on failure).
 */
export function prepWrite(request: PrepRequest, overlay: Overlay, policy: PrepPolicy, sessionLive: boolean): Txn {
  try {
    if (!sessionLive) throw new KeeperError(ErrorCode.SESSIONEXPIRED);
    if (request.type === OpCode.multi) return prepMulti(request, overlay, policy);
    if (request.type === OpCode.reconfig) {
      throw new KeeperError(policy.reconfigEnabled ? ErrorCode.UNIMPLEMENTED : ErrorCode.RECONFIGDISABLED);
    }
    return prepOp(decodeWrite(request.type, request.body), request, overlay, policy);
  } catch (error) {
    // An undecodable body is a MarshallingError txn, as in PrepRequestProcessor: the zxid is
    // taken and the connection stays open.
    const code = error instanceof KeeperError ? error.code : error instanceof JuteError ? ErrorCode.MARSHALLINGERROR : undefined;
    if (code === undefined) throw error;
    overlay.changes.clear();
    return { type: 'error', err: code };
  }
}

/**
 * The ACL lists of create requests: a repeated list (nearly every create repeats its client's
 * list) decodes to the same frozen array, whose fixupACL answer is then remembered too. Both are
 * pure functions of the bytes, so one for the process is safe.
 */
const requestAcls = new AclVectorCodec();
let lastFixupIn: readonly ACLT[] | undefined;
let lastFixupOut: ACLT[] = [];

/** CreateRequest{path; data; acl[]; flags} and CreateTTLRequest (plus long ttl), as decode() reads them. */
function decodeCreate(body: Uint8Array, withTtl: boolean): Rec<typeof R.CreateTTLRequest> {
  const reader = new JuteReader(body);
  const path = reader.readUstring();
  const data = reader.readBuffer();
  const acl = requestAcls.read(reader, body);
  const flags = reader.readInt();
  const ttl = withTtl ? reader.readLong() : -1n;
  if (reader.remaining !== 0) throw new JuteError(`${withTtl ? 'CreateTTLRequest' : 'CreateRequest'}: ${reader.remaining} trailing bytes`);
  return { path, data, acl, flags, ttl };
}

function decodeWrite(type: number, body: Uint8Array): MultiOp {
  switch (type) {
    case OpCode.create: case OpCode.create2: case OpCode.createContainer:
      return { type, request: decodeCreate(body, false) };
    case OpCode.createTTL: return { type, request: decodeCreate(body, true) };
    case OpCode.delete: return { type, request: decode(R.DeleteRequest, body) };
    case OpCode.setData: return { type, request: decode(R.SetDataRequest, body) };
    case OpCode.setACL: return { type, request: decode(R.SetACLRequest, body) };
    case OpCode.check: return { type, request: decode(R.CheckVersionRequest, body) };
    case OpCode.deleteContainer: {
      const raw = decode(R.DeleteContainerRequest, body).path;
      return { type, request: { path: new TextDecoder().decode(raw ?? new Uint8Array(0)) } };
    }
    default: throw new Error(`not a write op: ${type}`);
  }
}

function prepMulti(request: PrepRequest, overlay: Overlay, policy: PrepPolicy): Txn {
  const ops = decodeMultiOps(request.body, 'write');
  const txns: Txn[] = [];
  let failed: number | undefined;
  for (const op of ops) {
    if (failed !== undefined) {
      txns.push({ type: 'error', err: ErrorCode.RUNTIMEINCONSISTENCY });
      continue;
    }
    try {
      txns.push(prepOp(op, request, overlay, policy));
    } catch (error) {
      if (!(error instanceof KeeperError)) throw error;
      failed = error.code;
      txns.push({ type: 'error', err: error.code });
    }
  }
  // All or nothing: a failed multi leaves no outstanding changes (rollbackPendingChanges).
  if (failed !== undefined) overlay.changes.clear();
  return { type: 'multi', txns };
}

function mustGet(view: RecordView, path: string): NodeRecord {
  const record = view.get(path);
  if (record === undefined) throw new KeeperError(ErrorCode.NONODE);
  return record;
}

function requirePerm(policy: PrepPolicy, acl: readonly ACLT[], perm: number, authInfo: readonly IdT[]): void {
  if (!checkACL(policy, acl, perm, authInfo)) throw new KeeperError(ErrorCode.NOAUTH);
}

/** checkAndIncVersion: -1 matches any version; the next version wraps like a Java int. */
function nextVersion(current: number, expected: number): number {
  if (expected !== -1 && expected !== current) throw new KeeperError(ErrorCode.BADVERSION);
  return (current + 1) | 0;
}

function fixup(acl: ACLT[], authInfo: readonly IdT[]): ACLT[] {
  if (acl === lastFixupIn) return lastFixupOut;
  const fixed = fixupACL(acl, authInfo);
  if ('err' in fixed) throw new KeeperError(fixed.err);
  // Without an "auth" entry the answer does not depend on who asks; a frozen list cannot change.
  if (Object.isFrozen(acl) && !acl.some((entry) => entry.id.scheme === 'auth')) {
    lastFixupIn = acl;
    lastFixupOut = Object.freeze(fixed.acl) as ACLT[];
  }
  return fixed.acl;
}

/** `%010d` of a Java int, as ZooKeeper names sequential nodes (negative after wrap-around). */
export function sequenceSuffix(cversion: number): string {
  return cversion < 0 ? `-${String(-cversion).padStart(9, '0')}` : String(cversion).padStart(10, '0');
}

function prepOp(op: MultiOp, request: PrepRequest, overlay: Overlay, policy: PrepPolicy): Txn {
  switch (op.type) {
    case OpCode.create: case OpCode.create2: case OpCode.createContainer: case OpCode.createTTL:
      return prepCreate(op, request, overlay, policy);
    case OpCode.delete: case OpCode.deleteContainer: {
      const path = op.request.path;
      const slash = path.lastIndexOf('/');
      if (slash === -1 || path.includes('\0') || SPECIAL_PATHS.has(path)) throw new KeeperError(ErrorCode.BADARGUMENTS);
      const parentName = parentPath(path);
      const parent = mustGet(overlay, parentName);
      if (op.type === OpCode.delete) requirePerm(policy, parent.acl, Perms.DELETE, request.authInfo);
      const node = mustGet(overlay, path);
      if (op.type === OpCode.delete) {
        nextVersion(node.version, op.request.version);
      } else if (ephemeralKindOf(node.ephemeralOwner) === 'normal') {
        throw new KeeperError(ErrorCode.BADARGUMENTS);
      }
      if (node.childCount > 0) throw new KeeperError(ErrorCode.NOTEMPTY);
      overlay.set(parentName, withChanges(parent, { childCount: parent.childCount - 1 }));
      overlay.set(path, null);
      return { type: op.type === OpCode.delete ? 'delete' : 'deleteContainer', path };
    }
    case OpCode.setData: {
      const { path, data, version } = op.request;
      if (!isValidPath(path)) throw new KeeperError(ErrorCode.BADARGUMENTS);
      const node = mustGet(overlay, path);
      requirePerm(policy, node.acl, Perms.WRITE, request.authInfo);
      // Before the version check, as PrepRequestProcessor orders them.
      if (policy.quotaExceeded?.(path, 'setData', data?.length ?? 0) === true) throw new KeeperError(ErrorCode.QUOTAEXCEEDED);
      const newVersion = nextVersion(node.version, version);
      overlay.set(path, withChanges(node, { version: newVersion }));
      return { type: 'setData', path, data, version: newVersion };
    }
    case OpCode.setACL: {
      const { path, acl, version } = op.request;
      if (!isValidPath(path)) throw new KeeperError(ErrorCode.BADARGUMENTS);
      const fixed = fixup(acl, request.authInfo);
      const node = mustGet(overlay, path);
      requirePerm(policy, node.acl, Perms.ADMIN, request.authInfo);
      const newVersion = nextVersion(node.aversion, version);
      overlay.set(path, withChanges(node, { aversion: newVersion, acl: fixed }));
      return { type: 'setACL', path, acl: fixed, version: newVersion };
    }
    case OpCode.check: {
      const { path, version } = op.request;
      if (!isValidPath(path)) throw new KeeperError(ErrorCode.BADARGUMENTS);
      const node = mustGet(overlay, path);
      requirePerm(policy, node.acl, Perms.READ, request.authInfo);
      return { type: 'check', path, version: nextVersion(node.version, version) };
    }
    case OpCode.getData: case OpCode.getChildren:
      throw new KeeperError(ErrorCode.BADARGUMENTS);
  }
}

let lastParentName = '/';

/**
 * `path.slice(0, slash)`, as the same string as last time when it is equal: creates come in runs
 * under one parent, and the parent's path is a key of three maps on the way (the overlay, the
 * outstanding changes, the tree's lookup cache), where one string object is hashed once and
 * compared by identity.
 */
function parentNameOf(path: string, slash: number): string {
  if (slash === 0) return '/';
  const last = lastParentName;
  if (last.length === slash && path.startsWith(last)) return last;
  return (lastParentName = path.slice(0, slash));
}

function prepCreate(op: MultiOp & { type: 1 | 15 | 19 | 21 }, request: PrepRequest, overlay: Overlay, policy: PrepPolicy): Txn {
  if ('unprocessable' in op && op.unprocessable !== undefined) throw new JuteError(op.unprocessable);
  const { path: requestedPath, data, acl, flags } = op.request;
  const ttl = op.type === OpCode.createTTL ? op.request.ttl : -1n;
  const mode = createModeOf(flags);
  if (mode === undefined) throw new KeeperError(ErrorCode.BADARGUMENTS);
  if (mode.ttl && !policy.extendedTypesEnabled) throw new KeeperError(ErrorCode.UNIMPLEMENTED);
  if (mode.ttl ? ttl <= 0n || ttl > TTL_MAX_MS : ttl >= 0n) throw new KeeperError(ErrorCode.BADARGUMENTS);
  const slash = requestedPath.lastIndexOf('/');
  if (slash === -1 || requestedPath.includes('\0')) throw new KeeperError(ErrorCode.BADARGUMENTS);
  const fixed = fixup(acl, request.authInfo);
  const parentName = parentNameOf(requestedPath, slash);
  const parent = mustGet(overlay, parentName);
  requirePerm(policy, parent.acl, Perms.CREATE, request.authInfo);
  if (pathError(requestedPath, mode.sequential) !== undefined) throw new KeeperError(ErrorCode.BADARGUMENTS);
  const path = mode.sequential ? requestedPath + sequenceSuffix(parent.cversion) : requestedPath;
  if (overlay.get(path) !== undefined) throw new KeeperError(ErrorCode.NODEEXISTS);
  if (ephemeralKindOf(parent.ephemeralOwner) === 'normal') throw new KeeperError(ErrorCode.NOCHILDRENFOREPHEMERALS);
  if (policy.quotaExceeded?.(path, 'create', data?.length ?? 0) === true) throw new KeeperError(ErrorCode.QUOTAEXCEEDED);
  const parentCVersion = (parent.cversion + 1) | 0;
  overlay.set(parentName, withChanges(parent, { childCount: parent.childCount + 1, cversion: parentCVersion }));
  // The op code, not the flags, picks the kind of txn (PrepRequestProcessor.pRequest2TxnCreate):
  // a plain create with the container flag makes an ordinary persistent node.
  const txn: Txn = op.type === OpCode.createContainer ? { type: 'createContainer', path, data, acl: fixed, parentCVersion }
    : op.type === OpCode.createTTL ? { type: 'createTTL', path, data, acl: fixed, parentCVersion, ttl }
    : { type: op.type === OpCode.create ? 'create' : 'create2', path, data, acl: fixed, ephemeral: mode.ephemeral, parentCVersion };
  const ephemeralOwner = txn.type === 'createContainer' ? CONTAINER_EPHEMERAL_OWNER
    : txn.type === 'createTTL' ? ttlEphemeralOwner(ttl)
    : mode.ephemeral ? request.sessionId : 0n;
  overlay.set(path, { version: 0, cversion: 0, aversion: 0, ephemeralOwner, childCount: 0, acl: fixed });
  return txn;
}
