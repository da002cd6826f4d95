/**
 * Replaying logged txns onto a loaded snapshot, with the semantics ZooKeeper gives recovery
 * (FileTxnSnapLog.processTransaction, DataTree.processTxn):
 * - createSession adds the session with its timeout, closeSession removes it (and the tree
 *   deletes its ephemerals);
 * - a txn may fail on replay (NONODE, NODEEXISTS) because a fuzzy snapshot already holds part
 *   of what came after its zxid; that is expected and ignored;
 * - a plain create (op code 1) that meets NODEEXISTS still moves its parent's cversion and
 *   pzxid forward, as ZooKeeper does for the node deleted and re-created by another session
 *   after its parent was serialized (DataTree.setCversionPzxid);
 * - entries at or below the tree's zxid are already in the snapshot and skipped;
 * - zxids must increase: an entry that goes backwards means the files are mixed up.
 * After the last entry, `finish` drops ephemerals whose owner is not a live session (ZooKeeper's
 * "clean up dead sessions" in ZooKeeperServer.loadData).
 *
 * Not here: reading files or deciding which ones (storage/file/recover.ts). Pure: no I/O.
 */
import { ErrorCode, OpCode } from '../protocol/codes.js';
import type { DataTree } from '../tree/data-tree.js';
import { parentPath } from '../tree/data-tree.js';
import type { LogEntry } from './format/txn-codec.js';

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

export interface ReplayStats {
  applied: number;
  skipped: number;
  /** Txns that failed on replay (expected after a fuzzy snapshot). */
  failed: number;
}

export class Replay {
  /** sessionId → negotiated timeout, as the snapshot and the log leave it. */
  readonly sessions: Map<bigint, number>;
  readonly stats: ReplayStats = { applied: 0, skipped: 0, failed: 0 };
  private lastZxid: bigint;

  constructor(readonly tree: DataTree, sessions: Iterable<{ sessionId: bigint; timeoutMs: number }>) {
    this.sessions = new Map([...sessions].map((session) => [session.sessionId, session.timeoutMs]));
    this.lastZxid = tree.lastProcessedZxid;
  }

  get zxid(): bigint {
    return this.lastZxid;
  }

  /** Applies one log entry; `where` names it in errors (file and offset). */
  apply(entry: LogEntry, where: string): void {
    const { header, txn } = entry;
    if (header.zxid <= this.lastZxid) {
      // Before the first applied entry: already in the snapshot. After it: the files disagree.
      if (this.stats.applied > 0) {
        throw new ReplayError(`${where}: zxid 0x${header.zxid.toString(16)} comes after 0x${this.lastZxid.toString(16)}: log entries out of order`);
      }
      this.stats.skipped++;
      return;
    }
    if (txn.type === 'createSession') this.sessions.set(header.clientId, txn.timeOut);
    if (txn.type === 'closeSession') this.sessions.delete(header.clientId);
    const { result } = this.tree.applyTxn(header, txn);
    if (result.err !== ErrorCode.OK) {
      this.stats.failed++;
      if (entry.type === OpCode.create && result.err === ErrorCode.NODEEXISTS && (txn.type === 'create' || txn.type === 'create2')) {
        this.moveParentCversion(txn.path, txn.parentCVersion, header.zxid);
      }
    }
    this.stats.applied++;
    this.lastZxid = header.zxid;
  }

  private moveParentCversion(path: string, parentCVersion: number, zxid: bigint): void {
    const parentName = parentPath(path);
    const parent = this.tree.get(parentName);
    if (parent === undefined) return;
    const cversion = parentCVersion === -1 ? parent.cversion + 1 : parentCVersion;
    if (cversion > parent.cversion) {
      this.tree.willChange(parentName);
      parent.cversion = cversion;
      parent.pzxid = zxid;
    }
  }

  /** Ends the replay: ephemerals of sessions that no longer exist are deleted. Returns their paths. */
  finish(): string[] {
    const orphans: string[] = [];
    for (const [owner, paths] of [...this.tree.ephemerals]) {
      if (this.sessions.has(owner)) continue;
      orphans.push(...paths);
      // Like DataTree.killSession: delete them as a closeSession would, at the current zxid.
      this.tree.applyTxn({ clientId: owner, cxid: 0, zxid: this.tree.lastProcessedZxid, timeMs: 0n }, { type: 'closeSession', paths2Delete: [] });
    }
    return orphans;
  }

  sessionList(): { sessionId: bigint; timeoutMs: number }[] {
    return [...this.sessions].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
  }
}
