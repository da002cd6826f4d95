/**
 * The final stage for reads and watch requests (ZooKeeper's FinalRequestProcessor): run the read
 * against the tree as it stands after every earlier txn, register watches, and say what to send.
 *
 * Not here: writes (their results come from DataTree.applyTxn) or the reply framing.
 * Order of checks follows FinalRequestProcessor: NUL in path → BadArguments, missing → NoNode,
 * then permission, so a probe gets the same code from zkts and from ZooKeeper.
 */
import { ErrorCode, OpCode, Perms, WatcherType, AddWatchMode, EventType, type EventTypeValue } from '../protocol/codes.js';
import type { JuteWriter } from '../jute/archive.js';
import * as R from '../jute/records.js';
import type { IdT } from '../jute/records.js';
import { decode, writeRecord } from '../jute/schema.js';
import { checkACL, maskDigests, userNameOf, type AclPolicy } from '../tree/acl.js';
import type { DataTree, DataNode } from '../tree/data-tree.js';
import type { WatcherId, WatchMode } from '../tree/watch-manager.js';
import { decodeMultiOps, encodeMultiResults, type MultiResult } from './multi.js';

export interface ReadContext {
  readonly tree: DataTree;
  readonly watcher: WatcherId;
  readonly sessionId: bigint;
  readonly authInfo: readonly IdT[];
  readonly policy: AclPolicy;
}

export interface ReadOutcome {
  readonly err: number;
  /** Writes the response record; absent when the reply is a bare header. */
  readonly body?: (writer: JuteWriter) => void;
  /** Events fired at once to this watcher (setWatches for changes missed while disconnected). */
  readonly events?: readonly { type: EventTypeValue; path: string }[];
  /** Close the connection after replying (ZooKeeper does this for unknown op codes). */
  readonly close?: string;
}

export const READ_OPS: ReadonlySet<number> = new Set([
  OpCode.exists, OpCode.getData, OpCode.getACL, OpCode.getChildren, OpCode.getChildren2, OpCode.sync,
  OpCode.ping, OpCode.checkWatches, OpCode.removeWatches, OpCode.multiRead, OpCode.getEphemerals,
  OpCode.getAllChildrenNumber, OpCode.setWatches, OpCode.setWatches2, OpCode.addWatch, OpCode.whoAmI,
]);

const fail = (err: number): ReadOutcome => ({ err });

function lookup(ctx: ReadContext, path: string, perm: number): { node: DataNode } | { err: number } {
  if (path.includes('\0')) return { err: ErrorCode.BADARGUMENTS };
  const node = ctx.tree.get(path);
  if (node === undefined) return { err: ErrorCode.NONODE };
  if (!checkACL(ctx.policy, node.acl, perm, ctx.authInfo)) return { err: ErrorCode.NOAUTH };
  return { node };
}

function watcherModes(type: number): { data: boolean; child: boolean } | undefined {
  switch (type) {
    case WatcherType.Children: return { data: false, child: true };
    case WatcherType.Data: return { data: true, child: false };
    case WatcherType.Any: return { data: true, child: true };
    default: return undefined;
  }
}

export function processRead(type: number, body: Uint8Array, ctx: ReadContext): ReadOutcome {
  const { tree } = ctx;
  switch (type) {
    case OpCode.ping:
      return { err: ErrorCode.OK };
    case OpCode.sync: {
      const { path } = decode(R.SyncRequest, body);
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.SyncResponse, { path }) };
    }
    case OpCode.exists: {
      const { path, watch } = decode(R.ExistsRequest, body);
      if (path.includes('\0')) return fail(ErrorCode.BADARGUMENTS);
      // The watch is set whether or not the node exists: that is how NodeCreated gets delivered.
      if (watch) tree.dataWatches.add(path, ctx.watcher, 'standard');
      const node = tree.get(path);
      if (node === undefined) return fail(ErrorCode.NONODE);
      // Like the 3.8.0 reference (our differential oracle), exists needs no permission: anyone
      // may learn that a path exists and read its Stat.
      const stat = tree.statOf(node);
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.ExistsResponse, { stat }) };
    }
    case OpCode.getData: {
      const { path, watch } = decode(R.GetDataRequest, body);
      const found = lookup(ctx, path, Perms.READ);
      if ('err' in found) return fail(found.err);
      if (watch) tree.dataWatches.add(path, ctx.watcher, 'standard');
      const { data } = found.node;
      const stat = tree.statOf(found.node);
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.GetDataResponse, { data, stat }) };
    }
    case OpCode.getChildren:
    case OpCode.getChildren2: {
      const { path, watch } = decode(type === OpCode.getChildren ? R.GetChildrenRequest : R.GetChildren2Request, body);
      const found = lookup(ctx, path, Perms.READ);
      if ('err' in found) return fail(found.err);
      if (watch) tree.childWatches.add(path, ctx.watcher, 'standard');
      const children = [...found.node.children.keys()];
      if (type === OpCode.getChildren) return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.GetChildrenResponse, { children }) };
      const stat = tree.statOf(found.node);
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.GetChildren2Response, { children, stat }) };
    }
    case OpCode.getACL: {
      const { path } = decode(R.GetACLRequest, body);
      const found = lookup(ctx, path, Perms.READ | Perms.ADMIN);
      if ('err' in found) return fail(found.err);
      const isAdmin = checkACL(ctx.policy, found.node.acl, Perms.ADMIN, ctx.authInfo);
      const acl = isAdmin ? found.node.acl : maskDigests(found.node.acl);
      const stat = tree.statOf(found.node);
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.GetACLResponse, { acl, stat }) };
    }
    case OpCode.getAllChildrenNumber: {
      const { path } = decode(R.GetAllChildrenNumberRequest, body);
      const found = lookup(ctx, path, Perms.READ);
      if ('err' in found) return fail(found.err);
      // ZooKeeper counts map keys under `path + "/"`; for "" that includes its "/" alias of the root.
      const totalNumber = path === '' ? tree.countDescendants('/') + 1 : tree.countDescendants(path);
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.GetAllChildrenNumberResponse, { totalNumber }) };
    }
    case OpCode.getEphemerals: {
      const { prefixPath } = decode(R.GetEphemeralsRequest, body);
      const owned = [...tree.ephemeralsOf(ctx.sessionId)];
      const ephemerals = prefixPath === '' || prefixPath === '/' ? owned : owned.filter((path) => path.startsWith(prefixPath));
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.GetEphemeralsResponse, { ephemerals }) };
    }
    case OpCode.multiRead:
      return processMultiRead(body, ctx);
    case OpCode.addWatch: {
      const { path, mode } = decode(R.AddWatchRequest, body);
      const watchMode: WatchMode | undefined = mode === AddWatchMode.persistent ? 'persistent'
        : mode === AddWatchMode.persistentRecursive ? 'persistentRecursive' : undefined;
      // An unknown mode fails to convert in ZooKeeper's request handling: MarshallingError.
      if (watchMode === undefined) return fail(ErrorCode.MARSHALLINGERROR);
      tree.dataWatches.add(path, ctx.watcher, watchMode);
      tree.childWatches.add(path, ctx.watcher, watchMode);
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.ErrorResponse, { err: 0 }) };
    }
    case OpCode.checkWatches:
    case OpCode.removeWatches: {
      const { path, type: watcherType } = decode(type === OpCode.checkWatches ? R.CheckWatchesRequest : R.RemoveWatchesRequest, body);
      const modes = watcherModes(watcherType);
      // 3.8's WatcherType.fromInt throws on anything but 1-3 (4 and 5 came in 3.9): MarshallingError.
      if (modes === undefined) return fail(ErrorCode.MARSHALLINGERROR);
      if (type === OpCode.checkWatches) {
        // containsWatcher walks the path's parents, which fails for a relative path.
        if (path !== '' && !path.startsWith('/')) return fail(ErrorCode.MARSHALLINGERROR);
        // Bug-compatible with 3.8's WatchManager.containsWatcher, which answers for the path, not
        // the caller: it succeeds when any connection watches `path`. Clients only send
        // checkWatches for watches they know they set, so for them the answers agree.
        const watched = (modes.data && tree.dataWatches.watched(path)) || (modes.child && tree.childWatches.watched(path));
        return { err: watched ? ErrorCode.OK : ErrorCode.NOWATCHER };
      }
      const removedData = modes.data && tree.dataWatches.remove(path, ctx.watcher);
      const removedChild = modes.child && tree.childWatches.remove(path, ctx.watcher);
      return { err: removedData || removedChild ? ErrorCode.OK : ErrorCode.NOWATCHER };
    }
    case OpCode.setWatches:
    case OpCode.setWatches2:
      return { err: ErrorCode.OK, events: setWatches(type, body, ctx) };
    case OpCode.whoAmI: {
      const clientInfo = ctx.authInfo.map((id) => ({ authScheme: id.scheme, user: userNameOf(id) }));
      return { err: ErrorCode.OK, body: (w) => writeRecord(w, R.WhoAmIResponse, { clientInfo }) };
    }
    default:
      return { err: ErrorCode.UNIMPLEMENTED, close: `Received packet at server of unknown type ${type}` };
  }
}

function processMultiRead(body: Uint8Array, ctx: ReadContext): ReadOutcome {
  const results: MultiResult[] = decodeMultiOps(body, 'read').map((op): MultiResult => {
    const path = op.request.path;
    const found = lookup(ctx, path, Perms.READ);
    if ('err' in found) return { type: -1, err: found.err };
    if (op.type === OpCode.getData) {
      if ('watch' in op.request && op.request.watch) ctx.tree.dataWatches.add(path, ctx.watcher, 'standard');
      return { type: 4, data: found.node.data, stat: ctx.tree.statOf(found.node) };
    }
    if ('watch' in op.request && op.request.watch) ctx.tree.childWatches.add(path, ctx.watcher, 'standard');
    return { type: 8, children: [...found.node.children.keys()] };
  });
  return { err: ErrorCode.OK, body: (w) => encodeMultiResults(w, results) };
}

/**
 * Re-registers a reconnecting client's watches; a change newer than `relativeZxid` (the last zxid
 * the client saw) fires at once instead, so nothing missed while disconnected goes unnoticed.
 */
function setWatches(type: number, body: Uint8Array, ctx: ReadContext): { type: EventTypeValue; path: string }[] {
  const request = type === OpCode.setWatches
    ? { ...decode(R.SetWatches, body), persistentWatches: [] as string[], persistentRecursiveWatches: [] as string[] }
    : decode(R.SetWatches2, body);
  const { tree, watcher } = ctx;
  const relativeZxid = request.relativeZxid;
  const events: { type: EventTypeValue; path: string }[] = [];
  for (const path of request.dataWatches) {
    const node = tree.get(path);
    if (node === undefined) events.push({ type: EventType.NodeDeleted, path });
    else if (node.mzxid > relativeZxid) events.push({ type: EventType.NodeDataChanged, path });
    else tree.dataWatches.add(path, watcher, 'standard');
  }
  for (const path of request.existWatches) {
    if (tree.get(path) !== undefined) events.push({ type: EventType.NodeCreated, path });
    else tree.dataWatches.add(path, watcher, 'standard');
  }
  for (const path of request.childWatches) {
    const node = tree.get(path);
    if (node === undefined) events.push({ type: EventType.NodeDeleted, path });
    else if (node.pzxid > relativeZxid) events.push({ type: EventType.NodeChildrenChanged, path });
    else tree.childWatches.add(path, watcher, 'standard');
  }
  for (const [paths, mode] of [[request.persistentWatches, 'persistent'], [request.persistentRecursiveWatches, 'persistentRecursive']] as const) {
    for (const path of paths) {
      tree.dataWatches.add(path, watcher, mode);
      tree.childWatches.add(path, watcher, mode);
    }
  }
  return events;
}
